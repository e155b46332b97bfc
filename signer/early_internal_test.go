package signer

import (
	"context"
	"crypto"
	"crypto/sha256"
	"io"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/testpki"
)

// countingEarly is an EarlySigner over a software key.
type countingEarly struct {
	crypto.Signer
	begins, signs, closes atomic.Int64
}

func (k *countingEarly) BeginSign(_ context.Context, opts crypto.SignerOpts) (PendingSigner, error) {
	k.begins.Add(1)
	return &countingPending{k: k}, nil
}

type countingPending struct{ k *countingEarly }

func (p *countingPending) Public() crypto.PublicKey { return p.k.Public() }
func (p *countingPending) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	p.k.signs.Add(1)
	return p.k.Signer.Sign(rand, digest, opts)
}
func (p *countingPending) Close() error { p.k.closes.Add(1); return nil }

func earlyBuilder(t *testing.T) (*countingEarly, *cms.Builder) {
	t.Helper()
	p, err := testpki.New(testpki.Options{Name: "Segel Early Test"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := p.IssueSigner(testpki.SignerOptions{KeyType: testpki.ECDSAP256, NonRepudiation: true})
	if err != nil {
		t.Fatal(err)
	}
	key := &countingEarly{Signer: id.Key}
	b, err := cms.NewBuilder(id.Cert, key, cms.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return key, b
}

// TestEarlyBegun checks the way where the goroutine began the signature
// before Sign needs it: the begun signature makes it, and is closed.
func TestEarlyBegun(t *testing.T) {
	key, b := earlyBuilder(t)
	e := beginEarly(context.Background(), key, b)
	<-e.done // the goroutine ran
	s := e.signer()
	if s == nil {
		t.Fatal("the begun signature is not used")
	}
	sum := sha256.Sum256([]byte("begun"))
	if _, err := b.SignWith(context.Background(), s, sum[:]); err != nil {
		t.Fatal(err)
	}
	e.close()
	if b, s, c := key.begins.Load(), key.signs.Load(), key.closes.Load(); b != 1 || s != 1 || c != 1 {
		t.Fatalf("BeginSign %d, begun Sign %d, Close %d; want 1 each", b, s, c)
	}
}

// TestEarlyDropped checks the way where Sign needs the signature before
// the goroutine that begins it has started: it is not begun at all (the
// Builder's key signs), and the goroutine ends.
func TestEarlyDropped(t *testing.T) {
	key, b := earlyBuilder(t)
	// One P: the new goroutine cannot run before this one yields.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	e := beginEarly(context.Background(), key, b)
	if s := e.signer(); s != nil {
		t.Fatal("a signature was begun by a goroutine that had not started")
	}
	e.close()
	if b, c := key.begins.Load(), key.closes.Load(); b != 0 || c != 0 {
		t.Fatalf("BeginSign %d, Close %d after the signature was dropped; want 0, 0", b, c)
	}
	// And when Sign fails before it needs the signature.
	e = beginEarly(context.Background(), key, b)
	e.close()
	if b := key.begins.Load(); b != 0 {
		t.Fatalf("BeginSign %d after Sign failed first; want 0", b)
	}
}
