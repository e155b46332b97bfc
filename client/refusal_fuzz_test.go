package client

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// FuzzRefusal: whatever a server answers with a status other than 200,
// refusal returns an error that is an *Error (with a kind taken from the
// problem's type) or wraps ErrUnexpectedAnswer, and never panics.
func FuzzRefusal(f *testing.F) {
	f.Add("application/problem+json", `{"type":"https://segel.id/problems/busy","title":"Busy","status":429,"detail":"x","instance":"r1"}`, "5")
	f.Add("application/problem+json; charset=utf-8", `{"type":"busy"}`, "Wed, 02 Dec 2026 08:00:00 GMT")
	f.Add("application/problem+json", `{"type":""}`, "")
	f.Add("application/problem+json", `{"type":"https://segel.id/problems/"}`, "")
	f.Add("application/problem+json", `{`, "-1")
	f.Add("text/html", `<html>Bad Gateway</html>`, "")
	f.Add("", "", "99999999999999999999")
	f.Fuzz(func(t *testing.T, ct, body, retry string) {
		resp := &http.Response{StatusCode: http.StatusForbidden, Status: "403 Forbidden", Header: http.Header{},
			Body: io.NopCloser(bytes.NewReader([]byte(body)))}
		resp.Header.Set("Content-Type", ct)
		resp.Header.Set("Retry-After", retry)
		err := refusal(resp)
		var e *Error
		switch {
		case errors.As(err, &e):
			if e.Kind == "" || strings.Contains(e.Kind, "/") || e.Status != http.StatusForbidden || e.RetryAfter < 0 {
				t.Fatalf("problem %+v", e)
			}
		case !errors.Is(err, ErrUnexpectedAnswer):
			t.Fatalf("%v is neither an *Error nor ErrUnexpectedAnswer", err)
		}
	})
}
