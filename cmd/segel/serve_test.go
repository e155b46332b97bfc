package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/config"
	"github.com/segel-id/segel/internal/devmode"
	"github.com/segel-id/segel/internal/pgtest"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/internal/totp"
	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/testpki"
)

// syncBuffer is a bytes.Buffer safe for concurrent use.
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

// server is a running `segel serve`, in-process or as a process.
type server struct {
	url            string
	stdout, stderr *syncBuffer
	done           chan int // receives the exit code
	stop           func()   // SIGTERM, or the cancellation of run's context
	cmd            *exec.Cmd
	code           *int
}

var servingRE = regexp.MustCompile(`(?:base URL\s+|listening on )(https?://[^\s)]+)`)

// waitURL waits for the server to print its address.
func (s *server) waitURL(t *testing.T) {
	t.Helper()
	deadline := time.After(2 * time.Minute)
	for {
		if m := servingRE.FindStringSubmatch(s.stdout.String()); m != nil {
			s.url = m[1]
			return
		}
		select {
		case code := <-s.done:
			s.code = &code
			t.Fatalf("segel serve exited with %d before serving\nstdout:\n%s\nstderr:\n%s", code, s.stdout, s.stderr)
		case <-deadline:
			t.Fatalf("segel serve printed no address\nstdout:\n%s\nstderr:\n%s", s.stdout, s.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// shutdown stops the server and returns its exit code.
func (s *server) shutdown(t *testing.T) int {
	t.Helper()
	if s.code != nil {
		return *s.code
	}
	s.stop()
	select {
	case code := <-s.done:
		s.code = &code
		return code
	case <-time.After(2 * time.Minute):
		t.Fatalf("segel serve did not stop\nstderr:\n%s", s.stderr)
	}
	return -1
}

// serveInProcess runs "segel serve ARGS" through run.
func serveInProcess(t *testing.T, args ...string) *server {
	t.Helper()
	// Dev mode points SOFTHSM2_CONF at its directory: restore it after.
	t.Setenv("SOFTHSM2_CONF", os.Getenv("SOFTHSM2_CONF"))
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan int, 1), stop: cancel}
	go func() {
		s.done <- run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), s.stdout, s.stderr)
	}()
	t.Cleanup(func() { s.shutdown(t) })
	s.waitURL(t)
	return s
}

// serveProcess runs the built segel binary: "segel serve ARGS".
func serveProcess(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(segelBinary(t), append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	s := &server{stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan int, 1), cmd: cmd}
	cmd.Stdout, cmd.Stderr = s.stdout, s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.stop = func() { cmd.Process.Signal(syscall.SIGTERM) }
	go func() {
		err := cmd.Wait()
		var ee *exec.ExitError
		switch {
		case err == nil:
			s.done <- 0
		case errors.As(err, &ee):
			s.done <- ee.ExitCode()
		default:
			s.done <- -1
		}
	}()
	t.Cleanup(func() {
		if s.code == nil {
			cmd.Process.Kill() // this test's own process, by its handle
			<-s.done
		}
	})
	s.waitURL(t)
	return s
}

// call makes an HTTP request and returns the response with its body read.
func call(t *testing.T, client *http.Client, method, url, key string, body []byte, header ...string) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/pdf")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

// sign POSTs pdf to /v1/sign and returns the signed file and its id.
func (s *server) sign(t *testing.T, key, query string, pdf []byte, header ...string) ([]byte, string) {
	t.Helper()
	resp, body := call(t, nil, "POST", s.url+"/v1/sign?"+query, key, pdf, header...)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("sign %s: %s\n%s\nstderr:\n%s", query, resp.Status, body, lastLines(s.stderr.String(), 10))
	}
	id := resp.Header.Get("Segel-Document-Id")
	if id == "" {
		t.Fatalf("sign %s: no Segel-Document-Id", query)
	}
	return body, id
}

// report is the part of the verification report the tests look at.
type report struct {
	Indication string `json:"indication"`
	Signatures []struct {
		Type          string `json:"type"`
		Indication    string `json:"indication"`
		SubIndication string `json:"subIndication"`
		Level         string `json:"level"`
	} `json:"signatures"`
}

