package revocation

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/oids"
	"github.com/segel-id/segel/internal/testenv"
)

// opensslResponder is `openssl ocsp` answering from an index file: an
// independent OCSP implementation speaking to ours over loopback HTTP.
type opensslResponder struct {
	url string
	mu  sync.Mutex
	log bytes.Buffer
}

// indexEntry is one line of openssl's index.txt.
type indexEntry struct {
	serial    *big.Int
	revokedAt time.Time // zero: valid
	reason    string    // openssl's name, such as "keyCompromise"
}

const opensslTime = "060102150405Z"

func writeIndex(t *testing.T, dir string, entries []indexEntry) string {
	t.Helper()
	var b strings.Builder
	expiry := time.Now().Add(24 * time.Hour).UTC().Format(opensslTime)
	for _, e := range entries {
		serial := fmt.Sprintf("%X", e.serial)
		if len(serial)%2 == 1 {
			serial = "0" + serial
		}
		if e.revokedAt.IsZero() {
			fmt.Fprintf(&b, "V\t%s\t\t%s\tunknown\t/CN=%s\n", expiry, serial, serial)
		} else {
			fmt.Fprintf(&b, "R\t%s\t%s,%s\t%s\tunknown\t/CN=%s\n", expiry, e.revokedAt.UTC().Format(opensslTime), e.reason, serial, serial)
		}
	}
	path := filepath.Join(dir, "index.txt")
	writeTestFile(t, path, []byte(b.String()))
	return path
}

func writeTestFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func writeCertAndKey(t *testing.T, dir, name string, cert *x509.Certificate, key crypto.Signer) (certPath, keyPath string) {
	t.Helper()
	certPath = filepath.Join(dir, name+".pem")
	writeTestFile(t, certPath, pemEncode("CERTIFICATE", cert.Raw))
	if key != nil {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		keyPath = filepath.Join(dir, name+".key")
		writeTestFile(t, keyPath, pemEncode("PRIVATE KEY", der))
	}
	return certPath, keyPath
}

// startOpenSSLResponder runs `openssl ocsp` on a port the kernel picks
// (-port 0; openssl prints it), signing with signer/key for CA ca.
func startOpenSSLResponder(t *testing.T, ca *testCA, signer *x509.Certificate, key crypto.Signer, index []indexEntry, extra ...string) *opensslResponder {
	t.Helper()
	bin := testenv.Tool(t, "openssl")
	dir := t.TempDir()
	caPath, _ := writeCertAndKey(t, dir, "ca", ca.cert, nil)
	rsigner, rkey := writeCertAndKey(t, dir, "responder", signer, key)
	args := append([]string{"ocsp", "-index", writeIndex(t, dir, index), "-port", "0",
		"-rsigner", rsigner, "-rkey", rkey, "-CA", caPath, "-nmin", "5", "-rmd", "sha256", "-ignore_err"}, extra...)

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		r.Close()
	})

	resp := &opensslResponder{}
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			line := sc.Text()
			resp.mu.Lock()
			resp.log.WriteString(line + "\n")
			resp.mu.Unlock()
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
			t.Fatalf("openssl ocsp exited before listening:\n%s", resp.output())
		}
		resp.url = "http://127.0.0.1:" + p
	case <-time.After(10 * time.Second):
		t.Fatalf("openssl ocsp did not listen within 10s:\n%s", resp.output())
	}
	return resp
}

func (r *opensslResponder) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.String()
}

