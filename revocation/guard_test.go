package revocation

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRedirectsStayOnHost: a responder's redirect to another host is not
// followed (the other host gets no request); one to the same host is.
func TestRedirectsStayOnHost(t *testing.T) {
	w := newWorld(t, respondFresh(0))
	var hits atomic.Int64
	inside := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(inside.Close)
	// "localhost" and "127.0.0.1" are two hosts to the redirect policy.
	other := strings.Replace(inside.URL, "127.0.0.1", "localhost", 1)
	redirector := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/same" {
			http.Redirect(rw, r, w.ocsp.URL+"/ocsp", http.StatusTemporaryRedirect) // w.ocsp is on 127.0.0.1 too
			return
		}
		http.Redirect(rw, r, other+"/internal", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirector.Close)

	leaf, _ := w.ca.issue(t, leafOpts{ocsp: []string{redirector.URL + "/away"}})
	_, err := New(Options{}).Check(context.Background(), leaf, w.ca.cert)
	if !errors.Is(err, ErrRefused) || hits.Load() != 0 {
		t.Fatalf("redirect to another host: %v, %d requests there", err, hits.Load())
	}
	leaf, _ = w.ca.issue(t, leafOpts{ocsp: []string{redirector.URL + "/same"}})
	if st, err := New(Options{}).Check(context.Background(), leaf, w.ca.cert); err != nil || st.State != Good {
		t.Fatalf("redirect on the same host: %v %v", st, err)
	}
}

// TestAllowedHosts: with an allow-list, other hosts are refused without a
// connection; names match exactly or under a "*." suffix.
func TestAllowedHosts(t *testing.T) {
	w := newWorld(t, respondFresh(0))
	c := New(Options{AllowedHosts: []string{"ocsp.bsre.go.id", "*.serangkab.go.id"}})
	if _, err := c.Check(context.Background(), w.leaf, w.ca.cert); !errors.Is(err, ErrRefused) {
		t.Fatalf("host not allowed: %v", err)
	}
	if n := w.ocsp.requests.Load() + w.crl.requests.Load(); n != 0 {
		t.Fatalf("%d requests to hosts not allowed", n)
	}
	for host, want := range map[string]bool{"ocsp.bsre.go.id": true, "OCSP.BSRE.GO.ID": true, "a.serangkab.go.id": true,
		"serangkab.go.id": false, "evil.ocsp.bsre.go.id": false, "127.0.0.1": false, "xserangkab.go.id": false} {
		if got := c.hostAllowed(host); got != want {
			t.Errorf("hostAllowed(%q) = %v", host, got)
		}
	}
	if c := New(Options{AllowedHosts: []string{"127.0.0.1"}}); !c.hostAllowed("127.0.0.1") {
		t.Error("allowed host refused")
	} else if st, err := c.Check(context.Background(), w.leaf, w.ca.cert); err != nil || st.State != Good {
		t.Errorf("allowed host: %v %v", st, err)
	}
}

// TestTrustedOnly: a TrustedOnly checker fetches nothing for a
// certificate whose issuer is not trusted (what an uploaded PDF names),
// and fetches as usual for one that chains to an anchor.
func TestTrustedOnly(t *testing.T) {
	w := newWorld(t, respondFresh(0))
	base := New(Options{})
	other := newCA(t, "Trusted Root")
	c := base.TrustedOnly([]*x509.Certificate{other.cert}, nil)
	if _, err := c.Check(context.Background(), w.leaf, w.ca.cert); !errors.Is(err, ErrRefused) {
		t.Fatalf("untrusted issuer, Check: %v", err)
	}
	if _, err := c.FetchOCSP(context.Background(), w.leaf, w.ca.cert); !errors.Is(err, ErrRefused) {
		t.Fatalf("untrusted issuer, FetchOCSP: %v", err)
	}
	if _, err := c.FetchCRL(context.Background(), w.crl.URL, w.ca.cert); !errors.Is(err, ErrRefused) {
		t.Fatalf("untrusted issuer, FetchCRL: %v", err)
	}
	if n := w.ocsp.requests.Load() + w.crl.requests.Load(); n != 0 {
		t.Fatalf("%d requests for an untrusted certificate", n)
	}
	// The issuer is an anchor itself, or an intermediate under one.
	if st, err := base.TrustedOnly([]*x509.Certificate{w.ca.cert}, nil).Check(context.Background(), w.leaf, w.ca.cert); err != nil || st.State != Good {
		t.Fatalf("anchor issuer: %v %v", st, err)
	}
	mid, midKey := w.ca.issue(t, leafOpts{cn: "Intermediate", isCA: true})
	midCA := &testCA{cert: mid, key: midKey}
	leaf, _ := midCA.issue(t, leafOpts{crl: []string{w.crl.URL + "/x.crl"}})
	if _, err := base.TrustedOnly([]*x509.Certificate{w.ca.cert}, nil).Check(context.Background(), leaf, mid); errors.Is(err, ErrRefused) {
		t.Fatalf("intermediate under an anchor refused: %v", err)
	}
	// A certificate that merely names a trusted issuer is not signed by it.
	forged, _ := other.issue(t, leafOpts{ocsp: []string{w.ocsp.URL + "/ocsp"}})
	forged.RawIssuer = w.ca.cert.RawSubject
	before := w.ocsp.requests.Load()
	if _, err := base.TrustedOnly([]*x509.Certificate{w.ca.cert}, nil).Check(context.Background(), forged, w.ca.cert); !errors.Is(err, ErrRefused) || w.ocsp.requests.Load() != before {
		t.Fatalf("forged issuer name: %v", err)
	}
}
