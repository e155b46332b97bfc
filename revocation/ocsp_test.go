package revocation

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/segel-id/segel/internal/oids"
)

// world is one CA with a leaf whose AIA points at an in-Go OCSP responder
// and whose CRL DP points at an in-Go CRL server.
type world struct {
	t        *testing.T
	ca       *testCA
	leaf     *x509.Certificate
	ocsp     *ocspServer
	crl      *bytesServer
	respCert *x509.Certificate
	respKey  crypto.Signer
}

// newWorld starts the servers; respond answers OCSP requests (the CRL server
// serves an empty, current CRL until told otherwise).
func newWorld(t *testing.T, respond func(w *world, rw http.ResponseWriter, r *http.Request, req *ocspRequest)) *world {
	t.Helper()
	w := &world{t: t, ca: newCA(t, "Segel Test CA")}
	w.respCert, w.respKey = w.ca.responder(t)
	w.ocsp = newOCSPServer(t, func(rw http.ResponseWriter, r *http.Request, req *ocspRequest) {
		respond(w, rw, r, req)
	})
	now := time.Now()
	w.crl = newBytesServer(t, w.ca.crl(t, now.Add(-time.Minute), now.Add(time.Hour)))
	w.leaf, _ = w.ca.issue(t, leafOpts{ocsp: []string{w.ocsp.URL + "/ocsp"}, crl: []string{w.crl.URL + "/ca.crl"}})
	return w
}

// respondWith answers every request with fixed bytes.
func respondWith(body []byte) func(*world, http.ResponseWriter, *http.Request, *ocspRequest) {
	return func(_ *world, rw http.ResponseWriter, _ *http.Request, _ *ocspRequest) { rw.Write(body) }
}

// respondFresh signs a fresh answer of the given status for the requested
// serial, through the delegated responder.
func respondFresh(status int) func(*world, http.ResponseWriter, *http.Request, *ocspRequest) {
	return func(w *world, rw http.ResponseWriter, _ *http.Request, req *ocspRequest) {
		now := time.Now()
		rw.Write(w.ca.ocspResponse(w.t, req.TBSRequest.RequestList[0].Cert.SerialNumber, status,
			now.Add(-time.Minute), now.Add(10*time.Minute), w.respCert, w.respKey))
	}
}

func TestCheckOCSP(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   State
	}{
		{ocsp.Good, Good},
		{ocsp.Revoked, Revoked},
	} {
		t.Run(State(tc.want).String(), func(t *testing.T) {
			w := newWorld(t, respondFresh(tc.status))
			c := New(Options{})
			st, err := c.Check(context.Background(), w.leaf, w.ca.cert)
			if err != nil {
				t.Fatal(err)
			}
			if st.State != tc.want || st.Source != OCSP || st.URL != w.ocsp.URL+"/ocsp" {
				t.Fatalf("got %+v", st)
			}
			if st.Responder == nil || !st.Responder.Equal(w.respCert) {
				t.Error("delegated responder certificate not returned")
			}
			if len(st.Raw) == 0 || st.ProducedAt.IsZero() || st.NextUpdate.IsZero() {
				t.Errorf("incomplete status %+v", st)
			}
			if tc.want == Revoked && (st.Reason != ReasonKeyCompromise || st.RevokedAt.IsZero()) {
				t.Errorf("revocation details: reason %d at %v", st.Reason, st.RevokedAt)
			}
			// The raw response checks again offline, as the verifier will.
			if _, err := CheckOCSPResponse(st.Raw, w.leaf, w.ca.cert, nil); err != nil {
				t.Errorf("embedded check: %v", err)
			}
			if got := w.ocsp.methods[0]; got != http.MethodPost {
				t.Errorf("method %s, want POST by default", got)
			}
		})
	}
}

