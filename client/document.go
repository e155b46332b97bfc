package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Document is the register record of a document the gateway signed
// (the OpenAPI document's Document schema).
type Document struct {
	ID      string `json:"id"`
	Profile string `json:"profile"`
	// Level is the PAdES level it was signed at.
	Level    string    `json:"level"`
	SignedAt time.Time `json:"signedAt"`
	// SignerName is the common name of the signing certificate; the
	// other Signer fields its subject, issuer and serial number.
	SignerName         string `json:"signerName"`
	SignerSubject      string `json:"signerSubject"`
	SignerIssuer       string `json:"signerIssuer"`
	SignerSerialNumber string `json:"signerSerialNumber"`
	// InputSHA256 and SHA256 are the hex SHA-256 of the PDF sent and of
	// the signed PDF, Size the latter's length.
	InputSHA256 string `json:"inputSha256"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	// Number, Subject, Title, NIP and Confidential are what the
	// signature's request said (SignOptions).
	Number       string `json:"number,omitempty"`
	Subject      string `json:"subject,omitempty"`
	Title        string `json:"title,omitempty"`
	NIP          string `json:"nip,omitempty"`
	Confidential bool   `json:"confidential"`
	// Stored reports whether the gateway keeps the signed file.
	Stored bool `json:"stored"`
	// VerifyURL is the citizens' page of the document, when the gateway
	// has a public base URL.
	VerifyURL string `json:"verifyUrl,omitempty"`
}

// Document reads the register record id from GET /v1/documents/{id}. A
// client sees the records of its own signatures (others are not-found)
// unless it has the operator operation.
func (c *Client) Document(ctx context.Context, id string) (*Document, error) {
	hr, err := c.newRequest(ctx, http.MethodGet, "/v1/documents/"+url.PathEscape(id), nil, nil, 0)
	if err != nil {
		return nil, err
	}
	var doc Document
	if err := c.getJSON(hr, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}
