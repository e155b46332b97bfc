package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	api "github.com/segel-id/segel/httpapi"
)

// ErrUnreachable wraps what went wrong on the way to the gateway or back
// (a refused connection, a timeout, an answer cut short): the gateway did
// not refuse the request, and trying again later may succeed.
var ErrUnreachable = errors.New("segel: the gateway cannot be reached")

// ErrUnexpectedAnswer wraps an answer that is neither what the route
// answers nor one of the gateway's problem+json refusals (a proxy's
// error page, a redirect, JSON that does not decode).
var ErrUnexpectedAnswer = errors.New("segel: unexpected answer from the gateway")

// Kinds of [Error] that callers commonly tell apart. The OpenAPI
// document (x-problem-types) lists every kind with its status.
const (
	KindBadRequest             = "bad-request"
	KindInvalidPDF             = "invalid-pdf"
	KindEncryptedPDF           = "encrypted-pdf"
	KindUnauthorized           = "unauthorized"
	KindProfileForbidden       = "profile-forbidden"
	KindOperationForbidden     = "operation-forbidden"
	KindUnknownProfile         = "unknown-profile"
	KindNotFound               = "not-found"
	KindPassphraseRequired     = "passphrase-required"
	KindPassphraseRejected     = "passphrase-rejected"
	KindPassphraseLockedOut    = "passphrase-locked-out"
	KindStampPlacement         = "stamp-placement"
	KindNoSignature            = "no-signature"
	KindTooLarge               = "too-large"
	KindBusy                   = "busy"
	KindHSMUnavailable         = "hsm-unavailable"
	KindTSAUnavailable         = "tsa-unavailable"
	KindShuttingDown           = "shutting-down"
	KindTemporarilyUnavailable = "temporarily-unavailable"
)

// Error is a request that the gateway refused: its RFC 9457 problem.
type Error struct {
	// Kind is the problem type's stable name (the last segment of Type),
	// such as KindPassphraseRejected.
	Kind string
	// Type is the problem type URI (httpapi.ProblemBase + Kind).
	Type string
	// Status is the HTTP status.
	Status int
	// Title is the type's fixed summary; Detail the gateway's
	// explanation of this refusal, safe to show (never a secret).
	Title, Detail string
	// RequestID is the request's id (the problem's instance, the
	// Segel-Request-Id header), to find it in the gateway's log.
	RequestID string
	// RetryAfter is how long to wait before trying again, when the
	// gateway said (busy, passphrase-locked-out, shutting-down…).
	RetryAfter time.Duration
}

// Error returns the kind, the status and the detail.
func (e *Error) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("segel: %s (%d)", e.Kind, e.Status)
	}
	return fmt.Sprintf("segel: %s (%d): %s", e.Kind, e.Status, e.Detail)
}

// IsKind reports whether err is (or wraps) an [*Error] of that kind.
func IsKind(err error, kind string) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == kind
}

// refusal turns an answer other than 200 into an error: an *Error for a
// problem+json, ErrUnexpectedAnswer otherwise.
func refusal(resp *http.Response) error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxProblem))
	if err != nil {
		return fmt.Errorf("%w: reading a %d answer: %w", ErrUnreachable, resp.StatusCode, err)
	}
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct != "application/problem+json" {
		return fmt.Errorf("%w: %s", ErrUnexpectedAnswer, resp.Status)
	}
	var p struct {
		Type     string `json:"type"`
		Title    string `json:"title"`
		Detail   string `json:"detail"`
		Instance string `json:"instance"`
	}
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&p); err != nil || p.Type == "" {
		return fmt.Errorf("%w: %s with an unreadable problem", ErrUnexpectedAnswer, resp.Status)
	}
	kind := p.Type[strings.LastIndexByte(p.Type, '/')+1:]
	if kind == "" {
		return fmt.Errorf("%w: %s with a problem of no type name", ErrUnexpectedAnswer, resp.Status)
	}
	id := p.Instance
	if id == "" {
		id = resp.Header.Get(api.RequestIDHeader)
	}
	return &Error{Kind: kind, Type: p.Type, Status: resp.StatusCode,
		Title: p.Title, Detail: p.Detail, RequestID: id,
		RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
}

// retryAfter reads a Retry-After header (RFC 9110, 10.2.3): seconds or an
// HTTP date; zero when absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		return time.Duration(min(max(s, 0), 1<<31)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// jsonDecode decodes one JSON value from r into v.
func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
