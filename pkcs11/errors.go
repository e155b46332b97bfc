package pkcs11

import (
	"context"
	"errors"
	"fmt"
)

// Errors returned by this package. They are matched with [errors.Is]; the
// returned errors carry more detail in their text.
var (
	// ErrTokenUnavailable means the token, a session or the key could not be
	// used for now: the token was removed or re-created, or the module was
	// reset. The call may be retried later; a service maps it to 503.
	ErrTokenUnavailable = errors.New("pkcs11: token unavailable")

	// ErrNotFound means the module, token, key or certificate named by a
	// URI does not exist.
	ErrNotFound = errors.New("pkcs11: not found")

	// ErrNoCertificate means the key has no certificate on the token.
	ErrNoCertificate = errors.New("pkcs11: no certificate for key")

	// ErrPINIncorrect means the token rejected the PIN given by the URI.
	ErrPINIncorrect = errors.New("pkcs11: PIN incorrect")

	// ErrPassphraseRejected means the token rejected the passphrase given
	// to [Key.SignWithPassphrase].
	ErrPassphraseRejected = errors.New("pkcs11: passphrase rejected")

	// ErrPINLocked means the token locked the PIN after too many failures.
	ErrPINLocked = errors.New("pkcs11: PIN locked")

	// ErrPassphraseRequired means the key is a personal key and must be
	// used through [Key.SignWithPassphrase].
	ErrPassphraseRequired = errors.New("pkcs11: key needs its holder's passphrase")

	// ErrUnsupported means the key type, curve, hash or signing options are
	// not supported.
	ErrUnsupported = errors.New("pkcs11: unsupported")

	// ErrClosed means the key was closed.
	ErrClosed = errors.New("pkcs11: key closed")

	// ErrNotAvailable means the package was built without cgo.
	ErrNotAvailable = errors.New("pkcs11: PKCS#11 is not available in this build (built without cgo)")
)

// Error is the type of the errors returned by this package other than the
// bare sentinel values. Kind is one of the sentinel errors above (or nil)
// and matches with errors.Is; Err is the underlying cause, if any.
type Error struct {
	Kind error  // sentinel kind such as ErrTokenUnavailable, or nil
	Msg  string // description, starting with "pkcs11: "
	Err  error  // underlying cause, or nil
}

// Error returns the message followed by the cause.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

func newError(kind, cause error, format string, args ...any) error {
	return &Error{Kind: kind, Msg: "pkcs11: " + fmt.Sprintf(format, args...), Err: cause}
}

// Error kinds counted by [Stats.Errors].
const (
	KindTokenUnavailable   = "token_unavailable"
	KindPassphraseRejected = "passphrase_rejected"
	KindPINLocked          = "pin_locked"
	KindPINIncorrect       = "pin_incorrect"
	KindUnsupported        = "unsupported"
	KindCanceled           = "canceled"
	KindOther              = "other"
)

var errorKinds = []string{KindTokenUnavailable, KindPassphraseRejected, KindPINLocked,
	KindPINIncorrect, KindUnsupported, KindCanceled, KindOther}

// kindOf classifies err for the statistics.
func kindOf(err error) string {
	switch {
	case errors.Is(err, ErrTokenUnavailable):
		return KindTokenUnavailable
	case errors.Is(err, ErrPassphraseRejected):
		return KindPassphraseRejected
	case errors.Is(err, ErrPINLocked):
		return KindPINLocked
	case errors.Is(err, ErrPINIncorrect):
		return KindPINIncorrect
	case errors.Is(err, ErrUnsupported), errors.Is(err, ErrPassphraseRequired):
		return KindUnsupported
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return KindCanceled
	}
	return KindOther
}
