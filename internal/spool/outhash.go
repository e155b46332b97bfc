package spool

import (
	"bytes"
	"crypto/sha256"
	"hash"
	"io"
)

// keepBodyState remembers h, the SHA-256 of the n bytes Copy wrote from
// the spool's start, for OutputHash.
func (s *Spool) keepBodyState(h hash.Hash, n int64) {
	c, ok := h.(hash.Cloner)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done && s.size == n {
		s.body, s.bodyLen = c, n
	}
}

// OutputHash returns a SHA-256 for a document that begins with the
// size bytes of in, as a signed PDF begins with its input unchanged
// (an incremental update follows it). When in is a Spool that Copy
// filled and hashed, and that holds those bytes in memory, the
// document's first size bytes are compared with the spool instead of
// being hashed again, and the hash continues from Copy's; where they
// differ, or the document is shorter, what was written is hashed from
// its start. Either way the sum is the SHA-256 of what was written. For
// any other in, or a body partly or wholly in the spool's file, it is a
// plain SHA-256: comparing with the file would need reads that can fail
// (EIO), and a failed read would leave no way to hash again what was
// compared, so that the sum would silently miss bytes written.
//
// From then on the spool's body is read-only: a write to it fails, so
// that the bytes compared cannot change under the hash. The hash may be
// used after the spool is closed.
func OutputHash(in io.ReaderAt, size int64) hash.Hash {
	sp, ok := in.(*Spool)
	if !ok {
		return sha256.New()
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	o := &outputHash{sp: sp, n: size}
	if o.resume = sp.bodyStateLocked(size); o.resume == nil {
		return sha256.New()
	}
	sp.pinned = append(sp.pinned, o)
	return o
}

// bodyStateLocked returns a copy of the body's hash state when the body
// is size bytes, all in memory, nil when there is none; s.mu is held.
// The memory's length only grows until Close, so the body stays there
// for the comparing, which reads nothing that can fail.
func (s *Spool) bodyStateLocked(size int64) hash.Hash {
	if s.done || s.body == nil || s.bodyLen != size || size > int64(len(s.mem())) {
		return nil
	}
	c, err := s.body.Clone()
	if err != nil {
		return nil
	}
	h, _ := c.(hash.Hash)
	return h
}

// outputHash is OutputHash's SHA-256 of a document that begins with a
// spool's body. Its fields are guarded by the spool's lock.
type outputHash struct {
	sp     *Spool
	n      int64     // the body's length
	resume hash.Hash // the body's hash, continued once the document passed it unchanged
	pos    int64     // the bytes written and found equal to the body's, while h is nil
	h      hash.Hash // the document's hash, once the comparing is over
}

func (o *outputHash) Write(p []byte) (int, error) {
	o.sp.mu.Lock()
	defer o.sp.mu.Unlock()
	rest := p
	if o.h == nil {
		k := int(min(int64(len(p)), o.n-o.pos))
		if !o.equalLocked(p[:k]) {
			o.restartLocked()
		} else {
			o.pos += int64(k)
			if o.pos < o.n {
				return len(p), nil
			}
			o.h = o.resume
			rest = p[k:]
		}
	}
	o.h.Write(rest)
	return len(p), nil
}

// equalLocked reports whether p is what the body holds at o.pos. The
// body is in memory (bodyStateLocked) until Close.
func (o *outputHash) equalLocked(p []byte) bool {
	s, off := o.sp, o.pos
	if s.done {
		return false
	}
	mem := s.mem()
	if off+int64(len(p)) > int64(len(mem)) {
		return false // cannot happen: the memory only grows until Close
	}
	return bytes.Equal(p, mem[off:off+int64(len(p))])
}

// restartLocked hashes, from the start, the o.pos bytes written so far
// (equal to the body's, which is read-only and in memory until Close,
// which calls it first) in a new SHA-256 that becomes o.h.
func (o *outputHash) restartLocked() {
	h := sha256.New()
	h.Write(o.sp.mem()[:o.pos])
	o.h = h
}

// Sum appends the SHA-256 of what was written to b.
func (o *outputHash) Sum(b []byte) []byte {
	o.sp.mu.Lock()
	defer o.sp.mu.Unlock()
	if o.h == nil {
		o.restartLocked() // shorter than the body
	}
	return o.h.Sum(b)
}

// Reset starts a new, empty document: a plain SHA-256 from then on.
func (o *outputHash) Reset() {
	o.sp.mu.Lock()
	defer o.sp.mu.Unlock()
	o.h = sha256.New()
}

// Size returns the size of a SHA-256.
func (o *outputHash) Size() int { return sha256.Size }

// BlockSize returns the block size of SHA-256.
func (o *outputHash) BlockSize() int { return sha256.BlockSize }
