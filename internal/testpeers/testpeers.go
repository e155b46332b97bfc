// Package testpeers runs independent protocol peers for tests: OpenSSL's
// OCSP responder (`openssl ocsp`) and OpenSSL's time-stamp authority
// (`openssl ts -reply`) behind a small HTTP wrapper, so that Segel's
// clients are proven against implementations that are not Segel's own.
package testpeers

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testenv"
)

// IndexEntry is one certificate in the OCSP responder's index.txt.
type IndexEntry struct {
	Serial    *big.Int
	RevokedAt time.Time // zero: valid
}

// Relay is an HTTP reverse proxy whose target is set after it starts, so
// that a certificate can name a responder's URL before the responder runs.
type Relay struct {
	URL    string
	target atomic.Pointer[url.URL]
}

// NewRelay starts a relay, closed when the test ends.
func NewRelay(t testing.TB) *Relay {
	t.Helper()
	r := &Relay{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		u := r.target.Load()
		if u == nil {
			http.Error(w, "relay: no target yet", http.StatusServiceUnavailable)
			return
		}
		httputil.NewSingleHostReverseProxy(u).ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// SetTarget points the relay at target.
func (r *Relay) SetTarget(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	r.target.Store(u)
	return nil
}

func writePEM(t testing.TB, dir, name, typ string, ders ...[]byte) string {
	t.Helper()
	var b bytes.Buffer
	for _, d := range ders {
		pem.Encode(&b, &pem.Block{Type: typ, Bytes: d})
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeKey(t testing.TB, dir, name string, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, dir, name, "PRIVATE KEY", der)
}

// OpenSSLOCSP runs `openssl ocsp` answering for ca's certificates listed
// in index, signing with the responder certificate and key (a delegated
// responder, or the CA itself). It returns the responder's URL.
func OpenSSLOCSP(t testing.TB, ca, responder *x509.Certificate, key crypto.Signer, index []IndexEntry) string {
	t.Helper()
	bin := testenv.Tool(t, "openssl")
	dir := t.TempDir()
	var idx strings.Builder
	expiry := time.Now().Add(24 * time.Hour).UTC().Format("060102150405Z")
	for _, e := range index {
		serial := fmt.Sprintf("%X", e.Serial)
		if len(serial)%2 == 1 {
			serial = "0" + serial
		}
		if e.RevokedAt.IsZero() {
			fmt.Fprintf(&idx, "V\t%s\t\t%s\tunknown\t/CN=%s\n", expiry, serial, serial)
		} else {
			fmt.Fprintf(&idx, "R\t%s\t%s\t%s\tunknown\t/CN=%s\n", expiry, e.RevokedAt.UTC().Format("060102150405Z"), serial, serial)
		}
	}
	indexPath := filepath.Join(dir, "index.txt")
	if err := os.WriteFile(indexPath, []byte(idx.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "ocsp", "-index", indexPath, "-port", "0",
		"-CA", writePEM(t, dir, "ca.pem", "CERTIFICATE", ca.Raw),
		"-rsigner", writePEM(t, dir, "responder.pem", "CERTIFICATE", responder.Raw),
		"-rkey", writeKey(t, dir, "responder.key", key),
		"-nmin", "10", "-rmd", "sha256", "-ignore_err")
	cmd.Dir = dir
	out, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	port := make(chan string, 1)
	var log syncBuffer
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			log.WriteString(line + "\n")
			// "ACCEPT [::]:40391 PID=1234" or "ACCEPT 0.0.0.0:40391 PID=1234"
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "ACCEPT" {
				if i := strings.LastIndex(f[1], ":"); i >= 0 {
					port <- f[1][i+1:]
				}
			}
		}
		close(port)
	}()
	select {
	case p, ok := <-port:
		if !ok {
			t.Fatalf("openssl ocsp exited:\n%s", log.String())
		}
		return "http://127.0.0.1:" + p
	case <-time.After(10 * time.Second):
		t.Fatalf("openssl ocsp did not listen:\n%s", log.String())
	}
	return ""
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) WriteString(v string) {
	s.mu.Lock()
	s.b.WriteString(v)
	s.mu.Unlock()
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// OpenSSLTSA serves `openssl ts -reply` over HTTP: each POSTed
// TimeStampReq is answered by a new openssl process signing with the TSA
// certificate and key, embedding chain. It returns the TSA's URL.
func OpenSSLTSA(t testing.TB, cert *x509.Certificate, key crypto.Signer, chain []*x509.Certificate) string {
	t.Helper()
	bin := testenv.Tool(t, "openssl")
	dir := t.TempDir()
	var chainDER [][]byte
	for _, c := range chain {
		chainDER = append(chainDER, c.Raw)
	}
	if err := os.WriteFile(filepath.Join(dir, "serial"), []byte("01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`[ tsa ]
default_tsa = tsa1
[ tsa1 ]
dir = %s
serial = $dir/serial
crypto_device = builtin
signer_cert = %s
certs = %s
signer_key = %s
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`, dir, writePEM(t, dir, "tsa.pem", "CERTIFICATE", cert.Raw),
		writePEM(t, dir, "chain.pem", "CERTIFICATE", chainDER...), writeKey(t, dir, "tsa.key", key))
	cfgPath := filepath.Join(dir, "tsa.cnf")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex // openssl ts keeps its serial in a file
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST a TimeStampReq", http.StatusMethodNotAllowed)
			return
		}
		req, err := os.CreateTemp(dir, "req")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer os.Remove(req.Name())
		if _, err := req.ReadFrom(http.MaxBytesReader(w, r.Body, 64<<10)); err != nil {
			req.Close()
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req.Close()
		mu.Lock()
		out, err := exec.Command(bin, "ts", "-reply", "-config", cfgPath, "-queryfile", req.Name()).Output()
		mu.Unlock()
		if err != nil {
			http.Error(w, "openssl ts: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
