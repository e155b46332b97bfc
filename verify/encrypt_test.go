package verify

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/internal/testenv"
)

// TestOpenWithoutPassword checks the standard security handler's empty
// user password test against qpdf's encryption of every revision.
func TestOpenWithoutPassword(t *testing.T) {
	qpdf := testenv.Tool(t, "qpdf")
	in := filepath.Join(t.TempDir(), "in.pdf")
	os.WriteFile(in, testcorpus.Base(t)["gs-letter"], 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want bool
	}{
		{"R2 RC4-40, no password", []string{"", "owner", "40"}, true},
		{"R3 RC4-128, no password", []string{"", "owner", "128", "--use-aes=n"}, true},
		{"R4 AES-128, no password", []string{"", "owner", "128", "--use-aes=y"}, true},
		{"R6 AES-256, no password", []string{"", "owner", "256"}, true},
		{"R4 with a user password", []string{"rahasia", "owner", "128", "--use-aes=y"}, false},
		{"R6 with a user password", []string{"rahasia", "owner", "256"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "enc.pdf")
			args := append([]string{"--encrypt"}, tc.args...)
			args = append(args, "--", "--allow-weak-crypto", in, out)
			if b, err := exec.Command(qpdf, args...).CombinedOutput(); err != nil {
				t.Fatalf("qpdf: %v %s", err, b)
			}
			data, _ := os.ReadFile(out)
			r, err := pdf.Open(bytes.NewReader(data), int64(len(data)), nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := openWithoutPassword(r)
			if err != nil || got != tc.want {
				t.Fatalf("openWithoutPassword = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