// verify POSTs pdf to /v1/verify.
func (s *server) verify(t *testing.T, key string, pdf []byte) *report {
	t.Helper()
	resp, body := call(t, nil, "POST", s.url+"/v1/verify", key, pdf)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("verify: %s\n%s", resp.Status, body)
	}
	var r report
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("verify: %v\n%s", err, body)
	}
	return &r
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// pdfsigValid checks with poppler's pdfsig that every CMS signature of
// data is valid (pdfsig cannot check document timestamps).
func pdfsigValid(t *testing.T, data []byte, what string) {
	t.Helper()
	path := writeFile(t, t.TempDir(), "signed.pdf", data)
	out, err := exec.Command(testenv.Tool(t, "pdfsig"), path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfsig %s: %v\n%s", what, err, out)
	}
	if !strings.Contains(string(out), "Signature is Valid") || strings.Contains(string(out), "Signature is Invalid") ||
		strings.Contains(string(out), "Digest Mismatch") {
		t.Errorf("pdfsig %s:\n%s", what, out)
	}
}

// devFile reads a file of a development data directory.
func devFile(t *testing.T, dir, name string) string {
	t.Helper()
	return strings.TrimSpace(string(readFile(t, filepath.Join(dir, name))))
}

// checkNoSecrets fails if a secret of dir appears in the logs or output.
func checkNoSecrets(t *testing.T, dir string, outputs ...string) {
	t.Helper()
	secrets := []string{devFile(t, dir, devmode.APIKeyFile)}
	secrets = append(secrets, strings.Split(devFile(t, dir, devmode.CredentialsFile), "\n")[1:]...)
	if pin, err := os.ReadFile(filepath.Join(dir, "softhsm", "dev.pin")); err == nil {
		secrets = append(secrets, string(pin))
	}
	for _, out := range outputs {
		for i, s := range secrets {
			if s != "" && strings.Contains(out, s) {
				t.Errorf("secret %d of %s appears in the output or log", i, dir)
			}
		}
	}
}

