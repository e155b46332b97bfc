package tsa

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/tstoken"
)

// Errors of the client. Every error wraps one of them.
var (
	// ErrUnavailable reports that no TSA answered with a valid token; it
	// wraps the error of each one tried.
	ErrUnavailable = errors.New("no timestamp authority answered with a valid token")
	// ErrRejected reports a TSA that refused the request (PKIStatus
	// rejection or waiting).
	ErrRejected = errors.New("the timestamp authority refused the request")
	// ErrInvalidToken reports an answer that failed a check: imprint,
	// nonce, signature, certificate, EKU, signing-certificate or time.
	ErrInvalidToken = errors.New("invalid timestamp token")
)

// Options configure a Client.
type Options struct {
	// URLs are the TSAs, tried in order.
	URLs []string
	// Roots are the trust anchors of the TSA certificates. Required.
	Roots *x509.CertPool
	// Intermediates are extra CA certificates for TSA paths, beside those
	// in the tokens.
	Intermediates []*x509.Certificate
	// Policy, when set, is requested and required in the token.
	Policy asn1.ObjectIdentifier
	// Username and Password are sent with HTTP Basic authentication when
	// Username is set; BearerToken as a bearer token when set.
	Username, Password, BearerToken string
	// HTTPClient is the client for requests; http.DefaultClient by default.
	HTTPClient *http.Client
	// Timeout bounds each attempt; 10 s by default.
	Timeout time.Duration
	// MaxSkew is how far genTime may be from the local clock; 2 min by default.
	MaxSkew time.Duration
	// MaxResponseSize bounds an answer; 1 MiB by default.
	MaxResponseSize int64
	// Now is the clock; time.Now by default.
	Now func() time.Time
}

// Client is an RFC 3161 client. It is safe for concurrent use.
type Client struct {
	opts Options

	mu        sync.Mutex
	tokenSize int
	stats     map[string]*URLStats
}

// URLStats are the counters of one TSA URL.
type URLStats struct {
	Requests uint64
	Failures uint64
	// Latency is the total time spent on requests.
	Latency time.Duration
	// LastError is the last failure, empty after a success.
	LastError string
}

// New returns a client for opts.
func New(opts Options) (*Client, error) {
	if len(opts.URLs) == 0 {
		return nil, errors.New("tsa: no TSA URL")
	}
	if opts.Roots == nil {
		return nil, errors.New("tsa: no trust anchors for the TSA certificates (Options.Roots)")
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = http.DefaultClient
	}
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.MaxSkew == 0 {
		opts.MaxSkew = 2 * time.Minute
	}
	if opts.MaxResponseSize == 0 {
		opts.MaxResponseSize = 1 << 20
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Client{opts: opts, stats: map[string]*URLStats{}}
	for _, u := range opts.URLs {
		c.stats[u] = &URLStats{}
	}
	return c, nil
}

// Token is a verified timestamp token.
type Token struct {
	// DER is the token: a CMS ContentInfo holding SignedData.
	DER []byte
	// GenTime is the time the TSA asserts.
	GenTime time.Time
	// Certificate is the TSA's certificate, Chain its path to an anchor.
	Certificate *x509.Certificate
	Chain       []*x509.Certificate
	// URL is the TSA that issued it.
	URL string
}

// Timestamp returns a verified token over digest (computed with h). It
// implements signer.Timestamper.
func (c *Client) Timestamp(ctx context.Context, digest []byte, h crypto.Hash) ([]byte, error) {
	t, err := c.Request(ctx, digest, h)
	if err != nil {
		return nil, err
	}
	return t.DER, nil
}

// Request asks each TSA in turn for a token over digest and returns the
// first that passes every check.
func (c *Client) Request(ctx context.Context, digest []byte, h crypto.Hash) (*Token, error) {
	req, nonce, err := newRequest(digest, h, c.opts.Policy)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, u := range c.opts.URLs {
		start := time.Now()
		t, err := c.try(ctx, u, req, digest, h, nonce)
		c.record(u, time.Since(start), err)
		if err == nil {
			return t, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", u, err))
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("%w: %w", ErrUnavailable, errors.Join(errs...))
}

// TokenSize returns an upper bound of the size of the tokens this client
// gets, measured once with a request for a random digest, plus a margin
// for the parts whose length varies (serial number, nonce, time fraction)
// and for a TSA whose chain is longer.
func (c *Client) TokenSize(ctx context.Context) (int, error) {
	c.mu.Lock()
	size := c.tokenSize
	c.mu.Unlock()
	if size > 0 {
		return size, nil
	}
	digest := make([]byte, 32)
	if _, err := rand.Read(digest); err != nil {
		return 0, err
	}
	t, err := c.Request(ctx, digest, crypto.SHA256)
	if err != nil {
		return 0, err
	}
	size = len(t.DER) + 2048
	c.mu.Lock()
	c.tokenSize = max(c.tokenSize, size)
	c.mu.Unlock()
	return size, nil
}

// Stats returns a copy of the counters of each TSA URL.
func (c *Client) Stats() map[string]URLStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]URLStats, len(c.stats))
	for u, s := range c.stats {
		out[u] = *s
	}
	return out
}

