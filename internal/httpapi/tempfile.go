package httpapi

import (
	"io"
	"os"
	"sync"
)

// maxPooledTempFiles bounds the empty anonymous temporary files kept open
// for reuse: creating a file costs a journaled inode allocation on most
// file systems, several times the cost of truncating one.
const maxPooledTempFiles = 64

// tempFile is a temporary file in Options.TempDir, for one request.
// Close empties it and either keeps it for reuse (anonymous files) or
// closes and removes it.
//
// A tempFile is used through its own methods (or readers and writers
// made on the tempFile itself, never on its *os.File): after Close they
// fail with os.ErrInvalid, so that a file reused by another request can
// never be read or written through a stale handle.
type tempFile struct {
	*os.File
	// name is the file's name when it has one (not O_TMPFILE).
	name string
	pool *tempPool
}

// Close empties the file and returns it to the pool, or closes and
// removes it.
func (t *tempFile) Close() error {
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

// tempPool keeps empty anonymous temporary files for reuse.
type tempPool struct {
	mu     sync.Mutex
	free   []*os.File
	closed bool
}

// get returns a pooled empty file, or nil.
func (p *tempPool) get() *os.File {
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
func (p *tempPool) put(f *os.File) bool {
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
	if p.closed || len(p.free) >= maxPooledTempFiles {
		return false
	}
	p.free = append(p.free, f)
	return true
}

// close closes the pooled files; later puts close theirs.
func (p *tempPool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, f := range p.free {
		f.Close()
	}
	p.free = nil
}

// namedTempFiles makes createTemp use named files only (for tests of the
// fallback).
var namedTempFiles = false

// createTemp returns a temporary file in TempDir: an anonymous one where
// the system has them (Linux, O_TMPFILE: it has no name, and the kernel
// frees it when it is closed, even after a crash), reused from the pool
// when one is free; a named one otherwise, removed by Close.
func (s *Server) createTemp() (*tempFile, error) {
	if !namedTempFiles {
		if f := s.temps.get(); f != nil {
			return &tempFile{File: f, pool: &s.temps}, nil
		}
		if f, err := openAnonymous(s.opts.TempDir); err == nil {
			return &tempFile{File: f, pool: &s.temps}, nil
		}
	}
	f, err := os.CreateTemp(s.opts.TempDir, "segel-*.pdf")
	if err != nil {
		return nil, err
	}
	return &tempFile{File: f, name: f.Name()}, nil
}
