package revocation

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"strings"
	"time"
)

// maxGETRequestLen is RFC 5019's bound on the encoded request sent with GET.
const maxGETRequestLen = 255

// fetchOCSP asks the responder at url about cert and checks the answer.
func (c *Checker) fetchOCSP(ctx context.Context, url string, cert, issuer *x509.Certificate) (*Status, *SourceError) {
	req, nonce, err := newOCSPRequest(cert, issuer, c.ocspNonce)
	if err != nil {
		return nil, &SourceError{Source: OCSP, URL: url, Kind: ErrUnavailable, Err: fmt.Errorf("building request: %w", err)}
	}
	var body []byte
	var serr *SourceError
	if enc := ocspGETPath(req); c.ocspGet && len(enc) < maxGETRequestLen {
		body, serr = c.do(ctx, &c.stats.ocsp, http.MethodGet, strings.TrimSuffix(url, "/")+"/"+enc, nil, c.maxResponseSize)
		if serr != nil && ctx.Err() == nil {
			// Some responders do not implement GET: try POST.
			body, serr = c.do(ctx, &c.stats.ocsp, http.MethodPost, url, req, c.maxResponseSize)
		}
	} else {
		body, serr = c.do(ctx, &c.stats.ocsp, http.MethodPost, url, req, c.maxResponseSize)
	}
	if serr != nil {
		serr.Source, serr.URL = OCSP, url
		return nil, serr
	}
	st, serr := checkOCSP(body, cert, issuer, c.verifyOptions(nonce))
	if serr == nil {
		serr = c.checkResponder(ctx, st.Responder, issuer)
	}
	if serr != nil {
		serr.Source, serr.URL = OCSP, url
		return nil, serr
	}
	st.URL = url
	return st, nil
}

// checkResponder checks that a delegated responder's certificate is not
// revoked, through its CRL distribution points (never OCSP, which could
// loop), unless it carries id-pkix-ocsp-nocheck. A responder certificate
// naming no CRL is accepted: its issuer gave no way to check it.
func (c *Checker) checkResponder(ctx context.Context, responder, issuer *x509.Certificate) *SourceError {
	if responder == nil || hasNoCheck(responder) {
		return nil
	}
	urls := httpURLs(responder.CRLDistributionPoints)
	if len(urls) == 0 {
		return nil
	}
	var last *SourceError
	for _, u := range urls {
		st, err := c.crlStatus(ctx, u, responder, issuer)
		if err != nil {
			last = err
			continue
		}
		if st.State == Revoked {
			return invalid("responder certificate %q was revoked at %s", responder.Subject,
				st.RevokedAt.UTC().Format(time.RFC3339))
		}
		return nil
	}
	return &SourceError{Kind: last.Kind, Err: fmt.Errorf("cannot check the responder certificate %q: %w", responder.Subject, nested{last})}
}

// ocspGETPath returns the request as the last path segment of a GET URL
// (RFC 6960, appendix A.1): base64, with '+', '/' and '=' percent-encoded,
// which responders that decode '+' as a space also read right.
func ocspGETPath(req []byte) string {
	return strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(base64.StdEncoding.EncodeToString(req))
}

// get fetches url with GET, for CRLs.
func (c *Checker) get(ctx context.Context, s *kindStats, url string, limit int64) ([]byte, *SourceError) {
	body, err := c.do(ctx, s, http.MethodGet, url, nil, limit)
	if err != nil {
		err.Source, err.URL = CRL, url
	}
	return body, err
}

// do sends one HTTP request and returns the body of a 200 response, read up
// to limit bytes.
func (c *Checker) do(ctx context.Context, s *kindStats, method, url string, body []byte, limit int64) ([]byte, *SourceError) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, unavailable(err)
	}
	if !c.hostAllowed(req.URL.Hostname()) {
		return nil, &SourceError{Kind: ErrRefused, Err: fmt.Errorf("host %q is not in the allowed hosts", req.URL.Hostname())}
	}
	if s == &c.stats.ocsp {
		req.Header.Set("Accept", "application/ocsp-response")
		if body != nil {
			req.Header.Set("Content-Type", "application/ocsp-request")
		}
	}
	start := time.Now()
	s.requests.Add(1)
	defer func() { s.observe(time.Since(start)) }()

	resp, err := c.client.Do(req)
	if err != nil {
		var refused *redirectRefused
		if errors.As(err, &refused) {
			return nil, &SourceError{Kind: ErrRefused, Err: refused}
		}
		return nil, unavailable(cleanURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096)) // let the connection be reused
		return nil, unavailable(fmt.Errorf("%s: HTTP status %s", method, resp.Status))
	}
	if resp.ContentLength > limit {
		return nil, unavailable(fmt.Errorf("response of %d bytes exceeds the limit of %d", resp.ContentLength, limit))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, unavailable(fmt.Errorf("reading response: %w", err))
	}
	if int64(len(data)) > limit {
		return nil, unavailable(fmt.Errorf("response exceeds the limit of %d bytes", limit))
	}
	return data, nil
}

// cleanURLError drops the URL from a *url.Error, which SourceError already
// names (a GET request's URL holds the whole encoded request), keeping the
// cause for errors.Is (context.DeadlineExceeded, …).
func cleanURLError(err error) error {
	var ue *neturl.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("%s: timeout: %w", strings.ToUpper(ue.Op), ue.Err)
		}
		return fmt.Errorf("%s: %w", strings.ToUpper(ue.Op), ue.Err)
	}
	return err
}
