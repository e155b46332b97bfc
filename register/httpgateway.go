package register

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	segel "github.com/segel-id/segel/client"
)

// ErrUnreachable wraps what went wrong on the way to Segel or back (a
// refused connection, a timeout, an answer cut short): Segel did not
// refuse the letter, and trying again later may succeed. It is
// client.ErrUnreachable.
var ErrUnreachable = segel.ErrUnreachable

// ErrUnexpectedAnswer is an answer that is neither a signed PDF nor one
// of Segel's problem+json refusals (a proxy's error page, a redirect). It
// is client.ErrUnexpectedAnswer.
var ErrUnexpectedAnswer = segel.ErrUnexpectedAnswer

// HTTPGateway signs through a running `segel serve`, over its
// POST /v1/sign (httpapi/openapi.yaml), as a thin adapter over package
// github.com/segel-id/segel/client.
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
	// Client makes the requests; nil: a client with a 5-minute timeout
	// (client.DefaultTimeout).
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
	if req.PDF == nil || req.Size <= 0 {
		return nil, errors.New("segel: no PDF to sign")
	}
	c := &segel.Client{BaseURL: g.BaseURL, APIKey: g.APIKey, HTTPClient: g.Client}
	opts := segel.SignOptions{Profile: req.Profile, Passphrase: req.Passphrase, Level: req.Level,
		Number: req.Number, Subject: req.Subject, Title: req.Title, NIP: req.NIP,
		Confidential: req.Confidential, ClientAddr: req.ClientAddr}
	if req.Anchor != "" {
		opts.Visible = "anchor=" + req.Anchor
	}
	signed, err := c.Sign(ctx, io.NewSectionReader(req.PDF, 0, req.Size), req.Size, opts)
	if err != nil {
		return nil, refusalError(err)
	}
	defer signed.Close()
	res := &SignResult{DocumentID: signed.DocumentID, VerifyURL: signed.VerifyURL}
	f, err := os.CreateTemp(g.TempDir, "segel-signed-*.pdf")
	if err != nil {
		return nil, fmt.Errorf("segel: receiving the signed PDF: %w", err)
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	if _, err := io.Copy(f, signed); err != nil {
		if errors.Is(err, ErrUnreachable) {
			return nil, err
		}
		return nil, fmt.Errorf("segel: receiving the signed PDF: %w", err)
	}
	if res.VerifyURL == "" {
		// A gateway older than the Segel-Verify-Url header: its register
		// record names the page.
		doc, err := c.Document(ctx, res.DocumentID)
		if err != nil {
			return nil, refusalError(err)
		}
		res.VerifyURL = doc.VerifyURL
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("segel: reading the signed PDF back: %w", err)
	}
	if res.Size, err = io.Copy(out, f); err != nil {
		return nil, fmt.Errorf("segel: writing the signed PDF: %w", err)
	}
	return res, nil
}

// refusalError turns the client's refusal into a *GatewayError; other
// errors (ErrUnreachable, ErrUnexpectedAnswer…) pass as they are.
func refusalError(err error) error {
	var ce *segel.Error
	if errors.As(err, &ce) {
		return &GatewayError{Kind: ce.Kind, Status: ce.Status, Detail: ce.Detail, RetryAfter: ce.RetryAfter}
	}
	return err
}
