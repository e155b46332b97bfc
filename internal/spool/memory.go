package spool

import (
	"errors"
	"hash"
	"io"
	"math/bits"
	"os"
	"sync"
)

// Defaults of Pool.SetMemory (limits.spool_memory and
// limits.spool_memory_total): a one-page letter is 15–60 kB and its
// signed copy some 20 kB more (more at B-LT, with its revocation data),
// so 256 KiB hold a letter and what is made from it; 32 MiB bound the
// memory of all requests together (128 such requests, some 600 letters
// of the usual size); scans of megabytes go to files.
const (
	DefaultMemoryPerSpool = 256 << 10
	DefaultMemoryTotal    = 32 << 20
	// MaxMemoryPerSpool bounds the per-spool memory SetMemory accepts.
	MaxMemoryPerSpool = 16 << 20
)

// Buffers come in classes of minClass << k bytes, each class with its
// pool; every pooled buffer is all zeros.
const (
	minClassShift = 13 // 8 KiB
	numClasses    = 24 - minClassShift + 1
)

var memPools [numClasses]sync.Pool

// classFor returns the class of the smallest buffer of n bytes or more.
func classFor(n int) int {
	if n <= 1<<minClassShift {
		return 0
	}
	return bits.Len(uint(n-1)) - minClassShift
}

// getBuf returns a zeroed buffer of class k, of length 0.
func getBuf(k int) *[]byte {
	if b, ok := memPools[k].Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 1<<(k+minClassShift))
	return &b
}

// putBuf clears the used bytes of b (the rest are zero already) and
// pools it: a pooled buffer holds nothing of the document it held.
func putBuf(b *[]byte) {
	clear(*b)
	*b = (*b)[:0]
	memPools[classFor(cap(*b))].Put(b)
}

// SetMemory sets how much a Spool of the pool may hold in memory
// (perSpool bytes, at most MaxMemoryPerSpool) and all its Spools together
// (total bytes, counted in whole buffers); what does not fit goes to a
// temporary file. Zero for either keeps every Spool in a file. Call it
// before the pool is used.
func (p *Pool) SetMemory(perSpool, total int64) {
	p.memPer = min(max(perSpool, 0), MaxMemoryPerSpool)
	p.memTotal = max(total, 0)
}

// MemoryHeld returns the bytes of memory the pool's open Spools hold.
func (p *Pool) MemoryHeld() int64 { return p.held.Load() }

// reserve takes n bytes of the pool's memory budget; it reports false
// (nothing taken) when they are not there.
func (p *Pool) reserve(n int64) bool {
	for {
		h := p.held.Load()
		if h+n > p.memTotal {
			return false
		}
		if p.held.CompareAndSwap(h, h+n) {
			return true
		}
	}
}

// Spool holds one request's document and what is made from it (a signed
// or augmented PDF written after it): in memory while it fits the pool's
// per-spool limit and memory budget, the rest in a temporary file of the
// pool, made when first needed. What is in memory stays there until
// Close, so the start of a spool (a body that fit) is read from memory
// even once its end went to a file.
//
// It is safe for concurrent use. Close clears the memory and returns it
// and the file to the pool; reads and writes after Close fail.
type Spool struct {
	pool  *Pool
	dir   string
	named bool // the file is a named one (tests of the fallback)

	mu    sync.Mutex
	buf   *[]byte // the memory, nil before the first write
	limit int     // the most the memory may hold; len(*buf) once a file exists
	file  *File   // bytes from len(*buf) on, at their offset minus len(*buf)
	size  int64
	done  bool
	// body is the SHA-256 state of the first bodyLen bytes as Copy
	// hashed them, for OutputHash; nil when Copy did not fill the spool
	// from its start, or once those bytes were written again. While
	// pinned (an OutputHash relies on them), writes to them fail, and
	// Close first has the OutputHashes still comparing hash what they
	// compared.
	body    hash.Cloner
	bodyLen int64
	pinned  []*outputHash
}

