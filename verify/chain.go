package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// checkCertificates finds a path from the signer's certificate to a trust
// anchor and checks validity periods and revocation along it, at the best
// proof of existence of the signature (its timestamp) or else at the
// validation time.
func (v *verifier) checkCertificates(ctx context.Context, rep *SignatureReport, c *checked) {
	if rep.Indication == TotalFailed {
		return
	}
	t := v.at
	if !c.poe.IsZero() {
		t = c.poe
	}
	chain, anchor, err := v.path(c.cert, c.pool, t)
	if err != nil {
		rep.fail(NoCertificateChainFound, note(CodeChainNotFound, "detail", err.Error()), "%v", err)
		return
	}
	rep.TrustAnchor = anchor
	for _, cert := range chain {
		rep.Chain = append(rep.Chain, describe(cert))
	}
	if len(v.opts.IssuedBy) > 0 && rep.Type == TypeSignature && !issuedByAny(chain, v.opts.IssuedBy) {
		rep.fail(ChainConstraintsFailure, note(CodeIssuerNotAccepted, "issuers", names(v.opts.IssuedBy)), "the signer's certificate is not issued by a CA this verification accepts (%s)", names(v.opts.IssuedBy))
		return
	}
	// RFC 5280, 4.2.1.3: a key whose keyUsage has neither digitalSignature
	// nor nonRepudiation (contentCommitment) is not certified for
	// signatures, such as an encryption certificate's. Go's path building
	// checks keyCertSign on the issuers, not the end entity's usage. No
	// keyUsage extension means no restriction.
	if ku := c.cert.KeyUsage; ku != 0 && ku&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		rep.fail(ChainConstraintsFailure, note(CodeCertKeyUsage, "cert", c.cert.Subject.CommonName), "the certificate %q is not for signatures: its key usage has neither digitalSignature nor nonRepudiation", c.cert.Subject.CommonName)
		return
	}
	// An extended key usage that certifies the key for other purposes
	// only (a TLS server's, a code signer's, a TSA's or an OCSP
	// responder's certificate) excludes signing documents (RFC 5280,
	// 4.2.1.12). Unknown usages (Adobe's Authentic Documents, which BSrE
	// certificates carry, Microsoft's or RFC 9336's document signing)
	// and the usual ones of a person's certificate (emailProtection,
	// clientAuth) are no reason to reject; neither is none at all.
	if rep.Type == TypeSignature && otherPurposesOnly(c.cert) {
		rep.fail(ChainConstraintsFailure, note(CodeCertExtKeyUsage, "cert", c.cert.Subject.CommonName), "the certificate %q is not for signing documents: its extended key usage is for other purposes only", c.cert.Subject.CommonName)
		return
	}
	for _, cert := range chain {
		switch {
		case t.After(cert.NotAfter) && !c.poe.IsZero():
			rep.fail(Expired, note(CodeCertExpired, "cert", cert.Subject.CommonName, "date", noteTime(cert.NotAfter), "poe", noteTime(t)), "the certificate %q expired on %s, before the signature's proven time %s",
				cert.Subject.CommonName, day(cert.NotAfter), day(t))
		case t.After(cert.NotAfter):
			rep.fail(OutOfBoundsNoPOE, note(CodeCertExpiredNoPOE, "cert", cert.Subject.CommonName, "date", noteTime(cert.NotAfter)), "the certificate %q expired on %s and nothing proves the signature existed before",
				cert.Subject.CommonName, day(cert.NotAfter))
		case t.Before(cert.NotBefore):
			rep.fail(NotYetValid, note(CodeCertNotYetValid, "cert", cert.Subject.CommonName, "date", noteTime(cert.NotBefore)), "the certificate %q is valid only from %s, after the signature was made",
				cert.Subject.CommonName, day(cert.NotBefore))
		}
	}
	if rep.Indication == TotalFailed {
		return
	}
	v.checkRevocation(ctx, rep, chain, c)
}

