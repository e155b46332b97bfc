package service

import (
	"context"
	"crypto"
	"io"
	"sync"

	"github.com/segel-id/segel/signer"
)

// The CPU gate: at most Options.CPUSlots signatures do Segel's own work
// (parsing the PDF, hashing it, building the CMS, checking the key's
// signature) at a time, across all profiles, however many each profile's
// MaxConcurrent lets in. A profile's slots bound what a signature holds
// (HSM sessions, TSA calls); the gate bounds the processors it keeps busy.
// With one processor more for Go than there are slots (procs.Spare, as
// `segel serve` sets it up), one is left to the network: Go's scheduler
// looks for connections that can be read only when a processor runs out
// of work, or every 10 ms otherwise, so with every processor signing the
// next requests wait in the kernel and the answers come out of order.
// docs/decisions.md, "The CPU gate (issue 12)", has the measurements.
//
// A signature lends its slot while it waits on a device or the network:
// the key's signature when the key is a device (a key that takes a
// context, as a PKCS#11 key does), and the TSA. Signatures at B-LT and
// B-LTA do not pass the gate at all: their OCSP and CRL fetches are
// waited on inside the revocation checker, where the slot cannot be lent,
// and a revocation outage must not stall the other profiles' signatures.
type cpuGate chan struct{}

// leaseKey is the context key of a signature's *lease.
type leaseKey struct{}

// lease is a signature's place in the gate, carried in its context.
type lease struct{ gate cpuGate }

// enter waits for a slot, or for ctx to end. It returns the context to
// sign with (carrying the lease, so that lend finds it) and the function
// that frees the slot; that function frees it once however often it is
// called, so that the caller can both defer it (a panic in a key must not
// keep the slot) and call it as soon as the signature is made. A nil gate
// lets every signature in.
func (g cpuGate) enter(ctx context.Context) (context.Context, func(), error) {
	if g == nil {
		return ctx, func() {}, nil
	}
	select {
	case g <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	l := &lease{gate: g}
	return context.WithValue(ctx, leaseKey{}, l), sync.OnceFunc(func() { <-l.gate }), nil
}

// lend frees the slot held by the signature of ctx, if any, for a wait on
// a device or the network, and returns the function that takes a slot
// back once the wait is over. Taking it back does not end with ctx: the
// holders are busy signing, so the wait is short, and the signature's
// caller frees the slot it believes it holds.
func lend(ctx context.Context) (back func()) {
	l, _ := ctx.Value(leaseKey{}).(*lease)
	if l == nil {
		return func() {}
	}
	<-l.gate
	return func() { l.gate <- struct{}{} }
}

// contextSigner is a key that takes a context: a device (pkcs11.Key and
// the keys it unlocks), whose signature is a wait, not Segel's work.
type contextSigner interface {
	crypto.Signer
	SignContext(ctx context.Context, rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error)
}

// lendingSigner is a device key whose signatures lend their CPU slot.
type lendingSigner struct{ contextSigner }

// SignContext signs with the device, its slot lent meanwhile.
func (k lendingSigner) SignContext(ctx context.Context, rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	defer lend(ctx)()
	return k.contextSigner.SignContext(ctx, rand, digest, opts)
}

// lendingKey returns k wrapped so that its signatures lend their slot
// when it is a device, and k itself when it signs in this process (its
// signature is Segel's CPU work, which the gate bounds).
func lendingKey(k crypto.Signer) crypto.Signer {
	if c, ok := k.(contextSigner); ok {
		return lendingSigner{c}
	}
	return k
}

// lendingTimestamper is the TSA, its calls lending their CPU slot.
type lendingTimestamper struct{ signer.Timestamper }

// Timestamp asks the TSA, the slot lent meanwhile.
func (t lendingTimestamper) Timestamp(ctx context.Context, digest []byte, h crypto.Hash) ([]byte, error) {
	defer lend(ctx)()
	return t.Timestamper.Timestamp(ctx, digest, h)
}

// TokenSize asks the TSA's token size (a request to it the first time),
// the slot lent meanwhile.
func (t lendingTimestamper) TokenSize(ctx context.Context) (int, error) {
	defer lend(ctx)()
	return t.Timestamper.TokenSize(ctx)
}

// gated reports whether a signature at level passes the gate (see cpuGate).
func gated(level signer.Level) bool { return level <= signer.LevelT }
