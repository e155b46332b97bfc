package verify_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// TestPdfsigAddAfterSegelOnLibreOffice: LibreOffice writes an A4 page's
// /MediaBox as [0 0 595.303937007874 841.889763779528]; pdfsig
// -add-signature (and Okular, which signs through poppler) writes the
// page again to list its new widget, with reals of at most ten decimals:
// [0 0 595.3039370079 841.8897637795]. The page is the same, so every
// earlier signature passes; they were TOTAL_FAILED/MODIFIED_AFTER_SIGNING
// ("/MediaBox was changed") because reals were compared exactly.
func TestPdfsigAddAfterSegelOnLibreOffice(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "pdfsig")
	testenv.Tool(t, "certutil")
	testenv.Tool(t, "pk12util")
	lo, err := os.ReadFile(filepath.Join("testdata", "conformance", "lo-tagged.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	p := offlinePKIFor(t)
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	db, nick := nssDB(t, signerID(t, p, testpki.RSA2048))
	pdfsigAdd := func(t *testing.T, in []byte) []byte {
		t.Helper()
		dir := t.TempDir()
		src, dst := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
		if err := os.WriteFile(src, in, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := runCmd(t, "pdfsig", "-nssdir", db, "-nick", nick, "-add-signature", "-new-signature-field-name", "Poppler", "-reason", "Paraf", src, dst); err != nil {
			t.Fatalf("pdfsig -add-signature: %v\n%s", err, out)
		}
		data, err := os.ReadFile(dst)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	for name, o := range map[string]*signer.Options{
		"invisible": optsFor(signerID(t, p, testpki.ECDSAP256)),
		"visible": func() *signer.Options {
			o := optsFor(signerID(t, p, testpki.ECDSAP256))
			o.Appearance = &signer.Appearance{Placement: signer.Placement{Page: 1, Rect: [4]float64{60, 50, 260, 120}}}
			return o
		}(),
		"certified P=2": func() *signer.Options {
			o := optsFor(signerID(t, p, testpki.ECDSAP256))
			o.Certify = signer.FormFilling
			return o
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := pdfsigAdd(t, signPDF(t, lo, o))
			rep := verifyPDF(t, out, opts)
			checkDocLen(t, rep, 2)
			wantSig(t, rep, 0, verify.TotalPassed, "")
			wantSig(t, rep, 1, verify.TotalPassed, "")
		})
	}
}

// TestDiffRealPrecision: a real written again rounded to ten decimals, as
// poppler does, is the same value; a difference above a billionth, a
// tiny real changed by a large factor, or an integer that changed, is
// not. (Single precision is not tolerated: no writer has been seen to
// round a signed page's reals so.)
func TestDiffRealPrecision(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	src := appendUpdate(t, letterPDF(t), func(r *pdf.Reader, u *pdf.Update) {
		ref, page := firstPageOf(t, r)
		pg := page.Clone()
		pg.Set("MediaBox", pdf.Array{int64(0), int64(0), 595.303937007874, 841.889763779528})
		pg.Set("UserUnit", 1e-12)
		u.Set(ref, pg)
	})
	signed := w.sign(t, src, 0)
	for name, c := range map[string]struct {
		box  pdf.Array
		unit float64
		ok   bool
	}{
		"ten decimals (poppler)":  {pdf.Array{int64(0), int64(0), 595.3039370079, 841.8897637795}, 1e-12, true},
		"single precision":        {pdf.Array{int64(0), int64(0), float64(float32(595.303937007874)), float64(float32(841.889763779528))}, 1e-12, false},
		"a tiny real doubled":     {pdf.Array{int64(0), int64(0), 595.303937007874, 841.889763779528}, 2e-12, false},
		"a hundredth of a point":  {pdf.Array{int64(0), int64(0), 595.313937007874, 841.889763779528}, 1e-12, false},
		"an integer changed":      {pdf.Array{int64(1), int64(0), 595.303937007874, 841.889763779528}, 1e-12, false},
		"a real where an integer": {pdf.Array{0.0000001, int64(0), 595.303937007874, 841.889763779528}, 1e-12, false},
	} {
		t.Run(name, func(t *testing.T) {
			out := appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) {
				ref, page := firstPageOf(t, r)
				pg := page.Clone()
				pg.Set("MediaBox", c.box)
				pg.Set("UserUnit", c.unit)
				u.Set(ref, pg)
			})
			rep := verifyPDF(t, out, w.opts)
			if c.ok {
				wantSig(t, rep, 0, verify.TotalPassed, "")
			} else {
				wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
			}
		})
	}
}
