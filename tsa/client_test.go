package tsa_test

import (
	"context"
	"crypto"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/tsa"
)

func digestOf(s string) []byte {
	d := sha256.Sum256([]byte(s))
	return d[:]
}

// newTSA serves a testpki TSA on loopback.
func newTSA(t *testing.T, pki *testpki.PKI, opts testpki.TSAOptions) (*testpki.TSA, string) {
	t.Helper()
	id, err := pki.IssueTSA(testpki.SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ts := testpki.NewTSA(id, opts)
	srv := httptest.NewServer(ts)
	t.Cleanup(srv.Close)
	return ts, srv.URL
}

func TestTimestampFromTestTSA(t *testing.T) {
	pki := testpki.MustNew(t, testpki.Options{})
	_, url := newTSA(t, pki, testpki.TSAOptions{})
	c, err := tsa.New(tsa.Options{URLs: []string{url}, Roots: pki.Roots()})
	if err != nil {
		t.Fatal(err)
	}
	d := digestOf("surat")
	tok, err := c.Request(context.Background(), d, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(tok.GenTime) > time.Minute || tok.Certificate == nil || tok.URL != url {
		t.Errorf("token: genTime %v, cert %v, url %q", tok.GenTime, tok.Certificate, tok.URL)
	}
	sd, err := cms.Parse(tok.DER)
	if err != nil {
		t.Fatal(err)
	}
	info, err := sd.TSTInfo()
	if err != nil {
		t.Fatal(err)
	}
	if string(info.MessageImprint.HashedMessage) != string(d) {
		t.Error("the token does not stamp the digest asked for")
	}
	size, err := c.TokenSize(context.Background())
	if err != nil || size < len(tok.DER) {
		t.Errorf("TokenSize = %d, %v; a token is %d bytes", size, err, len(tok.DER))
	}
	st := c.Stats()[url]
	if st.Requests != 2 || st.Failures != 0 {
		t.Errorf("stats %+v, want 2 requests and no failure", st)
	}
}

func TestTamperedAnswersAreRejected(t *testing.T) {
	pki := testpki.MustNew(t, testpki.Options{})
	other := testpki.MustNew(t, testpki.Options{})
	cases := []struct {
		name string
		pki  *testpki.PKI
		opts testpki.TSAOptions
		want string
	}{
		{"wrong nonce", pki, testpki.TSAOptions{WrongNonce: true}, "nonce"},
		{"wrong imprint", pki, testpki.TSAOptions{WrongImprint: true}, "imprint"},
		{"untrusted TSA", other, testpki.TSAOptions{}, "not trusted"},
		{"clock far off", pki, testpki.TSAOptions{Now: func() time.Time { return time.Now().Add(-time.Hour) }}, "genTime"},
		{"rejection", pki, testpki.TSAOptions{Reject: true}, "refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, url := newTSA(t, tc.pki, tc.opts)
			c, err := tsa.New(tsa.Options{URLs: []string{url}, Roots: pki.Roots()})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Timestamp(context.Background(), digestOf("x"), crypto.SHA256)
			if !errors.Is(err, tsa.ErrUnavailable) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrUnavailable mentioning %q", err, tc.want)
			}
		})
	}
}

