//go:build cgo

package pkcs11

import (
	"context"
	"crypto"
	"errors"
	"io"
	"sync"
)

// BeginSign begins a signature with opts (as [Key.SignContext] takes
// them) before its digest is known: it takes a session from the key's
// pool and runs C_SignInit for the mechanism opts select, so that the
// token's part of the signature that does not need the digest overlaps
// the caller's work (parsing and updating a PDF, say) instead of
// following it. The returned signer, a *[Pending], runs C_Sign when its
// Sign is called with a digest for the same opts; Close ends the
// signature if it was not made. Either must be called: until then the
// session is out of the pool.
//
// ctx bounds the wait for a free session. Personal keys fail with
// [ErrPassphraseRequired]; a lost token is found again as for
// SignContext, and the error then matches [ErrTokenUnavailable].
//
// Its errors are not counted in [Key.Stats]: a caller that cannot begin
// early signs with SignContext, which counts its own.
func (k *Key) BeginSign(ctx context.Context, opts crypto.SignerOpts) (PendingSigner, error) {
	p, err := k.beginSign(ctx, opts)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (k *Key) beginSign(ctx context.Context, opts crypto.SignerOpts) (*Pending, error) {
	if k.mode != modeNormal {
		return nil, newError(ErrPassphraseRequired, nil, "key %s is a personal key: use SignWithPassphrase", k.uri.keyDesc())
	}
	mc, err := k.mechanismFor(opts)
	if err != nil {
		return nil, err
	}
	p := &Pending{k: k, mc: mc}
	err = k.doKeep(ctx, true, func(s *session, _ keyState) error {
		h, err := k.keyHandle(s)
		if err != nil {
			return err
		}
		if err := k.m.ctx.SignInit(s.h, mc.mech, h); err != nil {
			return rvErr(err)
		}
		p.s = s
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// A Pending is a signature begun by [Key.BeginSign]: C_SignInit has run
// on a session of the key's own, C_Sign has not. It is safe for
// concurrent use, but signs at most once.
//
// A session with an operation in progress never goes back to the pool:
// Close closes it (PKCS#11 has no other way to end a signature without
// making it), and the pool opens a fresh one when it needs it.
type Pending struct {
	k  *Key
	mc *mechanismChoice

	mu   sync.Mutex
	s    *session // nil once signed or closed
	used bool
}

// errPendingStale means the pending session belongs to a module
// generation or key state that is gone: the signature is made anew.
var errPendingStale = errors.New("pkcs11: begun signature is stale")

// Public returns the key's public key.
func (p *Pending) Public() crypto.PublicKey { return p.k.pub }

// Sign makes the begun signature of digest: SignContext with a
// background context. rand is ignored.
func (p *Pending) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return p.SignContext(context.Background(), rand, digest, opts)
}

// SignContext makes the begun signature of digest, which opts must
// describe as the options given to BeginSign did (same hash, same
// scheme): the signature is C_Sign on the begun operation. When the token
// was lost or found again since BeginSign, the signature is made anew on
// a fresh session as SignContext of the key makes it (ctx bounds that
// wait). A second call fails; the session goes back to the pool after a
// signature, and is closed after an error.
func (p *Pending) SignContext(ctx context.Context, _ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	k := p.k
	p.mu.Lock()
	s, used := p.s, p.used
	p.s, p.used = nil, true
	p.mu.Unlock()
	if used {
		return nil, newError(nil, nil, "the begun signature was already made or closed")
	}
	sig, err := p.sign(ctx, s, digest, opts)
	if err != nil {
		k.countError(err)
		return nil, err
	}
	k.signatures.Add(1)
	return sig, nil
}

func (p *Pending) sign(ctx context.Context, s *session, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	k := p.k
	mc, err := k.mechanismFor(opts)
	if err == nil && !mc.same(p.mc) {
		err = newError(ErrUnsupported, nil, "signature begun for another mechanism or hash than the one asked")
	}
	var data []byte
	if err == nil {
		data, err = mc.data(digest)
	}
	if err != nil {
		k.endPending(s)
		return nil, err
	}
	sig, err := k.finishPending(s, data)
	if errors.Is(err, errPendingStale) || (err != nil && isLoss(err) && !errors.Is(err, ErrClosed)) {
		// The usual path finds the token again, or says it is gone.
		return k.sign(ctx, nil, digest, opts)
	}
	if err != nil {
		return nil, err
	}
	if mc.ec {
		return ecdsaDER(sig)
	}
	return sig, nil
}

// Close ends the signature if it was not made, closing its session. It
// returns nil, also when called again or after Sign.
func (p *Pending) Close() error {
	p.mu.Lock()
	s := p.s
	p.s, p.used = nil, true
	p.mu.Unlock()
	if s != nil {
		p.k.endPending(s)
	}
	return nil
}

// finishPending runs C_Sign on the pending session s and puts it back
// into the pool, or discards it after an error. It fails with
// errPendingStale when s no longer belongs to the key's current state.
func (k *Key) finishPending(s *session, data []byte) ([]byte, error) {
	k.closeMu.RLock()
	defer k.closeMu.RUnlock()
	m := k.m
	m.mu.RLock()
	defer m.mu.RUnlock()
	if k.closed {
		k.discard(s, true)
		return nil, ErrClosed
	}
	k.mu.Lock()
	stale := !m.initialized || s.gen != m.gen || s.epoch != k.st.epoch || s.gen != k.st.gen || k.broken
	k.mu.Unlock()
	if stale {
		k.discard(s, true) // closed only if its generation is the current one
		return nil, errPendingStale
	}
	sig, err := m.ctx.Sign(s.h, data)
	if err != nil {
		err = rvErr(err)
		if isLoss(err) {
			k.markBroken(s.epoch)
		}
		k.discard(s, !sessionGone(err))
		return nil, err
	}
	k.putSession(s)
	return sig, nil
}

// endPending ends a begun signature that will not be made by closing its
// session: C_Sign would make a signature to throw away, and the session
// must not return to the pool with an operation active
// (CKR_OPERATION_ACTIVE for the next C_SignInit).
func (k *Key) endPending(s *session) {
	k.m.mu.RLock()
	k.discard(s, true) // closed only if its generation is the current one
	k.m.mu.RUnlock()
}
