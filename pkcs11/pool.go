//go:build cgo

package pkcs11

import (
	"context"
	"sync/atomic"

	"github.com/miekg/pkcs11"
)

// A session is a PKCS#11 session owned by one key's pool.
type session struct {
	h     pkcs11.SessionHandle
	gen   uint64 // module generation it was opened in
	epoch uint64 // key state it was opened for
}

// pool bounds and reuses a key's sessions. sem holds one token per open
// session (idle or in use); idle holds the sessions not in use.
type pool struct {
	sem   chan struct{}
	idle  chan *session
	waits atomic.Uint64
	open  atomic.Int64
}

func newPool(size int) *pool {
	return &pool{sem: make(chan struct{}, size), idle: make(chan *session, size)}
}

// getSession returns a session for state st, reusing an idle one or opening
// a new one, and waits for one to be free when the pool is full. The caller
// holds the module's read lock.
func (k *Key) getSession(ctx context.Context, st keyState) (*session, error) {
	p := k.pool
	waited := false
	for {
		select {
		case s := <-p.idle:
			if k.current(s, st) {
				return s, nil
			}
			k.discard(s, true)
			continue
		default:
		}
		select {
		case p.sem <- struct{}{}:
			return k.newSession(st)
		default:
		}
		if !waited {
			p.waits.Add(1)
			waited = true
		}
		select {
		case s := <-p.idle:
			if k.current(s, st) {
				return s, nil
			}
			k.discard(s, true)
		case p.sem <- struct{}{}:
			return k.newSession(st)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// newSession opens a session after a pool token was taken.
func (k *Key) newSession(st keyState) (*session, error) {
	s, err := k.openSession(st)
	if err != nil {
		<-k.pool.sem
		return nil, err
	}
	k.pool.open.Add(1)
	return s, nil
}

// current reports whether s belongs to the state st the caller works with.
func (k *Key) current(s *session, st keyState) bool {
	return s.gen == st.gen && s.epoch == st.epoch
}

// putSession returns a healthy session to the pool.
func (k *Key) putSession(s *session) {
	select {
	case k.pool.idle <- s:
	default: // cannot happen: idle has room for every session
		k.discard(s, true)
	}
}

// discard removes s from the pool, closing it when closeIt is set and it
// belongs to the current module generation (an older handle may already
// name another session). The caller holds the module's read lock.
func (k *Key) discard(s *session, closeIt bool) {
	if closeIt && s.gen == k.m.gen {
		k.m.ctx.CloseSession(s.h)
	}
	k.pool.open.Add(-1)
	<-k.pool.sem
}

// drain closes the idle sessions. The caller holds the module's read lock.
func (k *Key) drain() {
	for {
		select {
		case s := <-k.pool.idle:
			k.discard(s, true)
		default:
			return
		}
	}
}