func TestCheckOCSPUnknownFallsBackToCRL(t *testing.T) {
	w := newWorld(t, respondFresh(ocsp.Unknown))
	c := New(Options{})
	st, err := c.Check(context.Background(), w.leaf, w.ca.cert)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != Good || st.Source != CRL {
		t.Fatalf("got %v from %v, want good from the CRL", st.State, st.Source)
	}
	// Without a CRL, Unknown is the answer (a result, not an error).
	w.crl.set(nil, http.StatusNotFound)
	st, err = New(Options{}).Check(context.Background(), w.leaf, w.ca.cert)
	if err != nil || st.State != Unknown || st.Source != OCSP {
		t.Fatalf("got %+v, %v; want unknown from OCSP", st, err)
	}
	// FetchOCSP, for the signer, returns Unknown as such.
	st, err = New(Options{}).FetchOCSP(context.Background(), w.leaf, w.ca.cert)
	if err != nil || st.State != Unknown {
		t.Fatalf("FetchOCSP: %+v, %v", st, err)
	}
}

func TestOCSPSignedByIssuer(t *testing.T) {
	w := newWorld(t, func(w *world, rw http.ResponseWriter, _ *http.Request, req *ocspRequest) {
		now := time.Now()
		rw.Write(w.ca.ocspResponse(w.t, req.TBSRequest.RequestList[0].Cert.SerialNumber, ocsp.Good,
			now.Add(-time.Minute), now.Add(time.Hour), nil, nil))
	})
	st, err := New(Options{}).Check(context.Background(), w.leaf, w.ca.cert)
	if err != nil || st.State != Good || st.Responder != nil {
		t.Fatalf("got %+v, %v", st, err)
	}
}

