package verify_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"testing"

	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/verify"
)

// TestIssuedBy checks the "government letters only" policy: a signer
// certified by another CA under the same root is not accepted.
func TestIssuedBy(t *testing.T) {
	pki := testpki.MustNew(t, testpki.Options{})
	bsre := pki.MustIssueSigner(t, testpki.SignerOptions{})
	// Another licensed CA under the same root.
	other := pki.MustIssueSigner(t, testpki.SignerOptions{Issuer: pki.Root})
	in := testcorpus.Base(t)["gs-letter"]
	pool := trust.NewPool()
	pool.AddCert(pki.Root.Cert, "root")
	for _, tc := range []struct {
		name string
		id   *testpki.Identity
		want verify.SubIndication
	}{
		{"issuing CA", bsre, ""},
		{"other CA", other, verify.ChainConstraintsFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if _, err := signer.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out,
				&signer.Options{Signer: tc.id.Key, Certificate: tc.id.Cert, Chain: tc.id.Chain}); err != nil {
				t.Fatal(err)
			}
			rep, err := verify.Verify(context.Background(), bytes.NewReader(out.Bytes()), int64(out.Len()),
				&verify.Options{Trust: pool, IssuedBy: []*x509.Certificate{pki.Issuing.Cert}})
			if err != nil {
				t.Fatal(err)
			}
			s := rep.Signatures[0]
			if s.SubIndication != tc.want || s.Indication != tc.want.Implies() {
				t.Errorf("%s/%s, want %s/%s: %v", s.Indication, s.SubIndication, tc.want.Implies(), tc.want, s.Errors)
			}
		})
	}
}
