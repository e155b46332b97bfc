package httpapi_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	api "github.com/segel-id/segel/httpapi"
	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/testenv"
)

// TestRequestOverheadAllocs bounds what the gateway allocates per request
// around a handler: the middleware (request id, context, status writer,
// the requests being served, the counter, the access log), chi, and for
// an API route the key's hash and cache. Before its per-request work was
// cut (docs/decisions.md, "The gateway's own per-request work") /healthz
// took 31 allocations and a refused sign request 52.
func TestRequestOverheadAllocs(t *testing.T) {
	if testenv.Race {
		t.Skip("the race detector allocates")
	}
	e := newEnv(t, nil, func(o *httpapi.Options) { o.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil)) })
	h := e.srv.Handler()
	for _, c := range []struct {
		name   string
		req    func() *http.Request
		status int
		max    float64
	}{
		{"healthz", func() *http.Request { return httptest.NewRequest("GET", "/healthz", nil) }, 200, 20},
		{"sign, unknown profile", func() *http.Request {
			r := httptest.NewRequest("POST", "/v1/sign?profile=nope", strings.NewReader("%PDF-"))
			r.Header.Set("Authorization", "Bearer "+e.keys["eoffice"])
			return r
		}, 404, 36},
	} {
		r := c.req()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r) // the key is cached, the counter made
		if w.Code != c.status {
			t.Fatalf("%s: %d %s", c.name, w.Code, w.Body)
		}
		n := testing.AllocsPerRun(200, func() { h.ServeHTTP(httptest.NewRecorder(), r) })
		t.Logf("%s: %.0f allocations a request", c.name, n)
		if c.max > 0 && n > c.max {
			t.Errorf("%s: %.0f allocations a request, want at most %.0f", c.name, n, c.max)
		}
	}
}

// TestAccessLogLine: the access log's line of a request keeps its
// fields, types and order (it is written with typed attributes now).
func TestAccessLogLine(t *testing.T) {
	e := newEnv(t, nil, nil)
	resp, _ := e.do("POST", "/v1/sign?profile=nope", "eoffice", []byte("%PDF-"), nil)
	id := resp.Header.Get(api.RequestIDHeader)
	var line string
	for l := range strings.SplitSeq(e.logs.String(), "\n") {
		if strings.Contains(l, `"msg":"request"`) && strings.Contains(l, id) {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("no access log line for %s in\n%s", id, e.logs.String())
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"level": "INFO", "msg": "request", "request_id": id, "method": "POST", "route": "/v1/sign",
		"status": 404.0, "client": "eoffice", "problem": "unknown-profile"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s: %v, want %v (%s)", k, m[k], v, line)
		}
	}
	for _, k := range []string{"duration_ms", "bytes"} {
		if _, ok := m[k].(float64); !ok {
			t.Errorf("%s: %v, want a number (%s)", k, m[k], line)
		}
	}
	// The order of the pairs as Logger.Info wrote them.
	keys := []string{`"request_id"`, `"method"`, `"route"`, `"status"`, `"duration_ms"`, `"bytes"`, `"client"`, `"problem"`}
	at := 0
	for _, k := range keys {
		i := strings.Index(line[at:], k)
		if i < 0 {
			t.Fatalf("%s not after the previous key in %s", k, line)
		}
		at += i
	}
}

// TestHeaderKeysCanonical: the headers the sign handler sets by map
// index (sign.go) are in canonical form, as Header.Set would make them.
func TestHeaderKeysCanonical(t *testing.T) {
	for _, h := range []string{"Content-Type", "Content-Length", "Content-Disposition",
		httpapi.DocumentIDHeader, httpapi.VerifyURLHeader, api.RequestIDHeader} {
		if c := http.CanonicalHeaderKey(h); c != h {
			t.Errorf("%s is not canonical (%s)", h, c)
		}
	}
}

// BenchmarkRequestOverhead is TestRequestOverheadAllocs's refused sign
// request, in a loop: the gateway's work per request around the
// handlers, without the network, the spool, the signer or the store.
func BenchmarkRequestOverhead(b *testing.B) {
	e := newEnv(b, nil, func(o *httpapi.Options) { o.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil)) })
	h := e.srv.Handler()
	r := httptest.NewRequest("POST", "/v1/sign?profile=nope", strings.NewReader("%PDF-"))
	r.Header.Set("Authorization", "Bearer "+e.keys["eoffice"])
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
}

// TestPanicRecovered: a handler that panics is answered 500 internal
// with its request id, logged, counted, and no longer among the
// requests being served (the middleware's deferred end, finish).
func TestPanicRecovered(t *testing.T) {
	e := newEnv(t, nil, nil)
	e.srv.Mount("/boom", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	resp, body := e.do("GET", "/boom", "", nil, nil)
	wantProblem(t, resp, body, http.StatusInternalServerError, "internal")
	id := resp.Header.Get(api.RequestIDHeader)
	if id == "" || !strings.Contains(string(body), id) {
		t.Errorf("request id %q not in the answer %s", id, body)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, `"msg":"panic","request_id":"`+id+`","panic":"boom"`) ||
		!strings.Contains(logs, `"msg":"request","request_id":"`+id+`","method":"GET","route":"/boom","status":500`) {
		t.Errorf("log:\n%s", logs)
	}
	if a := e.srv.Active(); len(a) != 0 {
		t.Errorf("still being served: %v", a)
	}
	_, m := e.do("GET", "/metrics", "", nil, nil)
	if !strings.Contains(string(m), `segel_http_requests_total{route="/boom",status="500"} 1`) {
		t.Errorf("not counted:\n%s", m)
	}
}
