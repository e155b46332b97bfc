package revocation

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Guards against server-side request forgery: the URLs a Checker fetches
// come from certificates, and for /v1/augment those certificates come from
// an uploaded, untrusted PDF. See docs/decisions.md, "Gateway holes".

// redirectRefused is the error of a redirect the Checker does not follow.
type redirectRefused struct{ reason string }

func (e *redirectRefused) Error() string { return "redirect refused: " + e.reason }

// guardRedirects returns a copy of client that follows at most
// maxRedirects redirects, only to the same host (and never from https to
// http), and only to allowed hosts; it then applies client's own policy.
func (c *Checker) guardRedirects(client *http.Client) *http.Client {
	cl := *client
	prev := client.CheckRedirect
	cl.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		first := via[0].URL
		switch {
		case len(via) >= maxRedirects:
			return &redirectRefused{fmt.Sprintf("more than %d redirects", maxRedirects)}
		case !strings.EqualFold(req.URL.Hostname(), first.Hostname()):
			return &redirectRefused{"to another host"}
		case first.Scheme == "https" && req.URL.Scheme != "https":
			return &redirectRefused{"from https to http"}
		case !c.hostAllowed(req.URL.Hostname()):
			return &redirectRefused{"to a host not allowed"}
		}
		if prev != nil {
			return prev(req, via)
		}
		return nil
	}
	return &cl
}

// hostAllowed reports whether host may be fetched from (AllowedHosts).
func (c *Checker) hostAllowed(host string) bool {
	if len(c.allowedHosts) == 0 {
		return true
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, a := range c.allowedHosts {
		if suffix, ok := strings.CutPrefix(a, "*."); ok {
			if strings.HasSuffix(host, "."+suffix) {
				return true
			}
		} else if host == a {
			return true
		}
	}
	return false
}

// trustGate holds the anchors a TrustedOnly Checker checks issuers against.
type trustGate struct {
	anchors []*x509.Certificate
	roots   *x509.CertPool
	inters  *x509.CertPool
}

// TrustedOnly returns a Checker that shares c's settings, cache and
// counters but fetches only for a certificate signed by an issuer that is
// one of anchors or chains to one of them (through intermediates, which
// are not trusted themselves). What an untrusted document names (the OCSP
// responders and CRL distribution points of certificates nobody trusts) is
// then never fetched: Check, FetchOCSP and FetchCRL return an error
// matching ErrRefused instead. Without anchors, nothing is fetched.
func (c *Checker) TrustedOnly(anchors, intermediates []*x509.Certificate) *Checker {
	g := &trustGate{anchors: anchors, roots: x509.NewCertPool(), inters: x509.NewCertPool()}
	for _, a := range anchors {
		g.roots.AddCert(a)
	}
	for _, i := range intermediates {
		g.inters.AddCert(i)
	}
	d := *c
	d.trusted = g
	return &d
}

// checkTrusted refuses cert (nil for a CRL) and issuer unless the Checker
// has no trust gate, or issuer signed cert and issuer is trusted.
func (c *Checker) checkTrusted(cert, issuer *x509.Certificate) error {
	g := c.trusted
	if g == nil {
		return nil
	}
	refuse := func(why string) error {
		return &SourceError{Kind: ErrRefused, Err: errors.New(why)}
	}
	if cert != nil && cert.CheckSignatureFrom(issuer) != nil {
		return refuse(fmt.Sprintf("certificate serial %s is not signed by its issuer", serialString(cert)))
	}
	for _, a := range g.anchors {
		if bytes.Equal(a.Raw, issuer.Raw) {
			return nil
		}
	}
	opts := x509.VerifyOptions{Roots: g.roots, Intermediates: g.inters, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, CurrentTime: c.now()}
	if _, err := issuer.Verify(opts); err == nil {
		return nil
	}
	// An old document's chain may have expired since: trusted is
	// whether it chained while the issuer was valid.
	opts.CurrentTime = issuer.NotAfter.Add(-time.Second)
	if _, err := issuer.Verify(opts); err == nil {
		return nil
	}
	return refuse(fmt.Sprintf("issuer %q does not chain to a trusted anchor; nothing was fetched", issuer.Subject))
}
