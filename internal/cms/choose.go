package cms

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
)

// ErrNotCovering reports a SignerInfo that does not cover the content it
// should sign: its messageDigest (or, without signed attributes, its
// signature) is over something else.
var ErrNotCovering = errors.New("the signer does not cover the content")

// ChooseOptions say what the signers of a SignedData must cover and which
// of several that do is preferred.
type ChooseOptions struct {
	// Encapsulated is set when the signature is over the encapsulated
	// content (adbe.pkcs7.sha1: a digest of the document); Digest is
	// then not used.
	Encapsulated bool
	// Digest returns the digest with h of the detached content (for a
	// PDF, its signed byte ranges).
	Digest func(h crypto.Hash) ([]byte, error)
	// Prefer, when not nil, tells a preferred signer certificate (one
	// with a path to a trust anchor): of several signers that cover the
	// content, the first preferred one is chosen, else the first.
	Prefer func(cert *x509.Certificate) bool
}

// Candidate is one SignerInfo of a SignedData as ChooseSigner judged it.
type Candidate struct {
	// Signer is the SignerInfo.
	Signer *SignerInfo
	// Cert is its certificate, nil when the CMS does not carry it.
	Cert *x509.Certificate
	// Err says why it does not cover the content; nil when it does.
	Err error
}

// ChooseSigner judges every SignerInfo of sd and returns them in their
// order with the index of the one that is the signature: its certificate
// is among those of the CMS and it covers the content (its messageDigest
// is the content's digest; without signed attributes, its signature
// verifies over that digest; with opts.Encapsulated, its signature
// verifies over the encapsulated content). It proves no more than that:
// the chosen signer must then be validated in full. The index is -1 when
// no signer covers the content.
func (sd *SignedData) ChooseSigner(opts ChooseOptions) (int, []Candidate) {
	certs := sd.ParsedCertificates()
	all := make([]Candidate, len(sd.SignerInfos))
	chosen := -1
	// Whether the chosen one is preferred, asked only once a second
	// signer covers the content too: Prefer may build a path.
	var preferred *bool
	for i, si := range sd.SignerInfos {
		cert, err := sd.covers(si, certs, opts)
		all[i] = Candidate{Signer: si, Cert: cert, Err: err}
		if err != nil {
			continue
		}
		if chosen < 0 {
			chosen = i
			continue
		}
		if opts.Prefer == nil {
			continue
		}
		if preferred == nil {
			p := opts.Prefer(all[chosen].Cert)
			preferred = &p
		}
		if !*preferred && opts.Prefer(cert) {
			chosen, *preferred = i, true
		}
	}
	return chosen, all
}

// coverError is why a signer does not cover the content: a message for
// people and the error class it belongs to.
type coverError struct {
	msg string
	err error
}

func (e *coverError) Error() string { return e.msg }
func (e *coverError) Unwrap() error { return e.err }

// covers returns the certificate of si, when the CMS carries it, and why
// si does not cover the content, or nil when it does.
func (sd *SignedData) covers(si *SignerInfo, certs []*x509.Certificate, opts ChooseOptions) (*x509.Certificate, error) {
	cert, err := si.FindCertificate(certs)
	if err != nil {
		return nil, &coverError{"its certificate is not in the CMS", ErrCertificateNotFound}
	}
	if opts.Encapsulated {
		if err := sd.VerifyContent(si, cert); err != nil {
			return cert, fmt.Errorf("its signature does not verify: %w", err)
		}
		return cert, nil
	}
	h, err := si.Hash()
	if err != nil {
		return cert, fmt.Errorf("its digest algorithm is not supported: %w", err)
	}
	if opts.Digest == nil {
		return cert, errors.New("cms: internal error: no content digest")
	}
	digest, err := opts.Digest(h)
	if err != nil {
		return cert, fmt.Errorf("the signed ranges cannot be read: %w", err)
	}
	if si.RawSignedAttrs == nil {
		if err := sd.VerifyDetached(si, cert, digest); err != nil {
			return cert, &coverError{"its signature is not over the document", ErrNotCovering}
		}
		return cert, nil
	}
	md, err := si.MessageDigest()
	if err != nil {
		return cert, fmt.Errorf("its messageDigest cannot be read: %w", err)
	}
	if !bytes.Equal(md, digest) {
		return cert, &coverError{"its message digest is not the document's", ErrNotCovering}
	}
	return cert, nil
}
