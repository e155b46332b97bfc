package tstoken

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/oids"
)

// ErrInvalid is wrapped by every error of Validate.
var ErrInvalid = errors.New("invalid timestamp token")

// Check names one check of Validate.
type Check int

// The checks of Validate, in the order it makes them.
const (
	// CheckFormat: a SignedData over an id-ct-TSTInfo with one signer.
	CheckFormat Check = iota + 1
	// CheckSigner: the signer's certificate is in the token.
	CheckSigner
	// CheckSignature: the signature and its messageDigest verify.
	CheckSignature
	// CheckSigningCertificate: the ESS signing-certificate(-v2)
	// attribute is present and names the signer's certificate.
	CheckSigningCertificate
	// CheckEKU: the extended key usage is critical and timeStamping only.
	CheckEKU
	// CheckImprint: the message imprint is the expected one.
	CheckImprint
	// CheckNonce: the nonce is the request's.
	CheckNonce
	// CheckPolicy: the policy is the requested one.
	CheckPolicy
)

var checkNames = map[Check]string{
	CheckFormat: "format", CheckSigner: "signer certificate", CheckSignature: "signature",
	CheckSigningCertificate: "signing-certificate attribute", CheckEKU: "extended key usage",
	CheckImprint: "message imprint", CheckNonce: "nonce", CheckPolicy: "policy",
}

// String returns the check's name.
func (c Check) String() string {
	if n, ok := checkNames[c]; ok {
		return n
	}
	return fmt.Sprintf("check %d", int(c))
}

// Error is a failed check. It wraps ErrInvalid and the underlying error
// (a cms error class where there is one), so errors.Is matches both.
type Error struct {
	// Check is the check that failed.
	Check Check
	// Err says why.
	Err error
}

// Error returns the message.
func (e *Error) Error() string { return fmt.Sprintf("timestamp token: %s: %v", e.Check, e.Err) }

// Unwrap returns ErrInvalid and the cause.
func (e *Error) Unwrap() []error { return []error{ErrInvalid, e.Err} }

func fail(c Check, err error) *Error { return &Error{Check: c, Err: err} }

func failf(c Check, format string, args ...any) *Error {
	return &Error{Check: c, Err: fmt.Errorf(format, args...)}
}

// Options say which of the optional checks Validate makes.
type Options struct {
	// Hash, when not zero, is the hash the message imprint must use.
	Hash crypto.Hash
	// Imprint, when not nil, returns the hash with h (the imprint's
	// algorithm) of what the token must stamp: a request's digest, the
	// signature value of a signature timestamp, a document's ranges.
	Imprint func(h crypto.Hash) ([]byte, error)
	// Nonce, when not nil, must be the token's nonce.
	Nonce *big.Int
	// Policy, when not nil, must be the token's policy.
	Policy asn1.ObjectIdentifier
}

// Digest returns an Imprint function for a precomputed digest.
func Digest(d []byte) func(crypto.Hash) ([]byte, error) {
	return func(crypto.Hash) ([]byte, error) { return d, nil }
}

// Data returns an Imprint function that hashes data.
func Data(data []byte) func(crypto.Hash) ([]byte, error) {
	return func(h crypto.Hash) ([]byte, error) {
		hh := h.New()
		hh.Write(data)
		return hh.Sum(nil), nil
	}
}

// Token is a token whose checks passed, or as far as they went.
type Token struct {
	// SignedData is the parsed token.
	SignedData *cms.SignedData
	// Info is the TSTInfo.
	Info *cms.TSTInfo
	// Hash is the message imprint's hash.
	Hash crypto.Hash
	// Cert is the TSA's certificate, nil when it was not found.
	Cert *x509.Certificate
	// Certs are the certificates the token carries.
	Certs []*x509.Certificate
}

// ErrNotTimestamp reports a SignedData whose content is not a TSTInfo.
var ErrNotTimestamp = errors.New("not an RFC 3161 timestamp token")

