package service

import (
	"context"
	"errors"
	"syscall"
	"time"

	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/tsa"
	"github.com/segel-id/segel/verify"
)

// Error is a request the service refused or could not carry out. Its
// Detail never holds a secret.
type Error struct {
	// Kind is a problem type (see Kinds), such as "passphrase-rejected".
	Kind string
	// Detail says what was wrong with this request.
	Detail string
	// RetryAfter is how long to wait before trying again, when known.
	RetryAfter time.Duration
	// Err is the cause, kept where a door must tell cases of one kind
	// apart (errors.Is(e, signer.ErrAnchorNotFound) for stamp-placement).
	// It is never shown: Error says only Kind and Detail.
	Err error
}

// Error returns the kind and the detail.
func (e *Error) Error() string {
	if e.Detail == "" {
		return "segel: " + e.Kind
	}
	return "segel: " + e.Kind + ": " + e.Detail
}

// Unwrap returns the cause, if it was kept.
func (e *Error) Unwrap() error { return e.Err }

// Status is the HTTP status that answers e (500 for an unknown kind).
func (e *Error) Status() int {
	if k, ok := kinds[e.Kind]; ok {
		return k.Status
	}
	return kinds["internal"].Status
}

// Fail returns an Error of kind (internal when kind is unknown).
func Fail(kind, detail string) *Error {
	if _, ok := kinds[kind]; !ok {
		kind = "internal"
	}
	return &Error{Kind: kind, Detail: detail}
}

// retry is Fail with a RetryAfter.
func retry(kind, detail string, after time.Duration) *Error {
	e := Fail(kind, detail)
	e.RetryAfter = after
	return e
}

// recordFailure is the answer when the register record or the audit
// entry of a signed letter cannot be written: the store is down or
// restarting (503, try again) unless it refused the record itself.
func recordFailure(err error) *Error {
	if errors.Is(err, store.ErrExists) {
		return Fail("internal", "")
	}
	return retry("temporarily-unavailable", "the signed letter could not be recorded", 30*time.Second)
}

// GenericDetail is the detail of kinds whose cause may hold what a fetch
// met (addresses, ports, a server's answer): that goes to the log, and
// the caller gets this.
var GenericDetail = map[string]string{
	"revocation-unavailable": "the revocation data (OCSP, CRL) of a certificate could not be fetched or checked; the request id finds the cause in the service's log",
	"tsa-unavailable":        "the timestamp authority did not give a usable timestamp",
}

// NoRoom is the failure of a temporary file that cannot grow (the disk
// or the quota is full): the caller may try again; the cause, which
// names server paths, goes to the log only.
func NoRoom() *Error {
	return retry("temporarily-unavailable", "the service has no room to receive the body now", 30*time.Second)
}

// Classify maps an error of the signing and verifying packages to an
// Error. Errors of those packages never hold secrets; an *Error is
// returned as it is.
func Classify(err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return NoRoom()
	case errors.Is(err, signer.ErrEncrypted):
		return Fail("encrypted-pdf", err.Error())
	case errors.Is(err, signer.ErrInvalidPDF), errors.Is(err, verify.ErrNotPDF):
		return Fail("invalid-pdf", err.Error())
	case errors.Is(err, signer.ErrAnchorNotFound), errors.Is(err, signer.ErrPlacement):
		e := Fail("stamp-placement", err.Error())
		e.Err = err
		return e
	case errors.Is(err, signer.ErrNoSignature):
		return Fail("no-signature", err.Error())
	case errors.Is(err, signer.ErrCertificateExpired), errors.Is(err, signer.ErrRevoked), errors.Is(err, signer.ErrKeyUsage):
		return Fail("certificate-invalid", err.Error())
	case errors.Is(err, signer.ErrFieldNotFound), errors.Is(err, signer.ErrFieldNotSignature),
		errors.Is(err, signer.ErrFieldSigned), errors.Is(err, signer.ErrLocked),
		errors.Is(err, signer.ErrCertification), errors.Is(err, signer.ErrOptions), errors.Is(err, signer.ErrPage),
		errors.Is(err, signer.ErrVisibleAfterCertification):
		return Fail("bad-request", err.Error())
	case errors.Is(err, pkcs11.ErrPassphraseRejected):
		return Fail("passphrase-rejected", "")
	case errors.Is(err, pkcs11.ErrPassphraseRequired):
		return Fail("passphrase-required", "")
	case errors.Is(err, pkcs11.ErrTokenUnavailable), errors.Is(err, pkcs11.ErrPINLocked),
		errors.Is(err, pkcs11.ErrPINIncorrect), errors.Is(err, pkcs11.ErrClosed), errors.Is(err, pkcs11.ErrNotAvailable):
		return Fail("hsm-unavailable", "")
	case errors.Is(err, tsa.ErrUnavailable):
		// The cause names the TSA's address and the transport's error:
		// that goes to the log (Sign logs every 5xx), not to the caller.
		return Fail("tsa-unavailable", GenericDetail["tsa-unavailable"])
	case errors.Is(err, signer.ErrValidationData):
		return Fail("revocation-unavailable", GenericDetail["revocation-unavailable"])
	case errors.Is(err, context.Canceled):
		return Fail("client-closed", "")
	}
	return Fail("internal", "")
}
