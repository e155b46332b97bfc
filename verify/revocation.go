package verify

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/segel-id/segel/internal/certpath"
	"github.com/segel-id/segel/internal/oids"
	"github.com/segel-id/segel/revocation"
)

// checkRevocation establishes the revocation status of every certificate
// of the path but the anchor: from validation data embedded in the
// document first, then online unless Options.Offline.
//
// A revoked certificate fails the signature with REVOKED when a proof of
// existence shows the signature was made after the revocation, and leaves
// it INDETERMINATE with REVOKED_NO_POE when nothing proves it was made
// before. A certificate with revocation sources that cannot be asked is
// INDETERMINATE with TRY_LATER; one without any source is a warning.
func (v *verifier) checkRevocation(ctx context.Context, rep *SignatureReport, chain []*x509.Certificate, c *checked) {
	t := v.at
	if !c.poe.IsZero() {
		t = c.poe
	}
	if len(chain) == 1 && !certpath.SelfSigned(chain[0]) {
		// A pinned signer is trusted as it is, but it can still be
		// revoked: ask its issuer when the signature carries it.
		if issuers := certpath.Issuers(chain[0], c.pool); len(issuers) > 0 {
			chain = []*x509.Certificate{chain[0], issuers[0]}
		} else {
			rep.warn(note(CodePinnedNoIssuer, "cert", chain[0].Subject.CommonName), "the pinned certificate %q comes without its issuer: its revocation status is not known", chain[0].Subject.CommonName)
		}
	}
	for i := 0; i+1 < len(chain); i++ {
		cert, issuer := chain[i], chain[i+1]
		st, err := v.status(ctx, cert, issuer, t, c)
		switch {
		case errors.Is(err, revocation.ErrNoSources):
			rep.warn(note(CodeNoRevocationSource, "cert", cert.Subject.CommonName), "the certificate %q names no revocation source (OCSP or CRL): its revocation status is not known", cert.Subject.CommonName)
			continue
		case err != nil:
			rep.fail(TryLater, note(CodeRevocationUnavailable, "cert", cert.Subject.CommonName, "detail", err.Error()), "the revocation status of %q cannot be established: %v", cert.Subject.CommonName, err)
			continue
		}
		switch st.State {
		case revocation.Good:
		case revocation.Revoked:
			switch {
			case !c.poe.IsZero() && c.poe.Before(st.RevokedAt):
				rep.warn(note(CodeRevokedAfterPOE, "cert", cert.Subject.CommonName, "date", noteTime(st.RevokedAt)), "the certificate %q was revoked on %s, after the signature's proven time", cert.Subject.CommonName, day(st.RevokedAt))
			case !c.poe.IsZero():
				rep.fail(Revoked, note(CodeRevoked, "cert", cert.Subject.CommonName, "date", noteTime(st.RevokedAt), "poe", noteTime(c.poe)), "the certificate %q was revoked on %s, before the signature's proven time %s",
					cert.Subject.CommonName, day(st.RevokedAt), day(c.poe))
			default:
				rep.fail(RevokedNoPOE, note(CodeRevokedNoPOE, "cert", cert.Subject.CommonName, "date", noteTime(st.RevokedAt)), "the certificate %q was revoked on %s and nothing proves the signature was made before",
					cert.Subject.CommonName, day(st.RevokedAt))
			}
		default:
			rep.fail(TryLater, note(CodeRevocationUnknown, "cert", cert.Subject.CommonName, "source", fmt.Sprint(st.Source)), "the revocation status of %q is unknown to its %v source", cert.Subject.CommonName, st.Source)
		}
	}
}

// status finds the revocation status of cert at t: embedded data first.
func (v *verifier) status(ctx context.Context, cert, issuer *x509.Certificate, t time.Time, c *checked) (*revocation.Status, error) {
	vo := &revocation.VerifyOptions{CurrentTime: t, AllowIssuedAfter: true}
	for _, der := range c.ocsps {
		if st, err := revocation.CheckOCSPResponse(der, cert, issuer, vo); err == nil && speaksFor(st, cert) && responderChecked(st, issuer, vo, c) {
			return st, nil
		}
	}
	for _, der := range c.crls {
		if st, err := revocation.CheckCRL(der, cert, issuer, vo); err == nil && speaksFor(st, cert) {
			return st, nil
		}
	}
	if len(cert.OCSPServer) == 0 && len(cert.CRLDistributionPoints) == 0 {
		return nil, revocation.ErrNoSources
	}
	if v.opts.Offline {
		return nil, errors.New("no embedded revocation data matches it, and verification is offline")
	}
	checker := v.opts.Revocation
	if checker == nil {
		checker = v.checker
	}
	c.online = true
	st, err := checker.Check(ctx, cert, issuer)
	if err == nil && !speaksFor(st, cert) {
		return nil, fmt.Errorf("the %v answer was issued on %s, after the certificate expired on %s: an issuer may drop expired certificates, so \"good\" proves nothing",
			st.Source, day(st.ThisUpdate), day(cert.NotAfter))
	}
	return st, err
}

// speaksFor reports whether a status can be believed for cert: a "good"
// issued after cert expired proves nothing, as CRL issuers drop expired
// certificates (RFC 5280, 3.3) and responders may forget them, unless the
// CRL says with expiredCertsOnCRL that it keeps those that expired since
// a date no later than cert's expiry. (OCSP's archiveCutoff is not read:
// such an answer is not used.)
func speaksFor(st *revocation.Status, cert *x509.Certificate) bool {
	if st.State != revocation.Good || !st.ThisUpdate.After(cert.NotAfter) {
		return true
	}
	return st.Source == revocation.CRL && !st.ExpiredCertsSince.IsZero() && !st.ExpiredCertsSince.After(cert.NotAfter)
}

// responderChecked reports whether the delegated responder that signed an
// embedded OCSP answer (if any) is known not to be revoked (RFC 6960,
// 4.2.2.2.1): it carries id-pkix-ocsp-nocheck, names no CRL (its issuer
// gave no way to check it, as revocation.Checker accepts), or an embedded
// CRL of its issuer says it is good. Otherwise the answer is not used; the
// online checker, which checks the responder, may still be asked.
func responderChecked(st *revocation.Status, issuer *x509.Certificate, vo *revocation.VerifyOptions, c *checked) bool {
	r := st.Responder
	if r == nil || len(r.CRLDistributionPoints) == 0 {
		return true
	}
	for _, ext := range r.Extensions {
		if ext.Id.Equal(oids.OCSPNoCheck) {
			return true
		}
	}
	for _, der := range c.crls {
		if rs, err := revocation.CheckCRL(der, r, issuer, vo); err == nil {
			return rs.State == revocation.Good
		}
	}
	return false
}
