package httpapi_test

import (
	"bufio"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/pkcs11"
)

// gateSigner holds every signature until the test releases it, or until
// the signing context ends (it implements SignContext as pkcs11.Key does).
type gateSigner struct {
	crypto.Signer
	entered chan struct{}
	release chan struct{}
}

func (g *gateSigner) SignContext(ctx context.Context, rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	g.entered <- struct{}{}
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.Signer.Sign(rand, digest, opts)
}

// withGate adds a profile "gate" whose key waits for the test, and a
// client "gatekeeper" that may use it.
func withGate(t *testing.T, tweak func(*httpapi.Options)) (*env, *gateSigner) {
	gate := &gateSigner{entered: make(chan struct{}, 16), release: make(chan struct{})}
	e := newEnv(t, nil, func(o *httpapi.Options) {
		k := o.Profiles[0].Key
		gate.Signer = k.Signer
		o.Profiles = append(o.Profiles, &httpapi.Profile{Name: "gate", Key: &keyref.Key{Signer: gate, Certificate: k.Certificate, Chain: k.Chain}})
		if tweak != nil {
			tweak(o)
		}
	})
	e.client("gatekeeper", []string{"gate"}, []string{"sign"})
	return e, gate
}

// outcomes returns the audit outcomes of the sign requests so far.
func (e *env) outcomes() []string {
	e.t.Helper()
	entries, err := e.st.AuditEntries(context.Background(), 1, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, a := range entries {
		out = append(out, a.Outcome)
	}
	return out
}

// waitOutcome waits until the audit log holds n entries.
func (e *env) waitOutcomes(n int) []string {
	e.t.Helper()
	var got []string
	for range 100 {
		if got = e.outcomes(); len(got) >= n {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatalf("audit log: %v, want %d entries", got, n)
	return nil
}

// rawRequest writes a request's head and the first part bytes of body on a
// raw connection, and returns the connection.
func (e *env) rawRequest(path, client string, body []byte, part int) net.Conn {
	e.t.Helper()
	u, _ := url.Parse(e.url)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		e.t.Fatal(err)
	}
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/pdf\r\nContent-Length: %d\r\n\r\n",
		path, u.Host, e.keys[client], len(body))
	c.Write(body[:part])
	return c
}

// TestSlowClient: a body that does not arrive within ReadTimeout is
// answered with 408 request-timeout; nothing is signed or left behind.
func TestSlowClient(t *testing.T) {
	e := newEnv(t, nil, func(o *httpapi.Options) { o.ReadTimeout = 300 * time.Millisecond })
	c := e.rawRequest("/v1/sign?profile=sekda", "eoffice", e.letter, 100)
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	wantProblem(t, resp, body, http.StatusRequestTimeout, "request-timeout")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("answered after %v", d)
	}
	if got := e.waitOutcomes(1); got[0] != "request-timeout" {
		t.Errorf("audit: %v", got)
	}
	e.tempEmpty()
	// The next request on a fresh connection is served as usual.
	if resp, body := e.do("POST", "/v1/sign?profile=sekda", "eoffice", e.letter, nil); resp.StatusCode != 200 {
		t.Fatalf("after a slow client: %d %s", resp.StatusCode, body)
	}
}

// TestClientGone: a client that hangs up during the upload or during the
// signature leaves no temporary file and no signed record.
func TestClientGone(t *testing.T) {
	e, gate := withGate(t, nil)

	// Mid-upload: half the body, then the connection closes.
	c := e.rawRequest("/v1/sign?profile=sekda", "eoffice", e.letter, len(e.letter)/2)
	time.Sleep(50 * time.Millisecond)
	c.Close()
	got := e.waitOutcomes(1)
	if got[0] == "ok" {
		t.Errorf("a half upload was signed: %v", got)
	}
	e.tempEmpty()

	// Mid-signature: the key is busy when the client cancels.
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", e.url+"/v1/sign?profile=gate", strings.NewReader(string(e.letter)))
	req.Header.Set("Authorization", "Bearer "+e.keys["gatekeeper"])
	req.Header.Set("Content-Type", "application/pdf")
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-gate.entered
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the cancelled request succeeded")
	}
	got = e.waitOutcomes(2)
	if got[1] != "client-closed" {
		t.Errorf("audit after a cancelled signature: %v", got)
	}
	e.tempEmpty()
}