func (c *Client) record(u string, d time.Duration, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats[u]
	s.Requests++
	s.Latency += d
	if err != nil {
		s.Failures++
		s.LastError = err.Error()
	} else {
		s.LastError = ""
	}
}

func (c *Client) try(ctx context.Context, url string, req, digest []byte, h crypto.Hash, nonce *big.Int) (*Token, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(req))
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Content-Type", "application/timestamp-query")
	hr.Header.Set("Accept", "application/timestamp-reply")
	switch {
	case c.opts.Username != "":
		hr.SetBasicAuth(c.opts.Username, c.opts.Password)
	case c.opts.BearerToken != "":
		hr.Header.Set("Authorization", "Bearer "+c.opts.BearerToken)
	}
	resp, err := c.opts.HTTPClient.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP status %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxResponseSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	if int64(len(body)) > c.opts.MaxResponseSize {
		return nil, fmt.Errorf("%w: the answer exceeds %d bytes", ErrInvalidToken, c.opts.MaxResponseSize)
	}
	der, err := parseResponse(body)
	if err != nil {
		return nil, err
	}
	t, err := c.Check(der, digest, h, nonce)
	if err != nil {
		return nil, err
	}
	t.URL = url
	return t, nil
}

// parseResponse returns the token of a TimeStampResp whose status grants
// it.
func parseResponse(body []byte) ([]byte, error) {
	var r response
	rest, err := asn1.Unmarshal(body, &r)
	if err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("%w: the answer is not a TimeStampResp", ErrInvalidToken)
	}
	switch r.Status.Status {
	case 0, 1: // granted, grantedWithMods
	default:
		var fails []string
		for bit, name := range failInfoNames {
			if r.Status.FailInfo.At(bit) == 1 {
				fails = append(fails, name)
			}
		}
		return nil, fmt.Errorf("%w: status %d %s %s", ErrRejected, r.Status.Status,
			strings.Join(r.Status.StatusString, "; "), strings.Join(fails, ","))
	}
	if len(r.TimeStampToken.FullBytes) == 0 {
		return nil, fmt.Errorf("%w: granted without a token", ErrInvalidToken)
	}
	return r.TimeStampToken.FullBytes, nil
}

// Check verifies a token against the digest it should stamp and, when
// nonce is not nil, the request's nonce. It is what Request applies to
// every answer; it is exported to check tokens obtained elsewhere.
func (c *Client) Check(der, digest []byte, h crypto.Hash, nonce *big.Int) (*Token, error) {
	bad := func(format string, args ...any) (*Token, error) {
		return nil, fmt.Errorf("%w: %s", ErrInvalidToken, fmt.Sprintf(format, args...))
	}
	sd, err := cms.Parse(der)
	if err != nil {
		return bad("%v", err)
	}
	if len(sd.TrailingData) > 0 {
		return bad("%d bytes follow the token", len(sd.TrailingData))
	}
	// The checks the token itself proves are those the verifier makes
	// (internal/tstoken); the path and the clock are the client's.
	tok, err := tstoken.Validate(sd, tstoken.Options{Hash: h, Imprint: tstoken.Digest(digest), Nonce: nonce, Policy: c.opts.Policy})
	if err != nil {
		return bad("%v", err)
	}
	info, cert, certs := tok.Info, tok.Cert, tok.Certs
	inter := x509.NewCertPool()
	for _, ic := range append(certs, c.opts.Intermediates...) {
		if ic != cert {
			inter.AddCert(ic)
		}
	}
	chains, err := cert.Verify(x509.VerifyOptions{
		Roots: c.opts.Roots, Intermediates: inter, CurrentTime: info.GenTime,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
	})
	if err != nil {
		return bad("the TSA certificate %q is not trusted: %v", cert.Subject.CommonName, err)
	}
	now := c.opts.Now()
	if d := info.GenTime.Sub(now); d > c.opts.MaxSkew || d < -c.opts.MaxSkew {
		return bad("genTime %s is %v away from the local clock", info.GenTime.Format(time.RFC3339), d.Round(time.Second))
	}
	return &Token{DER: sd.Raw, GenTime: info.GenTime, Certificate: cert, Chain: chains[0][1:]}, nil
}