// TestOCSPRejected covers the answers that must never be trusted.
func TestOCSPRejected(t *testing.T) {
	now := time.Now()
	ca := newCA(t, "Segel Test CA")
	leaf, _ := ca.issue(t, leafOpts{})
	other, _ := ca.issue(t, leafOpts{})
	respCert, respKey := ca.responder(t)

	// A CA with the same name but another key, and one with another name.
	impostor := newCA(t, "Segel Test CA")
	otherCA := newCA(t, "Other CA")
	impostorResp, impostorRespKey := impostor.responder(t)
	noEKU, noEKUKey := ca.issue(t, leafOpts{cn: "Not a responder"})
	anyEKU, anyEKUKey := ca.issue(t, leafOpts{cn: "Any EKU", eku: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})

	good := func(signer *x509.Certificate, key crypto.Signer) []byte {
		return ca.ocspResponse(t, leaf.SerialNumber, ocsp.Good, now.Add(-time.Minute), now.Add(time.Hour), signer, key)
	}
	badSig := good(nil, nil)
	badSig = append([]byte(nil), badSig...)
	badSig[len(badSig)-3] ^= 0x40

	// CertID computed over another issuer, signed by the real CA.
	wrongIssuerHash := func(hashIssuer *x509.Certificate) []byte {
		der, err := ocsp.CreateResponse(hashIssuer, ca.cert, ocsp.Response{
			Status: ocsp.Good, SerialNumber: leaf.SerialNumber, ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour),
		}, ca.key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}

	for _, tc := range []struct {
		name string
		der  []byte
		opts *VerifyOptions
		want string
	}{
		{"another certificate", ca.ocspResponse(t, other.SerialNumber, ocsp.Good, now.Add(-time.Minute), now.Add(time.Hour), nil, nil), nil, "another certificate"},
		{"issuer key hash of another CA", wrongIssuerHash(impostor.cert), nil, "another issuer"},
		{"issuer name hash of another CA", wrongIssuerHash(otherCA.cert), nil, "another issuer"},
		{"signed by an impostor CA", impostor.ocspResponse(t, leaf.SerialNumber, ocsp.Good, now.Add(-time.Minute), now.Add(time.Hour), nil, nil), nil, "another issuer"},
		{"signed by the impostor's responder", func() []byte {
			// CertID right (computed over the real CA), signature by a
			// responder the real CA never authorised.
			der, err := ocsp.CreateResponse(ca.cert, impostorResp, ocsp.Response{
				Status: ocsp.Good, SerialNumber: leaf.SerialNumber, ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour),
				Certificate: impostorResp,
			}, impostorRespKey)
			if err != nil {
				t.Fatal(err)
			}
			return der
		}(), nil, "not an OCSP responder authorised"},
		{"right CertID, signed by an impostor's key", (&respBuilder{
			singles:    []singleResponse{goodSingle(certIDFor(t, ca.cert, leaf.SerialNumber, crypto.SHA1), now.Add(-time.Minute), now.Add(time.Hour))},
			signerName: ca.cert.RawSubject,
			key:        impostor.key,
		}).build(t), nil, "signature verifies neither"},
		{"right CertID, signed by an impostor CA embedded", (&respBuilder{
			singles:    []singleResponse{goodSingle(certIDFor(t, ca.cert, leaf.SerialNumber, crypto.SHA1), now.Add(-time.Minute), now.Add(time.Hour))},
			signerName: ca.cert.RawSubject,
			key:        impostor.key,
			certs:      [][]byte{impostor.cert.Raw},
		}).build(t), nil, "not an OCSP responder authorised"},
		{"delegated without OCSPSigning", good(noEKU, noEKUKey), nil, "id-kp-OCSPSigning"},
		{"delegated with anyExtendedKeyUsage only", good(anyEKU, anyEKUKey), nil, "id-kp-OCSPSigning"},
		{"bad signature bytes", badSig, nil, "signature verifies neither"},
		{"stale nextUpdate", ca.ocspResponse(t, leaf.SerialNumber, ocsp.Good, now.Add(-2*time.Hour), now.Add(-time.Hour), respCert, respKey), nil, "stale"},
		{"thisUpdate in the future", ca.ocspResponse(t, leaf.SerialNumber, ocsp.Good, now.Add(time.Hour), now.Add(2*time.Hour), respCert, respKey), nil, "not yet valid"},
		{"older than MaxAge", ca.ocspResponse(t, leaf.SerialNumber, ocsp.Good, now.Add(-3*time.Hour), now.Add(time.Hour), respCert, respKey), &VerifyOptions{MaxAge: time.Hour}, "stale"},
		{"garbage", []byte("<html>503</html>"), nil, "malformed"},
		{"trailing data", append(good(nil, nil), 0), nil, "trailing data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := CheckOCSPResponse(tc.der, leaf, ca.cert, tc.opts)
			t.Log(err)
			if err == nil {
				t.Fatalf("accepted: %+v", st)
			}
			if !errors.Is(err, ErrInvalidResponse) || errors.Is(err, ErrUnavailable) {
				t.Errorf("error %v does not match ErrInvalidResponse alone", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "revocation: ocsp: invalid response: ") {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			var se *SourceError
			if !errors.As(err, &se) || se.Source != OCSP {
				t.Errorf("error %T is not an OCSP *SourceError", err)
			}
		})
	}

	// The same responses are fine where they belong.
	if _, err := CheckOCSPResponse(good(respCert, respKey), leaf, ca.cert, nil); err != nil {
		t.Errorf("good response rejected: %v", err)
	}
	if _, err := CheckOCSPResponse(impostor.ocspResponse(t, leaf.SerialNumber, ocsp.Good, now.Add(-time.Minute), now.Add(time.Hour), nil, nil), leafOf(t, impostor, leaf.SerialNumber), impostor.cert, nil); err != nil {
		t.Errorf("impostor's own response rejected for its own certificate: %v", err)
	}
	// A stale response is fine at a past time it covered.
	stale := ca.ocspResponse(t, leaf.SerialNumber, ocsp.Good, now.Add(-2*time.Hour), now.Add(-time.Hour), respCert, respKey)
	if _, err := CheckOCSPResponse(stale, leaf, ca.cert, &VerifyOptions{CurrentTime: now.Add(-90 * time.Minute)}); err != nil {
		t.Errorf("stale response at a covered time: %v", err)
	}
	// Data issued after a past validation time, with AllowIssuedAfter.
	if _, err := CheckOCSPResponse(good(nil, nil), leaf, ca.cert, &VerifyOptions{CurrentTime: now.Add(-48 * time.Hour), AllowIssuedAfter: true}); err != nil {
		t.Errorf("later response for a past time: %v", err)
	}
}

