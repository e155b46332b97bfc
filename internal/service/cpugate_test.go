package service_test

import (
	"context"
	"crypto"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/internal/service"
)

// deviceSigner is a key that takes a context, as a PKCS#11 key does: its
// signature is a wait on a device, during which the CPU gate is lent.
type deviceSigner struct {
	crypto.Signer
	started chan struct{}
	release chan struct{}
}

func (d *deviceSigner) SignContext(_ context.Context, r io.Reader, digest []byte, o crypto.SignerOpts) ([]byte, error) {
	d.started <- struct{}{}
	<-d.release
	return d.Signer.Sign(r, digest, o)
}

// gateFixture is the fixture with one CPU slot and the "dinas" profile's
// key replaced by key(the real key).
func gateFixture(t *testing.T, key func(crypto.Signer) crypto.Signer) *fixture {
	return newFixture(t, func(o *service.Options) {
		o.CPUSlots = 1
		p := o.Profiles[0]
		p.Key = &keyref.Key{Signer: key(p.Key.Signer), Certificate: p.Key.Certificate, Chain: p.Key.Chain}
		p.MaxConcurrent = 4
	})
}

// opener closes release once, by the test or at its end, so that a test
// failing half-way leaves no signature blocked.
func opener(t *testing.T, release chan struct{}) func() {
	var once sync.Once
	open := func() { once.Do(func() { close(release) }) }
	t.Cleanup(open)
	return open
}

// signAsync starts a signature of the "dinas" profile under ctx.
func signAsync(ctx context.Context, t *testing.T, f *fixture) <-chan error {
	done := make(chan error, 1)
	req := f.request(t, "dinas", "", "")
	go func() {
		_, err := f.svc.Sign(ctx, req)
		done <- err
	}()
	return done
}

// wantSigned fails for each signature of dones that failed.
func wantSigned(t *testing.T, dones ...<-chan error) {
	t.Helper()
	for i, done := range dones {
		if err := <-done; err != nil {
			t.Errorf("signature %d: %v", i+1, err)
		}
	}
}

// noStart fails if started receives within a while.
func noStart(t *testing.T, started <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-started:
		t.Fatal(what)
	case <-time.After(100 * time.Millisecond):
	}
}

// TestCPUGateBoundsSigning: with one CPU slot, a second signature by a key
// in this process waits until the first is made, although the profile has
// slots to spare.
func TestCPUGateBoundsSigning(t *testing.T) {
	var slow *blockingSigner
	f := gateFixture(t, func(k crypto.Signer) crypto.Signer {
		slow = &blockingSigner{Signer: k, started: make(chan struct{}, 2), release: make(chan struct{})}
		return slow
	})
	release := opener(t, slow.release)
	ctx := context.Background()
	first := signAsync(ctx, t, f)
	<-slow.started
	second := signAsync(ctx, t, f)
	noStart(t, slow.started, "a second signature reached the key while the only CPU slot was held")
	release()
	wantSigned(t, first, second)
}

// TestCPUGateLentToDevice: while a device key signs, its slot is lent:
// with one CPU slot, two signatures wait on the device at once, and both
// are made once it answers.
func TestCPUGateLentToDevice(t *testing.T) {
	var dev *deviceSigner
	f := gateFixture(t, func(k crypto.Signer) crypto.Signer {
		dev = &deviceSigner{Signer: k, started: make(chan struct{}, 2), release: make(chan struct{})}
		return dev
	})
	release := opener(t, dev.release)
	ctx := context.Background()
	first := signAsync(ctx, t, f)
	second := signAsync(ctx, t, f)
	for i := range 2 {
		select {
		case <-dev.started:
		case <-time.After(10 * time.Second):
			t.Fatalf("%d of 2 signatures reached the device: the CPU slot was not lent while the device signs", i)
		}
	}
	release()
	wantSigned(t, first, second)
}

// TestCPUGateCallerGone: a signature whose caller goes away while it waits
// for the CPU slot ends as client-closed without touching the key, and
// takes neither the slot nor the profile's place with it.
func TestCPUGateCallerGone(t *testing.T) {
	var slow *blockingSigner
	f := gateFixture(t, func(k crypto.Signer) crypto.Signer {
		slow = &blockingSigner{Signer: k, started: make(chan struct{}, 3), release: make(chan struct{})}
		return slow
	})
	release := opener(t, slow.release)
	first := signAsync(context.Background(), t, f)
	<-slow.started
	ctx, cancel := context.WithCancel(context.Background())
	gone := signAsync(ctx, t, f)
	time.Sleep(50 * time.Millisecond) // at the gate
	cancel()
	select {
	case err := <-gone:
		if kindOf(err) != "client-closed" {
			t.Errorf("the signature whose caller went away: %v, want client-closed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the signature whose caller went away did not end: it is not waiting at the gate")
	}
	release()
	if err := <-first; err != nil {
		t.Errorf("the first signature: %v", err)
	}
	// The slot is free again: a third signature is made.
	if err := <-signAsync(context.Background(), t, f); err != nil {
		t.Errorf("a signature after both: %v", err)
	}
	if n := len(slow.started); n != 1 {
		t.Errorf("the key signed %d more times, want 1 (the third signature; the one whose caller went away never reached it)", n)
	}
}

// panickySigner panics at its first signature, as a key with a bug in its
// driver might, and signs after that.
type panickySigner struct {
	crypto.Signer
	once sync.Once
}

func (p *panickySigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	p.once.Do(func() { panic("the key's driver failed") })
	return p.Signer.Sign(r, d, o)
}

// TestCPUGatePanicFreesSlot: a key that panics (the HTTP server recovers
// the request) does not keep the only CPU slot: the next signature is made.
func TestCPUGatePanicFreesSlot(t *testing.T) {
	f := gateFixture(t, func(k crypto.Signer) crypto.Signer { return &panickySigner{Signer: k} })
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the first signature did not panic: the test's key is not in use")
			}
		}()
		_, _ = f.svc.Sign(context.Background(), f.request(t, "dinas", "", ""))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := <-signAsync(ctx, t, f); err != nil {
		t.Fatalf("the signature after a panic: %v (the panic kept the CPU slot)", err)
	}
}
