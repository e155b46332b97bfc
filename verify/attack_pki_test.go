package verify_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/oids"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// Attacks on the certificate and revocation layer with hand-made
// certificates (testpki refuses the odd ones an attacker or a sloppy CA
// makes).

var atkSerial atomic.Int64

func atkCert(t testing.TB, tmpl *x509.Certificate, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(1000 + atkSerial.Add(1))
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = time.Now().Add(-24 * time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = time.Now().AddDate(1, 0, 0)
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

func atkRoot(t testing.TB) (*x509.Certificate, crypto.Signer) {
	return atkCert(t, &x509.Certificate{
		Subject:               pkix.Name{CommonName: "Atk Root"},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, nil, nil)
}

func atkLeaf(cn string, ku x509.KeyUsage) *x509.Certificate {
	return &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn},
		BasicConstraintsValid: true,
		KeyUsage:              ku,
	}
}

// ria encodes an adbe-revocationInfoArchival attribute with OCSP
// responses (and CRLs).
func ria(t testing.TB, ocsps, crls [][]byte) cms.Attribute {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if len(crls) > 0 {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, c := range crls {
						b.AddBytes(c)
					}
				})
			})
		}
		if len(ocsps) > 0 {
			b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, o := range ocsps {
						b.AddBytes(o)
					}
				})
			})
		}
	})
	return cms.Attribute{Type: oids.AdbeRevocationInfoArchival, Values: [][]byte{mustBytes(t, &b)}}
}

func atkSign(t testing.TB, id *testpki.Identity, attrs []cms.Attribute) []byte {
	t.Helper()
	return craftSign(t, letterPDF(t), id, craft{CMS: func(t testing.TB, content []byte) []byte {
		return cadesCMSWith(t, id, content, attrs)
	}})
}

func wantNotPassed(t *testing.T, rep *verify.Report) {
	t.Helper()
	if len(rep.Signatures) == 0 {
		t.Fatalf("no signature in the report")
	}
	s := rep.Signatures[len(rep.Signatures)-1]
	t.Logf("verdict %s/%s, errors %q, warnings %q", s.Indication, s.SubIndication, s.Errors, s.Warnings)
	if s.Indication == verify.TotalPassed {
		t.Errorf("TOTAL_PASSED, want a failure:\n%s", dumpReport(rep))
	}
}

// TestAttackIntermediateWithoutKeyCertSign: the path goes through a CA
// certificate whose keyUsage lacks keyCertSign (RFC 5280 4.2.1.3 and
// 6.1.4 (n)): its key may not verify certificate signatures, so there
// is no valid path. Go's x509.Verify does not look at keyUsage.
func TestAttackIntermediateWithoutKeyCertSign(t *testing.T) {
	t.Parallel()
	root, rootKey := atkRoot(t)
	inter, interKey := atkCert(t, &x509.Certificate{
		Subject:               pkix.Name{CommonName: "Atk Signing-Only Intermediate"},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}, root, rootKey)
	leaf, leafKey := atkCert(t, atkLeaf("Atk Signer", x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment), inter, interKey)
	id := &testpki.Identity{Cert: leaf, Key: leafKey, Chain: []*x509.Certificate{inter, root}}
	rep := verifyPDF(t, atkSign(t, id, nil), &verify.Options{Trust: anchors(root), Offline: true})
	wantNotPassed(t, rep)
}

// TestAttackSignerKeyUsageEncipherOnly: the signer's certificate allows only
// keyEncipherment (an encryption certificate): its key is not certified
// for signatures (RFC 5280 4.2.1.3: digitalSignature or
// nonRepudiation). The signer refuses to make such a signature; the
// verifier must not pass one.
func TestAttackSignerKeyUsageEncipherOnly(t *testing.T) {
	t.Parallel()
	root, rootKey := atkRoot(t)
	leaf, leafKey := atkCert(t, atkLeaf("Atk Encryption Cert", x509.KeyUsageKeyEncipherment|x509.KeyUsageKeyAgreement), root, rootKey)
	id := &testpki.Identity{Cert: leaf, Key: leafKey, Chain: []*x509.Certificate{root}}
	rep := verifyPDF(t, atkSign(t, id, nil), &verify.Options{Trust: anchors(root), Offline: true})
	wantNotPassed(t, rep)
}