func leafOf(t *testing.T, ca *testCA, serial *big.Int) *x509.Certificate {
	c, _ := ca.issue(t, leafOpts{serial: serial})
	return c
}

func TestOCSPErrorStatus(t *testing.T) {
	ca := newCA(t, "Segel Test CA")
	leaf, _ := ca.issue(t, leafOpts{})
	_, err := CheckOCSPResponse(ocsp.TryLaterErrorResponse, leaf, ca.cert, nil)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "try later") {
		t.Fatalf("tryLater: %v", err)
	}
}

// TestOCSPSeveralResponses: the matching single response is found among
// others, by serial number and issuer hashes.
func TestOCSPSeveralResponses(t *testing.T) {
	now := time.Now()
	ca := newCA(t, "Segel Test CA")
	impostor := newCA(t, "Segel Test CA")
	leaf, _ := ca.issue(t, leafOpts{})
	revokedOther := singleResponse{
		CertID:     certIDFor(t, impostor.cert, leaf.SerialNumber, crypto.SHA1),
		Revoked:    revokedInfo{RevocationTime: now.Add(-time.Hour).UTC().Truncate(time.Second)},
		ThisUpdate: now.UTC().Truncate(time.Second),
	}
	b := respBuilder{
		singles: []singleResponse{
			revokedOther,
			goodSingle(certIDFor(t, ca.cert, leaf.SerialNumber, crypto.SHA256), now.Add(-time.Minute), now.Add(time.Hour)),
		},
		signerName: ca.cert.RawSubject,
		key:        ca.key,
	}
	st, err := CheckOCSPResponse(b.build(t), leaf, ca.cert, nil)
	if err != nil || st.State != Good {
		t.Fatalf("got %+v, %v; want the good answer of the matching CertID", st, err)
	}
}

func TestOCSPCriticalExtension(t *testing.T) {
	now := time.Now()
	ca := newCA(t, "Segel Test CA")
	leaf, _ := ca.issue(t, leafOpts{})
	b := respBuilder{
		singles:    []singleResponse{goodSingle(certIDFor(t, ca.cert, leaf.SerialNumber, crypto.SHA1), now.Add(-time.Minute), now.Add(time.Hour))},
		extensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Critical: true, Value: asn1.NullBytes}},
		signerName: ca.cert.RawSubject,
		key:        ca.key,
	}
	if _, err := CheckOCSPResponse(b.build(t), leaf, ca.cert, nil); !errors.Is(err, ErrInvalidResponse) {
		t.Fatalf("critical extension: %v", err)
	}
}