// TestServeDevEndToEnd runs `segel serve --dev` in-process over real HTTP
// on loopback: every level signed, verified by Segel and by pdfsig, the
// register record, the personal profile, health and metrics, then a
// restart on the same directory.
func TestServeDevEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "segel-dev")
	srv := serveInProcess(t, "--dev", "--data", dir, "--listen", "127.0.0.1:0")
	key := devFile(t, dir, devmode.APIKeyFile)
	pdf := letter(t)

	docs := map[string][]byte{}
	for _, level := range []string{"B-B", "B-T", "B-LT", "B-LTA"} {
		signed, id := srv.sign(t, key, "profile=dev&level="+level+"&number=800/123/2026&subject=Undangan", pdf)
		docs[level] = signed
		rep := srv.verify(t, key, signed)
		if rep.Indication != "TOTAL_PASSED" || len(rep.Signatures) == 0 || rep.Signatures[0].Level != "PAdES-BASELINE-"+strings.TrimPrefix(level, "B-") {
			t.Errorf("%s: verified %+v", level, rep)
		}
		if level == "B-LTA" && (len(rep.Signatures) != 2 || rep.Signatures[1].Type != "document-timestamp") {
			t.Errorf("B-LTA: signatures %+v, want the signature and a document timestamp", rep.Signatures)
		}
		pdfsigValid(t, signed, level)

		resp, body := call(t, nil, "GET", srv.url+"/v1/documents/"+id, key, nil)
		var rec struct {
			ID, Level, Number, SHA256 string
			Stored                    bool
		}
		json.Unmarshal(body, &rec)
		sum := sha256.Sum256(signed)
		if resp.StatusCode != 200 || rec.ID != id || rec.Level != level || rec.Number != "800/123/2026" ||
			rec.SHA256 != hex.EncodeToString(sum[:]) || !rec.Stored {
			t.Errorf("%s: GET /v1/documents/%s: %s %s", level, id, resp.Status, body)
		}
	}
	// segel verify, offline, with only the development root added: the LT
	// and LTA documents carry their own validation data.
	for _, level := range []string{"B-LT", "B-LTA"} {
		path := writeFile(t, t.TempDir(), "signed.pdf", docs[level])
		r := segel(t, nil, "verify", "--offline", "--trust", filepath.Join(dir, devmode.RootFile), path)
		if r.code != 0 {
			t.Errorf("segel verify --offline of %s: %v\n%s", level, r, r.stdout)
		}
	}

	// The personal profile: the official's passphrase unlocks the token.
	if _, err := os.Stat(filepath.Join(dir, "softhsm")); err == nil {
		pass := strings.Split(devFile(t, dir, devmode.CredentialsFile), "\n")[2]
		signed, _ := srv.sign(t, key, "profile=dev-official&level=B-LT", pdf, "Segel-Passphrase", pass)
		if rep := srv.verify(t, key, signed); rep.Indication != "TOTAL_PASSED" {
			t.Errorf("personal profile: %+v", rep)
		}
		resp, body := call(t, nil, "POST", srv.url+"/v1/sign?profile=dev-official", key, pdf, "Segel-Passphrase", "salah")
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "passphrase-rejected") {
			t.Errorf("a wrong passphrase: %s %s", resp.Status, body)
		}

		// The BSrE-compatible API with dev-bsre-credentials, the way an
		// Esign Client integration calls it.
		creds := strings.Split(devFile(t, dir, devmode.CredentialsFile), "\n")
		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		fw, _ := mw.CreateFormFile("file", "surat.pdf")
		fw.Write(pdf)
		for k, v := range map[string]string{"nik": devmode.PersonalNIK, "passphrase": creds[2], "tampilan": "invisible"} {
			mw.WriteField(k, v)
		}
		mw.Close()
		req, _ := http.NewRequest("POST", srv.url+"/api/sign/pdf", &form)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.SetBasicAuth(creds[0], creds[1])
		bresp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		bsigned, _ := io.ReadAll(bresp.Body)
		bresp.Body.Close()
		if bresp.StatusCode != 200 || !bytes.HasPrefix(bsigned, []byte("%PDF")) {
			t.Errorf("POST /api/sign/pdf: %s %.300s", bresp.Status, bsigned)
		} else {
			pdfsigValid(t, bsigned, "BSrE API")
		}

		// TOTP: the dev official enrols with the passphrase (dev mode
		// made totp.key) and signs over v2 with a code of the secret.
		bsre := func(path string, body any) (int, map[string]any) {
			t.Helper()
			b, _ := json.Marshal(body)
			req, _ := http.NewRequest("POST", srv.url+path, bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			req.SetBasicAuth(creds[0], creds[1])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out map[string]any
			json.NewDecoder(resp.Body).Decode(&out)
			return resp.StatusCode, out
		}
		code, enr := bsre("/api/v2/sign/get/totp", map[string]any{"nik": devmode.PersonalNIK, "passphrase": creds[2], "data": 1})
		b32, _ := enr["secret"].(string)
		secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(b32)
		if code != 200 || err != nil || len(secret) != 20 {
			t.Fatalf("TOTP enrolment in dev mode: %d %v", code, err)
		}
		totpCode := totp.Code(secret, time.Now())
		code, ans := bsre("/api/v2/sign/pdf", map[string]any{"nik": devmode.PersonalNIK, "totp": totpCode,
			"file": []string{base64.StdEncoding.EncodeToString(pdf)}})
		files, _ := ans["file"].([]any)
		if code != 200 || len(files) != 1 {
			t.Errorf("v2 sign with a TOTP code in dev mode: %d %v", code, ans["error"])
		} else {
			tsigned, _ := base64.StdEncoding.DecodeString(files[0].(string))
			if rep := srv.verify(t, key, tsigned); rep.Indication != "TOTAL_PASSED" {
				t.Errorf("signed with a TOTP code: %+v", rep)
			}
		}
		defer func() {
			for _, s := range []string{b32, totpCode} {
				if strings.Contains(srv.stderr.String(), s) || strings.Contains(srv.stdout.String(), s) {
					t.Errorf("the TOTP secret or code is in the output")
				}
			}
		}()
	} else {
		t.Log("softhsm2 is not installed: the personal profile is a PKCS#12 file, not checked over HTTP")
	}

	for path, want := range map[string]string{"/healthz": "ok", "/readyz": `"ready":true`, "/metrics": "segel_", "/openapi.yaml": "openapi: 3.1"} {
		resp, body := call(t, nil, "GET", srv.url+path, "", nil)
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %s\n%.300s", path, resp.Status, body)
		}
	}
	if resp, _ := call(t, nil, "POST", srv.url+"/v1/sign?profile=dev", "sgl_wrong", pdf); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong API key: %s", resp.Status)
	}
	out := srv.stdout.String()
	for _, want := range []string{srv.url + "/verify", srv.url + "/metrics", srv.url + "/openapi.yaml",
		filepath.Join(dir, devmode.APIKeyFile), filepath.Join(dir, devmode.RootFile),
		"TSA            " + srv.url + "/dev/tsa", "OCSP and CRLs  " + srv.url + "/dev/pki/"} {
		if !strings.Contains(out, want) {
			t.Errorf("the banner does not show %s:\n%s", want, out)
		}
	}
	if code := srv.shutdown(t); code != 0 {
		t.Fatalf("exit %d after stop\n%s", code, lastLines(srv.stderr.String(), 5))
	}
	checkNoSecrets(t, dir, srv.stdout.String(), srv.stderr.String())
	for _, line := range strings.Split(strings.TrimSpace(srv.stderr.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("a log line is not JSON: %s", line)
			break
		}
	}

	// A restart on the same directory (another port): the same root, and
	// the old key still works, also for documents signed before.
	root := readFile(t, filepath.Join(dir, devmode.RootFile))
	srv2 := serveInProcess(t, "--dev", "--data", dir, "--listen", "127.0.0.1:0")
	if !bytes.Equal(readFile(t, filepath.Join(dir, devmode.RootFile)), root) {
		t.Error("the development root changed on restart")
	}
	if srv2.url == srv.url {
		t.Logf("the restart got the same port: %s", srv2.url)
	}
	signed, _ := srv2.sign(t, key, "profile=dev&level=B-LTA", pdf)
	pdfsigValid(t, signed, "after restart")
	for level, doc := range docs {
		if rep := srv2.verify(t, key, doc); rep.Indication != "TOTAL_PASSED" {
			t.Errorf("%s document signed before the restart: %+v", level, rep)
		}
	}
	if code := srv2.shutdown(t); code != 0 {
		t.Fatalf("exit %d after the second stop", code)
	}
	r := segel(t, nil, "audit", "verify", "--dev", "--data", dir)
	if r.code != 0 || !strings.Contains(string(r.stdout), "whole") {
		t.Errorf("audit verify: %v\n%s", r, r.stdout)
	}
}

