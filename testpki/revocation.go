package testpki

import (
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"math/big"
	"slices"
	"time"
)

// caState is the mutable revocation state of one CA, guarded by PKI.mu.
type caState struct {
	revoked   map[string]revocation // by serial number (hex)
	crlNumber int64                 // number of the last CRL issued
	responder *Identity             // delegated OCSP responder, or nil
}

// revocation records that a certificate was revoked.
type revocation struct {
	serial *big.Int
	at     time.Time
	reason int
}

// Revoke records that cert, which a CA of p issued, was revoked at the given
// time for the given reason (an RFC 5280 CRLReason, the same numbers as the
// golang.org/x/crypto/ocsp constants: 0 unspecified, 1 keyCompromise, …).
// If at is zero, the clock's time is used. Revoking again replaces the
// time and reason.
//
// From then on CRLs and OCSP responses report cert as revoked with that
// revocation time, whatever time they are produced for: like a real
// responder, p reports the current status, not the status at a past time.
func (p *PKI) Revoke(cert *x509.Certificate, at time.Time, reason int) error {
	if cert == nil {
		return fmt.Errorf("testpki: Revoke: certificate is nil")
	}
	if reason < 0 || reason > 10 || reason == 7 {
		return fmt.Errorf("testpki: Revoke: %d is not a CRLReason (RFC 5280, section 5.3.1)", reason)
	}
	if at.IsZero() {
		at = p.now()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	key := serialKey(cert.SerialNumber)
	is, ok := p.issued[key]
	if !ok || !is.cert.Equal(cert) {
		return fmt.Errorf("testpki: Revoke: certificate %q (serial %s) was not issued by this PKI",
			cert.Subject.CommonName, key)
	}
	p.state[is.ca].revoked[key] = revocation{serial: cert.SerialNumber, at: at.UTC().Truncate(time.Second), reason: reason}
	return nil
}

// IsRevoked reports whether the certificate with the given serial number,
// issued by a CA of p, has been revoked.
func (p *PKI) IsRevoked(serial *big.Int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := serialKey(serial)
	is, ok := p.issued[key]
	if !ok {
		return false
	}
	_, revoked := p.state[is.ca].revoked[key]
	return revoked
}

// CRL returns a DER-encoded CRL signed by ca, listing every certificate ca
// issued that was revoked, with thisUpdate now and nextUpdate now plus
// [Options.CRLValidity]. If now is zero, the clock's time is used. Each
// call increases the CRL number.
func (p *PKI) CRL(ca *CA, now time.Time) ([]byte, error) {
	if ca == nil || p.CA(ca.Name) != ca {
		return nil, fmt.Errorf("testpki: CRL: CA is not a CA of this PKI")
	}
	if now.IsZero() {
		now = p.now()
	}
	validity := p.opts.CRLValidity
	if validity == 0 {
		validity = defaultCRLValidity
	}

	p.mu.Lock()
	st := p.state[ca]
	st.crlNumber++
	number := st.crlNumber
	entries := make([]x509.RevocationListEntry, 0, len(st.revoked))
	for _, r := range st.revoked {
		entries = append(entries, x509.RevocationListEntry{
			SerialNumber:   r.serial,
			RevocationTime: r.at,
			ReasonCode:     r.reason,
		})
	}
	p.mu.Unlock()

	slices.SortFunc(entries, func(a, b x509.RevocationListEntry) int {
		return a.SerialNumber.Cmp(b.SerialNumber)
	})
	tmpl := &x509.RevocationList{
		RevokedCertificateEntries: entries,
		Number:                    big.NewInt(number),
		ThisUpdate:                now.UTC(),
		NextUpdate:                now.UTC().Add(validity),
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.Cert, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("testpki: CRL of %q: %w", ca.Cert.Subject.CommonName, err)
	}
	return der, nil
}
