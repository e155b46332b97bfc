package verify_test

import (
	"crypto/x509"
	"encoding/asn1"
	"testing"

	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// TestSignerExtKeyUsage: a signer certificate whose extended key usage
// certifies the key for other purposes only (a TLS server's, a TSA's) is
// CHAIN_CONSTRAINTS_FAILURE with cert-ext-key-usage; a person's usual
// ones (emailProtection, clientAuth), an unknown one (Adobe's Authentic
// Documents, which BSrE certificates carry) beside serverAuth, and none
// at all pass.
func TestSignerExtKeyUsage(t *testing.T) {
	t.Parallel()
	adobe := asn1.ObjectIdentifier{1, 2, 840, 113583, 1, 1, 5}
	for _, c := range []struct {
		name    string
		ekus    []x509.ExtKeyUsage
		unknown []asn1.ObjectIdentifier
		pass    bool
	}{
		{"serverAuth only", []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, nil, false},
		{"timeStamping only", []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}, nil, false},
		{"serverAuth and codeSigning", []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageCodeSigning}, nil, false},
		{"emailProtection and clientAuth", []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageClientAuth}, nil, true},
		{"serverAuth and Adobe's", []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, []asn1.ObjectIdentifier{adobe}, true},
		{"any", []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, nil, true},
		{"none", nil, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			root, rootKey := atkRoot(t)
			tmpl := atkLeaf("Budi Santoso", x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment)
			tmpl.ExtKeyUsage, tmpl.UnknownExtKeyUsage = c.ekus, c.unknown
			leaf, leafKey := atkCert(t, tmpl, root, rootKey)
			id := &testpki.Identity{Cert: leaf, Key: leafKey, Chain: []*x509.Certificate{root}}
			rep := verifyPDF(t, atkSign(t, id, nil), &verify.Options{Trust: anchors(root), Offline: true})
			if c.pass {
				wantSig(t, rep, 0, verify.TotalPassed, "")
				return
			}
			s := wantSig(t, rep, 0, verify.Indeterminate, verify.ChainConstraintsFailure)
			found := false
			for _, n := range s.Notes {
				found = found || n.Code == verify.CodeCertExtKeyUsage && n.Args["cert"] == "Budi Santoso"
			}
			if !found {
				t.Errorf("no %q note naming the certificate\n%s", verify.CodeCertExtKeyUsage, dumpReport(rep))
			}
		})
	}
}