func TestTSAWithoutCriticalEKUIsRejected(t *testing.T) {
	pki := testpki.MustNew(t, testpki.Options{})
	// A signer certificate with a non-critical timeStamping EKU is not a
	// TSA certificate.
	id, err := pki.IssueSigner(testpki.SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(testpki.NewTSA(id, testpki.TSAOptions{}))
	defer srv.Close()
	c, _ := tsa.New(tsa.Options{URLs: []string{srv.URL}, Roots: pki.Roots()})
	_, err = c.Timestamp(context.Background(), digestOf("x"), crypto.SHA256)
	if !errors.Is(err, tsa.ErrUnavailable) || !strings.Contains(err.Error(), "extended key usage") {
		t.Fatalf("err = %v, want a rejection for the extended key usage", err)
	}
}

func TestFailover(t *testing.T) {
	pki := testpki.MustNew(t, testpki.Options{})
	var downHits atomic.Int32
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		downHits.Add(1)
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	slow, slowURL := newTSA(t, pki, testpki.TSAOptions{Delay: 2 * time.Second})
	_ = slow
	_, good := newTSA(t, pki, testpki.TSAOptions{})
	c, _ := tsa.New(tsa.Options{URLs: []string{down.URL, slowURL, good}, Roots: pki.Roots(), Timeout: 200 * time.Millisecond})
	tok, err := c.Request(context.Background(), digestOf("x"), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if tok.URL != good || downHits.Load() != 1 {
		t.Errorf("token from %s after %d hits on the failing TSA", tok.URL, downHits.Load())
	}
	st := c.Stats()
	if st[down.URL].Failures != 1 || st[slowURL].Failures != 1 || st[good].Failures != 0 {
		t.Errorf("stats: %+v", st)
	}
	if !strings.Contains(st[slowURL].LastError, "deadline") {
		t.Errorf("slow TSA error %q, want a timeout", st[slowURL].LastError)
	}
}

func TestAuthentication(t *testing.T) {
	pki := testpki.MustNew(t, testpki.Options{})
	ts, _ := newTSA(t, pki, testpki.TSAOptions{})
	var gotAuth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth.Store(r.Header.Get("Authorization"))
		if r.Header.Get("Content-Type") != "application/timestamp-query" {
			http.Error(w, "content type", http.StatusBadRequest)
			return
		}
		ts.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c, _ := tsa.New(tsa.Options{URLs: []string{srv.URL}, Roots: pki.Roots(), BearerToken: "rahasia-token"})
	if _, err := c.Timestamp(context.Background(), digestOf("x"), crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	if gotAuth.Load() != "Bearer rahasia-token" {
		t.Errorf("Authorization %q", gotAuth.Load())
	}
	c, _ = tsa.New(tsa.Options{URLs: []string{srv.URL}, Roots: pki.Roots(), Username: "serang", Password: "sandi-rahasia"})
	if _, err := c.Timestamp(context.Background(), digestOf("x"), crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	if a, _ := gotAuth.Load().(string); !strings.HasPrefix(a, "Basic ") {
		t.Errorf("Authorization %q, want Basic", a)
	}
	// Secrets never appear in errors.
	c, _ = tsa.New(tsa.Options{URLs: []string{"http://127.0.0.1:1/tsa"}, Roots: pki.Roots(), Password: "sandi-rahasia", Username: "u", BearerToken: "rahasia-token"})
	_, err := c.Timestamp(context.Background(), digestOf("x"), crypto.SHA256)
	if err == nil || strings.Contains(err.Error(), "rahasia") {
		t.Errorf("err = %v", err)
	}
}

// TestOpenSSLTSA checks the client against an independent TSA: `openssl ts
// -reply` behind a small HTTP wrapper.
func TestOpenSSLTSA(t *testing.T) {
	openssl := testenv.Tool(t, "openssl")
	pki := testpki.MustNew(t, testpki.Options{})
	id, err := pki.IssueTSA(testpki.SignerOptions{KeyType: testpki.RSA2048})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyPEM, err := id.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("tsa.pem", id.CertPEM())
	write("tsa.key", keyPEM)
	write("chain.pem", id.ChainPEM())
	write("serial", []byte("01\n"))
	cfg := write("tsa.cnf", []byte(`[ tsa ]
default_tsa = tsa1
[ tsa1 ]
dir = `+dir+`
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/chain.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`))
	var tamper atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.CreateTemp(dir, "req")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer os.Remove(f.Name())
		if _, err := f.ReadFrom(r.Body); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		f.Close()
		out, err := exec.Command(openssl, "ts", "-reply", "-config", cfg, "-queryfile", f.Name()).Output()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		if tamper.Load() {
			out[len(out)-5] ^= 0x01 // inside the signature value
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(out)
	}))
	defer srv.Close()
	c, _ := tsa.New(tsa.Options{URLs: []string{srv.URL}, Roots: pki.Roots()})
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		hh := h.New()
		hh.Write([]byte("surat keluar"))
		tok, err := c.Request(context.Background(), hh.Sum(nil), h)
		if err != nil {
			t.Fatalf("%v: %v", h, err)
		}
		if tok.Certificate.Subject.CommonName != id.Cert.Subject.CommonName {
			t.Errorf("TSA %q", tok.Certificate.Subject.CommonName)
		}
	}
	tamper.Store(true)
	if _, err := c.Timestamp(context.Background(), digestOf("x"), crypto.SHA256); !errors.Is(err, tsa.ErrInvalidToken) {
		t.Errorf("tampered openssl token: err = %v, want ErrInvalidToken", err)
	}
}
