package signer

import (
	"context"
	"crypto"
	"io"
	"sync/atomic"

	"github.com/segel-id/segel/internal/cms"
)

// PendingSigner is a signature begun before its digest is known (see
// [EarlySigner]): Sign makes it, once; Close ends it if it was not made,
// and does nothing after Sign. It is an alias of an interface literal, as
// pkcs11.PendingSigner is, so that a key package implements EarlySigner
// without importing this one.
type PendingSigner = interface {
	crypto.Signer
	io.Closer
}

// An EarlySigner is a key that can begin a signature before its digest
// is known, as pkcs11.Key does (C_SignInit needs only the mechanism).
// When Options.Signer implements it, Sign begins the signature on another
// goroutine before it parses the document (for levels B and T; after the
// validation data is fetched for LT and LTA, so that no token session is
// held across network calls) and makes it with the PendingSigner once the
// digest is known: the token's part of the work overlaps Segel's instead
// of following it, as a network HSM's round trip would. It saves time,
// not work: with as many signatures in flight as cores it does not help.
//
// BeginSign is called with the options the signature is made with
// (the hash, *rsa.PSSOptions for RSA-PSS); the PendingSigner's Sign is
// called at most once, with a digest for those options, and Close always,
// whether Sign was called or Sign failed before it was needed. When
// BeginSign fails, the signature is made with the key's own Sign instead
// (whose error, if any, is the one reported). The signature is checked
// against the certificate whichever way it is made. Other keys are used
// through crypto.Signer only, as before.
type EarlySigner interface {
	crypto.Signer
	BeginSign(ctx context.Context, opts crypto.SignerOpts) (PendingSigner, error)
}

// early is a signature being begun on another goroutine.
type early struct {
	cancel context.CancelFunc
	done   chan struct{}
	// state is earlyWaiting until the goroutine starts BeginSign
	// (earlyBegun) or Sign no longer wants it (earlyDropped), whichever
	// comes first.
	state atomic.Int32
	p     PendingSigner
	err   error
}

const (
	earlyWaiting = iota
	earlyBegun
	earlyDropped
)

// beginEarly begins the signature of b's key when it is an EarlySigner,
// and returns nil otherwise. The caller must call close.
func beginEarly(ctx context.Context, key crypto.Signer, b *cms.Builder) *early {
	es, ok := key.(EarlySigner)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	e := &early{cancel: cancel, done: make(chan struct{})}
	opts := b.SignerOpts()
	go func() {
		defer close(e.done)
		if e.state.CompareAndSwap(earlyWaiting, earlyBegun) {
			e.p, e.err = es.BeginSign(ctx, opts)
		}
	}()
	return e
}

// signer waits for the begun signature and returns it, or nil (the
// Builder's key signs) when there is none or it could not be begun. When
// the goroutine has not started by then (every core busy), the signature
// is not begun at all: waiting for a goroutine to be scheduled would only
// add to the signature's time.
func (e *early) signer() crypto.Signer {
	if e == nil || e.state.CompareAndSwap(earlyWaiting, earlyDropped) {
		return nil
	}
	<-e.done
	if e.err != nil || e.p == nil {
		return nil
	}
	return e.p
}

// close ends the begun signature if it was not made, after waiting for
// BeginSign to return (cancelled first, should it wait for a session; not
// called at all when the goroutine had not started): no goroutine
// outlives Sign.
func (e *early) close() {
	if e == nil {
		return
	}
	e.state.CompareAndSwap(earlyWaiting, earlyDropped)
	e.cancel()
	<-e.done
	if e.p != nil {
		e.p.Close()
	}
}
