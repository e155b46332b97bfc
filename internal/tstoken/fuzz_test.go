package tstoken_test

import (
	"crypto"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/tstoken"
)

// FuzzValidate: whatever the token, Validate returns a classified error
// or a token whose certificate is set, and never panics.
func FuzzValidate(f *testing.F) {
	f.Fuzz(func(t *testing.T, der []byte) {
		sd, err := cms.Parse(der)
		if err != nil {
			return
		}
		tok, err := tstoken.Validate(sd, tstoken.Options{Hash: crypto.SHA256, Imprint: tstoken.Digest(digest), Nonce: big.NewInt(42)})
		if err != nil {
			var te *tstoken.Error
			if !errors.As(err, &te) || !errors.Is(err, tstoken.ErrInvalid) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if tok.Cert == nil || tok.Info == nil {
			t.Fatal("valid token without certificate or TSTInfo")
		}
	})
}

// TestWriteFuzzSeeds regenerates the committed seed corpus of
// FuzzValidate when SEGEL_WRITE_FUZZ_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("SEGEL_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("set SEGEL_WRITE_FUZZ_SEEDS=1 to regenerate the seeds")
	}
	w := worldFor(t)
	dir := filepath.Join("testdata", "fuzz", "FuzzValidate")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, sd := range map[string]*cms.SignedData{
		"good-nonce":      token(t, w.good, big.NewInt(42)),
		"noncritical-eku": token(t, w.signer, big.NewInt(42)),
	} {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", sd.Raw)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
