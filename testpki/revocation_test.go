package testpki

import (
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

func TestCRL(t *testing.T) {
	p := MustNew(t, Options{})
	good := p.MustIssueSigner(t, SignerOptions{})
	bad := p.MustIssueSigner(t, SignerOptions{})
	revokedAt := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	if err := p.Revoke(bad.Cert, revokedAt, ocsp.KeyCompromise); err != nil {
		t.Fatal(err)
	}
	if !p.IsRevoked(bad.Cert.SerialNumber) || p.IsRevoked(good.Cert.SerialNumber) || p.IsRevoked(big.NewInt(12345)) {
		t.Error("IsRevoked is wrong")
	}

	now := time.Now().Truncate(time.Second)
	der, err := p.CRL(p.Issuing, now)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := crl.CheckSignatureFrom(p.Issuing.Cert); err != nil {
		t.Errorf("CRL signature: %v", err)
	}
	if err := crl.CheckSignatureFrom(p.Root.Cert); err == nil {
		t.Error("the issuing CA's CRL verifies under the root's key")
	}
	if !crl.ThisUpdate.Equal(now) || !crl.NextUpdate.Equal(now.Add(24*time.Hour)) {
		t.Errorf("thisUpdate %v nextUpdate %v, want %v and a day later", crl.ThisUpdate, crl.NextUpdate, now)
	}
	if crl.Number.Cmp(big.NewInt(1)) != 0 {
		t.Errorf("CRL number %v, want 1", crl.Number)
	}
	if len(crl.RevokedCertificateEntries) != 1 {
		t.Fatalf("CRL lists %d certificates, want 1", len(crl.RevokedCertificateEntries))
	}
	e := crl.RevokedCertificateEntries[0]
	if e.SerialNumber.Cmp(bad.Cert.SerialNumber) != 0 || !e.RevocationTime.Equal(revokedAt) || e.ReasonCode != ocsp.KeyCompromise {
		t.Errorf("CRL entry %v %v %d, want %v %v keyCompromise", e.SerialNumber, e.RevocationTime, e.ReasonCode, bad.Cert.SerialNumber, revokedAt)
	}

	der, err = p.CRL(p.Issuing, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if crl, err = x509.ParseRevocationList(der); err != nil || crl.Number.Cmp(big.NewInt(2)) != 0 {
		t.Errorf("second CRL number %v (%v), want 2", crl.Number, err)
	}

	// The root's CRL is separate and lists a revoked intermediate.
	der, err = p.CRL(p.Root, now)
	if err != nil {
		t.Fatal(err)
	}
	rootCRL, err := x509.ParseRevocationList(der)
	if err != nil || len(rootCRL.RevokedCertificateEntries) != 0 || rootCRL.CheckSignatureFrom(p.Root.Cert) != nil {
		t.Fatalf("root CRL: %v, %d entries", err, len(rootCRL.RevokedCertificateEntries))
	}
	if err := p.Revoke(p.Issuing.Cert, time.Time{}, ocsp.CACompromise); err != nil {
		t.Fatal(err)
	}
	der, _ = p.CRL(p.Root, now)
	rootCRL, _ = x509.ParseRevocationList(der)
	if len(rootCRL.RevokedCertificateEntries) != 1 || rootCRL.RevokedCertificateEntries[0].SerialNumber.Cmp(p.Issuing.Cert.SerialNumber) != 0 {
		t.Error("root CRL does not list the revoked issuing CA")
	}
}

func TestRevokeErrors(t *testing.T) {
	p, other := MustNew(t, Options{}), MustNew(t, Options{})
	foreign := other.MustIssueSigner(t, SignerOptions{})
	if err := p.Revoke(foreign.Cert, time.Time{}, 0); err == nil {
		t.Error("revoked another PKI's certificate")
	}
	if err := p.Revoke(p.Root.Cert, time.Time{}, 0); err == nil {
		t.Error("revoked the root")
	}
	id := p.MustIssueSigner(t, SignerOptions{})
	for _, reason := range []int{-1, 7, 11} {
		if err := p.Revoke(id.Cert, time.Time{}, reason); err == nil {
			t.Errorf("reason %d accepted", reason)
		}
	}
	if _, err := p.CRL(other.Issuing, time.Time{}); err == nil {
		t.Error("CRL for another PKI's CA")
	}
}
