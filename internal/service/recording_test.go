package service_test

import (
	"context"
	"crypto"
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/internal/service"
	"github.com/segel-id/segel/internal/store"
)

// countingSigner counts the signatures its key makes.
type countingSigner struct {
	crypto.Signer
	n *atomic.Int64
}

func (c countingSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	c.n.Add(1)
	return c.Signer.Sign(r, d, o)
}

// TestSignBoundsUnrecorded: while the store cannot commit (another
// connection holds SQLite's write lock), a profile makes no more than
// 8×MaxConcurrent signatures that wait to be recorded, plus the one that
// holds the slot: the other requests wait in the queue, in their order,
// instead of being signed and piled onto the store's next batch. Once the
// store commits again every request is signed and recorded.
func TestSignBoundsUnrecorded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "segel.db")
	st, err := store.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var signed atomic.Int64
	f := newFixture(t, func(o *service.Options) {
		o.Store = st
		p := o.Profiles[0]
		p.Key = &keyref.Key{Signer: countingSigner{Signer: p.Key.Signer, n: &signed}, Certificate: p.Key.Certificate, Chain: p.Key.Chain}
		p.MaxConcurrent, p.Queue, p.QueueTimeout = 1, 32, time.Minute
	})

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lock, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	locked := true
	defer func() {
		if locked {
			lock.ExecContext(ctx, "ROLLBACK")
		}
	}()

	const n = 16
	reqs := make([]*service.Request, n)
	for i := range reqs {
		reqs[i] = f.request(t, "dinas", "", "")
	}
	errs := make(chan error, n)
	for _, req := range reqs {
		go func() {
			_, err := f.svc.Sign(ctx, req)
			errs <- err
		}()
	}
	// 8 signatures wait for the store and a ninth for a place among them,
	// holding the slot.
	const want = 8*1 + 1
	for deadline := time.Now().Add(10 * time.Second); signed.Load() < want && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // time for more, were they not bounded
	if got := signed.Load(); got != want {
		t.Errorf("%d signatures made while the store cannot commit, want %d", got, want)
	}

	if _, err := lock.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	locked = false
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("once the store commits again: %v", err)
		}
	}
	if got := signed.Load(); got != n {
		t.Errorf("%d signatures in all, want %d", got, n)
	}
	if got := strings.Count(f.obs.String(), "signed dinas"); got != n {
		t.Errorf("%d signatures recorded, want %d (%s)", got, n, f.obs)
	}
}
