package register

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// The headers of Segel's /v1/sign (httpapi/openapi.yaml).
const (
	passphraseHeader = "Segel-Passphrase"
	documentIDHeader = "Segel-Document-Id"
	verifyURLHeader  = "Segel-Verify-Url"
)

// ErrUnreachable wraps what went wrong on the way to Segel or back (a
// refused connection, a timeout, an answer cut short): Segel did not
// refuse the letter, and trying again later may succeed.
var ErrUnreachable = errors.New("segel: the gateway cannot be reached")

// ErrUnexpectedAnswer is an answer that is neither a signed PDF nor one
// of Segel's problem+json refusals (a proxy's error page, a redirect).
var ErrUnexpectedAnswer = errors.New("segel: unexpected answer from the gateway")

// maxProblem bounds the problem+json body read from a refusal.
const maxProblem = 64 << 10

// defaultTimeout bounds a signature over HTTP when Client is nil: a
// B-LTA signature calls the TSA twice and fetches revocation data.
const defaultTimeout = 5 * time.Minute

// HTTPGateway signs through a running `segel serve`, over its
// POST /v1/sign (httpapi/openapi.yaml).
//
// The signed PDF is first received into a temporary file and copied to
// out only once it has come whole: on any failure (a refusal, a transport
// error, an answer cut short) nothing is written to out. Only a failure
// of out itself while copying leaves part of the PDF there.
//
// Redirects are not followed: the passphrase goes to BaseURL and nowhere
// else.
type HTTPGateway struct {
	// BaseURL is Segel's address, such as "https://segel.example.go.id".
	BaseURL string
	// APIKey is the register's API key (a client allowed to sign with the
	// officials' profiles).
	APIKey string
	// Client makes the requests; nil: a client with a 5-minute timeout.
	Client *http.Client
	// TempDir is where signed PDFs are received; os.TempDir() when empty.
	TempDir string
}

// Sign implements Gateway: it sends req.PDF to /v1/sign with the
// official's passphrase in the Segel-Passphrase header and req.ClientAddr
// in X-Forwarded-For (Segel believes it only from a trusted proxy, see
// its trusted_proxies), and writes the signed PDF to out. A refusal is a
// *GatewayError; a transport failure wraps ErrUnreachable.
func (g *HTTPGateway) Sign(ctx context.Context, req *SignRequest, out io.Writer) (*SignResult, error) {
	hr, err := g.request(ctx, req)
	if err != nil {
		return nil, err
	}
	resp, err := g.client().Do(hr)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, refusal(resp)
	}
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct != "application/pdf" {
		return nil, fmt.Errorf("%w: %d %s", ErrUnexpectedAnswer, resp.StatusCode, ct)
	}
	res := &SignResult{DocumentID: resp.Header.Get(documentIDHeader), VerifyURL: resp.Header.Get(verifyURLHeader)}
	if res.DocumentID == "" {
		return nil, fmt.Errorf("%w: no %s header", ErrUnexpectedAnswer, documentIDHeader)
	}
	f, err := os.CreateTemp(g.TempDir, "segel-signed-*.pdf")
	if err != nil {
		return nil, fmt.Errorf("segel: receiving the signed PDF: %w", err)
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	n, err := io.Copy(f, resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: receiving the signed PDF: %w", ErrUnreachable, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return nil, fmt.Errorf("%w: the signed PDF came with %d of %d bytes", ErrUnreachable, n, resp.ContentLength)
	}
	if res.VerifyURL == "" {
		// A gateway older than the Segel-Verify-Url header: its register
		// record names the page.
		if res.VerifyURL, err = g.verifyURL(ctx, res.DocumentID); err != nil {
			return nil, err
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("segel: reading the signed PDF back: %w", err)
	}
	if res.Size, err = io.Copy(out, f); err != nil {
		return nil, fmt.Errorf("segel: writing the signed PDF: %w", err)
	}
	return res, nil
}

// request builds the POST /v1/sign of req.
func (g *HTTPGateway) request(ctx context.Context, req *SignRequest) (*http.Request, error) {
	if req.PDF == nil || req.Size <= 0 {
		return nil, errors.New("segel: no PDF to sign")
	}
	u, err := g.endpoint("/v1/sign")
	if err != nil {
		return nil, err
	}
	q := url.Values{"profile": {req.Profile}}
	if req.Level != "" {
		q.Set("level", req.Level)
	}
	if req.Anchor != "" {
		q.Set("visible", "anchor="+req.Anchor)
	}
	for k, v := range map[string]string{"number": req.Number, "subject": req.Subject, "title": req.Title, "nip": req.NIP} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if req.Confidential {
		q.Set("confidential", "true")
	}
	u.RawQuery = q.Encode()
	body := func() io.Reader { return io.NewSectionReader(req.PDF, 0, req.Size) }
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), body())
	if err != nil {
		return nil, fmt.Errorf("segel: %w", err)
	}
	hr.ContentLength = req.Size
	hr.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(body()), nil }
	hr.Header.Set("Content-Type", "application/pdf")
	hr.Header.Set("Accept", "application/pdf, application/problem+json")
	g.authorize(hr)
	if len(req.Passphrase) > 0 {
		hr.Header.Set(passphraseHeader, string(req.Passphrase))
	}
	if req.ClientAddr != "" {
		hr.Header.Set("X-Forwarded-For", req.ClientAddr)
	}
	return hr, nil
}