// TestServeDevProcess runs the built binary the way `make run` does and
// stops it with SIGTERM while a request is still arriving: the request
// completes and the process exits 0. A second process on the same
// directory keeps the root and the key.
func TestServeDevProcess(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "segel-dev")
	srv := serveProcess(t, nil, "--dev", "--data", dir, "--listen", "127.0.0.1:0")
	key := devFile(t, dir, devmode.APIKeyFile)
	pdf := letter(t)
	signed, _ := srv.sign(t, key, "profile=dev&level=B-LTA", pdf)
	pdfsigValid(t, signed, "B-LTA")
	if rep := srv.verify(t, key, signed); rep.Indication != "TOTAL_PASSED" {
		t.Errorf("verify: %+v", rep)
	}

	// A slow client: half the body, SIGTERM, then the rest.
	pr, pw := io.Pipe()
	req, err := http.NewRequest("POST", srv.url+"/v1/sign?profile=dev&level=B-LT", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(pdf))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/pdf")
	type result struct {
		status int
		body   []byte
		err    error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			res <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		res <- result{resp.StatusCode, body, err}
	}()
	if _, err := pw.Write(pdf[:len(pdf)/2]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	srv.stop()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(srv.stderr.String(), "stopping"); {
		if time.Now().After(deadline) {
			t.Fatal("no sign of stopping after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	if _, err := pw.Write(pdf[len(pdf)/2:]); err != nil {
		t.Fatalf("the server stopped reading the request: %v", err)
	}
	pw.Close()
	r := <-res
	if r.err != nil || r.status != 200 {
		t.Fatalf("the request in flight at SIGTERM: %d %v\n%s", r.status, r.err, r.body)
	}
	pdfsigValid(t, r.body, "the request in flight at SIGTERM")
	if code := srv.shutdown(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM\n%s", code, lastLines(srv.stderr.String(), 5))
	}
	if !strings.Contains(srv.stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no stopped log line:\n%s", lastLines(srv.stderr.String(), 5))
	}
	checkNoSecrets(t, dir, srv.stdout.String(), srv.stderr.String())

	root := readFile(t, filepath.Join(dir, devmode.RootFile))
	srv2 := serveProcess(t, nil, "--dev", "--data", dir, "--listen", "127.0.0.1:0")
	if !bytes.Equal(readFile(t, filepath.Join(dir, devmode.RootFile)), root) {
		t.Error("the development root changed on restart")
	}
	signed, _ = srv2.sign(t, key, "profile=dev&level=B-LT", pdf)
	pdfsigValid(t, signed, "after restart")
	if code := srv2.shutdown(t); code != 0 {
		t.Errorf("second process: exit %d", code)
	}
}

// configFixture writes a configuration with one software-key profile
// ("sekda", B-B only, no TSA) and an SQLite store in a new directory.
func configFixture(t *testing.T, extra string) (dir, cfg string, id *testpki.Identity) {
	t.Helper()
	dir = t.TempDir()
	p := testpki.MustNew(t, testpki.Options{})
	id = p.MustIssueSigner(t, testpki.SignerOptions{NonRepudiation: true})
	keyPEM, err := id.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "sekda.pem", keyPEM, id.FullChainPEM())
	writeFile(t, dir, "root.pem", p.Root.CertPEM())
	cfg = writeFile(t, dir, "segel.yaml", []byte(`# test configuration
listen: 127.0.0.1:0
store:
  sqlite: data/segel.db
trust:
  national: false
  paths: [root.pem]
profiles:
  - name: sekda
    key: sekda.pem
    reason: Disetujui
`+extra))
	return dir, cfg, id
}

func TestServeConfigErrors(t *testing.T) {
	dir, cfg, _ := configFixture(t, "  - name: camat\n    key: camat.pem\n    level: B-XL\n")
	r := segel(t, nil, "serve", "--config", cfg)
	if r.code != exitUsage || !strings.Contains(r.stderr, cfg+":13: profiles[1].key: ") ||
		!strings.Contains(r.stderr, cfg+":14: profiles[1].level: \"B-XL\" is not a PAdES level") {
		t.Errorf("a wrong configuration: %v", r)
	}
	// A key that does not open is found at start-up, and named.
	writeFile(t, dir, "broken.pem", []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	_, cfg2, _ := configFixture(t, "  - name: broken\n    key: "+filepath.Join(dir, "broken.pem")+"\n")
	r = segel(t, nil, "serve", "--config", cfg2)
	if r.code != exitUsage || !strings.Contains(r.stderr, cfg2+":13: profiles[1].key: profile broken: ") {
		t.Errorf("a key that does not open: %v", r)
	}
	t.Chdir(t.TempDir())
	r = segel(t, nil, "serve")
	if r.code != exitUsage || !strings.Contains(r.stderr, "segel.yaml: cannot read the configuration") || !strings.Contains(r.stderr, "segel serve --dev") {
		t.Errorf("no segel.yaml: %v", r)
	}
	for _, args := range [][]string{{"--dev", "--config", cfg}, {"--data", dir}, {"extra"}} {
		if r := segel(t, nil, append([]string{"serve"}, args...)...); r.code != exitUsage {
			t.Errorf("serve %q: %v", args, r)
		}
	}
	if r := segel(t, nil, "serve", "--config", cfg, "--listen", "256.0.0.1:80"); r.code != exitUsage {
		t.Errorf("an address that cannot be listened on: %v", r)
	}
}

// TestServeConfigClients adds clients to the store of a configured
// service; their keys authenticate with the rights they were given.
func TestServeConfigClients(t *testing.T) {
	_, cfg, _ := configFixture(t, "")
	r := segel(t, nil, "clients", "add", "e-office", "--profiles", "sekda", "--config", cfg)
	key := strings.TrimSpace(string(r.stdout))
	if r.code != 0 || !strings.HasPrefix(key, "sgl_") || strings.Count(string(r.stdout), "\n") != 1 ||
		!strings.Contains(r.stderr, "shown only this once") {
		t.Fatalf("clients add: %v\nstdout: %q", r, r.stdout)
	}
	r = segel(t, nil, "clients", "add", "--config", cfg, "--operations", "verify", "--profiles", "sekda", "portal")
	verifyOnly := strings.TrimSpace(string(r.stdout))
	if r.code != 0 {
		t.Fatalf("clients add --operations verify: %v", r)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"add", "e-office", "--profiles", "sekda", "--config", cfg}, exitFailure, "exists already"},
		{[]string{"add", "x", "--profiles", "bupati", "--config", cfg}, exitUsage, `no profile "bupati" (it has: sekda)`},
		{[]string{"add", "x", "--profiles", "sekda", "--operations", "delete", "--config", cfg}, exitUsage, `"delete" is not one of`},
		{[]string{"add", "x", "--config", cfg}, exitUsage, "--profiles is required"},
		{[]string{"add", "bad name", "--profiles", "sekda", "--config", cfg}, exitUsage, "client name"},
		{[]string{"add", "x", "--profiles", "dev", "--dev", "--data", t.TempDir()}, exitUsage, "no development service there"},
		{[]string{"purge", "x"}, exitUsage, "unknown command"},
		{[]string{"remove", "x", "--config", cfg}, exitFailure, `no client named "x"`},
		{[]string{"rotate", "--config", cfg}, exitUsage, "needs one NAME"},
	} {
		r := segel(t, nil, append([]string{"clients"}, c.args...)...)
		if r.code != c.code || !strings.Contains(r.stderr, c.msg) || len(r.stdout) != 0 {
			t.Errorf("clients %q: %v\nwant exit %d and %q", c.args, r, c.code, c.msg)
		}
	}
	r = segel(t, nil, "clients", "list", "--config", cfg)
	if r.code != 0 || !regexp.MustCompile(`e-office\s+sekda\s+sign,verify,augment`).Match(r.stdout) ||
		!regexp.MustCompile(`portal\s+sekda\s+verify\s`).Match(r.stdout) || bytes.Contains(r.stdout, []byte("sgl_")) {
		t.Errorf("clients list: %v\n%s", r, r.stdout)
	}

	srv := serveInProcess(t, "--config", cfg)
	signed, _ := srv.sign(t, key, "profile=sekda", letter(t))
	if resp, body := call(t, nil, "POST", srv.url+"/v1/verify", verifyOnly, signed); resp.StatusCode != 200 {
		t.Errorf("verify with the verify-only key: %s %s", resp.Status, body)
	}
	if resp, body := call(t, nil, "POST", srv.url+"/v1/sign?profile=sekda", verifyOnly, letter(t)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign with the verify-only key: %s %s", resp.Status, body)
	}
	if !strings.Contains(srv.stderr.String(), "public_base_url is not set") {
		t.Error("no warning that public_base_url is not set")
	}
	if code := srv.shutdown(t); code != 0 {
		t.Errorf("exit %d", code)
	}
}

