package testpki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/segel-id/segel/internal/oids"
)

// verify checks that id chains to p's root for the given key usages.
func verify(t *testing.T, p *PKI, id *Identity, at time.Time, usages ...x509.ExtKeyUsage) [][]*x509.Certificate {
	t.Helper()
	chains, err := id.Cert.Verify(x509.VerifyOptions{
		Roots:         p.Roots(),
		Intermediates: p.Intermediates(),
		CurrentTime:   at,
		KeyUsages:     usages,
	})
	if err != nil {
		t.Fatalf("verifying %q: %v", id.Cert.Subject.CommonName, err)
	}
	return chains
}

func TestCAs(t *testing.T) {
	p := MustNew(t, Options{})
	root, inter := p.Root.Cert, p.Issuing.Cert
	if root.Subject.CommonName != "Segel Test Root CA" || !bytes.Equal(root.RawSubject, root.RawIssuer) {
		t.Errorf("root subject %q issuer %q, want self-signed Segel Test Root CA", root.Subject, root.Issuer)
	}
	if err := root.CheckSignatureFrom(root); err != nil {
		t.Errorf("root is not self-signed: %v", err)
	}
	if err := inter.CheckSignatureFrom(root); err != nil {
		t.Errorf("issuing CA not signed by root: %v", err)
	}
	if !inter.IsCA || inter.MaxPathLen != 0 || !inter.MaxPathLenZero {
		t.Errorf("issuing CA: IsCA %v MaxPathLen %d zero %v, want CA with pathlen 0", inter.IsCA, inter.MaxPathLen, inter.MaxPathLenZero)
	}
	for _, c := range []*x509.Certificate{root, inter} {
		if c.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
			t.Errorf("%q key usage %b, want keyCertSign|cRLSign", c.Subject.CommonName, c.KeyUsage)
		}
		if !slices.Equal(c.Subject.Country, []string{"ID"}) {
			t.Errorf("%q country %q, want ID", c.Subject.CommonName, c.Subject.Country)
		}
		if _, ok := c.PublicKey.(*ecdsa.PublicKey); !ok {
			t.Errorf("%q key %T, want ECDSA", c.Subject.CommonName, c.PublicKey)
		}
		if len(c.SubjectKeyId) == 0 {
			t.Errorf("%q has no subject key identifier", c.Subject.CommonName)
		}
	}
	if !slices.Equal(inter.Subject.Organization, []string{"Badan Siber dan Sandi Negara (Segel Test)"}) {
		t.Errorf("issuing CA organization %q", inter.Subject.Organization)
	}
	if !bytes.Equal(inter.AuthorityKeyId, root.SubjectKeyId) {
		t.Error("issuing CA's authority key identifier is not the root's subject key identifier")
	}
	if p.CA(RootName) != p.Root || p.CA(IssuingName) != p.Issuing || p.CA("other") != nil {
		t.Error("CA lookup by name is wrong")
	}
	if len(p.Issuing.Chain) != 1 || p.Issuing.Chain[0] != root || len(p.Root.Chain) != 0 {
		t.Error("CA chains are wrong")
	}
}

