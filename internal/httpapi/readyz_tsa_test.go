package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/tsa"
)

// TestReadyzTSA: /readyz reports the TSA as it is now: a probe when no
// timestamp was asked lately, else the last real request's outcome, not
// the token size measured once at start-up.
func TestReadyzTSA(t *testing.T) {
	pki, _ := testpki.MustNewServer(t, testpki.Options{})
	id, err := pki.IssueTSA(testpki.SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var down atomic.Bool
	inner := testpki.NewTSA(id, testpki.TSAOptions{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ts, err := tsa.New(tsa.Options{URLs: []string{srv.URL}, Roots: pki.Roots()})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, nil, func(o *httpapi.Options) { o.Timestamper = ts })
	httpapi.NoReadyCache(e.srv)
	ready := func() (int, string) {
		resp, body := e.do("GET", "/readyz", "", nil, nil)
		return resp.StatusCode, string(body)
	}
	// Down from the start: the probe finds out.
	down.Store(true)
	if code, body := ready(); code != http.StatusServiceUnavailable || !strings.Contains(body, `"tsa":"unavailable"`) {
		t.Errorf("TSA down at start: %d %s", code, body)
	}
	down.Store(false)
	if code, body := ready(); code != 200 || !strings.Contains(body, `"tsa":"ok"`) {
		t.Fatalf("TSA up: %d %s", code, body)
	}
	// The TSA goes down; a signature at B-T finds out; /readyz says so.
	down.Store(true)
	if resp, body := e.do("POST", "/v1/sign?profile=sekda&level=B-T", "eoffice", e.letter, nil); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("sign with the TSA down: %d %s", resp.StatusCode, body)
	}
	if code, body := ready(); code != http.StatusServiceUnavailable || !strings.Contains(body, `"tsa":"unavailable"`) {
		t.Errorf("TSA down: %d %s", code, body)
	}
	// Back up: the next real call says so.
	down.Store(false)
	if resp, body := e.do("POST", "/v1/sign?profile=sekda&level=B-T", "eoffice", e.letter, nil); resp.StatusCode != 200 {
		t.Fatalf("sign with the TSA up: %d %s", resp.StatusCode, body)
	}
	if code, body := ready(); code != 200 {
		t.Errorf("TSA back: %d %s", code, body)
	}
}