func TestOCSPNonce(t *testing.T) {
	ca := newCA(t, "Segel Test CA")
	for _, tc := range []struct {
		name    string
		echo    func(sent []byte) []byte // value of the response's nonce extension; nil: none
		wantErr bool
	}{
		{"echoed", func(sent []byte) []byte { return sent }, false},
		{"ignored", nil, false},
		{"echoed bare", func(sent []byte) []byte {
			var n []byte
			asn1.Unmarshal(sent, &n)
			return n
		}, false},
		{"mismatch", func(sent []byte) []byte { v, _ := asn1.Marshal([]byte("0123456789abcdef")); return v }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newOCSPServer(t, func(rw http.ResponseWriter, r *http.Request, req *ocspRequest) {
				now := time.Now()
				b := respBuilder{
					singles:    []singleResponse{{CertID: req.TBSRequest.RequestList[0].Cert, Good: true, ThisUpdate: now.UTC().Truncate(time.Second)}},
					signerName: ca.cert.RawSubject,
					key:        ca.key,
				}
				for _, ext := range req.TBSRequest.RequestExtensions {
					if ext.Id.Equal(oids.OCSPNonce) && tc.echo != nil {
						b.extensions = append(b.extensions, pkix.Extension{Id: oids.OCSPNonce, Value: tc.echo(ext.Value)})
					}
				}
				rw.Write(b.build(t))
			})
			leaf, _ := ca.issue(t, leafOpts{ocsp: []string{srv.URL}})
			st, err := New(Options{OCSPNonce: true}).Check(context.Background(), leaf, ca.cert)
			if len(srv.nonces) != 1 {
				t.Fatalf("%d nonces sent", len(srv.nonces))
			}
			var n []byte
			if rest, err := asn1.Unmarshal(srv.nonces[0], &n); err != nil || len(rest) > 0 || len(n) != nonceSize {
				t.Errorf("nonce not an OCTET STRING of %d bytes: %x", nonceSize, srv.nonces[0])
			}
			if tc.wantErr {
				if !errors.Is(err, ErrInvalidResponse) || !strings.Contains(err.Error(), "nonce") {
					t.Fatalf("got %v, want a nonce mismatch", err)
				}
				return
			}
			if err != nil || st.State != Good {
				t.Fatalf("got %+v, %v", st, err)
			}
		})
	}
}

func TestOCSPGet(t *testing.T) {
	t.Run("GET", func(t *testing.T) {
		w := newWorld(t, respondFresh(ocsp.Good))
		st, err := New(Options{OCSPGet: true, OCSPNonce: true}).Check(context.Background(), w.leaf, w.ca.cert)
		if err != nil || st.State != Good {
			t.Fatalf("got %+v, %v", st, err)
		}
		if len(w.ocsp.methods) != 1 || w.ocsp.methods[0] != http.MethodGet {
			t.Fatalf("methods %v, want one GET", w.ocsp.methods)
		}
	})
	t.Run("fallback to POST", func(t *testing.T) {
		w := newWorld(t, func(w *world, rw http.ResponseWriter, r *http.Request, req *ocspRequest) {
			if r.Method == http.MethodGet {
				http.Error(rw, "GET not supported", http.StatusMethodNotAllowed)
				return
			}
			respondFresh(ocsp.Good)(w, rw, r, req)
		})
		c := New(Options{OCSPGet: true})
		st, err := c.Check(context.Background(), w.leaf, w.ca.cert)
		if err != nil || st.State != Good {
			t.Fatalf("got %+v, %v", st, err)
		}
		if got := strings.Join(w.ocsp.methods, ","); got != "GET,POST" {
			t.Fatalf("methods %s, want GET,POST", got)
		}
		if s := c.Stats().OCSP; s.Requests != 2 || s.Errors != 0 {
			t.Errorf("stats %+v", s)
		}
	})
}