func TestOpenSSLResponder(t *testing.T) {
	testenv.Tool(t, "openssl")
	ca := newCA(t, "Segel Test CA")
	respCert, respKey := ca.responder(t)
	goodSerial, revokedSerial, unknownSerial := nextSerial(), nextSerial(), nextSerial()
	revokedAt := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	index := []indexEntry{{serial: goodSerial}, {serial: revokedSerial, revokedAt: revokedAt, reason: "keyCompromise"}}

	for _, rc := range []struct {
		name    string
		signer  *x509.Certificate
		key     crypto.Signer
		extra   []string
		options Options
	}{
		{name: "delegated responder, POST", signer: respCert, key: respKey},
		{name: "delegated responder, GET with nonce", signer: respCert, key: respKey, options: Options{OCSPGet: true, OCSPNonce: true}},
		{name: "CA signs, responder ID by key", signer: ca.cert, key: ca.key, extra: []string{"-resp_key_id", "-resp_no_certs"}, options: Options{OCSPNonce: true}},
	} {
		t.Run(rc.name, func(t *testing.T) {
			srv := startOpenSSLResponder(t, ca, rc.signer, rc.key, index, rc.extra...)
			issue := func(serial *big.Int) *x509.Certificate {
				c, _ := ca.issue(t, leafOpts{serial: serial, ocsp: []string{srv.url}})
				return c
			}
			good, revoked, unknown := issue(goodSerial), issue(revokedSerial), issue(unknownSerial)
			c := New(rc.options)
			ctx := context.Background()

			st, err := c.Check(ctx, good, ca.cert)
			if err != nil {
				t.Fatalf("good: %v\nopenssl:\n%s", err, srv.output())
			}
			if st.State != Good || st.Source != OCSP || st.NextUpdate.Sub(st.ThisUpdate) != 5*time.Minute {
				t.Errorf("good: got %+v", st)
			}
			if delegated := rc.signer != ca.cert; delegated != (st.Responder != nil) {
				t.Errorf("Responder %v, want delegated %v", st.Responder != nil, delegated)
			}
			if rc.options.OCSPNonce && !hasResponseNonce(t, st.Raw) {
				t.Error("openssl did not echo the nonce")
			}

			st, err = c.Check(ctx, revoked, ca.cert)
			if err != nil {
				t.Fatalf("revoked: %v", err)
			}
			if st.State != Revoked || !st.RevokedAt.Equal(revokedAt) || st.Reason != ReasonKeyCompromise {
				t.Errorf("revoked: got %v at %v reason %d, want revoked at %v reason 1", st.State, st.RevokedAt, st.Reason, revokedAt)
			}

			st, err = c.Check(ctx, unknown, ca.cert)
			if err != nil || st.State != Unknown {
				t.Errorf("unknown: got %+v, %v", st, err)
			}

			// openssl's answer about one certificate is no answer about another.
			goodStatus, err := c.FetchOCSP(ctx, good, ca.cert) // from the cache
			if err != nil {
				t.Fatal(err)
			}
			// One request per certificate: a GET that failed over to POST
			// would count two.
			if s := c.Stats().OCSP; s.Requests != 3 || s.Errors != 0 || s.CacheHits != 1 {
				t.Errorf("stats %+v", s)
			}
			_, err = CheckOCSPResponse(goodStatus.Raw, revoked, ca.cert, nil)
			if !errors.Is(err, ErrInvalidResponse) || !strings.Contains(err.Error(), "another certificate") {
				t.Errorf("response about another certificate: %v", err)
			}
			replay := newBytesServer(t, goodStatus.Raw)
			revokedViaReplay, _ := ca.issue(t, leafOpts{serial: revokedSerial, ocsp: []string{replay.URL}})
			if _, err := New(Options{}).Check(ctx, revokedViaReplay, ca.cert); !errors.Is(err, ErrInvalidResponse) {
				t.Errorf("replayed answer about another certificate: %v", err)
			}
		})
	}
}

// TestOpenSSLUnauthorisedResponder: openssl signing with keys the CA never
// authorised; the answers are well-formed and about the right certificate.
func TestOpenSSLUnauthorisedResponder(t *testing.T) {
	testenv.Tool(t, "openssl")
	ca := newCA(t, "Segel Test CA")
	serial := nextSerial()
	impostor := newCA(t, "Segel Test CA")
	impostorResp, impostorRespKey := impostor.responder(t)
	selfSigned := newCA(t, "OCSP Responder")
	noEKU, noEKUKey := ca.issue(t, leafOpts{cn: "Just a signer"})

	for _, tc := range []struct {
		name   string
		signer *x509.Certificate
		key    crypto.Signer
		want   string
	}{
		{"self-signed responder", selfSigned.cert, selfSigned.key, "is issued by"},
		{"responder of an impostor CA with the same name", impostorResp, impostorRespKey, "not signed by the issuer"},
		{"impostor CA itself", impostor.cert, impostor.key, "not signed by the issuer"},
		{"certificate of the CA without OCSPSigning", noEKU, noEKUKey, "id-kp-OCSPSigning"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startOpenSSLResponder(t, ca, tc.signer, tc.key, []indexEntry{{serial: serial}})
			leaf, _ := ca.issue(t, leafOpts{serial: serial, ocsp: []string{srv.url}})
			st, err := New(Options{}).Check(context.Background(), leaf, ca.cert)
			if err == nil {
				t.Fatalf("accepted %+v", st)
			}
			t.Log(err)
			if !errors.Is(err, ErrInvalidResponse) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), srv.url) {
				t.Fatalf("error %q, want ErrInvalidResponse saying %q", err, tc.want)
			}
		})
	}
}

// hasResponseNonce reports whether the OCSP response carries a nonce.
func hasResponseNonce(t *testing.T, der []byte) bool {
	t.Helper()
	var resp responseASN1
	var basic basicResponse
	if _, err := asn1.Unmarshal(der, &resp); err != nil {
		t.Fatal(err)
	}
	if _, err := asn1.Unmarshal(resp.Response.Response, &basic); err != nil {
		t.Fatal(err)
	}
	for _, ext := range basic.TBSResponseData.ResponseExtensions {
		if ext.Id.Equal(oids.OCSPNonce) {
			return true
		}
	}
	return false
}