// endpoint returns the URL of path under BaseURL.
func (g *HTTPGateway) endpoint(path string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(g.BaseURL, "/") + path)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("segel: the gateway's address %q is not an http(s) URL", g.BaseURL)
	}
	return u, nil
}

func (g *HTTPGateway) authorize(hr *http.Request) {
	if g.APIKey != "" {
		hr.Header.Set("Authorization", "Bearer "+g.APIKey)
	}
}

// client returns Client (or the default) without following redirects.
func (g *HTTPGateway) client() *http.Client {
	c := http.Client{Timeout: defaultTimeout}
	if g.Client != nil {
		c = *g.Client
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// verifyURL asks the register record of document id for its page.
func (g *HTTPGateway) verifyURL(ctx context.Context, id string) (string, error) {
	u, err := g.endpoint("/v1/documents/" + url.PathEscape(id))
	if err != nil {
		return "", err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("segel: %w", err)
	}
	g.authorize(hr)
	resp, err := g.client().Do(hr)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", refusal(resp)
	}
	var doc struct {
		VerifyURL string `json:"verifyUrl"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxProblem)).Decode(&doc); err != nil {
		return "", fmt.Errorf("%w: the register record: %w", ErrUnexpectedAnswer, err)
	}
	return doc.VerifyURL, nil
}

// refusal turns an answer other than 200 into an error: a *GatewayError
// for a problem+json, ErrUnexpectedAnswer otherwise.
func refusal(resp *http.Response) error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxProblem))
	if err != nil {
		return fmt.Errorf("%w: reading a %d answer: %w", ErrUnreachable, resp.StatusCode, err)
	}
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct != "application/problem+json" {
		return fmt.Errorf("%w: %s", ErrUnexpectedAnswer, resp.Status)
	}
	var p struct {
		Type   string `json:"type"`
		Detail string `json:"detail"`
	}
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&p); err != nil || p.Type == "" {
		return fmt.Errorf("%w: %s with an unreadable problem", ErrUnexpectedAnswer, resp.Status)
	}
	kind := p.Type[strings.LastIndexByte(p.Type, '/')+1:]
	return &GatewayError{Kind: kind, Status: resp.StatusCode, Detail: p.Detail,
		RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
}

// retryAfter reads a Retry-After header (RFC 9110, 10.2.3): seconds or an
// HTTP date; zero when absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		return time.Duration(min(max(s, 0), 1<<31)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