// New returns an empty Spool whose file, if one is needed, is made in dir
// ("" for the system's temporary directory; see Create).
func (p *Pool) New(dir string) *Spool {
	if p == nil {
		return &Spool{dir: dir}
	}
	return &Spool{pool: p, dir: dir, limit: int(p.memPer)}
}

// NewNamed returns a Spool that holds nothing in memory and writes a
// named file (CreateNamed): the fallback where O_TMPFILE is missing, for
// tests.
func (p *Pool) NewNamed(dir string) *Spool {
	return &Spool{pool: p, dir: dir, named: true}
}

// CreateError is a failure to make a Spool's temporary file, as opposed
// to one writing it: with NoRoom, the directory is full (503); otherwise
// it is missing or not writable, a configuration error (500). Its text
// names server paths: log it, never answer it.
type CreateError struct{ Err error }

// Error returns the file system's error, prefixed.
func (e *CreateError) Error() string { return "spool: making the temporary file: " + e.Err.Error() }

// Unwrap returns the file system's error.
func (e *CreateError) Unwrap() error { return e.Err }

// Misconfigured reports whether err (from Copy or a Spool's write) is a
// temporary directory that cannot hold a file at all (missing, not
// writable), rather than one that is full or failing now.
func Misconfigured(err error) bool {
	var ce *CreateError
	return errors.As(err, &ce) && !NoRoom(err)
}

// errClosed is the error of a Spool used after Close.
var errClosed = errors.New("spool: use of a closed spool")

// errBodyPinned is the error of a write to a body an OutputHash relies on.
var errBodyPinned = errors.New("spool: the body is read-only once its output is hashed")

// Grow makes room in memory for n bytes, if the limit and the budget
// allow, so that a body of known length is not copied as its buffer
// grows. It is only a hint.
func (s *Spool) Grow(n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done && s.file == nil && n > 0 && n <= int64(s.limit) {
		s.grow(int(n))
	}
}

// grow makes the memory's capacity at least n (≤ limit), within the
// budget; it reports whether it could.
func (s *Spool) grow(n int) bool {
	if s.buf != nil && cap(*s.buf) >= n {
		return true
	}
	k := classFor(n)
	have := 0
	if s.buf != nil {
		have = cap(*s.buf)
	}
	want := 1 << (k + minClassShift)
	if !s.pool.reserve(int64(want - have)) {
		return false
	}
	nb := getBuf(k)
	if s.buf != nil {
		*nb = append(*nb, *s.buf...)
		putBuf(s.buf)
	}
	s.buf = nb
	return true
}

// mem returns what the memory holds.
func (s *Spool) mem() []byte {
	if s.buf == nil {
		return nil
	}
	return *s.buf
}

// Write appends p.
func (s *Spool) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writeAt(p, s.size)
}

// WriteAt writes p at off, as io.WriterAt does; bytes skipped over read
// as zeros. An error making or writing the file is the file system's
// (NoRoom tells a full directory).
func (s *Spool) WriteAt(p []byte, off int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writeAt(p, off)
}

func (s *Spool) writeAt(p []byte, off int64) (int, error) {
	if s.done {
		return 0, errClosed
	}
	if off < 0 {
		return 0, errors.New("spool: negative offset")
	}
	if len(p) == 0 {
		return 0, nil // nothing to hold: no memory taken, no file made
	}
	if s.body != nil && off < s.bodyLen {
		if len(s.pinned) > 0 {
			return 0, errBodyPinned
		}
		s.body = nil // the state no longer describes these bytes
	}
	end := off + int64(len(p))
	if s.file == nil {
		if end <= int64(s.limit) && s.grow(int(end)) {
			b := *s.buf
			if int(end) > len(b) {
				b = b[:end] // beyond len, a pooled buffer is zeros
			}
			copy(b[off:], p)
			*s.buf = b
			s.size = max(s.size, end)
			return len(p), nil
		}
		// The memory keeps what it holds; the rest goes to a file.
		var f *File
		var err error
		if s.named {
			f, err = CreateNamed(s.dir)
		} else {
			f, err = s.pool.Create(s.dir)
		}
		if err != nil {
			return 0, &CreateError{Err: err}
		}
		s.file = f
	}
	split := int64(len(s.mem()))
	n := 0
	if off < split {
		n = copy(s.mem()[off:], p)
	}
	if n < len(p) {
		m, err := s.file.WriteAt(p[n:], off+int64(n)-split)
		n += m
		s.size = max(s.size, off+int64(n))
		if err != nil {
			return n, err
		}
	}
	s.size = max(s.size, end)
	return n, nil
}

