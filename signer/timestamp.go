package signer

import (
	"context"
	"crypto"
	"fmt"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/tstoken"
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

// checkToken validates a token that a Timestamper returned for digest
// (computed with h) with the validator that package tsa and the verifier
// use (internal/tstoken): its signature, the ESS signing-certificate
// binding of the TSA certificate, the critical timeStamping extended key
// usage, and the message imprint. A Timestamper other than tsa.Client may
// check less; Segel embeds no token that its verifier would reject.
func checkToken(token, digest []byte, h crypto.Hash) (*tstoken.Token, error) {
	sd, err := cms.Parse(token)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTimestamp, err)
	}
	tok, err := tstoken.Validate(sd, tstoken.Options{Hash: h, Imprint: tstoken.Digest(digest)})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTimestamp, err)
	}
	return tok, nil
}