// TestCloseWaitsForSignatures: Close returns only when the signature in
// progress has been answered; signatures asked for meanwhile are refused.
func TestCloseWaitsForSignatures(t *testing.T) {
	e, gate := withGate(t, nil)
	first := make(chan int, 1)
	go func() {
		resp, _ := e.do("POST", "/v1/sign?profile=gate", "gatekeeper", e.letter, nil)
		first <- resp.StatusCode
	}()
	<-gate.entered
	closed := make(chan struct{})
	go func() { e.srv.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned while a signature was in progress")
	case <-time.After(200 * time.Millisecond):
	}
	resp, body := e.do("POST", "/v1/sign?profile=sekda", "eoffice", e.letter, nil)
	wantProblem(t, resp, body, http.StatusServiceUnavailable, "shutting-down")
	if resp.Header.Get("Retry-After") == "" {
		t.Error("shutting-down without Retry-After")
	}
	close(gate.release)
	if status := <-first; status != 200 {
		t.Errorf("the signature in progress: %d", status)
	}
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	e.tempEmpty()
}

// TestQueueTimeout: a request that waits longer than QueueTimeout for a
// signing slot gets 429 busy with Retry-After, and is audited as such.
func TestQueueTimeout(t *testing.T) {
	e, gate := withGate(t, func(o *httpapi.Options) {
		p := o.Profiles[len(o.Profiles)-1]
		p.MaxConcurrent, p.Queue, p.QueueTimeout = 1, 4, 200*time.Millisecond
	})
	first := make(chan int, 1)
	go func() {
		resp, _ := e.do("POST", "/v1/sign?profile=gate", "gatekeeper", e.letter, nil)
		first <- resp.StatusCode
	}()
	<-gate.entered
	resp, body := e.do("POST", "/v1/sign?profile=gate", "gatekeeper", e.letter, nil)
	wantProblem(t, resp, body, http.StatusTooManyRequests, "busy")
	if resp.Header.Get("Retry-After") == "" {
		t.Error("busy without Retry-After")
	}
	close(gate.release)
	if status := <-first; status != 200 {
		t.Errorf("the first signature: %d", status)
	}
	got := e.waitOutcomes(2)
	if strings.Join(got, ",") != "busy,ok" {
		t.Errorf("audit: %v", got)
	}
	e.tempEmpty()
}

// TestSecretsNeverLeak sends passphrases, PIN-bearing key URIs and API
// keys through every place a request can carry them, and checks that none
// reaches an answer, the log, the metrics or the audit log.
func TestSecretsNeverLeak(t *testing.T) {
	tok := softhsmtest.New(t, "segel", "1234")
	e := newEnv(t, tok, nil)
	const (
		uri      = "pkcs11:token=segel;object=bupati?pin-value=PIN-4711-SECRET"
		wrongKey = "sgl_WRONG-KEY-SECRET-0815"
	)
	secrets := []string{"rahasia-camat", "TEBAKAN-SALAH", "PIN-4711-SECRET", "WRONG-KEY-SECRET", e.keys["eoffice"], e.keys["verifier"], "pin-value"}
	q := url.QueryEscape(uri)
	var answers []string
	ask := func(method, path, client string, body []byte, hdr map[string]string) {
		t.Helper()
		resp, b := e.do(method, path, client, body, hdr)
		answers = append(answers, fmt.Sprintf("%d %v %s", resp.StatusCode, resp.Header, b))
	}
	pass := func(p string) map[string]string { return map[string]string{httpapi.PassphraseHeader: p} }
	ask("POST", "/v1/sign?profile=camat", "eoffice", e.letter, pass("rahasia-camat"))
	ask("POST", "/v1/sign?profile=camat", "eoffice", e.letter, pass("TEBAKAN-SALAH"))
	ask("POST", "/v1/sign?profile=camat", "eoffice", []byte("not a pdf"), pass("TEBAKAN-SALAH"))
	ask("POST", "/v1/sign?profile=sekda", "eoffice", e.letter, pass("TEBAKAN-SALAH"))
	ask("POST", "/v1/sign?profile="+q, "eoffice", e.letter, nil)
	ask("POST", "/v1/sign?profile=sekda&level="+q, "eoffice", e.letter, nil)
	ask("POST", "/v1/sign?profile=sekda&visible="+q, "eoffice", e.letter, nil)
	ask("POST", "/v1/sign?profile=sekda", "", e.letter, map[string]string{"Authorization": "Bearer " + wrongKey})
	ask("POST", "/v1/sign?profile=sekda", "", e.letter, map[string]string{"Authorization": wrongKey})
	ask("POST", "/v1/sign?profile=sekda", "eoffice", e.letter, map[string]string{"Content-Type": uri})
	ask("POST", "/v1/sign?profile=sekda", "verifier", e.letter, nil)
	ask("POST", "/v1/verify?key="+q, "verifier", e.letter, nil)
	ask("POST", "/v1/augment?level="+q, "eoffice", e.letter, nil)
	ask("GET", "/v1/documents/"+url.PathEscape(uri), "eoffice", nil, nil)
	ask("GET", "/"+url.PathEscape(uri), "eoffice", nil, nil)
	ask("GET", "/readyz", "", nil, nil)
	ask("GET", "/metrics", "", nil, nil)

	entries, err := e.st.AuditEntries(context.Background(), 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	audit, _ := json.Marshal(entries)
	places := map[string]string{"answers": strings.Join(answers, "\n"), "log": e.logs.String(), "audit log": string(audit)}
	for place, text := range places {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("the %s hold the secret %q", place, s)
			}
		}
	}
	if !strings.Contains(places["answers"], "segel_http_requests_total") || !strings.Contains(places["log"], `"route":"/v1/sign"`) {
		t.Errorf("the test saw no metrics or no log:\n%s", places["log"])
	}
}