// readInto reads src into the room of the memory, after what it holds,
// and hashes what it read into h, until src ends (done reports true) or
// the room is full (done false: the caller copies the rest through
// Write, which grows the memory or makes the file). n is the bytes
// read, err src's error other than io.EOF. The lock is held across the
// reads, so that Close cannot return the memory to the pool under them.
func (s *Spool) readInto(src io.Reader, h hash.Hash) (n int64, done bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done || s.file != nil || s.buf == nil || int64(len(*s.buf)) != s.size {
		return 0, false, nil
	}
	for {
		b := *s.buf
		room := b[len(b):min(cap(b), s.limit)]
		if len(room) == 0 {
			return n, false, nil
		}
		// Beyond len, a pooled buffer is zeros: a short read leaves
		// nothing of another document there.
		nr, rerr := src.Read(room)
		if nr > 0 {
			h.Write(room[:nr])
			*s.buf = b[:len(b)+nr]
			s.size += int64(nr)
			n += int64(nr)
		}
		if rerr == io.EOF {
			return n, true, nil
		}
		if rerr != nil {
			// A reader may have used all of room (io.Reader allows it):
			// http.MaxBytesReader reads one byte past its limit there
			// and reports it not. Beyond len, the memory stays zeros.
			clear(room[nr:])
			return n, true, rerr
		}
	}
}

// ReadAt reads len(p) bytes at off, as io.ReaderAt does.
func (s *Spool) ReadAt(p []byte, off int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readAtLocked(p, off)
}

// readAtLocked is ReadAt, with s.mu held.
func (s *Spool) readAtLocked(p []byte, off int64) (int, error) {
	if s.done {
		return 0, errClosed
	}
	if off < 0 {
		return 0, errors.New("spool: negative offset")
	}
	if off >= s.size {
		return 0, io.EOF
	}
	want := p[:min(int64(len(p)), s.size-off)]
	mem := s.mem()
	n := 0
	if off < int64(len(mem)) {
		n = copy(want, mem[off:])
	}
	if n < len(want) {
		m, err := s.file.ReadAt(want[n:], off+int64(n)-int64(len(mem)))
		n += m
		if err != nil && (err != io.EOF || n < len(want)) {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF // the file is shorter than written
			}
			return n, err
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Size returns the length of the spool: the end of its furthest write.
func (s *Spool) Size() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size
}

// InMemory reports whether the first n bytes are held in memory, where
// they stay until Close: reading them costs no system call.
func (s *Spool) InMemory(n int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.done && n <= int64(len(s.mem()))
}

// writeRange writes the n bytes at off to w: from memory in one Write
// where they are held there, else through a pooled buffer.
func (s *Spool) writeRange(w io.Writer, off, n int64) (int64, error) {
	s.mu.Lock()
	if !s.done && off >= 0 && n >= 0 && off+n <= int64(len(s.mem())) {
		// Written while held: the memory is not cleared under it.
		defer s.mu.Unlock()
		m, err := w.Write(s.mem()[off : off+n])
		return int64(m), err
	}
	s.mu.Unlock()
	return sendBuffered(w, io.NewSectionReader(s, off, n))
}

// Close clears the memory and returns it to the budget and its pool, and
// empties the file and returns it to the pool (File.Close). A second
// Close returns os.ErrClosed.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return os.ErrClosed
	}
	for _, o := range s.pinned {
		if o.h == nil {
			o.restartLocked()
		}
	}
	s.done = true
	s.body, s.pinned = nil, nil
	if s.buf != nil {
		s.pool.held.Add(-int64(cap(*s.buf)))
		putBuf(s.buf)
		s.buf = nil
	}
	var err error
	if s.file != nil {
		err = s.file.Close()
		s.file = nil
	}
	return err
}
