package spool

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
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
//
// A Spool whose memory has room (Spool.Grow) is read into directly and
// hashed there: a buffer between the body and the memory would only copy
// the body once more. What does not fit the memory reaches the Spool in
// the pieces read (up to 32 KiB). Any other dst gets the body through a
// pooled buffer: it arrives in pieces of a few kilobytes, which buffered
// reach a file in a few writes.
func Copy(dst io.Writer, src io.Reader, limit int64) (Copied, error) {
	h := sha256.New()
	fw := &fileWriter{w: dst}
	var w io.Writer = fw
	var bw *bufio.Writer
	lr := &io.LimitedReader{R: src, N: limit + 1}
	var n int64
	var err error
	direct := false
	sp, ok := dst.(*Spool)
	fromStart := false
	if ok {
		fromStart = sp.Size() == 0
		n, direct, err = sp.readInto(lr, h)
	} else {
		bw = NewWriter(fw)
		defer PutWriter(bw)
		w = bw
	}
	if !direct && err == nil {
		buf := copyBufs.Get().(*[]byte)
		m, used, cerr := copyHashed(w, h, lr, *buf)
		n, err = n+m, cerr
		// Cleared before it is pooled: nothing of a document outlives
		// its request.
		clear((*buf)[:used])
		copyBufs.Put(buf)
	}
	if bw != nil {
		if ferr := bw.Flush(); err == nil {
			err = ferr
		}
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
	if fromStart {
		sp.keepBodyState(h, n)
	}
	return c, nil
}

// copyHashed copies src to w and h through buf, as io.CopyBuffer does;
// used is how much of buf was ever filled.
func copyHashed(w io.Writer, h hash.Hash, src io.Reader, buf []byte) (n int64, used int, err error) {
	for {
		nr, rerr := src.Read(buf)
		used = max(used, nr)
		if nr > 0 {
			h.Write(buf[:nr])
			nw, werr := w.Write(buf[:nr])
			n += int64(nw)
			if werr == nil && nw < nr {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return n, used, werr
			}
		}
		if rerr == io.EOF {
			return n, used, nil
		}
		if rerr != nil {
			// The reader may have used all of buf (http.MaxBytesReader
			// reads one byte past its limit): all of it is cleared.
			return n, len(buf), rerr
		}
	}
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

// sendBuffered copies r to w through a pooled buffer, cleared before it
// is pooled again.
func sendBuffered(w io.Writer, r io.Reader) (int64, error) {
	buf := copyBufs.Get().(*[]byte)
	defer func() {
		clear(*buf)
		copyBufs.Put(buf)
	}()
	return io.CopyBuffer(w, r, *buf)
}
