package httpapi_test

import (
	"bytes"
	"net/http"
	"net/netip"
	"testing"

	"github.com/segel-id/segel/internal/httpapi"
)

// TestPageLimitsAndProxies: the citizens' page takes its upload limit
// (the API's body limit by default) and rate limit from the options, and
// counts a client behind a trusted proxy by X-Forwarded-For, ignoring the
// header from anyone else.
func TestPageLimitsAndProxies(t *testing.T) {
	upload := func(e *env, body []byte, xff string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", e.url+"/verify", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/pdf")
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readAll(resp)
		return resp.StatusCode
	}
	e := newEnv(t, nil, func(o *httpapi.Options) {
		o.MaxBodySize = 1 << 20
		o.PageRateLimit = 2
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	big := append([]byte("%PDF-1.7\n"), make([]byte, 3<<19)...) // 1.5 MiB
	if code := upload(e, big, "198.51.100.9"); code != http.StatusRequestEntityTooLarge {
		t.Errorf("upload beyond the API's body limit: %d, want 413", code)
	}
	for range 2 {
		if code := upload(e, e.letter, "203.0.113.7, 198.51.100.1"); code != 200 {
			t.Fatalf("upload: %d", code)
		}
	}
	if code := upload(e, e.letter, "198.51.100.1"); code != http.StatusTooManyRequests {
		t.Errorf("third upload from 198.51.100.1: %d, want 429", code)
	}
	// Another citizen behind the same proxy still has uploads.
	if code := upload(e, e.letter, "198.51.100.2"); code != 200 {
		t.Errorf("another client behind the proxy: %d, want 200", code)
	}

	// Without a trusted proxy, the header changes nothing.
	e2 := newEnv(t, nil, func(o *httpapi.Options) { o.PageRateLimit = 1 })
	if code := upload(e2, e2.letter, "198.51.100.3"); code != 200 {
		t.Fatalf("upload: %d", code)
	}
	if code := upload(e2, e2.letter, "198.51.100.4"); code != http.StatusTooManyRequests {
		t.Errorf("X-Forwarded-For from an untrusted peer was believed: %d", code)
	}
}
