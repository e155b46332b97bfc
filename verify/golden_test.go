package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/verify"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite verify/testdata/golden from the current reports")

// goldenDir holds the JSON of the report of every conformance file and
// sample letter, as written before the report's fields were typed (issue
// 15): the typed Report must marshal byte for byte the same.
const goldenDir = "testdata/golden"

// TestReportJSONGolden verifies the conformance corpus and the sample
// letters (testdata/letters, unsigned) offline at the fixed conformance
// time and compares the report's JSON, both compact (as `segel verify
// --json` and /v1/verify write it) and indented, with the golden files.
// It also checks that each golden file decodes into a Report that
// marshals back to the same bytes.
func TestReportJSONGolden(t *testing.T) {
	t.Parallel()
	rootPEM, err := os.ReadFile(filepath.Join(conformanceDir, "root.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := trust.NewPool()
	if n, _ := pool.AddPEM(rootPEM, "conformance TEST root"); n != 1 {
		t.Fatalf("root.pem: %d certificates", n)
	}
	opts := &verify.Options{Trust: pool, Time: conformanceTime, Offline: true}
	corpus, _ := filepath.Glob(filepath.Join(conformanceDir, "*.pdf"))
	letters, _ := filepath.Glob(filepath.Join("..", "testdata", "letters", "*.pdf"))
	if len(corpus) < 20 || len(letters) < 3 {
		t.Fatalf("%d corpus files, %d letters: testdata missing", len(corpus), len(letters))
	}
	for _, p := range append(corpus, letters...) {
		name := strings.TrimSuffix(filepath.Base(p), ".pdf")
		if strings.Contains(p, "letters") {
			name = "letter-" + name
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := verify.Verify(context.Background(), bytes.NewReader(data), int64(len(data)), opts)
			if err != nil {
				t.Skipf("Verify: %v (no report to compare)", err)
			}
			compact, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			var indented bytes.Buffer
			if err := json.Indent(&indented, compact, "", "  "); err != nil {
				t.Fatal(err)
			}
			indented.WriteByte('\n')
			path := filepath.Join(goldenDir, name+".json")
			if *updateGolden {
				if err := os.WriteFile(path, indented.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./verify -run TestReportJSONGolden -update-golden writes it)", err)
			}
			if !bytes.Equal(indented.Bytes(), want) {
				t.Errorf("report JSON differs from %s:\ngot  %s\nwant %s", path, indented.Bytes(), want)
			}
			var wantCompact bytes.Buffer
			if err := json.Compact(&wantCompact, want); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(compact, wantCompact.Bytes()) {
				t.Errorf("compact report JSON differs from %s", path)
			}
			// The golden JSON decodes into a Report that marshals back the same.
			var back verify.Report
			if err := json.Unmarshal(want, &back); err != nil {
				t.Fatalf("decode %s: %v", path, err)
			}
			again, err := json.Marshal(&back)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, wantCompact.Bytes()) {
				t.Errorf("%s does not survive a decode and encode:\ngot  %s\nwant %s", path, again, wantCompact.Bytes())
			}
		})
	}
}
