package signer_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/testpki"
)

// TestSignThreeTimes signs a document, then the output, then that output:
// three approval signatures by different keys, every earlier one still
// valid (but no longer covering the whole file), each input a byte prefix
// of its output, fields Signature1, Signature2, Signature3.
func TestSignThreeTimes(t *testing.T) {
	t.Parallel()
	keys := []testpki.KeyType{testpki.RSA2048, testpki.ECDSAP256, testpki.ECDSAP384}
	corpus := testcorpus.All(t)
	for _, name := range []string{"gs-letter", "cairo-letter/objstm", "hybrid-xref", "gs-pdf13/linearize", "qpdf-merged/pdf20"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			doc := corpus[name]
			var results [][4]int64
			for i, kt := range keys {
				prev := doc
				opts := optionsFor(identity(t, kt))
				opts.Reason = fmt.Sprintf("Paraf ke-%d", i+1)
				out, res := signBytes(t, prev, opts) // checks the prefix property
				if want := fmt.Sprintf("Signature%d", i+1); res.Field != want {
					t.Errorf("signature %d: field %q, want %q", i+1, res.Field, want)
				}
				if !bytes.HasPrefix(out, prev) {
					t.Fatalf("signature %d: the previous revision is not a prefix", i+1)
				}
				checkExternal(t, out, res, allSegel(i+1))
				qpdfCheck(t, out)
				auditUpdates(t, out, len(prev))
				ps, _ := runPdfsig(t, out)
				for j, s := range ps {
					if want := fmt.Sprintf("Signature%d", j+1); s.Field != want {
						t.Errorf("after %d signatures: pdfsig #%d field %q, want %q", i+1, j+1, s.Field, want)
					}
				}
				// The earlier byte ranges still end where their revision
				// ended.
				for j, br := range results {
					sigs := scanSignatures(t, out)
					if sigs[j].ByteRange != br {
						t.Errorf("signature %d's /ByteRange changed: %v, was %v", j+1, sigs[j].ByteRange, br)
					}
				}
				results = append(results, res.ByteRange)
				doc = out
			}
		})
	}
}

// TestExamplePDF checks the example's hand-made PDF, and its signed form,
// with qpdf, pdfsig and openssl.
func TestExamplePDF(t *testing.T) {
	t.Parallel()
	src := tinyPDF()
	qpdfCheck(t, src)
	out, res := signBytes(t, src, optionsFor(identity(t, testpki.ECDSAP256)))
	checkExternal(t, out, res, allSegel(1))
	qpdfCheck(t, out)
}

// TestCheckerDetectsTampering makes sure the external checks can fail: a
// byte changed inside the signed range (in the binary comment after the
// header, so the file still parses) must fail openssl and pdfsig.
func TestCheckerDetectsTampering(t *testing.T) {
	t.Parallel()
	out, res := signBytes(t, letter(t), optionsFor(identity(t, testpki.RSA2048)))
	bad := bytes.Clone(out)
	if bad[10] < 0x80 {
		t.Fatalf("byte 10 is %q, not in the binary comment", bad[10])
	}
	bad[10] ^= 0x01
	if err := opensslVerify(t, bad, res.ByteRange, res.Signature, rootPEM(t)); err == nil {
		t.Error("openssl verified a tampered file")
	}
	ps, report := runPdfsig(t, bad)
	if len(ps) != 1 || strings.Contains(ps[0].Text, "Signature is Valid") {
		t.Errorf("pdfsig accepted a tampered file:\n%s", report)
	}
}
