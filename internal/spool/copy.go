package spool

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"sync"
	"syscall"
)

// ErrTooLarge reports a body longer than the limit: more than the limit
// given to Copy, or past an http.MaxBytesReader.
var ErrTooLarge = errors.New("spool: body too large")

// WriteError is an error writing the spool file (the temporary directory
// is full or failing), as opposed to one reading the body: the client may
// try again later. Its text names server paths: log it, never answer it.
type WriteError struct{ Err error }

// Error returns the write error's text.
func (e *WriteError) Error() string { return "spool: writing the temporary file: " + e.Err.Error() }

// Unwrap returns the file system's error.
func (e *WriteError) Unwrap() error { return e.Err }

// Copied is what Copy wrote: the size and SHA-256 (lower-case hex) of the
// body, hashed while it was written.
type Copied struct {
	Size   int64
	SHA256 string
}

// Copy writes src to dst, at most limit bytes, hashing what it writes.
// It fails with a *WriteError when dst fails, ErrTooLarge (wrapping the
// *http.MaxBytesError, if any) when src holds more than limit bytes or
// hits an http.MaxBytesReader's limit, and src's error otherwise. The
// size is set on every return.
func Copy(dst io.Writer, src io.Reader, limit int64) (Copied, error) {
	h := sha256.New()
	fw := &fileWriter{w: dst}
	// The body arrives in pieces of a few kilobytes: buffered, it
	// reaches the file in a few writes.
	bw := NewWriter(fw)
	defer PutWriter(bw)
	buf := copyBufs.Get().(*[]byte)
	n, err := io.CopyBuffer(io.MultiWriter(bw, h), io.LimitReader(src, limit+1), *buf)
	copyBufs.Put(buf)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	c := Copied{Size: n}
	switch {
	case fw.err != nil:
		return c, &WriteError{Err: fw.err}
	case err != nil:
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return c, errors.Join(ErrTooLarge, err)
		}
		return c, err
	case n > limit:
		return c, ErrTooLarge
	}
	c.SHA256 = hex.EncodeToString(h.Sum(nil))
	return c, nil
}

// NoRoom reports whether err (from Create or Copy) means the temporary
// directory is full: no space or inode left, or over quota. Such requests
// are answered 503 (try again), others 500.
func NoRoom(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// fileWriter remembers the error of writing to the spool file, to tell it
// from an error reading the request.
type fileWriter struct {
	w   io.Writer
	err error
}

func (fw *fileWriter) Write(p []byte) (int, error) {
	n, err := fw.w.Write(p)
	if err != nil && fw.err == nil {
		fw.err = err
	}
	return n, err
}

// copyBufs holds the buffers of Copy and Send between requests.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// Send copies r to w (a response): what a Spool holds in memory (r a
// section of one, as from io.NewSectionReader) in one Write, the rest
// through a pooled buffer, as io.Copy does with one of its own per call.
func Send(w io.Writer, r io.Reader) (int64, error) {
	if sr, ok := r.(*io.SectionReader); ok {
		if sp, off, n := sr.Outer(); sp != nil {
			if sp, ok := sp.(*Spool); ok {
				pos, err := sr.Seek(0, io.SeekCurrent)
				if err != nil {
					return 0, err
				}
				m, err := sp.writeRange(w, off+pos, n-pos)
				sr.Seek(m, io.SeekCurrent)
				return m, err
			}
		}
	}
	return sendBuffered(w, r)
}

// sendBuffered copies r to w through a pooled buffer.
func sendBuffered(w io.Writer, r io.Reader) (int64, error) {
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	return io.CopyBuffer(w, r, *buf)
}
