package signer_test

import (
	"testing"

	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// TestSignCorpus signs every corpus entry (committed files and their qpdf
// variants) with RSA-2048 and ECDSA P-256 and checks each output with
// pdfsig, openssl cms and qpdf --check, and its update object by object.
func TestSignCorpus(t *testing.T) {
	t.Parallel()
	corpus := testcorpus.All(t)
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.ECDSAP256} {
		id := identity(t, kt)
		for _, name := range testcorpus.Names(corpus) {
			src := corpus[name]
			t.Run(string(kt)+"/"+name, func(t *testing.T) {
				t.Parallel()
				opts := optionsFor(id)
				opts.Reason = "Persetujuan surat keluar"
				out, res := signBytes(t, src, opts)
				if res.Level != signer.LevelB {
					t.Errorf("Result.Level = %v, want B-B", res.Level)
				}
				info, _ := testcorpus.Describe(name)
				want := "Signature1"
				if len(info.Fields) > 0 && info.EmptySignatureFields != nil {
					want = "Signature2" // Signature1 exists (empty) in the form
				}
				if res.Field != want {
					t.Errorf("Result.Field = %q, want %q", res.Field, want)
				}
				checkExternal(t, out, res, allSegel(1))
				qpdfCheck(t, out)
				if got := auditUpdates(t, out, len(src)); len(got) != 1 || got[0] != "signature" {
					t.Errorf("updates %v, want one signature", got)
				}
			})
		}
	}
}
