package client

import (
	"context"
	"io"

	"github.com/segel-id/segel/verify"
)

// Verify sends pdf (size bytes, or -1 when unknown) to POST /v1/verify
// and returns the gateway's report on every signature. A signature that
// fails is in the report (its Indication), not an error: an error means
// that there is no report.
func (c *Client) Verify(ctx context.Context, pdf io.Reader, size int64) (*verify.Report, error) {
	hr, err := c.pdfRequest(ctx, "/v1/verify", nil, pdf, size)
	if err != nil {
		return nil, err
	}
	var rep verify.Report
	if err := c.getJSON(hr, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}
