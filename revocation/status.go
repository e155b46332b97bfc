package revocation

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
)

// State is the revocation state of a certificate. The zero value is Unknown.
type State int

const (
	// Unknown means the responder does not know the certificate; callers must
	// not treat it as good.
	Unknown State = iota
	// Good means the certificate was not revoked when the data was issued.
	Good
	// Revoked means the certificate was revoked (or put on hold) at
	// [Status.RevokedAt].
	Revoked
)

// String returns "good", "revoked" or "unknown".
func (s State) String() string {
	switch s {
	case Good:
		return "good"
	case Revoked:
		return "revoked"
	default:
		return "unknown"
	}
}

// MarshalText encodes s as its String form, for JSON reports.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Source is where a [Status] came from.
type Source int

const (
	// OCSP is an OCSP response (RFC 6960).
	OCSP Source = iota + 1
	// CRL is a certificate revocation list (RFC 5280).
	CRL
)

// String returns "ocsp" or "crl".
func (s Source) String() string {
	switch s {
	case OCSP:
		return "ocsp"
	case CRL:
		return "crl"
	default:
		return "source(" + fmt.Sprint(int(s)) + ")"
	}
}

// MarshalText encodes s as its String form, for JSON reports.
func (s Source) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// CRL reason codes (RFC 5280, section 5.3.1) found in [Status.Reason].
const (
	ReasonUnspecified          = 0
	ReasonKeyCompromise        = 1
	ReasonCACompromise         = 2
	ReasonAffiliationChanged   = 3
	ReasonSuperseded           = 4
	ReasonCessationOfOperation = 5
	ReasonCertificateHold      = 6
	ReasonRemoveFromCRL        = 8
	ReasonPrivilegeWithdrawn   = 9
	ReasonAACompromise         = 10
)

// Status is the checked revocation status of one certificate.
//
// A Status returned by a [Checker] may be shared with other callers through
// the cache: its Raw bytes and Responder must not be modified.
type Status struct {
	// State is Good, Revoked or Unknown.
	State State
	// RevokedAt is the revocation time when State is Revoked.
	RevokedAt time.Time
	// Reason is the CRL reason code when State is Revoked; ReasonUnspecified
	// (0) also when the data gave none.
	Reason int

	// ThisUpdate and NextUpdate bound the period the data speaks for.
	// NextUpdate is zero when the data gave none.
	ThisUpdate, NextUpdate time.Time
	// ProducedAt is when the OCSP responder signed the response (zero for
	// a CRL).
	ProducedAt time.Time

	// Source says whether the status comes from OCSP or a CRL.
	Source Source
	// URL is where the data was fetched from; empty for data the caller
	// supplied.
	URL string
	// Raw is the DER OCSP response or CRL, ready to embed in a PDF's DSS.
	// From CheckOCSPResponse it is the caller's der itself.
	Raw []byte
	// Responder is the delegated OCSP responder certificate that signed the
	// response, to embed along with it; nil when the issuer signed it itself
	// and for CRLs.
	Responder *x509.Certificate
	// ExpiredCertsSince is the date of a CRL's expiredCertsOnCRL
	// extension: the CRL still lists revoked certificates that expired at
	// or after it. Zero when the CRL has none, and for OCSP.
	ExpiredCertsSince time.Time
}

var (
	// ErrNoSources means the certificate names no OCSP responder and no CRL
	// distribution point reachable over HTTP.
	ErrNoSources = errors.New("revocation: no revocation source")
	// ErrUnavailable means no answer could be had: network error, timeout,
	// HTTP status, a response too large, or an OCSP responder that answered
	// with an error status such as tryLater.
	ErrUnavailable = errors.New("revocation: unavailable")
	// ErrInvalidResponse means an answer came but failed a check (signature,
	// signer, issuer, certificate, freshness, syntax) and was not trusted.
	ErrInvalidResponse = errors.New("revocation: invalid response")
	// ErrOffline means the Checker is offline ([Options.Offline]) and would
	// have had to use the network.
	ErrOffline = errors.New("revocation: offline")
	// ErrRefused means the Checker would not fetch: the URL's host is not
	// in [Options.AllowedHosts], a redirect led to another host, or (for a
	// Checker from [Checker.TrustedOnly]) the certificate's issuer does not
	// chain to a trusted anchor.
	ErrRefused = errors.New("revocation: fetch refused")
)

// SourceError reports why one source (one URL, or data the caller supplied)
// gave no usable status. It matches its Kind and its Err with [errors.Is].
type SourceError struct {
	// Source is OCSP or CRL.
	Source Source
	// URL is the URL asked; empty for data the caller supplied.
	URL string
	// Kind is ErrUnavailable, ErrInvalidResponse, ErrOffline or ErrRefused.
	Kind error
	// Err says what was wrong.
	Err error
}

// Error returns, for example, "revocation: ocsp http://ocsp.example/:
// invalid response: response is for another certificate".
func (e *SourceError) Error() string {
	var b strings.Builder
	b.WriteString("revocation: ")
	b.WriteString(e.Source.String())
	if e.URL != "" {
		b.WriteString(" ")
		b.WriteString(e.URL)
	}
	b.WriteString(": ")
	if e.Kind != nil {
		b.WriteString(strings.TrimPrefix(e.Kind.Error(), "revocation: "))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns Kind and Err.
func (e *SourceError) Unwrap() []error { return []error{e.Kind, e.Err} }

// CheckError reports that no source gave the status of a certificate. It
// matches, with [errors.Is], the kinds of all its source errors: a caller that
// gets both ErrInvalidResponse and ErrUnavailable had one source answer with
// bad data and another not answer at all.
type CheckError struct {
	// Cert is the certificate whose status was asked.
	Cert *x509.Certificate
	// Errors has one entry per source tried, in order.
	Errors []*SourceError
}

// Error lists the failed sources.
func (e *CheckError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "revocation: no status for certificate serial %s", serialString(e.Cert))
	for i, se := range e.Errors {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(strings.TrimPrefix(se.Error(), "revocation: "))
	}
	return b.String()
}

// Unwrap returns the source errors.
func (e *CheckError) Unwrap() []error {
	errs := make([]error, len(e.Errors))
	for i, se := range e.Errors {
		errs[i] = se
	}
	return errs
}

func serialString(c *x509.Certificate) string {
	if c == nil || c.SerialNumber == nil {
		return "?"
	}
	return fmt.Sprintf("0x%x", c.SerialNumber)
}

// invalid returns a SourceError of kind ErrInvalidResponse; the caller fills
// in Source and URL.
func invalid(format string, args ...any) *SourceError {
	return &SourceError{Kind: ErrInvalidResponse, Err: fmt.Errorf(format, args...)}
}

// unavailable returns a SourceError of kind ErrUnavailable.
func unavailable(err error) *SourceError {
	return &SourceError{Kind: ErrUnavailable, Err: err}
}

// asSourceError turns err into a *SourceError for source and url, keeping
// the kind of an existing one.
func asSourceError(err error, source Source, url string) *SourceError {
	var se *SourceError
	if errors.As(err, &se) {
		cp := *se
		if cp.Source == 0 {
			cp.Source = source
		}
		if cp.URL == "" {
			cp.URL = url
		}
		return &cp
	}
	return &SourceError{Source: source, URL: url, Kind: ErrUnavailable, Err: err}
}

// nested is a SourceError inside another's Err, printed without the second
// "revocation: " prefix.
type nested struct{ err *SourceError }

func (n nested) Error() string { return strings.TrimPrefix(n.err.Error(), "revocation: ") }
func (n nested) Unwrap() error { return n.err }
