package testpki

import (
	"crypto"
	"errors"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

func TestOCSPResponse(t *testing.T) {
	for _, delegated := range []bool{false, true} {
		name := map[bool]string{false: "by CA", true: "delegated"}[delegated]
		t.Run(name, func(t *testing.T) {
			p := MustNew(t, Options{DelegatedOCSP: delegated})
			good := p.MustIssueSigner(t, SignerOptions{})
			bad := p.MustIssueSigner(t, SignerOptions{})
			revokedAt := time.Now().Add(-time.Hour).Truncate(time.Second)
			if err := p.Revoke(bad.Cert, revokedAt, ocsp.Superseded); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

			der, err := p.OCSPResponseFor(good.Cert, now)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := ocsp.ParseResponseForCert(der, good.Cert, p.Issuing.Cert)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != ocsp.Good || resp.SerialNumber.Cmp(good.Cert.SerialNumber) != 0 {
				t.Errorf("status %d serial %v, want good for %v", resp.Status, resp.SerialNumber, good.Cert.SerialNumber)
			}
			if !resp.ProducedAt.Equal(now) || !resp.ThisUpdate.Equal(now) || !resp.NextUpdate.Equal(now.Add(time.Hour)) {
				t.Errorf("producedAt %v thisUpdate %v nextUpdate %v, want %v and an hour later", resp.ProducedAt, resp.ThisUpdate, resp.NextUpdate, now)
			}
			if delegated {
				if resp.Certificate == nil || resp.Certificate.CheckSignatureFrom(p.Issuing.Cert) != nil {
					t.Fatal("delegated response lacks a responder certificate issued by the CA")
				}
			} else {
				if resp.Certificate != nil {
					t.Error("CA-signed response carries a certificate")
				}
				if err := resp.CheckSignatureFrom(p.Issuing.Cert); err != nil {
					t.Errorf("response signature: %v", err)
				}
			}

			// A request with SHA-256 CertID hashes, for the revoked certificate.
			req, err := ocsp.CreateRequest(bad.Cert, p.Issuing.Cert, &ocsp.RequestOptions{Hash: crypto.SHA256})
			if err != nil {
				t.Fatal(err)
			}
			der, err = p.OCSPResponse(req, now)
			if err != nil {
				t.Fatal(err)
			}
			resp, err = ocsp.ParseResponseForCert(der, bad.Cert, p.Issuing.Cert)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != ocsp.Revoked || !resp.RevokedAt.Equal(revokedAt) || resp.RevocationReason != ocsp.Superseded {
				t.Errorf("status %d at %v reason %d, want revoked at %v superseded", resp.Status, resp.RevokedAt, resp.RevocationReason, revokedAt)
			}
			if resp.IssuerHash != crypto.SHA256 {
				t.Errorf("response CertID hash %v, want SHA-256", resp.IssuerHash)
			}

			// A serial the CA never issued is unknown.
			other := MustNew(t, Options{})
			stranger := other.MustIssueSigner(t, SignerOptions{})
			der, err = p.OCSPResponseFor(stranger.Cert, now) // same names, other keys
			if err != nil {
				t.Fatal(err)
			}
			if resp, err = ocsp.ParseResponse(der, p.Issuing.Cert); err != nil || resp.Status != ocsp.Unknown {
				t.Errorf("stranger: status %v (%v), want unknown", resp, err)
			}
			// A request naming another PKI's CA is refused.
			req, _ = ocsp.CreateRequest(stranger.Cert, other.Issuing.Cert, nil)
			if _, err := p.OCSPResponse(req, now); !errors.Is(err, ErrUnknownIssuer) {
				t.Errorf("request about another PKI's CA: %v, want ErrUnknownIssuer", err)
			}
			if _, err := p.OCSPResponse([]byte("junk"), now); err == nil {
				t.Error("junk request answered")
			}
		})
	}
}

func TestSetOCSPResponder(t *testing.T) {
	p := MustNew(t, Options{})
	id := p.MustIssueSigner(t, SignerOptions{})
	// An unauthorised responder: a signer certificate without OCSPSigning.
	rogue := p.MustIssueSigner(t, SignerOptions{})
	p.SetOCSPResponder(p.Issuing, rogue)
	der, err := p.OCSPResponseFor(id.Cert, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// x/crypto/ocsp checks only that the CA issued the responder
	// certificate, not its id-kp-OCSPSigning: clients must check that.
	resp, err := ocsp.ParseResponseForCert(der, id.Cert, p.Issuing.Cert)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Certificate == nil || !resp.Certificate.Equal(rogue.Cert) {
		t.Error("response does not carry the responder certificate that signed it")
	}
	p.SetOCSPResponder(p.Issuing, nil)
	der, _ = p.OCSPResponseFor(id.Cert, time.Time{})
	if _, err := ocsp.ParseResponseForCert(der, id.Cert, p.Issuing.Cert); err != nil {
		t.Errorf("back to CA-signed: %v", err)
	}
}