func TestRSACAs(t *testing.T) {
	t.Parallel()
	p := MustNew(t, Options{KeyType: RSA2048, Name: "Segel Development"})
	if _, ok := p.Issuing.Cert.PublicKey.(*rsa.PublicKey); !ok {
		t.Fatalf("issuing CA key %T, want RSA", p.Issuing.Cert.PublicKey)
	}
	if got := p.Root.Cert.Subject.CommonName; got != "Segel Development Root CA" {
		t.Errorf("root common name %q", got)
	}
	id := p.MustIssueSigner(t, SignerOptions{})
	verify(t, p, id, time.Now(), x509.ExtKeyUsageAny)

	// The root answers OCSP about the issuing CA, signing with RSA.
	der, err := p.OCSPResponseFor(p.Issuing.Cert, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := ocsp.ParseResponseForCert(der, p.Issuing.Cert, p.Root.Cert)
	if err != nil || resp.Status != ocsp.Good {
		t.Fatalf("issuing CA status from root: %v %v", resp, err)
	}
	if err := resp.CheckSignatureFrom(p.Root.Cert); err != nil {
		t.Error(err)
	}
}

func TestSignerChainVerifies(t *testing.T) {
	p := MustNew(t, Options{})
	id := p.MustIssueSigner(t, SignerOptions{
		NonRepudiation:  true,
		DocumentSigning: true,
		Subject: pkix.Name{
			CommonName:         "Budi Santoso",
			Organization:       []string{"Pemerintah Kabupaten Sleman"},
			OrganizationalUnit: []string{"Dinas Komunikasi dan Informatika"},
			SerialNumber:       "198001012005011001",
		},
	})
	chains := verify(t, p, id, time.Now(), x509.ExtKeyUsageAny)
	if len(chains) != 1 || len(chains[0]) != 3 {
		t.Fatalf("chains %v, want one of length 3", chains)
	}
	if len(id.Chain) != 2 || id.Chain[0] != p.Issuing.Cert || id.Chain[1] != p.Root.Cert {
		t.Errorf("Identity.Chain is not [issuing, root]")
	}
	c := id.Cert
	if c.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment {
		t.Errorf("key usage %b, want digitalSignature|contentCommitment", c.KeyUsage)
	}
	if len(c.UnknownExtKeyUsage) != 1 || !c.UnknownExtKeyUsage[0].Equal(oids.KPDocumentSigning) {
		t.Errorf("unknown EKUs %v, want document signing", c.UnknownExtKeyUsage)
	}
	if c.Subject.CommonName != "Budi Santoso" || c.Subject.SerialNumber != "198001012005011001" ||
		c.Subject.OrganizationalUnit[0] != "Dinas Komunikasi dan Informatika" || c.Subject.Country[0] != "ID" {
		t.Errorf("subject %q", c.Subject)
	}
	if c.IsCA {
		t.Error("signer certificate is a CA")
	}
	if len(c.SubjectKeyId) == 0 || !bytes.Equal(c.AuthorityKeyId, p.Issuing.Cert.SubjectKeyId) {
		t.Error("signer key identifiers are wrong")
	}
	// Go's verifier refuses the document-signing EKU for the default
	// (server auth) purpose: that is why verifiers ask for ExtKeyUsageAny.
	if _, err := c.Verify(x509.VerifyOptions{Roots: p.Roots(), Intermediates: p.Intermediates()}); err == nil {
		t.Error("a document-signing certificate verified for server authentication")
	}
}

func TestSignerOptions(t *testing.T) {
	p := MustNew(t, Options{})
	t.Run("default", func(t *testing.T) {
		id := p.MustIssueSigner(t, SignerOptions{})
		c := id.Cert
		if c.KeyUsage != x509.KeyUsageDigitalSignature || len(c.ExtKeyUsage)+len(c.UnknownExtKeyUsage) != 0 {
			t.Errorf("key usage %b, EKU %v %v; want digitalSignature only", c.KeyUsage, c.ExtKeyUsage, c.UnknownExtKeyUsage)
		}
		if c.Subject.CommonName != "Segel Test Signer" {
			t.Errorf("common name %q", c.Subject.CommonName)
		}
		if len(c.OCSPServer)+len(c.CRLDistributionPoints)+len(c.IssuingCertificateURL) != 0 {
			t.Error("offline PKI wrote revocation URLs")
		}
		verify(t, p, id, time.Now())
	})
	t.Run("email", func(t *testing.T) {
		id := p.MustIssueSigner(t, SignerOptions{EmailProtection: true, EmailAddresses: []string{"budi@slemankab.go.id"}})
		verify(t, p, id, time.Now(), x509.ExtKeyUsageEmailProtection)
		if !slices.Equal(id.Cert.EmailAddresses, []string{"budi@slemankab.go.id"}) {
			t.Errorf("email addresses %v", id.Cert.EmailAddresses)
		}
	})
	t.Run("adobe EKU and policy", func(t *testing.T) {
		adobe := asn1.ObjectIdentifier{1, 2, 840, 113583, 1, 1, 5}
		policy := asn1.ObjectIdentifier{2, 16, 360, 1, 1, 1, 1}
		id := p.MustIssueSigner(t, SignerOptions{ExtKeyUsages: []asn1.ObjectIdentifier{adobe}, Policies: []asn1.ObjectIdentifier{policy}})
		if len(id.Cert.UnknownExtKeyUsage) != 1 || !id.Cert.UnknownExtKeyUsage[0].Equal(adobe) {
			t.Errorf("EKUs %v", id.Cert.UnknownExtKeyUsage)
		}
		if len(id.Cert.PolicyIdentifiers) != 1 || !id.Cert.PolicyIdentifiers[0].Equal(policy) {
			t.Errorf("policies %v", id.Cert.PolicyIdentifiers)
		}
	})
	t.Run("from root", func(t *testing.T) {
		id := p.MustIssueSigner(t, SignerOptions{Issuer: p.Root})
		if len(id.Chain) != 1 || id.Chain[0] != p.Root.Cert {
			t.Fatalf("chain has %d certificates, want the root only", len(id.Chain))
		}
		chains, err := id.Cert.Verify(x509.VerifyOptions{Roots: p.Roots(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		if err != nil || len(chains[0]) != 2 {
			t.Fatalf("verify from root: %v %v", chains, err)
		}
	})
	t.Run("expired and not yet valid", func(t *testing.T) {
		now := time.Now()
		expired := p.MustIssueSigner(t, SignerOptions{NotAfter: now.Add(-24 * time.Hour)})
		future := p.MustIssueSigner(t, SignerOptions{NotBefore: now.Add(24 * time.Hour)})
		for _, id := range []*Identity{expired, future} {
			_, err := id.Cert.Verify(x509.VerifyOptions{Roots: p.Roots(), Intermediates: p.Intermediates(), CurrentTime: now})
			var invalid x509.CertificateInvalidError
			if !errors.As(err, &invalid) || invalid.Reason != x509.Expired {
				t.Errorf("%v–%v verified at now: %v, want Expired", id.Cert.NotBefore, id.Cert.NotAfter, err)
			}
		}
		verify(t, p, expired, now.Add(-48*time.Hour))
		verify(t, p, future, now.Add(48*time.Hour))
		if _, err := p.IssueSigner(SignerOptions{NotBefore: now, NotAfter: now.Add(-time.Second)}); err == nil {
			t.Error("NotAfter before NotBefore was accepted")
		}
	})
	t.Run("given public key", func(t *testing.T) {
		hsmKey, err := GenerateKey(ECDSAP384)
		if err != nil {
			t.Fatal(err)
		}
		id := p.MustIssueSigner(t, SignerOptions{PublicKey: hsmKey.Public()})
		if id.Key != nil {
			t.Error("Identity.Key is set for a given public key")
		}
		if !hsmKey.Public().(*ecdsa.PublicKey).Equal(id.Cert.PublicKey) {
			t.Error("certificate does not hold the given public key")
		}
		if _, err := id.KeyPEM(); err == nil {
			t.Error("KeyPEM without a key succeeded")
		}
		if _, err := id.PKCS12("x"); err == nil {
			t.Error("PKCS12 without a key succeeded")
		}
		if _, err := p.IssueSigner(SignerOptions{PublicKey: "not a key"}); err == nil {
			t.Error("a string public key was accepted")
		}
	})
	t.Run("foreign issuer", func(t *testing.T) {
		other := MustNew(t, Options{})
		if _, err := p.IssueSigner(SignerOptions{Issuer: other.Issuing}); err == nil {
			t.Error("another PKI's CA issued a certificate")
		}
	})
}

func TestKeyTypes(t *testing.T) {
	p := MustNew(t, Options{})
	for _, tc := range []struct {
		kt    KeyType
		check func(any) bool
	}{
		{"", func(k any) bool { c, ok := k.(*ecdsa.PublicKey); return ok && c.Curve == elliptic.P256() }},
		{ECDSAP256, func(k any) bool { c, ok := k.(*ecdsa.PublicKey); return ok && c.Curve == elliptic.P256() }},
		{ECDSAP384, func(k any) bool { c, ok := k.(*ecdsa.PublicKey); return ok && c.Curve == elliptic.P384() }},
		{RSA2048, func(k any) bool { r, ok := k.(*rsa.PublicKey); return ok && r.N.BitLen() == 2048 }},
		{RSA3072, func(k any) bool { r, ok := k.(*rsa.PublicKey); return ok && r.N.BitLen() == 3072 }},
		{Ed25519, func(k any) bool { _, ok := k.(ed25519.PublicKey); return ok }},
	} {
		t.Run(string(tc.kt), func(t *testing.T) {
			t.Parallel()
			id := p.MustIssueSigner(t, SignerOptions{KeyType: tc.kt})
			if !tc.check(id.Cert.PublicKey) {
				t.Errorf("certificate key %T is not %q", id.Cert.PublicKey, tc.kt)
			}
			if !id.Key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(id.Cert.PublicKey) {
				t.Error("private key does not match the certificate")
			}
			verify(t, p, id, time.Now(), x509.ExtKeyUsageAny)
		})
	}
	if _, err := GenerateKey("dsa-1024"); err == nil {
		t.Error("unknown key type accepted")
	}
}

func TestTSA(t *testing.T) {
	p := MustNew(t, Options{})
	tsa, err := p.IssueTSA(SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := tsa.Cert
	verify(t, p, tsa, time.Now(), x509.ExtKeyUsageTimeStamping)
	if c.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("key usage %b, want digitalSignature", c.KeyUsage)
	}
	if !slices.Equal(c.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}) || len(c.UnknownExtKeyUsage) != 0 {
		t.Errorf("EKU %v %v, want timeStamping only", c.ExtKeyUsage, c.UnknownExtKeyUsage)
	}
	ext := findExtension(c, oids.ExtKeyUsage)
	if ext == nil || !ext.Critical {
		t.Errorf("extendedKeyUsage extension %+v, want critical", ext)
	}
	if c.Subject.CommonName != "Segel Test Timestamp Authority" || c.Subject.OrganizationalUnit[0] != "Balai Sertifikasi Elektronik (Segel Test)" {
		t.Errorf("TSA subject %q", c.Subject)
	}
}

func TestOCSPResponderCertificate(t *testing.T) {
	p := MustNew(t, Options{})
	r, err := p.IssueOCSPResponder(p.Issuing)
	if err != nil {
		t.Fatal(err)
	}
	verify(t, p, r, time.Now(), x509.ExtKeyUsageOCSPSigning)
	if !slices.Equal(r.Cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}) {
		t.Errorf("EKU %v, want OCSPSigning", r.Cert.ExtKeyUsage)
	}
	ext := findExtension(r.Cert, oids.OCSPNoCheck)
	if ext == nil || !bytes.Equal(ext.Value, asn1NULL) {
		t.Errorf("id-pkix-ocsp-nocheck extension %+v, want NULL", ext)
	}
	if err := r.Cert.CheckSignatureFrom(p.Issuing.Cert); err != nil {
		t.Errorf("responder not issued by the CA: %v", err)
	}
}

func findExtension(c *x509.Certificate, oid asn1.ObjectIdentifier) *pkix.Extension {
	for i := range c.Extensions {
		if c.Extensions[i].Id.Equal(oid) {
			return &c.Extensions[i]
		}
	}
	return nil
}

// Two PKIs have the same names but fresh keys: neither trusts the other.
func TestTwoWorlds(t *testing.T) {
	a, b := MustNew(t, Options{}), MustNew(t, Options{})
	id := a.MustIssueSigner(t, SignerOptions{})
	_, err := id.Cert.Verify(x509.VerifyOptions{Roots: b.Roots(), Intermediates: b.Intermediates(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err == nil {
		t.Fatal("a certificate from one PKI verified under another")
	}
	if !bytes.Equal(a.Root.Cert.RawSubject, b.Root.Cert.RawSubject) {
		t.Error("the two roots have different names; the test proves less than it claims")
	}
}

func TestPEMHelpers(t *testing.T) {
	p := MustNew(t, Options{})
	id := p.MustIssueSigner(t, SignerOptions{})
	certs := parsePEMCerts(t, id.FullChainPEM())
	if len(certs) != 3 || !certs[0].Equal(id.Cert) || !certs[1].Equal(p.Issuing.Cert) || !certs[2].Equal(p.Root.Cert) {
		t.Errorf("FullChainPEM holds %d certificates, want leaf, issuing, root", len(certs))
	}
	if got := parsePEMCerts(t, id.ChainPEM()); len(got) != 2 || !got[0].Equal(p.Issuing.Cert) {
		t.Errorf("ChainPEM holds %d certificates, want issuing, root", len(got))
	}
	if got := parsePEMCerts(t, id.CertPEM()); len(got) != 1 || !got[0].Equal(id.Cert) {
		t.Error("CertPEM does not hold the certificate")
	}
	keyPEM, err := id.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(keyPEM)
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("KeyPEM block %v, want PRIVATE KEY", block)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !key.(*ecdsa.PrivateKey).Equal(id.Key) {
		t.Error("KeyPEM does not hold the key")
	}

	for name, encode := range map[string]func(string) ([]byte, error){"modern": id.PKCS12, "legacy": id.PKCS12Legacy} {
		pfx, err := encode("rahasia")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		k, leaf, cas, err := pkcs12.DecodeChain(pfx, "rahasia")
		if err != nil {
			t.Fatalf("%s: decoding: %v", name, err)
		}
		if !leaf.Equal(id.Cert) || len(cas) != 2 || !k.(*ecdsa.PrivateKey).Equal(id.Key) {
			t.Errorf("%s: PKCS #12 round trip lost the key, certificate or chain", name)
		}
	}
}

func parsePEMCerts(t *testing.T, data []byte) []*x509.Certificate {
	t.Helper()
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return certs
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c)
	}
}

func TestURLs(t *testing.T) {
	p := MustNew(t, Options{BaseURL: "http://127.0.0.1:9/pki/"})
	id := p.MustIssueSigner(t, SignerOptions{})
	want := map[string][]string{
		"OCSP":      {"http://127.0.0.1:9/pki/ocsp/issuing"},
		"CRL":       {"http://127.0.0.1:9/pki/crl/issuing.crl"},
		"caIssuers": {"http://127.0.0.1:9/pki/ca/issuing.crt"},
	}
	got := map[string][]string{"OCSP": id.Cert.OCSPServer, "CRL": id.Cert.CRLDistributionPoints, "caIssuers": id.Cert.IssuingCertificateURL}
	for k := range want {
		if !slices.Equal(got[k], want[k]) {
			t.Errorf("%s URLs %v, want %v", k, got[k], want[k])
		}
	}
	if got := p.Issuing.Cert.CRLDistributionPoints; !slices.Equal(got, []string{"http://127.0.0.1:9/pki/crl/root.crl"}) {
		t.Errorf("issuing CA's CRL distribution points %v", got)
	}
	if len(p.Root.Cert.OCSPServer)+len(p.Root.Cert.CRLDistributionPoints) != 0 {
		t.Error("the root carries revocation URLs")
	}
	custom := p.MustIssueSigner(t, SignerOptions{OCSPServer: []string{}, CRLDistributionPoints: []string{"http://example.invalid/x.crl"}})
	if len(custom.Cert.OCSPServer) != 0 || !slices.Equal(custom.Cert.CRLDistributionPoints, []string{"http://example.invalid/x.crl"}) {
		t.Errorf("overrides ignored: OCSP %v CRL %v", custom.Cert.OCSPServer, custom.Cert.CRLDistributionPoints)
	}
	if _, err := New(Options{BaseURL: "ftp://x"}); err == nil {
		t.Error("a non-HTTP BaseURL was accepted")
	}
}

func TestClock(t *testing.T) {
	at := time.Date(2030, 5, 17, 8, 0, 0, 0, time.UTC)
	p := MustNew(t, Options{Now: func() time.Time { return at }})
	id := p.MustIssueSigner(t, SignerOptions{})
	if !id.Cert.NotBefore.Equal(at.Add(-time.Hour)) || !id.Cert.NotAfter.Equal(at.Add(-time.Hour).Add(365*24*time.Hour)) {
		t.Errorf("validity %v – %v does not follow the clock %v", id.Cert.NotBefore, id.Cert.NotAfter, at)
	}
	if !p.Root.Cert.NotBefore.Before(at) || !p.Root.Cert.NotAfter.After(at.Add(10*365*24*time.Hour)) {
		t.Errorf("root validity %v – %v", p.Root.Cert.NotBefore, p.Root.Cert.NotAfter)
	}
	verify(t, p, id, at, x509.ExtKeyUsageAny)
}

// TestLoad rebuilds a PKI from its saved CAs: certificates recorded
// again are good, others unknown, revocation works, CRL numbers go on
// increasing, and CAs that do not belong together are refused.
func TestLoad(t *testing.T) {
	orig := MustNew(t, Options{BaseURL: "http://127.0.0.1:1/pki"})
	leaf, err := orig.IssueSigner(SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := orig.IssueSigner(SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	firstCRL, err := orig.CRL(orig.Issuing, time.Time{})
	if err != nil {
		t.Fatal(err)
	}

	p, err := Load(Identity{Cert: orig.Root.Cert, Key: orig.Root.Key}, Identity{Cert: orig.Issuing.Cert, Key: orig.Issuing.Key},
		Options{BaseURL: orig.BaseURL()})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Record(leaf.Cert); err != nil {
		t.Fatal(err)
	}
	status := func(c *x509.Certificate) int {
		t.Helper()
		der, err := p.OCSPResponseFor(c, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		r, err := ocsp.ParseResponse(der, p.Issuing.Cert)
		if err != nil {
			t.Fatal(err)
		}
		return r.Status
	}
	if s := status(leaf.Cert); s != ocsp.Good {
		t.Errorf("recorded certificate: OCSP status %d, want good", s)
	}
	if s := status(other.Cert); s != ocsp.Unknown {
		t.Errorf("certificate not recorded: OCSP status %d, want unknown", s)
	}
	if err := p.Revoke(leaf.Cert, time.Time{}, ocsp.KeyCompromise); err != nil {
		t.Fatal(err)
	}
	if s := status(leaf.Cert); s != ocsp.Revoked {
		t.Errorf("revoked certificate: OCSP status %d, want revoked", s)
	}
	der, err := p.CRL(p.Issuing, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := x509.ParseRevocationList(firstCRL)
	after, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	if after.Number.Cmp(before.Number) <= 0 {
		t.Errorf("CRL number %v after loading, not above %v", after.Number, before.Number)
	}
	if err := after.CheckSignatureFrom(orig.Issuing.Cert); err != nil {
		t.Error(err)
	}

	stranger := MustNew(t, Options{})
	if _, err := Load(Identity{Cert: orig.Root.Cert, Key: orig.Root.Key}, Identity{Cert: stranger.Issuing.Cert, Key: stranger.Issuing.Key}, Options{}); err == nil {
		t.Error("Load accepted an issuing CA of another root")
	}
	if _, err := Load(Identity{Cert: orig.Root.Cert, Key: stranger.Root.Key}, Identity{Cert: orig.Issuing.Cert, Key: orig.Issuing.Key}, Options{}); err == nil {
		t.Error("Load accepted a root with another key")
	}
	strangerLeaf, err := stranger.IssueSigner(SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Record(strangerLeaf.Cert); err == nil {
		t.Error("Record accepted a certificate of another PKI (same names, other keys)")
	}
}