// TestConcurrentGuesses: many wrong passphrases at once reach the token
// at most PassphraseAttempts times; then even the right one is refused
// without touching the token.
func TestConcurrentGuesses(t *testing.T) {
	tok := softhsmtest.New(t, "segel", "1234")
	e := newEnv(t, tok, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[string]int{}
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, body := e.do("POST", "/v1/sign?profile=camat", "eoffice", e.letter, map[string]string{httpapi.PassphraseHeader: fmt.Sprint("tebakan-", i)})
			var p httpapi.Problem
			json.Unmarshal(body, &p)
			mu.Lock()
			statuses[fmt.Sprint(resp.StatusCode, " ", strings.TrimPrefix(p.Type, httpapi.ProblemBase))]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	st := e.srv.Profile("camat").Key.PKCS11.Stats()
	if n := st.Errors[pkcs11.KindPassphraseRejected]; n > 5 || statuses["403 passphrase-rejected"] > 5 || statuses["429 passphrase-locked-out"] < 11 {
		t.Errorf("16 concurrent guesses: %v; the token rejected %d", statuses, n)
	}
	resp, body := e.do("POST", "/v1/sign?profile=camat", "eoffice", e.letter, map[string]string{httpapi.PassphraseHeader: "rahasia-camat"})
	wantProblem(t, resp, body, http.StatusTooManyRequests, "passphrase-locked-out")
	if after := e.srv.Profile("camat").Key.PKCS11.Stats(); after.Errors[pkcs11.KindPassphraseRejected] != st.Errors[pkcs11.KindPassphraseRejected] || after.Signatures != st.Signatures {
		t.Errorf("the token was used while locked out")
	}
	e.tempEmpty()
}

// TestMetricsExposition: /metrics has the service's series after a
// signature on the HSM at B-LT and a verification.
func TestMetricsExposition(t *testing.T) {
	tok := softhsmtest.New(t, "segel", "1234")
	e := newEnv(t, tok, nil)
	resp, signed := e.do("POST", "/v1/sign?profile=bupati&level=B-LT", "eoffice", e.letter, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("sign: %d %s", resp.StatusCode, signed)
	}
	id := resp.Header.Get(httpapi.DocumentIDHeader)
	e.verifyReport(signed)
	resp, body := e.do("GET", "/metrics", "", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	for _, series := range []string{
		`segel_http_requests_total{route="/v1/sign",status="200"} 1`,
		`segel_sign_duration_seconds_count{level="B-LT",profile="bupati"} 1`,
		`segel_verify_duration_seconds_count 1`,
		`segel_store_duration_seconds_count{op="record_signed"} 1`,
		`segel_hsm_signatures_total{profile="bupati"} 1`,
		`segel_hsm_sessions{profile="bupati"}`,
		`segel_tsa_requests_total{url="http://127.0.0.1`,
		`segel_revocation_requests_total{kind="ocsp"}`,
	} {
		if !strings.Contains(string(body), series) {
			t.Errorf("no %s", series)
		}
	}
	mfs, err := e.srv.Registry().Gather()
	if err != nil || len(mfs) == 0 {
		t.Errorf("Registry: %d families, %v", len(mfs), err)
	}
	// Another client without the profile does not see the record.
	e.client("other", []string{"sekda"}, []string{"sign"})
	resp, body = e.do("GET", "/v1/documents/"+id, "other", nil, nil)
	wantProblem(t, resp, body, http.StatusNotFound, "not-found")
	resp, body = e.do("GET", "/v1/documents/"+id, "eoffice", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"profile":"bupati"`) {
		t.Errorf("record: %d %s", resp.StatusCode, body)
	}
}

// failingAudit is a store whose audit log refuses new entries.
type failingAudit struct{ store.Store }

func (failingAudit) AppendAudit(context.Context, *store.AuditEntry) error {
	return errors.New("disk full")
}

func (failingAudit) RecordSigned(context.Context, *store.Document, *store.AuditEntry) error {
	return errors.New("disk full")
}

func (failingAudit) RecordKept(context.Context, *store.Document, *store.AuditEntry, io.Reader) error {
	return errors.New("disk full")
}

// TestUnauditedNotHandedOut: a signature that cannot be written to the
// audit log is not returned; the store failing is 503 (try again), as a
// failed blob is (docs/faults.md).
func TestUnauditedNotHandedOut(t *testing.T) {
	e := newEnv(t, nil, func(o *httpapi.Options) { o.Store = failingAudit{o.Store} })
	resp, body := e.do("POST", "/v1/sign?profile=sekda", "eoffice", e.letter, nil)
	wantProblem(t, resp, body, http.StatusServiceUnavailable, "temporarily-unavailable")
	if resp.Header.Get(httpapi.DocumentIDHeader) != "" || strings.Contains(string(body), "disk full") {
		t.Errorf("answer: %v %s", resp.Header, body)
	}
	resp, _ = e.do("POST", "/v1/augment?level=B-LT", "eoffice", e.letter, nil)
	if resp.StatusCode == 200 {
		t.Errorf("augment without audit: %d", resp.StatusCode)
	}
	e.tempEmpty()
}

// failingBlobs is a store whose blob store refuses new files.
type failingBlobs struct{ store.Store }

func (failingBlobs) PutBlob(context.Context, string, io.Reader) (int64, error) {
	return 0, errors.New("blob volume full")
}

// RecordKept fails as the store's does when its blob directory is full
// (internal/faults' TestDiskFull/blob does it for real): with blobs in
// the database, the file is written by RecordKept, not PutBlob.
func (failingBlobs) RecordKept(context.Context, *store.Document, *store.AuditEntry, io.Reader) error {
	return fmt.Errorf("%w: blob volume full", store.ErrBlob)
}

// TestKeepBlobFailure: a profile with keep: true whose blob store fails
// answers 503 temporarily-unavailable, not 200 with stored:false; no
// record is made and the failure is audited.
func TestKeepBlobFailure(t *testing.T) {
	e := newEnv(t, nil, func(o *httpapi.Options) { o.Store = failingBlobs{o.Store} })
	resp, body := e.do("POST", "/v1/sign?profile=sekda", "eoffice", e.letter, nil)
	wantProblem(t, resp, body, http.StatusServiceUnavailable, "temporarily-unavailable")
	if resp.Header.Get(httpapi.DocumentIDHeader) != "" || resp.Header.Get("Retry-After") == "" || strings.Contains(string(body), "volume") {
		t.Errorf("answer: %v %s", resp.Header, body)
	}
	if got := e.waitOutcomes(1); got[0] != "temporarily-unavailable" {
		t.Errorf("audit: %v", got)
	}
	e.tempEmpty()
}
