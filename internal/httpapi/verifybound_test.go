package httpapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/httpapi"
)

// TestVerificationBound: beyond MaxVerifications at once (and after the
// wait of VerifyQueueTimeout), /v1/verify, the BSrE verify and the
// citizens' page answer 429 with Retry-After; once places free, 200.
func TestVerificationBound(t *testing.T) {
	e := newEnv(t, nil, func(o *httpapi.Options) {
		o.MaxVerifications, o.VerifyQueueTimeout = 2, 100*time.Millisecond
		o.BSrEUser, o.BSrEPassword = "esign", "rahasia-basic"
	})
	release := httpapi.HoldVerifications(e.srv, 2)
	start := time.Now()
	resp, body := e.do("POST", "/v1/verify", "verifier", e.letter, nil)
	wantProblem(t, resp, body, http.StatusTooManyRequests, "busy")
	if resp.Header.Get("Retry-After") == "" || time.Since(start) < 100*time.Millisecond {
		t.Errorf("busy: Retry-After %q after %v", resp.Header.Get("Retry-After"), time.Since(start))
	}
	req, _ := http.NewRequest("POST", e.url+"/verify", bytes.NewReader(e.letter))
	req.Header.Set("Content-Type", "application/pdf")
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b2 := readAll(r2)
	if r2.StatusCode != http.StatusTooManyRequests || r2.Header.Get("Retry-After") == "" || !strings.Contains(string(b2), "<html") {
		t.Errorf("citizens' page: %d %q", r2.StatusCode, r2.Header.Get("Retry-After"))
	}
	req, _ = http.NewRequest("POST", e.url+"/api/v2/verify/pdf", strings.NewReader(`{"file":"JVBERi0xLjcKJSVFT0YK"}`))
	req.SetBasicAuth("esign", "rahasia-basic")
	req.Header.Set("Content-Type", "application/json")
	r3, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(r3)
	if r3.StatusCode != http.StatusTooManyRequests || r3.Header.Get("Retry-After") == "" {
		t.Errorf("BSrE verify: %d", r3.StatusCode)
	}
	release()
	if resp, body := e.do("POST", "/v1/verify", "verifier", e.letter, nil); resp.StatusCode != 200 {
		t.Errorf("after release: %d %s", resp.StatusCode, body)
	}
	e.tempEmpty()
}