func TestAuditVerify(t *testing.T) {
	dir, cfg, _ := configFixture(t, "")
	key := strings.TrimSpace(string(mustSegel(t, nil, "clients", "add", "e-office", "--profiles", "sekda", "--config", cfg).stdout))
	srv := serveInProcess(t, "--config", cfg)
	for range 3 {
		srv.sign(t, key, "profile=sekda", letter(t))
	}
	srv.shutdown(t)
	r := segel(t, nil, "audit", "verify", "--config", cfg)
	if r.code != 0 || !strings.Contains(string(r.stdout), "audit log whole: 3 entries") || !strings.Contains(string(r.stdout), "audit chain not keyed") {
		t.Fatalf("audit verify: %v\n%s", r, r.stdout)
	}

	if !strings.Contains(string(r.stdout), "register and audit log agree") {
		t.Errorf("audit verify does not cross-check the register: %s", r.stdout)
	}

	// What a crash between the steps of a signature leaves: a record
	// without its audit entry, and a stored file without a record.
	db := filepath.Join(dir, "data", "segel.db")
	tamper(t, db, `INSERT INTO documents SELECT 'crashedrecord', profile, client, level, '2026-01-01T00:00:00.000000000Z',
		signer_name, signer_subject, signer_issuer, signer_serial, input_sha256, output_sha256, size, number, subject,
		title, nip, confidential, downloadable, 0, retain_until FROM documents LIMIT 1;`)
	// A new store keeps its files in the database (the blobs table):
	// a stray one written an hour ago.
	tamper(t, db, `INSERT INTO blobs (id, chunk, data, created) VALUES ('strayblob', 0, X'255044462D312E37', '`+
		time.Now().Add(-time.Hour).UTC().Format("2006-01-02T15:04:05.000000000Z")+`');`)
	strayLeft := func() bool {
		t.Helper()
		var n int
		if err := sqliteCount(db, `SELECT COUNT(*) FROM blobs WHERE id = 'strayblob'`, &n); err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
	r = segel(t, nil, "audit", "verify", "--dry-run", "--config", cfg)
	if r.code != 0 || !strings.Contains(string(r.stdout), "register record crashedrecord without its ok audit entry") ||
		!strings.Contains(string(r.stdout), "stored file strayblob without a register record") {
		t.Fatalf("audit verify --dry-run: %v\n%s", r, r.stdout)
	}
	if !strayLeft() {
		t.Fatalf("--dry-run removed the stray file")
	}
	r = segel(t, nil, "audit", "verify", "--config", cfg)
	if r.code != 0 || !strings.Contains(string(r.stdout), "orphan removed: register record crashedrecord") {
		t.Fatalf("audit verify (fix): %v\n%s", r, r.stdout)
	}
	if strayLeft() {
		t.Errorf("stray file kept")
	}
	// segel serve reconciles at start-up too.
	tamper(t, db, `INSERT INTO documents SELECT 'crashedagain', profile, client, level, '2026-01-01T00:00:00.000000000Z',
		signer_name, signer_subject, signer_issuer, signer_serial, input_sha256, output_sha256, size, number, subject,
		title, nip, confidential, downloadable, 0, retain_until FROM documents LIMIT 1;`)
	srv = serveInProcess(t, "--config", cfg)
	srv.shutdown(t)
	if !strings.Contains(srv.stderr.String(), "crashedagain") {
		t.Errorf("serve did not report the orphan it removed: %s", srv.stderr.String())
	}
	r = segel(t, nil, "audit", "verify", "--config", cfg)
	if r.code != 0 || !strings.Contains(string(r.stdout), "audit log whole: 6 entries") || !strings.Contains(string(r.stdout), "agree") {
		t.Fatalf("audit verify after reconciling: %v\n%s", r, r.stdout)
	}

	// Tamper with the second entry behind Segel's back (the triggers that
	// keep the log append-only must go first).
	tamper(t, db, `DROP TRIGGER audit_no_update; UPDATE audit SET client = 'someone-else' WHERE seq = 2;`)
	r = segel(t, nil, "audit", "verify", "--config", cfg)
	if r.code != exitFailure || !strings.Contains(string(r.stdout), "BROKEN at entry 2:") {
		t.Errorf("audit verify of a tampered log: %v\n%s", r, r.stdout)
	}
	for _, args := range [][]string{{"verify", "--config", filepath.Join(dir, "nope.yaml")}, {"verify", "extra"}, {"check"}} {
		if r := segel(t, nil, append([]string{"audit"}, args...)...); r.code != exitUsage {
			t.Errorf("audit %q: %v", args, r)
		}
	}
}

// tamper runs SQL on an SQLite database through the store's own driver.
func tamper(t *testing.T, db, sql string) {
	t.Helper()
	if err := execSQLite(db, sql); err != nil {
		t.Fatal(err)
	}
}

// TestServeTLSClientCert serves HTTPS that requires a client certificate.
func TestServeTLSClientCert(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := tlsCert(t, nil, nil, "Test TLS CA", true)
	srvCert, srvKey := tlsCert(t, ca, caKey, "127.0.0.1", false)
	cliCert, cliKey := tlsCert(t, ca, caKey, "e-office", false)
	writeFile(t, dir, "ca.pem", pemCert(ca))
	writeFile(t, dir, "server.pem", pemCert(srvCert))
	writeFile(t, dir, "server-key.pem", pemKey(t, srvKey))
	_, cfg, _ := configFixture(t, "")
	conf := string(readFile(t, cfg)) + fmt.Sprintf("tls:\n  cert: %s\n  key: %s\n  client_ca: %s\n",
		filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem"), filepath.Join(dir, "ca.pem"))
	os.WriteFile(cfg, []byte(conf), 0o600)
	srv := serveInProcess(t, "--config", cfg)
	if !strings.HasPrefix(srv.url, "https://") {
		t.Fatalf("serving at %s, want https", srv.url)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	with := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots,
		Certificates: []tls.Certificate{{Certificate: [][]byte{cliCert.Raw}, PrivateKey: cliKey}}}}}
	if resp, _ := call(t, with, "GET", srv.url+"/healthz", "", nil); resp.StatusCode != 200 {
		t.Errorf("with a client certificate: %s", resp.Status)
	}
	without := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	if resp, err := without.Get(srv.url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("without a client certificate: %s, want a failed handshake", resp.Status)
	}
	srv.shutdown(t)
}

