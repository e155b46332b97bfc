package httpapi_test

import (
	"bytes"
	"context"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"go.yaml.in/yaml/v3"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/tsa"
	"github.com/segel-id/segel/verify"
)

// env is a running service over real HTTP on loopback.
type env struct {
	t       testing.TB
	url     string
	srv     *httpapi.Server
	st      store.Store
	keys    map[string]string // client name → API key
	tmp     string
	logs    *syncBuffer
	pki     *testpki.PKI
	letter  []byte
	options httpapi.Options
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newEnv starts a service with a software-key profile "sekda" and, when
// tok is given, a SoftHSM profile "bupati" and a personal profile
// "camat" (a token whose user PIN is the official's passphrase).
func newEnv(t testing.TB, tok *softhsmtest.Token, tweak func(*httpapi.Options)) *env {
	t.Helper()
	ctx := context.Background()
	pki, _ := testpki.MustNewServer(t, testpki.Options{})
	tsaID, err := pki.IssueTSA(testpki.SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tsaSrv := httptest.NewServer(testpki.NewTSA(tsaID, testpki.TSAOptions{}))
	t.Cleanup(tsaSrv.Close)
	ts, err := tsa.New(tsa.Options{URLs: []string{tsaSrv.URL}, Roots: pki.Roots()})
	if err != nil {
		t.Fatal(err)
	}
	sw := pki.MustIssueSigner(t, testpki.SignerOptions{KeyType: testpki.RSA2048, NonRepudiation: true})
	profiles := []*httpapi.Profile{{Name: "sekda", Key: &keyref.Key{Signer: sw.Key, Certificate: sw.Cert, Chain: sw.Chain}, Keep: true, Downloadable: true}}
	if tok != nil {
		pub := tok.GenerateKey(t, "bupati", pkcs11.ECP256)
		id := pki.MustIssueSigner(t, testpki.SignerOptions{PublicKey: pub, Subject: pkixName("Bupati Serang")})
		tok.ImportCert(t, "bupati", id.Cert, id.Chain...)
		k, err := keyref.Open(ctx, tok.KeyURI("bupati"), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { k.Close() })
		profiles = append(profiles, &httpapi.Profile{Name: "bupati", Key: k})

		// A personal token: its user PIN is the official's passphrase.
		tok.Util(t, "--init-token", "--free", "--label", "camat", "--pin", "rahasia-camat", "--so-pin", softhsmtest.SOPIN)
		uri := "pkcs11:token=camat;object=camat?module-path=" + softhsmtest.ModulePath
		// The module may still be held, with the previous test's token
		// directory, by that test's last handler finishing: PKCS#11 reads
		// its configuration only when the module is loaded, so wait for it
		// to be released.
		var gk *pkcs11.GeneratedKey
		for range 100 {
			if gk, err = pkcs11.GenerateKey(ctx, uri+"&pin-value=rahasia-camat", pkcs11.ECP256, nil); err == nil || !errors.Is(err, pkcs11.ErrTokenUnavailable) && !strings.Contains(err.Error(), "not found") {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err != nil {
			t.Fatal(err)
		}
		cid := pki.MustIssueSigner(t, testpki.SignerOptions{PublicKey: gk.Public, Subject: pkixName("Camat Cikande")})
		if err := pkcs11.ImportCertificate(ctx, uri+"&pin-value=rahasia-camat", nil, cid.Cert, cid.Chain...); err != nil {
			t.Fatal(err)
		}
		pk, err := keyref.Open(ctx, uri, &keyref.Options{CertFile: writeTemp(t, "camat.pem", cid.FullChainPEM())})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pk.Close() })
		profiles = append(profiles, &httpapi.Profile{Name: "camat", Key: pk, Personal: true})
	}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "segel.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pool := trust.NewPool()
	pool.AddCert(pki.Root.Cert, "test root")
	logs := &syncBuffer{}
	tmp := t.TempDir()
	opts := httpapi.Options{Store: st, Profiles: profiles, Trust: pool, Timestamper: ts, TempDir: tmp,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), PublicBaseURL: "https://segel.example"}
	if tweak != nil {
		tweak(&opts)
	}
	srv, err := httpapi.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	e := &env{t: t, url: hs.URL, srv: srv, st: st, keys: map[string]string{}, tmp: tmp, logs: logs, pki: pki,
		letter: testcorpus.Base(t)["gs-letter"], options: opts}
	e.client("eoffice", []string{"sekda", "bupati", "camat"}, []string{"sign", "verify", "augment"})
	e.client("verifier", nil, []string{"verify"})
	return e
}

func pkixName(cn string) pkix.Name { return pkix.Name{CommonName: cn} }

func writeTemp(t testing.TB, name string, data []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *env) client(name string, profiles, ops []string) {
	key, hash := httpapi.NewAPIKey()
	if err := e.st.PutClient(context.Background(), &store.Client{Name: name, KeyHash: hash, Profiles: profiles, Operations: ops}); err != nil {
		e.t.Fatal(err)
	}
	e.keys[name] = key
}

func (e *env) do(method, path, client string, body []byte, hdr map[string]string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/pdf")
	}
	if client != "" {
		req.Header.Set("Authorization", "Bearer "+e.keys[client])
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// wantProblem checks a problem+json answer.
func wantProblem(t testing.TB, resp *http.Response, body []byte, status int, typ string) {
	t.Helper()
	if resp.StatusCode != status || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("status %d %s, want %d problem+json: %s", resp.StatusCode, resp.Header.Get("Content-Type"), status, body)
	}
	var p httpapi.Problem
	if err := json.Unmarshal(body, &p); err != nil || p.Type != httpapi.ProblemBase+typ || p.Status != status || p.Instance == "" {
		t.Fatalf("problem %+v (%v), want type %s", p, err, typ)
	}
}

func (e *env) verifyReport(pdf []byte) *verify.Report {
	e.t.Helper()
	resp, body := e.do("POST", "/v1/verify", "verifier", pdf, nil)
	if resp.StatusCode != 200 {
		e.t.Fatalf("verify: %d %s", resp.StatusCode, body)
	}
	var rep verify.Report
	if err := json.Unmarshal(body, &rep); err != nil {
		e.t.Fatal(err)
	}
	return &rep
}

// tempEmpty checks that no temporary file is left: none in the
// directory, and none open that holds data (anonymous O_TMPFILE files
// have no name but show in /proc/self/fd; the server keeps some open,
// empty, for reuse). A handler removes its files after the last byte of
// its answer, so the check waits a moment.
func (e *env) tempEmpty() {
	e.t.Helper()
	var entries []os.DirEntry
	var open []string
	for range 50 {
		entries, _ = os.ReadDir(e.tmp)
		open = openFilesIn(e.tmp)
		if len(entries) == 0 && len(open) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Errorf("temporary files left behind: %v, open: %v", entries, open)
}

// openFilesIn lists the files under dir that the process has open and
// that are not empty.
func openFilesIn(dir string) []string {
	fds, _ := os.ReadDir("/proc/self/fd")
	var open []string
	for _, fd := range fds {
		link := "/proc/self/fd/" + fd.Name()
		target, err := os.Readlink(link)
		if err != nil || !strings.HasPrefix(target, dir+"/") {
			continue
		}
		if fi, err := os.Stat(link); err == nil && fi.Size() > 0 {
			open = append(open, fmt.Sprintf("%s (%d bytes)", target, fi.Size()))
		}
	}
	return open
}

func TestSignEveryLevelEndToEnd(t *testing.T) {
	tok := softhsmtest.New(t, "segel", "1234")
	e := newEnv(t, tok, nil)
	for _, profile := range []string{"sekda", "bupati"} {
		for _, level := range []string{"B-B", "B-T", "B-LT", "B-LTA"} {
			t.Run(profile+"/"+level, func(t *testing.T) {
				q := fmt.Sprintf("/v1/sign?profile=%s&level=%s&reason=Disetujui&number=800/1/2026&subject=Undangan&title=Sekda&nip=197001012000031001", profile, level)
				resp, signed := e.do("POST", q, "eoffice", e.letter, nil)
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
					t.Fatalf("sign: %d %s", resp.StatusCode, signed)
				}
				if !bytes.HasPrefix(signed, e.letter) {
					t.Fatal("the signed PDF does not start with the letter")
				}
				rep := e.verifyReport(signed)
				want := verify.Level("PAdES-BASELINE-" + strings.TrimPrefix(level, "B-"))
				if rep.Indication != verify.TotalPassed || rep.Signatures[0].Level != want {
					t.Fatalf("verify: %s, level %s (want %s): %+v", rep.Indication, rep.Signatures[0].Level, want, rep.Signatures[0])
				}
				id := resp.Header.Get(httpapi.DocumentIDHeader)
				r2, body := e.do("GET", "/v1/documents/"+id, "eoffice", nil, nil)
				var doc map[string]any
				json.Unmarshal(body, &doc)
				if r2.StatusCode != 200 || doc["number"] != "800/1/2026" || doc["sha256"] != rep.SHA256 || doc["level"] != level {
					t.Fatalf("record: %d %s (report sha256 %s)", r2.StatusCode, body, rep.SHA256)
				}
			})
		}
	}
	// Augment a B-B signature to B-LTA.
	resp, bb := e.do("POST", "/v1/sign?profile=sekda", "eoffice", e.letter, nil)
	if resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	resp, lta := e.do("POST", "/v1/augment?level=B-LTA", "eoffice", bb, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("augment: %d %s", resp.StatusCode, lta)
	}
	if rep := e.verifyReport(lta); rep.Indication != verify.TotalPassed || rep.Signatures[0].Level != "PAdES-BASELINE-LTA" {
		t.Fatalf("augmented: %s %s", rep.Indication, rep.Signatures[0].Level)
	}
	check, err := e.st.VerifyAudit(context.Background())
	if err != nil || check.FirstBroken != 0 || check.Entries < 9 {
		t.Fatalf("audit: %+v %v", check, err)
	}
	e.tempEmpty()
}

func TestAuthMatrix(t *testing.T) {
	tok := softhsmtest.New(t, "segel", "1234")
	e := newEnv(t, tok, nil)
	e.client("other", []string{"sekda"}, []string{"sign"})
	resp, body := e.do("POST", "/v1/sign?profile=sekda", "", e.letter, nil)
	wantProblem(t, resp, body, 401, "unauthorized")
	resp, body = e.do("POST", "/v1/sign?profile=sekda", "", e.letter, map[string]string{"Authorization": "Bearer sgl_wrong"})
	wantProblem(t, resp, body, 401, "unauthorized")
	resp, body = e.do("POST", "/v1/sign?profile=bupati", "other", e.letter, nil)
	wantProblem(t, resp, body, 403, "profile-forbidden")
	resp, body = e.do("POST", "/v1/sign?profile=sekda", "verifier", e.letter, nil)
	wantProblem(t, resp, body, 403, "operation-forbidden")
	resp, body = e.do("POST", "/v1/sign?profile=nobody", "eoffice", e.letter, nil)
	wantProblem(t, resp, body, 404, "unknown-profile")

	// Personal profile: the official's passphrase, every time.
	resp, body = e.do("POST", "/v1/sign?profile=camat", "eoffice", e.letter, nil)
	wantProblem(t, resp, body, 401, "passphrase-required")
	if resp.Header.Get("WWW-Authenticate") == "" {
		t.Error("passphrase-required without WWW-Authenticate")
	}
	resp, body = e.do("POST", "/v1/sign?profile=camat", "eoffice", e.letter, map[string]string{httpapi.PassphraseHeader: "salah"})
	wantProblem(t, resp, body, 403, "passphrase-rejected")
	resp, body = e.do("POST", "/v1/sign?profile=camat", "eoffice", e.letter, map[string]string{httpapi.PassphraseHeader: "rahasia-camat"})
	if resp.StatusCode != 200 {
		t.Fatalf("right passphrase: %d %s", resp.StatusCode, body)
	}
	if rep := e.verifyReport(body); rep.Indication != verify.TotalPassed || rep.Signatures[0].Signer.CommonName != "Camat Cikande" {
		t.Fatalf("personal signature: %s", rep.Indication)
	}
	// Four more wrong passphrases lock the profile out without touching
	// the token: even the right one is refused until the window passes.
	for range 4 {
		e.do("POST", "/v1/sign?profile=camat", "eoffice", e.letter, map[string]string{httpapi.PassphraseHeader: "tebak"})
	}
	before := e.srv.Profile("camat").Key.PKCS11.Stats()
	resp, body = e.do("POST", "/v1/sign?profile=camat", "eoffice", e.letter, map[string]string{httpapi.PassphraseHeader: "rahasia-camat"})
	wantProblem(t, resp, body, 429, "passphrase-locked-out")
	if resp.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	after := e.srv.Profile("camat").Key.PKCS11.Stats()
	if fmt.Sprint(before.Errors) != fmt.Sprint(after.Errors) || before.Signatures != after.Signatures {
		t.Errorf("the token was used while locked out: %+v → %+v", before, after)
	}
	// Secrets never reach the log, an error body or the metrics.
	_, metrics := e.do("GET", "/metrics", "", nil, nil)
	for _, secret := range []string{"rahasia-camat", "tebak", "salah", e.keys["eoffice"], "1234"} {
		for what, text := range map[string]string{"log": e.logs.String(), "metrics": string(metrics)} {
			if strings.Contains(text, secret) && !(secret == "1234" && what == "metrics") {
				t.Errorf("the %s holds the secret %q", what, secret)
			}
		}
	}
	e.tempEmpty()
}

func TestBadInput(t *testing.T) {
	t.Run("anonymous", testBadInput)
	t.Run("named", func(t *testing.T) {
		httpapi.UseNamedTempFiles(t)
		testBadInput(t)
	})
}

func testBadInput(t *testing.T) {
	e := newEnv(t, nil, func(o *httpapi.Options) { o.MaxBodySize = 1 << 20 })
	qpdf := testenv.Tool(t, "qpdf")
	in := writeTemp(t, "in.pdf", e.letter)
	enc := filepath.Join(t.TempDir(), "enc.pdf")
	if out, err := exec.Command(qpdf, "--encrypt", "u", "o", "256", "--", in, enc).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	encrypted, _ := os.ReadFile(enc)
	cases := []struct {
		name   string
		body   []byte
		ctype  string
		status int
		typ    string
	}{
		{"not a PDF", []byte("<html>hello</html>"), "application/pdf", 400, "invalid-pdf"},
		{"empty", []byte{}, "application/pdf", 400, "invalid-pdf"},
		{"truncated", e.letter[:len(e.letter)/2], "application/pdf", 400, "invalid-pdf"},
		{"encrypted", encrypted, "application/pdf", 400, "encrypted-pdf"},
		{"too large", bytes.Repeat([]byte("x"), 2<<20), "application/pdf", 413, "too-large"},
		{"wrong content type", e.letter, "text/plain", 415, "unsupported-media-type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := e.do("POST", "/v1/sign?profile=sekda", "eoffice", c.body, map[string]string{"Content-Type": c.ctype})
			wantProblem(t, resp, body, c.status, c.typ)
			if resp.Header.Get(httpapi.DocumentIDHeader) != "" {
				t.Error("a failed signature has a document id")
			}
			e.tempEmpty()
		})
	}
	// A multipart upload works like a bare body.
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, _ := mw.CreateFormFile("file", "surat.pdf")
	fw.Write(e.letter)
	mw.Close()
	resp, body := e.do("POST", "/v1/sign?profile=sekda", "eoffice", mp.Bytes(), map[string]string{"Content-Type": mw.FormDataContentType()})
	if resp.StatusCode != 200 {
		t.Fatalf("multipart: %d %s", resp.StatusCode, body)
	}
	// Nothing of the failures was recorded as signed.
	entries, _ := e.st.AuditEntries(context.Background(), 1, 100)
	signed := 0
	for _, a := range entries {
		if a.Outcome == "ok" {
			signed++
		}
	}
	if signed != 1 {
		t.Errorf("%d signatures recorded, want the multipart one only", signed)
	}
	e.tempEmpty()
}