// Validate checks the token sd as the package documentation says. On
// failure it returns an *Error, and the token as far as it was read (nil
// before the TSTInfo is parsed; Cert set once the certificate is found).
func Validate(sd *cms.SignedData, opts Options) (*Token, error) {
	if sd == nil {
		return nil, failf(CheckFormat, "no token")
	}
	if !sd.EContentType.Equal(oids.TSTInfo) {
		return nil, fail(CheckFormat, ErrNotTimestamp)
	}
	info, err := sd.TSTInfo()
	if err != nil {
		return nil, fail(CheckFormat, err)
	}
	h := info.MessageImprint.Hash
	if h == 0 || !h.Available() {
		return nil, fail(CheckFormat, fmt.Errorf("message imprint algorithm %v: %w",
			info.MessageImprint.HashAlgorithm.Algorithm, cms.ErrUnsupportedAlgorithm))
	}
	t := &Token{SignedData: sd, Info: info, Hash: h, Certs: sd.ParsedCertificates()}
	// RFC 3161, 2.4.2: the token holds the TSA's signature only.
	if len(sd.SignerInfos) != 1 {
		return t, failf(CheckFormat, "%d signers, want 1", len(sd.SignerInfos))
	}
	si := sd.SignerInfos[0]
	cert, err := si.FindCertificate(t.Certs)
	if err != nil {
		return t, fail(CheckSigner, err)
	}
	t.Cert = cert
	if err := sd.VerifyContent(si, cert); err != nil {
		return t, fail(CheckSignature, err)
	}
	if err := checkESS(si, cert); err != nil {
		return t, fail(CheckSigningCertificate, err)
	}
	if err := checkEKU(cert); err != nil {
		return t, fail(CheckEKU, err)
	}
	if opts.Hash != 0 && h != opts.Hash {
		return t, failf(CheckImprint, "the message imprint uses %v, not %v", h, opts.Hash)
	}
	if opts.Imprint != nil {
		want, err := opts.Imprint(h)
		if err != nil {
			return t, fail(CheckImprint, err)
		}
		if !bytes.Equal(want, info.MessageImprint.HashedMessage) {
			return t, failf(CheckImprint, "the message imprint is not the digest of what it should stamp")
		}
	}
	if opts.Nonce != nil && (info.Nonce == nil || info.Nonce.Cmp(opts.Nonce) != 0) {
		return t, failf(CheckNonce, "the nonce is not the request's")
	}
	if opts.Policy != nil && !info.Policy.Equal(opts.Policy) {
		return t, failf(CheckPolicy, "policy %v, want %v", info.Policy, opts.Policy)
	}
	return t, nil
}

// checkESS checks that the signing-certificate(-v2) attribute, which
// RFC 3161 (2.4.1, as updated by RFC 5816) requires, names cert.
func checkESS(si *cms.SignerInfo, cert *x509.Certificate) error {
	sc, err := si.SigningCertificateV2()
	if errors.Is(err, cms.ErrAttributeNotFound) {
		sc, err = si.SigningCertificate()
	}
	if err != nil {
		return err
	}
	if len(sc.Certs) == 0 || !sc.Certs[0].Matches(cert) {
		return errors.New("the signing-certificate attribute does not name the TSA certificate")
	}
	return nil
}

// checkEKU requires the extended key usage extension to be critical and
// to hold timeStamping only (RFC 3161, 2.3).
func checkEKU(cert *x509.Certificate) error {
	for _, e := range cert.Extensions {
		if e.Id.Equal(oids.ExtKeyUsage) {
			if !e.Critical {
				return errors.New("the TSA certificate's extended key usage is not critical")
			}
			if len(cert.ExtKeyUsage) != 1 || cert.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping || len(cert.UnknownExtKeyUsage) > 0 {
				return errors.New("the TSA certificate's extended key usage is not timeStamping alone")
			}
			return nil
		}
	}
	return errors.New("the TSA certificate has no extended key usage")
}
