package signer

import (
	"context"
	"crypto"
	"encoding"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/segel-id/segel/internal/pdf"
)

// appender writes a document as it grows by incremental updates: the
// source, then each update. It keeps the updates (small) in memory so that
// the next one can be built on the document as it stands, and keeps a
// running hash of everything written for document timestamps.
type appender struct {
	dst   io.Writer
	src   io.ReaderAt
	size  int64
	parts [][]byte
	total int64
	h     hash.Hash // running hash of the output; nil when not needed
	hash  crypto.Hash
}

// write appends an update to the output.
func (a *appender) write(data []byte) error {
	if _, err := a.dst.Write(data); err != nil {
		return fmt.Errorf("signer: writing the update: %w", err)
	}
	if a.h != nil {
		a.h.Write(data)
	}
	a.parts = append(a.parts, data)
	a.total += int64(len(data))
	return nil
}

// ReadAt reads the document as written so far.
func (a *appender) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	if off < a.size {
		k, err := a.src.ReadAt(p[:min(int64(len(p)), a.size-off)], off)
		n += k
		if err != nil && err != io.EOF {
			return n, err
		}
		if n == len(p) {
			return n, nil
		}
	}
	base := a.size
	for _, part := range a.parts {
		end := base + int64(len(part))
		if at := off + int64(n); at < end && at >= base {
			n += copy(p[n:], part[at-base:])
			if n == len(p) {
				return n, nil
			}
		}
		base = end
	}
	return n, io.EOF
}

// reader opens the document as written so far.
func (a *appender) reader() (*pdf.Reader, error) {
	r, err := pdf.Open(a, a.size+a.total, nil)
	if err != nil {
		return nil, fmt.Errorf("signer: reading back the signed document: %w", err)
	}
	return r, nil
}

// docTimestamp appends a document timestamp (PAdES B-LTA, ETSI.RFC3161)
// over the whole document as written so far.
func (a *appender) docTimestamp(ctx context.Context, ts Timestamper, now time.Time) (*sigUpdate, error) {
	if a.h == nil {
		return nil, fmt.Errorf("signer: internal error: no running hash for a document timestamp")
	}
	r, err := a.reader()
	if err != nil {
		return nil, err
	}
	state, err := readState(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	size, err := ts.TokenSize(ctx)
	if err != nil {
		return nil, fmt.Errorf("signer: document timestamp: %w", err)
	}
	up, err := buildSigUpdate(state, &Options{}, size, now, true, nil)
	if err != nil {
		return nil, err
	}
	data, _, hole, err := placeByteRange(up.res)
	if err != nil {
		return nil, err
	}
	// The digest is the running hash, continued over the update without
	// its /Contents; the running hash itself then takes the whole update.
	h, err := cloneHash(a.h, a.hash)
	if err != nil {
		return nil, err
	}
	h.Write(data[:hole[0]])
	h.Write(data[hole[1]:])
	digest := h.Sum(nil)
	token, err := ts.Timestamp(ctx, digest, a.hash)
	if err != nil {
		return nil, fmt.Errorf("signer: document timestamp: %w", err)
	}
	up.token, err = checkToken(token, digest, a.hash)
	if err != nil {
		return nil, fmt.Errorf("signer: document timestamp: %w", err)
	}
	if capacity := (hole[1] - hole[0] - 2) / 2; int64(len(token)) > capacity {
		return nil, fmt.Errorf("%w: document timestamp of %d bytes, %d reserved", ErrSignatureTooLarge, len(token), capacity)
	}
	hex.Encode(data[hole[0]+1:], token)
	if err := a.write(data); err != nil {
		return nil, err
	}
	return up, nil
}

// cloneHash returns a copy of h's state.
func cloneHash(h hash.Hash, kind crypto.Hash) (hash.Hash, error) {
	m, ok := h.(encoding.BinaryMarshaler)
	if !ok {
		return nil, fmt.Errorf("signer: internal error: %v state cannot be copied", kind)
	}
	state, err := m.MarshalBinary()
	if err != nil {
		return nil, err
	}
	c := kind.New()
	if err := c.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		return nil, err
	}
	return c, nil
}