// TestAttackEmbeddedOCSPDelegatedResponder: the embedded OCSP answer is
// signed by a delegated responder whose certificate names a CRL. Without
// id-pkix-ocsp-nocheck its own status cannot be established offline (RFC
// 6960 4.2.2.2.1): the signer's status is not proven. With nocheck the
// responder needs no check and the answer is used.
func TestAttackEmbeddedOCSPDelegatedResponder(t *testing.T) {
	t.Parallel()
	for _, noCheck := range []bool{false, true} {
		t.Run(fmt.Sprintf("nocheck=%v", noCheck), func(t *testing.T) {
			t.Parallel()
			root, rootKey := atkRoot(t)
			tmpl := atkLeaf("Atk Responder", x509.KeyUsageDigitalSignature)
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
			tmpl.CRLDistributionPoints = []string{"http://127.0.0.1:9/root.crl"}
			if noCheck {
				tmpl.ExtraExtensions = []pkix.Extension{{Id: oids.OCSPNoCheck, Value: []byte{5, 0}}}
			}
			resp, respKey := atkCert(t, tmpl, root, rootKey)
			lt := atkLeaf("Atk Signer", x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment)
			lt.OCSPServer = []string{"http://127.0.0.1:9/ocsp"}
			leaf, leafKey := atkCert(t, lt, root, rootKey)
			now := time.Now()
			o, err := ocsp.CreateResponse(root, resp, ocsp.Response{
				Status: ocsp.Good, SerialNumber: leaf.SerialNumber, Certificate: resp,
				ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(24 * time.Hour), ProducedAt: now.Add(-time.Hour),
			}, respKey)
			if err != nil {
				t.Fatal(err)
			}
			id := &testpki.Identity{Cert: leaf, Key: leafKey, Chain: []*x509.Certificate{root}}
			rep := verifyPDF(t, atkSign(t, id, []cms.Attribute{ria(t, [][]byte{o}, nil)}), &verify.Options{Trust: anchors(root), Offline: true})
			if noCheck {
				wantSig(t, rep, 0, verify.TotalPassed, "")
			} else {
				wantNotPassed(t, rep)
			}
		})
	}
}

// TestAttackEmbeddedOCSPNoNextUpdateStale: the embedded OCSP answer has no
// nextUpdate and was produced 200 days before the time the status is
// asked for (no proof of existence: now). It says the certificate was
// good 200 days ago and nothing about now.
func TestAttackEmbeddedOCSPNoNextUpdateStale(t *testing.T) {
	t.Parallel()
	root, rootKey := atkRoot(t)
	lt := atkLeaf("Atk Signer", x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment)
	lt.OCSPServer = []string{"http://127.0.0.1:9/ocsp"}
	lt.NotBefore = time.Now().AddDate(0, 0, -300)
	leaf, leafKey := atkCert(t, lt, root, rootKey)
	old := time.Now().AddDate(0, 0, -200)
	o, err := ocsp.CreateResponse(root, root, ocsp.Response{
		Status: ocsp.Good, SerialNumber: leaf.SerialNumber,
		ThisUpdate: old, ProducedAt: old,
	}, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	id := &testpki.Identity{Cert: leaf, Key: leafKey, Chain: []*x509.Certificate{root}}
	rep := verifyPDF(t, atkSign(t, id, []cms.Attribute{ria(t, [][]byte{o}, nil)}), &verify.Options{Trust: anchors(root), Offline: true})
	wantNotPassed(t, rep)
}

// TestAttackCRLIssuedAfterExpiry: validated as of a time inside the
// signer's validity, with an embedded CRL issued after the certificate
// expired. CAs drop expired certificates from their CRLs (RFC 5280
// 3.3), so a CRL issued after the expiry that does not list the
// certificate proves nothing (the certificate may have been revoked
// while valid): the status is not known, unless the CRL carries
// ExpiredCertsOnCRL (X.509, RFC 5280 5.2) covering it.
func TestAttackCRLIssuedAfterExpiry(t *testing.T) {
	t.Parallel()
	now := time.Now()
	// The root is valid throughout.
	root, rootKey := atkCert(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: "Atk Old Root"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:  x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		NotBefore: now.AddDate(-5, 0, 0), NotAfter: now.AddDate(5, 0, 0),
	}, nil, nil)
	lt := atkLeaf("Atk Old Signer", x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment)
	lt.CRLDistributionPoints = []string{"http://127.0.0.1:9/old.crl"}
	lt.NotBefore, lt.NotAfter = now.AddDate(-3, 0, 0), now.AddDate(-1, 0, 0)
	leaf, leafKey := atkCert(t, lt, root, rootKey)
	mkCRL := func(exts []pkix.Extension) []byte {
		crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
			Number: big.NewInt(7), ThisUpdate: now.Add(-time.Hour), NextUpdate: now.AddDate(0, 0, 7),
			ExtraExtensions: exts,
		}, root, rootKey)
		if err != nil {
			t.Fatal(err)
		}
		return crl
	}
	id := &testpki.Identity{Cert: leaf, Key: leafKey, Chain: []*x509.Certificate{root}}
	at := now.AddDate(-2, 0, 0)
	rep := verifyPDF(t, atkSign(t, id, []cms.Attribute{ria(t, nil, [][]byte{mkCRL(nil)})}), &verify.Options{Trust: anchors(root), Offline: true, Time: at})
	wantNotPassed(t, rep)

	// With ExpiredCertsOnCRL from before the expiry, the CRL still lists
	// expired certificates: it speaks for this one.
	eco, err := asn1.MarshalWithParams(now.AddDate(-4, 0, 0).UTC(), "generalized")
	if err != nil {
		t.Fatal(err)
	}
	crl := mkCRL([]pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 60}, Value: eco}})
	rep = verifyPDF(t, atkSign(t, id, []cms.Attribute{ria(t, nil, [][]byte{crl})}), &verify.Options{Trust: anchors(root), Offline: true, Time: at})
	wantSig(t, rep, 0, verify.TotalPassed, "")
}
