package verify_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/verify"
)

// TestVisibleSignatures: a paraf with a visible stamp, then the head's
// signature into the letter's prepared empty field with its stamp: both
// stay TOTAL_PASSED.
func TestVisibleSignatures(t *testing.T) {
	pki := testpki.MustNew(t, testpki.Options{})
	paraf := pki.MustIssueSigner(t, testpki.SignerOptions{})
	head := pki.MustIssueSigner(t, testpki.SignerOptions{})
	in := testcorpus.Base(t)["form-2page"]
	sign := func(src []byte, id *testpki.Identity, app *signer.Appearance, field string) []byte {
		var out bytes.Buffer
		if _, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &out,
			&signer.Options{Signer: id.Key, Certificate: id.Cert, Chain: id.Chain, Appearance: app, Field: field}); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	one := sign(in, paraf, &signer.Appearance{Placement: signer.Placement{Page: 1, Rect: [4]float64{40, 40, 220, 120}}, QR: "https://segel.example/v/a"}, "")
	two := sign(one, head, &signer.Appearance{Placement: signer.Placement{Field: "Signature1"}, QR: "https://segel.example/v/b"}, "")
	pool := trust.NewPool()
	pool.AddCert(pki.Root.Cert, "root")
	rep, err := verify.Verify(context.Background(), bytes.NewReader(two), int64(len(two)), &verify.Options{Trust: pool})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Indication != verify.TotalPassed || len(rep.Signatures) != 2 {
		for _, s := range rep.Signatures {
			t.Logf("%s %s %s %v %v", s.Field, s.Indication, s.SubIndication, s.Errors, s.ModifiedAfterSigning)
		}
		t.Fatalf("%s with %d signatures", rep.Indication, len(rep.Signatures))
	}
}
