package signer

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"

	"github.com/segel-id/segel/internal/certpath"
	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/tstoken"
	"github.com/segel-id/segel/revocation"
)

// ErrValidationData reports validation data (OCSP responses, CRLs) that
// could not be had for a B-LT or B-LTA signature: Segel never returns a
// lower level than asked.
var ErrValidationData = errors.New("validation data for long-term validation is not available")

// ErrRevoked reports a signing certificate (or one of its CAs) that its
// CA says is revoked.
var ErrRevoked = errors.New("the certificate is revoked")

// validationData is the validation data of a signature or timestamp: its
// chain's certificates and revocation data (DER).
type validationData struct {
	certs       []*x509.Certificate
	ocsps, crls [][]byte
}

func (v *validationData) add(o *validationData) {
	v.certs = append(v.certs, o.certs...)
	v.ocsps = append(v.ocsps, o.ocsps...)
	v.crls = append(v.crls, o.crls...)
}

// gather fetches the revocation data of every certificate of chain (leaf
// first, each certificate followed by its issuer) but a self-signed root.
// A certificate that names no revocation source contributes only itself;
// any other failure is an error. With mustBeGood, a revoked certificate is
// an error too (ErrRevoked).
func gather(ctx context.Context, checker *revocation.Checker, chain []*x509.Certificate, mustBeGood bool) (*validationData, error) {
	vd := &validationData{}
	for i, cert := range chain {
		vd.certs = append(vd.certs, cert)
		if certpath.SelfSigned(cert) {
			continue
		}
		if i+1 >= len(chain) {
			return nil, fmt.Errorf("%w: the issuer of %q is not in the chain; give the whole chain up to the root",
				ErrValidationData, cert.Subject.CommonName)
		}
		st, err := checker.Check(ctx, cert, chain[i+1])
		if errors.Is(err, revocation.ErrNoSources) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %w", ErrValidationData, cert.Subject.CommonName, err)
		}
		if mustBeGood && st.State == revocation.Revoked {
			return nil, fmt.Errorf("%w: %q, on %s", ErrRevoked, cert.Subject.CommonName, st.RevokedAt.UTC().Format("2006-01-02"))
		}
		switch st.Source {
		case revocation.OCSP:
			vd.ocsps = append(vd.ocsps, st.Raw)
		default:
			vd.crls = append(vd.crls, st.Raw)
		}
		if st.Responder != nil {
			vd.certs = append(vd.certs, st.Responder)
		}
	}
	return vd, nil
}

// addValidationData appends the DSS update of a signature just made: the
// signer's data (gathered before the key signed) and that of the TSA of
// its signature timestamp.
func addValidationData(ctx context.Context, app *appender, opts *Options, data *validationData, der []byte) error {
	sd, err := cms.Parse(der)
	if err != nil || len(sd.SignerInfos) != 1 {
		return fmt.Errorf("signer: internal error: reading back the signature: %v", err)
	}
	si := sd.SignerInfos[0]
	for _, raw := range si.TimeStampTokens() {
		tok, err := signatureToken(raw, si)
		if err != nil {
			return fmt.Errorf("signer: internal error: reading back the signature timestamp: %w", err)
		}
		td, err := tokenValidationData(ctx, opts.revocation(), tok, opts.Certificates)
		if err != nil {
			return err
		}
		data.add(td)
	}
	_, err = app.addDSS(data)
	return err
}

// signatureToken validates raw as a signature timestamp of si (its
// imprint is over si's signature value) with internal/tstoken.
func signatureToken(raw []byte, si *cms.SignerInfo) (*tstoken.Token, error) {
	sd, err := cms.Parse(raw)
	if err != nil {
		return nil, err
	}
	return tstoken.Validate(sd, tstoken.Options{Imprint: tstoken.Data(si.Signature)})
}

// tokenValidationData gathers the validation data of the TSA chain of a
// token that internal/tstoken validated.
func tokenValidationData(ctx context.Context, checker *revocation.Checker, tok *tstoken.Token, extra []*x509.Certificate) (*validationData, error) {
	chain := append([]*x509.Certificate{tok.Cert}, certpath.Issuers(tok.Cert, slices.Concat(tok.Certs, extra))...)
	return gather(ctx, checker, chain, false)
}
