package verify_test

import (
	"crypto"
	"crypto/x509"
	"testing"
	"time"

	"github.com/digitorus/pdfsign/sign"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// TestPdfsignVisibleAfterSegelOnCairo: digitorus/pdfsign, adding a
// visible signature, writes the page again with its indirect /Resources
// (cairo's "3 0 R") copied in as a direct dictionary of the same value.
// What the page shows is unchanged, so the earlier signatures pass; they
// were TOTAL_FAILED/MODIFIED_AFTER_SIGNING ("/Resources was changed")
// because a reference never compared equal to a direct value.
func TestPdfsignVisibleAfterSegelOnCairo(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	rsa := signerID(t, p, testpki.RSA2048)
	one := signPDF(t, testcorpus.Base(t)["cairo-letter"], optsFor(signerID(t, p, testpki.ECDSAP256)))
	two := pdfsignSign(t, one, sign.SignData{
		Signature: sign.SignDataSignature{
			CertType: sign.ApprovalSignature,
			Info:     sign.SignDataSignatureInfo{Name: "Rina Wulandari", Location: "Serang", Reason: "Paraf", Date: time.Now().Add(-time.Minute)},
		},
		Appearance:        sign.Appearance{Visible: true, Page: 1, LowerLeftX: 350, LowerLeftY: 50, UpperRightX: 550, UpperRightY: 120},
		Signer:            rsa.Key,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       rsa.Cert,
		CertificateChains: [][]*x509.Certificate{append([]*x509.Certificate{rsa.Cert}, rsa.Chain...)},
	})
	rep := verifyPDF(t, two, opts)
	checkDocLen(t, rep, 2)
	wantSig(t, rep, 0, verify.TotalPassed, "")
	wantSig(t, rep, 1, verify.TotalPassed, "")
	wantChange(t, rep, 0, "FORM_FILLING")
}

// TestDiffInlinedValue: a value written as a reference in the signed
// revision and directly in a later one (or the other way round) is the
// same value when what the reference names is equal; it is a change when
// it differs, and a stream (always indirect) never equals a direct value.
func TestDiffInlinedValue(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	signed := w.sign(t, testcorpus.Base(t)["cairo-letter"], 0)
	resOf := func(t *testing.T, r *pdf.Reader, page pdf.Dict) pdf.Dict {
		t.Helper()
		if _, ok := page.Get("Resources").(pdf.Ref); !ok {
			t.Fatalf("the page's /Resources is %T, want a reference", page.Get("Resources"))
		}
		res, err := r.GetDict(page.Get("Resources"))
		if err != nil {
			t.Fatal(err)
		}
		return res.Clone()
	}
	for name, c := range map[string]struct {
		edit func(t *testing.T, r *pdf.Reader, u *pdf.Update)
		ok   bool
	}{
		"inlined equal": {func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			ref, page := firstPageOf(t, r)
			pg := page.Clone()
			pg.Set("Resources", resOf(t, r, page))
			u.Set(ref, pg)
		}, true},
		"inlined without a font": {func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			ref, page := firstPageOf(t, r)
			res := resOf(t, r, page)
			fonts, err := r.GetDict(res.Get("Font"))
			if err != nil {
				t.Fatal(err)
			}
			fonts = fonts.Clone()
			fonts.Delete(fonts.Keys()[0])
			res.Set("Font", fonts)
			pg := page.Clone()
			pg.Set("Resources", res)
			u.Set(ref, pg)
		}, false},
		"contents inlined as a direct array of the stream's reference": {func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			ref, page := firstPageOf(t, r)
			pg := page.Clone()
			pg.Set("Contents", pdf.Array{page.Get("Contents")})
			u.Set(ref, pg)
		}, false},
	} {
		t.Run(name, func(t *testing.T) {
			out := appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) { c.edit(t, r, u) })
			rep := verifyPDF(t, out, w.opts)
			if c.ok {
				wantSig(t, rep, 0, verify.TotalPassed, "")
			} else {
				wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
			}
		})
	}
}
