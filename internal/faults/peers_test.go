//go:build faults

package faults

import (
	"encoding/base64"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segel-id/segel/testpki"
)

// tsaMode is how the fault TSA answers.
type tsaMode int32

const (
	tsaOK      tsaMode = iota
	tsaDead            // the connection is closed without an answer
	tsaSlow            // the answer comes after slowDelay, beyond the client's timeout
	tsaGarbage         // 200 application/timestamp-reply with random bytes
)

// How the fault revocation server answers OCSP requests (faultRev.ocsp).
const (
	ocspOK    = iota
	ocspDead  // the connection is closed without an answer
	ocspStale // a genuine response whose nextUpdate is past
	ocspOther // a genuine response about another certificate
)

// How it serves CRLs (faultRev.crl).
const (
	crlOK   = iota
	crlDead // the connection is closed without an answer
	crlHuge // a CRL larger than the checker's limit (10 MiB)
)

// slowDelay is how long the slow TSA waits: beyond tsa.timeout (1s) of
// the configuration the tests write.
const slowDelay = 5 * time.Second

// faultTSA is a real time-stamping authority (testpki) behind a switch
// that makes it misbehave.
type faultTSA struct {
	URL  string
	mode atomic.Int32
	hits atomic.Int64
}

func newFaultTSA(t testing.TB, pki *testpki.PKI) *faultTSA {
	t.Helper()
	id, err := pki.IssueTSA(testpki.SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	real := testpki.NewTSA(id, testpki.TSAOptions{})
	f := &faultTSA{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		switch tsaMode(f.mode.Load()) {
		case tsaDead:
			hangUp(w)
		case tsaSlow:
			select {
			case <-time.After(slowDelay):
			case <-r.Context().Done():
				return
			}
			real.ServeHTTP(w, r)
		case tsaGarbage:
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/timestamp-reply")
			b := make([]byte, 200+rand.IntN(800))
			for i := range b {
				b[i] = byte(rand.Uint32())
			}
			b[0] = 0x30 // looks like the start of a SEQUENCE
			w.Write(b)
		default:
			real.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func (f *faultTSA) set(m tsaMode) { f.mode.Store(int32(m)) }

// hangUp closes the connection without an answer: a peer that died.
func hangUp(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "dead", http.StatusBadGateway)
		return
	}
	c, _, err := hj.Hijack()
	if err == nil {
		c.Close()
	}
}

// faultRev serves the PKI's OCSP, CRLs and CA certificates (the URLs its
// certificates carry) and misbehaves as told.
type faultRev struct {
	URL       string
	pki       atomic.Pointer[testpki.PKI]
	other     atomic.Pointer[testpki.Identity] // the certificate ocspOther answers about
	ocsp, crl atomic.Int32
	ocspHits  atomic.Int64
	crlHits   atomic.Int64
}

// newFaultPKI builds a PKI whose certificates point at a faultRev.
func newFaultPKI(t testing.TB) (*testpki.PKI, *faultRev) {
	t.Helper()
	f := &faultRev{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	pki := testpki.MustNew(t, testpki.Options{BaseURL: srv.URL})
	f.pki.Store(pki)
	f.other.Store(pki.MustIssueSigner(t, testpki.SignerOptions{}))
	return pki, f
}

func (f *faultRev) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	pki := f.pki.Load()
	path := r.URL.EscapedPath()
	switch {
	case strings.HasPrefix(path, "/ocsp/"):
		f.ocspHits.Add(1)
		switch f.ocsp.Load() {
		case ocspDead:
			hangUp(w)
			return
		case ocspStale, ocspOther:
			req := ocspRequest(r)
			var resp []byte
			var err error
			if f.ocsp.Load() == ocspStale {
				// Produced three hours ago: nextUpdate (one hour later) is past.
				resp, err = pki.OCSPResponse(req, time.Now().Add(-3*time.Hour))
			} else {
				resp, err = pki.OCSPResponseFor(f.other.Load().Cert, time.Now())
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/ocsp-response")
			w.Write(resp)
			return
		}
	case strings.HasPrefix(path, "/crl/"):
		f.crlHits.Add(1)
		switch f.crl.Load() {
		case crlDead:
			hangUp(w)
			return
		case crlHuge:
			// A DER SEQUENCE announcing 12 MiB, and the 12 MiB: beyond
			// revocation.DefaultMaxCRLSize.
			n := 12 << 20
			w.Header().Set("Content-Type", "application/pkix-crl")
			w.Write([]byte{0x30, 0x84, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
			chunk := make([]byte, 64<<10)
			for sent := 0; sent < n; sent += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
			return
		}
	}
	pki.Handler().ServeHTTP(w, r)
}

// ocspRequest returns the DER OCSP request of a POST or a GET.
func ocspRequest(r *http.Request) []byte {
	if r.Method == http.MethodPost {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		return b
	}
	rest := strings.TrimPrefix(r.URL.EscapedPath(), "/ocsp/")
	_, enc, _ := strings.Cut(rest, "/")
	s, _ := url.PathUnescape(enc)
	for _, e := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := e.DecodeString(s); err == nil {
			return b
		}
	}
	return nil
}
