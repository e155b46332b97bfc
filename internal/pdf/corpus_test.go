package pdf

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/segel-id/segel/internal/testenv"
)

// TestWriteSeedCorpus regenerates the committed seed corpus in
// testdata/fuzz/{FuzzOpen,FuzzUpdate} from the hand-made PDFs and their
// qpdf variants. It only runs with SEGEL_WRITE_CORPUS=1.
func TestWriteSeedCorpus(t *testing.T) {
	if os.Getenv("SEGEL_WRITE_CORPUS") != "1" {
		t.Skip("set SEGEL_WRITE_CORPUS=1 to regenerate the seed corpus")
	}
	seeds := map[string][]byte{
		"sample1":  samplePDF(1),
		"objstm":   objStmPDF(false),
		"hybrid":   objStmPDF(true),
		"form":     formPDF(),
		"tiny":     tinyPDF(),
		"update":   testUpdateRoundTrip(t, samplePDF(1), true),
		"update-x": testUpdateRoundTrip(t, objStmPDF(false), true),
	}
	qpdf := testenv.Tool(t, "qpdf")
	for name, data := range qpdfVariants(t, qpdf, samplePDF(2)) {
		seeds["qpdf-"+name] = data
	}
	for _, target := range []string{"FuzzOpen", "FuzzUpdate"} {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range seeds {
			content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
			if err := os.WriteFile(filepath.Join(dir, "seed-"+name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
