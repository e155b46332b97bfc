package spool

import (
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// maxPooledFiles bounds the empty anonymous temporary files kept open
// for reuse: creating a file costs a journaled inode allocation on most
// file systems, several times the cost of truncating one.
const maxPooledFiles = 64

// File is a temporary file for one request. Close empties it and either
// keeps it for reuse (anonymous files of a Pool) or closes and removes it.
//
// A File is used through its own methods (or readers and writers made on
// the File itself, never on its *os.File): after Close they fail with
// os.ErrInvalid, so that a file reused by another request can never be
// read or written through a stale handle.
type File struct {
	*os.File
	// name is the file's name when it has one (not O_TMPFILE).
	name string
	pool *Pool
}

// Close empties the file and returns it to the pool, or closes and
// removes it. A second Close returns os.ErrClosed.
func (t *File) Close() error {
	f := t.File
	if f == nil {
		return os.ErrClosed
	}
	t.File = nil // from here on, the methods fail with os.ErrInvalid
	if t.name == "" && t.pool != nil && t.pool.put(f) {
		return nil
	}
	err := f.Close()
	if t.name != "" {
		os.Remove(t.name)
	}
	return err
}

// Pool keeps empty anonymous temporary files for reuse, and bounds the
// memory of its Spools (SetMemory). The zero Pool is
// ready; a nil *Pool creates files without reuse. Close it when done.
type Pool struct {
	mu     sync.Mutex
	free   []*os.File
	closed bool

	// The memory of its Spools (memory.go): the most one holds, the most
	// all hold together, and what they hold now.
	memPer, memTotal int64
	held             atomic.Int64
}

// get returns a pooled empty file, or nil.
func (p *Pool) get() *os.File {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		f := p.free[n-1]
		p.free = p.free[:n-1]
		return f
	}
	return nil
}

// put truncates f and keeps it; it reports false (f is to be closed) when
// the pool is full or closed, or f cannot be emptied.
func (p *Pool) put(f *os.File) bool {
	// Emptied before it is kept: nothing of a document outlives its
	// request.
	if f.Truncate(0) != nil {
		return false
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || len(p.free) >= maxPooledFiles {
		return false
	}
	p.free = append(p.free, f)
	return true
}

// Close closes the pooled files; files closed later are not kept.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, f := range p.free {
		f.Close()
	}
	p.free = nil
}

// Create returns a temporary file in dir ("" for the system's): an
// anonymous one where the system has them (Linux, O_TMPFILE: it has no
// name, and the kernel frees it when it is closed, even after a crash),
// reused from the pool when one is free; a named one otherwise, removed
// by Close. Errors are those of the file system: errors.Is(err,
// syscall.ENOSPC) tells a full directory (see NoRoom).
func (p *Pool) Create(dir string) (*File, error) {
	if f := p.get(); f != nil {
		return &File{File: f, pool: p}, nil
	}
	if f, err := openAnonymous(dir); err == nil {
		return &File{File: f, pool: p}, nil
	}
	return CreateNamed(dir)
}

// CreateNamed returns a named temporary file in dir, removed by Close:
// what Create falls back to where O_TMPFILE is missing.
func CreateNamed(dir string) (*File, error) {
	f, err := os.CreateTemp(dir, "segel-*.pdf")
	if err != nil {
		return nil, err
	}
	return &File{File: f, name: f.Name()}, nil
}

// Create returns a temporary file in dir without a pool: anonymous where
// the system has O_TMPFILE, else a named file unlinked at once where the
// system allows it (Unix), so that it disappears even if the process dies
// while the file is in use.
func Create(dir string) (*File, error) {
	if f, err := openAnonymous(dir); err == nil {
		return &File{File: f}, nil
	}
	f, err := CreateNamed(dir)
	if err != nil {
		return nil, err
	}
	if os.Remove(f.name) == nil {
		f.name = ""
	}
	return f, nil
}