func tlsCert(t *testing.T, parent *x509.Certificate, parentKey crypto.Signer, cn string, isCA bool) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true, IsCA: isCA}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign
		parent, parentKey = tmpl, key
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func pemKey(t *testing.T, k crypto.Signer) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// TestServeLockedPersonalKey checks the personal software key: a PKCS#12
// file that only the passphrase of a request unlocks.
func TestServeLockedPersonalKey(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	id := p.MustIssueSigner(t, testpki.SignerOptions{})
	p12, err := id.PKCS12("rahasia-pejabat")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	_, cfg, _ := configFixture(t, fmt.Sprintf("  - name: camat\n    key: %s\n    cert: %s\n    personal: true\n    nik: \"3604012345670002\"\n",
		writeFile(t, dir, "camat.p12", p12), writeFile(t, dir, "camat-chain.pem", id.FullChainPEM())))
	c := mustLoad(t, cfg)
	key, err := openProfileKey(context.Background(), c.Profile("camat"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("surat"))
	if _, err := key.Signer.Sign(rand.Reader, sum[:], crypto.SHA256); err == nil {
		t.Error("the locked key signed without a passphrase")
	}
	pp, ok := key.Signer.(interface {
		WithPassphrase(context.Context, []byte) crypto.Signer
	})
	if !ok {
		t.Fatal("the locked key has no WithPassphrase")
	}
	if _, err := pp.WithPassphrase(context.Background(), []byte("salah")).Sign(rand.Reader, sum[:], crypto.SHA256); !errors.Is(err, pkcs11.ErrPassphraseRejected) {
		t.Errorf("a wrong passphrase: %v", err)
	}
	sig, err := pp.WithPassphrase(context.Background(), []byte("rahasia-pejabat")).Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil || !ecdsa.VerifyASN1(id.Cert.PublicKey.(*ecdsa.PublicKey), sum[:], sig) {
		t.Errorf("the right passphrase: %v", err)
	}
}

// execSQLite runs statements on an SQLite database.
func execSQLite(path, statements string) error {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(statements)
	return err
}

// sqliteCount runs query, a SELECT COUNT(*), on the SQLite database at
// path.
func sqliteCount(path, query string, n *int) error {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.QueryRow(query).Scan(n)
}

func mustLoad(t *testing.T, path string) *config.Config {
	t.Helper()
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestServePostgresReplicas runs two segel serve processes on one
// PostgreSQL database: a document signed on one is in the register of
// the other, and the audit log they share is one chain.
func TestServePostgresReplicas(t *testing.T) {
	dsn := pgtest.DSN(t)
	_, cfg, _ := configFixture(t, "")
	env := []string{"SEGEL_STORE_DSN=" + dsn}
	t.Setenv("SEGEL_STORE_DSN", dsn) // for the in-process clients and audit commands
	key := strings.TrimSpace(string(mustSegel(t, nil, "clients", "add", "e-office", "--profiles", "sekda", "--config", cfg).stdout))
	a := serveProcess(t, env, "--config", cfg)
	b := serveProcess(t, env, "--config", cfg)
	pdf := letter(t)
	for i, pair := range [][2]*server{{a, b}, {b, a}, {a, b}} {
		signed, id := pair[0].sign(t, key, "profile=sekda&number="+fmt.Sprint(i), pdf)
		resp, body := call(t, nil, "GET", pair[1].url+"/v1/documents/"+id, key, nil)
		sum := sha256.Sum256(signed)
		if resp.StatusCode != 200 || !strings.Contains(string(body), hex.EncodeToString(sum[:])) {
			t.Errorf("document %s signed on %s, read on %s: %s %s", id, pair[0].url, pair[1].url, resp.Status, body)
		}
	}
	for _, s := range []*server{a, b} {
		if code := s.shutdown(t); code != 0 {
			t.Errorf("exit %d\n%s", code, lastLines(s.stderr.String(), 5))
		}
	}
	r := segel(t, nil, "audit", "verify", "--config", cfg)
	if r.code != 0 || !strings.Contains(string(r.stdout), "audit log whole: 3 entries") {
		t.Errorf("audit verify of the shared log: %v\n%s", r, r.stdout)
	}
}

// TestServeDevSoftwareKeys is the development service of a machine
// without softhsm2: software keys, and it says so.
func TestServeDevSoftwareKeys(t *testing.T) {
	t.Setenv("SEGEL_DEV_SOFTHSM", "off")
	dir := t.TempDir()
	srv := serveInProcess(t, "--dev", "--data", dir, "--listen", "127.0.0.1:0")
	if !strings.Contains(srv.stdout.String(), "software keys in "+filepath.Join(dir, "pki")) {
		t.Errorf("the banner does not say the keys are software keys:\n%s", srv.stdout)
	}
	key := devFile(t, dir, devmode.APIKeyFile)
	signed, _ := srv.sign(t, key, "profile=dev&level=B-LTA", letter(t))
	if rep := srv.verify(t, key, signed); rep.Indication != "TOTAL_PASSED" {
		t.Errorf("verify: %+v", rep)
	}
	pdfsigValid(t, signed, "software key")
	if code := srv.shutdown(t); code != 0 {
		t.Errorf("exit %d", code)
	}
	checkNoSecrets(t, dir, srv.stdout.String(), srv.stderr.String())
}