func TestConcurrencyAndBusy(t *testing.T) {
	e := newEnv(t, nil, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", e.url+"/v1/sign?profile=sekda", bytes.NewReader(e.letter))
			req.Header.Set("Authorization", "Bearer "+e.keys["eoffice"])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if statuses[200] != 64 {
		t.Fatalf("64 concurrent clients with default limits: %v", statuses)
	}
	// A tiny profile: one at a time, no queue.
	tiny := newEnv(t, nil, func(o *httpapi.Options) {
		o.Profiles[0].MaxConcurrent, o.Profiles[0].Queue, o.Profiles[0].QueueTimeout = 1, 1, 1
	})
	statuses = map[int]int{}
	var retry string
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", tiny.url+"/v1/sign?profile=sekda", bytes.NewReader(tiny.letter))
			req.Header.Set("Authorization", "Bearer "+tiny.keys["eoffice"])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			if resp.StatusCode == 429 {
				retry = resp.Header.Get("Retry-After")
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if statuses[429] == 0 || retry == "" {
		t.Errorf("a tiny queue under 16 clients: %v (Retry-After %q)", statuses, retry)
	}
}

func TestOpenAPICoversRoutes(t *testing.T) {
	e := newEnv(t, nil, func(o *httpapi.Options) { o.BSrEUser, o.BSrEPassword = "u", "p" })
	resp, body := e.do("GET", "/openapi.yaml", "", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	routes := map[string]bool{}
	chi.Walk(e.srv.Handler().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		route = strings.TrimSuffix(route, "/*")
		key := strings.ToLower(method) + " " + route
		routes[key] = true
		if doc.Paths[route][strings.ToLower(method)] == nil {
			t.Errorf("route %s %s is not in openapi.yaml", method, route)
		}
		return nil
	})
	for path, ops := range doc.Paths {
		for method := range ops {
			if !routes[method+" "+path] {
				t.Errorf("openapi.yaml documents %s %s, which does not exist", method, path)
			}
		}
	}
	resp, body = e.do("GET", "/metrics", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "segel_http_requests_total") {
		t.Errorf("metrics: %d", resp.StatusCode)
	}
	resp, body = e.do("GET", "/readyz", "", nil, nil)
	if resp.StatusCode != 200 {
		t.Errorf("readyz: %d %s", resp.StatusCode, body)
	}
}

var _ = signer.LevelB