// path returns a certificate path from cert to a trust anchor, and where
// the anchor was configured. Certificates of the signature (candidates)
// and the pool's known intermediates may be on the path; only the pool's
// anchors end it.
func (v *verifier) path(cert *x509.Certificate, candidates []*x509.Certificate, t time.Time) ([]*x509.Certificate, string, error) {
	pool := v.opts.Trust
	if pool == nil || pool.Len() == 0 {
		return nil, "", errors.New("no trust anchors are configured")
	}
	if pool.Contains(cert) {
		src, _ := pool.Source(cert)
		return []*x509.Certificate{cert}, src, nil
	}
	inter := x509.NewCertPool()
	for _, c := range candidates {
		if c != cert {
			inter.AddCert(c)
		}
	}
	for _, c := range pool.Intermediates() {
		inter.AddCert(c)
	}
	// Build the path at a time inside the signer certificate's validity:
	// the validity periods are judged afterwards, against the proof of
	// existence, with the right sub-indication.
	at := t
	if at.After(cert.NotAfter) {
		at = cert.NotAfter
	}
	if at.Before(cert.NotBefore) {
		at = cert.NotBefore
	}
	chains, err := cert.Verify(x509.VerifyOptions{
		Roots:         pool.CertPool(),
		Intermediates: inter,
		CurrentTime:   at,
		// An extended key usage Segel does not know (such as Adobe's
		// Authentic Documents) is no reason to reject a signer.
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return nil, "", fmt.Errorf("no certificate path from %q to a trusted anchor: %v", cert.Subject.CommonName, err)
	}
	best := chains[0]
	for _, ch := range chains[1:] {
		if len(ch) < len(best) {
			best = ch
		}
	}
	src, _ := pool.Source(best[len(best)-1])
	return best, src, nil
}

// tokenChain checks that a timestamp's TSA certificate chains to a trust
// anchor at the timestamp's time.
func (v *verifier) tokenChain(ts *token) error {
	chain, _, err := v.path(ts.cert, ts.pool, ts.info.GenTime)
	if err != nil {
		return err
	}
	for _, c := range chain {
		if ts.info.GenTime.After(c.NotAfter) || ts.info.GenTime.Before(c.NotBefore) {
			return fmt.Errorf("the TSA certificate %q was not valid at %s", c.Subject.CommonName, ts.info.GenTime.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

func issuedByAny(chain, cas []*x509.Certificate) bool {
	for _, c := range chain[1:] {
		for _, ca := range cas {
			if c.Equal(ca) || (bytes.Equal(c.RawSubject, ca.RawSubject) && bytes.Equal(c.RawSubjectPublicKeyInfo, ca.RawSubjectPublicKeyInfo)) {
				return true
			}
		}
	}
	return false
}

func names(cs []*x509.Certificate) string {
	var n []string
	for _, c := range cs {
		n = append(n, c.Subject.CommonName)
	}
	return strings.Join(n, ", ")
}

// describe summarises a certificate for the report.
func describe(c *x509.Certificate) *Certificate {
	sum := sha256.Sum256(c.Raw)
	return &Certificate{
		CommonName:   c.Subject.CommonName,
		Organization: strings.Join(c.Subject.Organization, ", "),
		Subject:      c.Subject.String(),
		Issuer:       c.Issuer.String(),
		SerialNumber: strings.ToUpper(c.SerialNumber.Text(16)),
		NotBefore:    reportTime(c.NotBefore),
		NotAfter:     reportTime(c.NotAfter),
		SHA256:       hex.EncodeToString(sum[:]),
	}
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") }

// otherPurposes are the extended key usages that name a purpose other
// than signing documents.
var otherPurposes = map[x509.ExtKeyUsage]bool{
	x509.ExtKeyUsageServerAuth:                     true,
	x509.ExtKeyUsageCodeSigning:                    true,
	x509.ExtKeyUsageTimeStamping:                   true,
	x509.ExtKeyUsageOCSPSigning:                    true,
	x509.ExtKeyUsageIPSECEndSystem:                 true,
	x509.ExtKeyUsageIPSECTunnel:                    true,
	x509.ExtKeyUsageIPSECUser:                      true,
	x509.ExtKeyUsageMicrosoftServerGatedCrypto:     true,
	x509.ExtKeyUsageNetscapeServerGatedCrypto:      true,
	x509.ExtKeyUsageMicrosoftCommercialCodeSigning: true,
	x509.ExtKeyUsageMicrosoftKernelCodeSigning:     true,
}

// otherPurposesOnly reports whether cert has an extended key usage
// extension whose every usage is one of otherPurposes.
func otherPurposesOnly(cert *x509.Certificate) bool {
	if len(cert.ExtKeyUsage) == 0 || len(cert.UnknownExtKeyUsage) > 0 {
		return false
	}
	for _, u := range cert.ExtKeyUsage {
		if !otherPurposes[u] {
			return false
		}
	}
	return true
}
