package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultTimeout bounds a whole exchange (sending the PDF, the signature,
// receiving the answer) when Client.HTTPClient is nil: a B-LTA signature
// calls a time-stamping authority twice and fetches revocation data.
const DefaultTimeout = 5 * time.Minute

// maxJSON bounds a JSON answer (a verification report, a register
// record); maxProblem a problem+json refusal.
const (
	maxJSON    = 32 << 20
	maxProblem = 64 << 10
)

// Client calls one Segel gateway. Its zero value is not usable: set
// BaseURL (and APIKey). A Client is safe for concurrent use; do not change
// its fields while it is in use.
type Client struct {
	// BaseURL is the gateway's address, such as
	// "https://segel.example.go.id" (a trailing slash is ignored).
	BaseURL string
	// APIKey is the client system's API key (`segel clients add`).
	APIKey string
	// HTTPClient makes the requests; nil: one with DefaultTimeout. Its
	// CheckRedirect is replaced: redirects are never followed.
	HTTPClient *http.Client
}

// endpoint returns the URL of path under BaseURL.
func (c *Client) endpoint(path string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(c.BaseURL, "/") + path)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("segel: the gateway's address %q is not an http(s) URL", c.BaseURL)
	}
	return u, nil
}

// newRequest builds a request to path with query q; pdf, when not nil,
// is the body, of size bytes (-1: unknown, sent chunked).
func (c *Client) newRequest(ctx context.Context, method, path string, q url.Values, pdf io.Reader, size int64) (*http.Request, error) {
	u, err := c.endpoint(path)
	if err != nil {
		return nil, err
	}
	u.RawQuery = q.Encode()
	hr, err := http.NewRequestWithContext(ctx, method, u.String(), pdf)
	if err != nil {
		return nil, fmt.Errorf("segel: %w", err)
	}
	if pdf != nil {
		if size >= 0 {
			hr.ContentLength = size
		}
		if sr, ok := pdf.(*io.SectionReader); ok {
			// Resendable (the transport retries a request whose
			// connection was lost before any answer).
			ra, off, n := sr.Outer()
			start, _ := sr.Seek(0, io.SeekCurrent)
			hr.GetBody = func() (io.ReadCloser, error) {
				return io.NopCloser(io.NewSectionReader(ra, off+start, n-start)), nil
			}
		}
		hr.Header.Set("Content-Type", "application/pdf")
	}
	if c.APIKey != "" {
		hr.Header.Set("Authorization", "Bearer "+c.APIKey)
	}
	return hr, nil
}

// do sends hr and returns the answer when its status is 200 and its
// media type is want; otherwise it closes the answer and returns the
// refusal.
func (c *Client) do(hr *http.Request, want string) (*http.Response, error) {
	hr.Header.Set("Accept", want+", application/problem+json")
	resp, err := c.httpClient().Do(hr)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, refusal(resp)
	}
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct != want {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %d %s, not %s", ErrUnexpectedAnswer, resp.StatusCode, ct, want)
	}
	return resp, nil
}

// getJSON reads the JSON answer of hr into v.
func (c *Client) getJSON(hr *http.Request, v any) error {
	resp, err := c.do(hr, "application/json")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxJSON+1))
	if err != nil {
		return fmt.Errorf("%w: reading the answer: %w", ErrUnreachable, err)
	}
	if len(data) > maxJSON {
		return fmt.Errorf("%w: an answer of more than %d bytes", ErrUnexpectedAnswer, maxJSON)
	}
	if err := jsonDecode(bytes.NewReader(data), v); err != nil {
		return fmt.Errorf("%w: %w", ErrUnexpectedAnswer, err)
	}
	return nil
}

// httpClient returns HTTPClient (or the default) without following
// redirects.
func (c *Client) httpClient() *http.Client {
	hc := http.Client{Timeout: DefaultTimeout}
	if c.HTTPClient != nil {
		hc = *c.HTTPClient
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

// stream is the body of a PDF answer: its read errors, other than the
// end, wrap ErrUnreachable (an answer cut short).
type stream struct {
	body io.ReadCloser
	n    int64
	want int64 // Content-Length, or -1
}

func (s *stream) Read(p []byte) (int, error) {
	n, err := s.body.Read(p)
	s.n += int64(n)
	switch {
	case err == io.EOF && s.want >= 0 && s.n != s.want:
		return n, fmt.Errorf("%w: the PDF came with %d of %d bytes", ErrUnreachable, s.n, s.want)
	case err != nil && err != io.EOF:
		return n, fmt.Errorf("%w: receiving the PDF: %w", ErrUnreachable, err)
	}
	return n, err
}

func (s *stream) Close() error { return s.body.Close() }
