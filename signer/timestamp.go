package signer

import (
	"context"
	"crypto"
)

// Timestamper obtains RFC 3161 timestamp tokens: the signature timestamp of
// PAdES-BASELINE-T and the document timestamps of B-LTA. Package tsa's
// client implements it.
type Timestamper interface {
	// Timestamp returns a verified timestamp token (DER ContentInfo) whose
	// message imprint is digest, computed with h.
	Timestamp(ctx context.Context, digest []byte, h crypto.Hash) ([]byte, error)
	// TokenSize returns an upper bound of the DER size of the tokens it
	// returns, used to reserve space before the key signs.
	TokenSize(ctx context.Context) (int, error)
}
