package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	api "github.com/segel-id/segel/httpapi"
)

// SignOptions are the parameters of POST /v1/sign.
type SignOptions struct {
	// Profile is the signing profile (required): a seal of the
	// organisation or an official's personal profile.
	Profile string
	// Passphrase unlocks a personal profile's key, sent in the
	// Segel-Passphrase header; empty for a seal. It is never logged or
	// put in an error.
	Passphrase []byte
	// Level is the PAdES level ("B-B", "B-T", "B-LT", "B-LTA"); empty:
	// the profile's.
	Level string
	// Reason and Location go into the signature dictionary.
	Reason, Location string
	// Visible places a visible stamp: "anchor=TEXT" (where the text, such
	// as "${ttd}", is in the letter), "field=NAME" (an empty signature
	// field) or "page=N;rect=X1,Y1,X2,Y2"; empty: an invisible signature.
	Visible string
	// Number, Subject, Title and NIP go into the gateway's register (and
	// the stamp): the letter's number, its perihal, the signer's jabatan
	// and NIP. Confidential (sifat rahasia) hides the perihal on the
	// citizens' page and the file from download.
	Number, Subject, Title, NIP string
	Confidential                bool
	// ClientAddr is the address of the person the request is for, sent as
	// X-Forwarded-For: the gateway counts wrong passphrases by it when
	// this client is one of its trusted proxies (trusted_proxies).
	ClientAddr string
}

// PDF is a PDF the gateway answers with, read as it arrives. Read errors
// other than io.EOF wrap ErrUnreachable (the answer was cut short).
// Close it.
type PDF struct {
	// Size is the PDF's length in bytes, or -1 when the gateway did not
	// say.
	Size int64
	// RequestID is the request's id in the gateway's log.
	RequestID string

	s *stream
}

// Read reads the PDF.
func (p *PDF) Read(b []byte) (int, error) { return p.s.Read(b) }

// Close closes the answer (before the end: the connection is dropped).
func (p *PDF) Close() error { return p.s.Close() }

// Signed is the answer of a signature: the signed PDF and where the
// gateway's register keeps it.
type Signed struct {
	// PDF is the signed PDF.
	PDF
	// DocumentID is the id in the gateway's register (Segel-Document-Id).
	DocumentID string
	// VerifyURL is the citizens' page of the document (Segel-Verify-Url,
	// the stamp's QR code), empty when the gateway has no public base
	// URL; [Client.Document] also has it.
	VerifyURL string
}

// Sign sends pdf (size bytes, or -1 when unknown) to POST /v1/sign and
// returns the signed PDF to read. An *io.SectionReader (such as
// io.NewSectionReader over a file) can be sent again by the transport
// when a connection is lost before any answer.
func (c *Client) Sign(ctx context.Context, pdf io.Reader, size int64, opts SignOptions) (*Signed, error) {
	if opts.Profile == "" {
		return nil, fmt.Errorf("segel: sign: no profile")
	}
	q := url.Values{"profile": {opts.Profile}}
	for k, v := range map[string]string{"level": opts.Level, "reason": opts.Reason, "location": opts.Location,
		"visible": opts.Visible, "number": opts.Number, "subject": opts.Subject, "title": opts.Title, "nip": opts.NIP} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if opts.Confidential {
		q.Set("confidential", "true")
	}
	hr, err := c.pdfRequest(ctx, "/v1/sign", q, pdf, size)
	if err != nil {
		return nil, err
	}
	if len(opts.Passphrase) > 0 {
		hr.Header.Set(api.PassphraseHeader, string(opts.Passphrase))
	}
	if opts.ClientAddr != "" {
		hr.Header.Set("X-Forwarded-For", opts.ClientAddr)
	}
	resp, err := c.do(hr, "application/pdf")
	if err != nil {
		return nil, err
	}
	s := &Signed{PDF: pdfAnswer(resp), DocumentID: resp.Header.Get(api.DocumentIDHeader),
		VerifyURL: resp.Header.Get(api.VerifyURLHeader)}
	if s.DocumentID == "" {
		s.Close()
		return nil, fmt.Errorf("%w: a signed PDF without %s", ErrUnexpectedAnswer, api.DocumentIDHeader)
	}
	return s, nil
}

// Augment sends pdf (size bytes, or -1) to POST /v1/augment, which
// extends its signatures to level ("B-LT" or "B-LTA"), and returns the
// augmented PDF to read.
func (c *Client) Augment(ctx context.Context, pdf io.Reader, size int64, level string) (*PDF, error) {
	hr, err := c.pdfRequest(ctx, "/v1/augment", url.Values{"level": {level}}, pdf, size)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(hr, "application/pdf")
	if err != nil {
		return nil, err
	}
	p := pdfAnswer(resp)
	return &p, nil
}

// pdfRequest is a POST of pdf to path.
func (c *Client) pdfRequest(ctx context.Context, path string, q url.Values, pdf io.Reader, size int64) (*http.Request, error) {
	if pdf == nil {
		return nil, fmt.Errorf("segel: %s: no PDF", path)
	}
	return c.newRequest(ctx, http.MethodPost, path, q, pdf, size)
}

// pdfAnswer wraps the body of a 200 application/pdf answer.
func pdfAnswer(resp *http.Response) PDF {
	return PDF{Size: resp.ContentLength, RequestID: resp.Header.Get(api.RequestIDHeader),
		s: &stream{body: resp.Body, want: resp.ContentLength}}
}
