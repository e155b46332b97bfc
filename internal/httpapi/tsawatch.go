package httpapi

import (
	"context"
	"crypto"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/segel-id/segel/tsa"
)

// tsaFresh is how long the outcome of a real timestamp request stands for
// the TSA's readiness; older, /readyz probes the TSA (at most that often).
const tsaFresh = time.Minute

// probeDigest is what a readiness probe asks the TSA to timestamp.
var probeDigest = sha256.Sum256([]byte("segel readiness probe"))

// tsaWatch is the TSA client as the server uses it: it records the
// outcome of every timestamp request, which /readyz reports, instead of
// the token size the client measured once.
type tsaWatch struct {
	ts  *tsa.Client
	now func() time.Time

	mu  sync.Mutex
	at  time.Time
	err error
}

// Timestamp implements signer.Timestamper and records the outcome; a
// request whose caller gave up says nothing about the TSA.
func (t *tsaWatch) Timestamp(ctx context.Context, digest []byte, h crypto.Hash) ([]byte, error) {
	der, err := t.ts.Timestamp(ctx, digest, h)
	if ctx.Err() == nil {
		t.record(err)
	}
	return der, err
}

// TokenSize implements signer.Timestamper. Only its failures are
// recorded: a success may come from the size measured once.
func (t *tsaWatch) TokenSize(ctx context.Context) (int, error) {
	n, err := t.ts.TokenSize(ctx)
	if err != nil && ctx.Err() == nil {
		t.record(err)
	}
	return n, err
}

func (t *tsaWatch) record(err error) {
	t.mu.Lock()
	t.at, t.err = t.now(), err
	t.mu.Unlock()
}

// health reports the TSA as it is now: fine when a timestamp request
// succeeded less than tsaFresh ago; otherwise (none lately, or the last
// one failed) as a probe within ctx finds it.
func (t *tsaWatch) health(ctx context.Context) error {
	t.mu.Lock()
	at, err := t.at, t.err
	t.mu.Unlock()
	if !at.IsZero() && err == nil && t.now().Sub(at) < tsaFresh {
		return nil
	}
	_, err = t.ts.Timestamp(ctx, probeDigest[:], crypto.SHA256)
	t.record(err)
	return err
}