func TestOCSPUnavailable(t *testing.T) {
	big := bytes.Repeat([]byte{0x30}, 2000) // sent with a Content-Length
	for _, tc := range []struct {
		name    string
		handler func(*world, http.ResponseWriter, *http.Request, *ocspRequest)
		opts    Options
		want    string
		is      error
	}{
		{"HTTP 500", func(_ *world, rw http.ResponseWriter, _ *http.Request, _ *ocspRequest) {
			http.Error(rw, "boom", http.StatusInternalServerError)
		}, Options{}, "500", nil},
		{"tryLater", respondWith(ocsp.TryLaterErrorResponse), Options{}, "try later", nil},
		{"timeout", func(_ *world, _ http.ResponseWriter, r *http.Request, _ *ocspRequest) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, Options{Timeout: 100 * time.Millisecond}, "timeout", context.DeadlineExceeded},
		{"oversize", respondWith(big), Options{MaxResponseSize: 1024}, "exceeds the limit", nil},
		{"oversize, streamed", func(_ *world, rw http.ResponseWriter, _ *http.Request, _ *ocspRequest) {
			for range 4 {
				rw.Write(big[:1000])
				rw.(http.Flusher).Flush() // no Content-Length: chunked
			}
		}, Options{MaxResponseSize: 1024}, "exceeds the limit", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, tc.handler)
			w.crl.set(nil, http.StatusServiceUnavailable)
			c := New(tc.opts)
			start := time.Now()
			st, err := c.Check(context.Background(), w.leaf, w.ca.cert)
			t.Log(err)
			if err == nil {
				t.Fatalf("got %+v", st)
			}
			if time.Since(start) > 3*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrInvalidResponse) {
				t.Errorf("error %v does not match ErrUnavailable alone", err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not match %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), w.ocsp.URL) || !strings.Contains(err.Error(), w.crl.URL) {
				t.Errorf("error %q does not name %q and both URLs", err, tc.want)
			}
			var ce *CheckError
			if !errors.As(err, &ce) || len(ce.Errors) != 2 || ce.Errors[0].Source != OCSP || ce.Errors[1].Source != CRL {
				t.Errorf("error %#v is not a CheckError with one OCSP and one CRL error", err)
			}
			if s := c.Stats(); s.OCSP.Errors != 1 || s.CRL.Errors != 1 || s.OCSP.Latency.Count != 1 {
				t.Errorf("stats %+v", s)
			}
		})
	}
}

func TestOCSPCallerContext(t *testing.T) {
	release := make(chan struct{})
	w := newWorld(t, func(w *world, rw http.ResponseWriter, r *http.Request, req *ocspRequest) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		respondFresh(ocsp.Good)(w, rw, r, req)
	})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := New(Options{}).Check(ctx, w.leaf, w.ca.cert)
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	var ce *CheckError
	if errors.As(err, &ce) && len(ce.Errors) != 1 {
		t.Errorf("went on to the CRL after the context ended: %v", err)
	}
}

// TestDelegatedResponderRevocation: a responder certificate without
// id-pkix-ocsp-nocheck is checked against its CRL.
func TestDelegatedResponderRevocation(t *testing.T) {
	ca := newCA(t, "Segel Test CA")
	now := time.Now()
	crlSrv := newBytesServer(t, nil)
	respCert, respKey := ca.issue(t, leafOpts{cn: "Responder", eku: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}, crl: []string{crlSrv.URL}})
	srv := newOCSPServer(t, func(rw http.ResponseWriter, _ *http.Request, req *ocspRequest) {
		rw.Write(ca.ocspResponse(t, req.TBSRequest.RequestList[0].Cert.SerialNumber, ocsp.Good, now.Add(-time.Minute), now.Add(time.Hour), respCert, respKey))
	})
	leaf, _ := ca.issue(t, leafOpts{ocsp: []string{srv.URL}})

	crlSrv.set(ca.crl(t, now.Add(-time.Minute), now.Add(time.Hour)), http.StatusOK)
	if st, err := New(Options{}).Check(context.Background(), leaf, ca.cert); err != nil || st.State != Good {
		t.Fatalf("responder not revoked: %+v, %v", st, err)
	}
	crlSrv.set(ca.crl(t, now.Add(-time.Minute), now.Add(time.Hour), respCert.SerialNumber), http.StatusOK)
	_, err := New(Options{}).Check(context.Background(), leaf, ca.cert)
	t.Log(err)
	if !errors.Is(err, ErrInvalidResponse) || !strings.Contains(err.Error(), "responder certificate") {
		t.Fatalf("revoked responder: %v", err)
	}
	crlSrv.set(nil, http.StatusNotFound)
	_, err = New(Options{}).Check(context.Background(), leaf, ca.cert)
	t.Log(err)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "cannot check the responder") {
		t.Fatalf("responder CRL unavailable: %v", err)
	}
}
