package register

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Gateway is how the register reaches Segel's signing service. An
// implementation signs one letter with an official's personal profile,
// unlocked by the passphrase the official typed (the register never keeps
// it), and records it in Segel's document register so that the citizens'
// page can show it.
type Gateway interface {
	// Sign signs req.PDF and writes the signed PDF to out. Its errors are
	// a *GatewayError when Segel refused the request.
	Sign(ctx context.Context, req *SignRequest, out io.Writer) (*SignResult, error)
}

// SignRequest is one letter to sign.
type SignRequest struct {
	// Profile is the signing official's personal profile in Segel.
	Profile string
	// Passphrase unlocks the official's key; it is never stored or logged.
	Passphrase []byte
	// PDF is the letter to sign (with its number already written in).
	PDF  io.ReaderAt
	Size int64
	// Anchor is the text where the visible stamp goes, such as "${ttd}";
	// empty for an invisible signature.
	Anchor string
	// Level is the PAdES level ("B-B" … "B-LTA"); empty: the profile's.
	Level string
	// Number, Subject, Title and NIP go into Segel's register (and the
	// stamp): the letter's number, its perihal, the signer's jabatan and
	// NIP. Confidential (sifat rahasia) hides the perihal on the public
	// page and the file from download.
	Number, Subject, Title, NIP string
	Confidential                bool
	// ClientAddr is the official's network address, for Segel's lock-out
	// counters.
	ClientAddr string
}

// SignResult is what Segel answered for a signed letter.
type SignResult struct {
	// DocumentID is the id in Segel's register; VerifyURL the citizens'
	// page of the letter (the QR code's target).
	DocumentID string
	VerifyURL  string
	// Size is the number of bytes written to out.
	Size int64
}

// The kinds of GatewayError that the register tells its users about.
const (
	KindWrongPassphrase = "passphrase-rejected"
	KindLockedOut       = "passphrase-locked-out"
	KindPlacement       = "stamp-placement" // e.g. the anchor is not in the letter
	KindBusy            = "busy"
)

// GatewayError is a request that Segel refused, named by its problem type
// (the last segment of the problem+json "type", listed in
// httpapi/openapi.yaml).
type GatewayError struct {
	// Kind is the problem type, such as KindWrongPassphrase.
	Kind string
	// Status is the HTTP status (or its equivalent in process).
	Status int
	// Detail is Segel's explanation, safe to show (never a secret).
	Detail string
	// RetryAfter is how long to wait before trying again, when known.
	RetryAfter time.Duration
}

func (e *GatewayError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("segel: %s (%d)", e.Kind, e.Status)
	}
	return fmt.Sprintf("segel: %s (%d): %s", e.Kind, e.Status, e.Detail)
}

// IsKind reports whether err is a *GatewayError of that kind.
func IsKind(err error, kind string) bool {
	var g *GatewayError
	return errors.As(err, &g) && g.Kind == kind
}
