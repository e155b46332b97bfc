package testpki

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/ocsp"
)

// maxOCSPRequest bounds the body of an OCSP POST; a request for one
// certificate is about a hundred bytes.
const maxOCSPRequest = 64 << 10

// Handler returns an HTTP handler serving p's revocation data at the paths
// that issued certificates point to (relative to [Options.BaseURL]; mount
// it with http.StripPrefix when BaseURL has a path):
//
//	POST /ocsp/{ca}                   OCSP, body application/ocsp-request (RFC 6960, appendix A.1)
//	GET  /ocsp/{ca}/{base64 request}  OCSP, the request base64- and URL-encoded
//	GET  /crl/{ca}.crl                a fresh CRL, application/pkix-crl
//	GET  /ca/{ca}.crt                 the CA certificate, application/pkix-cert
//
// where {ca} is [RootName] or [IssuingName]. OCSP responses and CRLs are
// produced at the time of [Options.Now]. Malformed OCSP requests get the
// malformedRequest status, requests about another PKI's certificates the
// unauthorized status.
func (p *PKI) Handler() http.Handler {
	return http.HandlerFunc(p.serveHTTP)
}

// MustNewServer builds a PKI whose [Options.BaseURL] is a new
// httptest.Server serving [PKI.Handler], closed when the test ends.
func MustNewServer(t testing.TB, opts Options) (*PKI, *httptest.Server) {
	t.Helper()
	var ready atomic.Pointer[PKI] // set once the PKI knows the server's URL
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := ready.Load()
		if p == nil {
			http.Error(w, "testpki: PKI not ready", http.StatusServiceUnavailable)
			return
		}
		p.serveHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	opts.BaseURL = srv.URL
	p := MustNew(t, opts)
	ready.Store(p)
	return p, srv
}

// serveHTTP routes by hand rather than with http.ServeMux, which would
// clean (and so corrupt) base64 requests holding "//".
func (p *PKI) serveHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	switch {
	case strings.HasPrefix(path, "/ocsp/"):
		p.serveOCSP(w, r, strings.TrimPrefix(path, "/ocsp/"))
	case strings.HasPrefix(path, "/crl/") && strings.HasSuffix(path, ".crl"):
		p.serveCRL(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/crl/"), ".crl"))
	case strings.HasPrefix(path, "/ca/") && strings.HasSuffix(path, ".crt"):
		p.serveCACert(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/ca/"), ".crt"))
	default:
		http.NotFound(w, r)
	}
}

func (p *PKI) serveOCSP(w http.ResponseWriter, r *http.Request, rest string) {
	name, encoded, _ := strings.Cut(rest, "/")
	if p.CA(name) == nil {
		http.NotFound(w, r)
		return
	}
	var req []byte
	switch r.Method {
	case http.MethodPost:
		if encoded != "" {
			http.NotFound(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxOCSPRequest))
		if err != nil {
			writeOCSP(w, ocsp.MalformedRequestErrorResponse)
			return
		}
		req = body
	case http.MethodGet:
		s, err := url.PathUnescape(encoded)
		if err != nil || s == "" {
			writeOCSP(w, ocsp.MalformedRequestErrorResponse)
			return
		}
		if req, err = decodeBase64(s); err != nil {
			writeOCSP(w, ocsp.MalformedRequestErrorResponse)
			return
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	parsed, err := ocsp.ParseRequest(req)
	if err != nil {
		writeOCSP(w, ocsp.MalformedRequestErrorResponse)
		return
	}
	resp, err := p.ocspRespond(parsed, p.now())
	switch {
	case errors.Is(err, ErrUnknownIssuer):
		writeOCSP(w, ocsp.UnauthorizedErrorResponse)
	case err != nil:
		writeOCSP(w, ocsp.InternalErrorErrorResponse)
	default:
		writeOCSP(w, resp)
	}
}

// decodeBase64 accepts the standard and URL-safe alphabets, padded or not.
func decodeBase64(s string) ([]byte, error) {
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		var b []byte
		if b, err = enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, err
}

func writeOCSP(w http.ResponseWriter, resp []byte) {
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Write(resp)
}

func (p *PKI) serveCRL(w http.ResponseWriter, r *http.Request, name string) {
	ca := p.CA(name)
	if ca == nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		http.NotFound(w, r)
		return
	}
	crl, err := p.CRL(ca, p.now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	w.Write(crl)
}

func (p *PKI) serveCACert(w http.ResponseWriter, r *http.Request, name string) {
	ca := p.CA(name)
	if ca == nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-cert")
	w.Write(ca.Cert.Raw)
}
