package spool_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/segel-id/segel/internal/spool"
)

// countingReaderAt counts the reads that reach the file.
type countingReaderAt struct {
	r     io.ReaderAt
	reads atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.reads.Add(1)
	return c.r.ReadAt(p, off)
}

// TestCachedReadsAsTheFile: every read through the cache returns what
// the file holds, with io.EOF past its size, for reads within a block,
// across blocks and larger than a block, in a random order that makes
// blocks be evicted and read again.
func TestCachedReadsAsTheFile(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 5*spool.CacheBlock+1234)
	for i := range data {
		data[i] = byte(rng.IntN(256))
	}
	src := &countingReaderAt{r: bytes.NewReader(data)}
	c := spool.NewCached(src, int64(len(data)))
	defer c.Close()
	want := bytes.NewReader(data)
	for i := range 5000 {
		n := rng.IntN(2 * spool.CacheBlock)
		if i%4 != 0 {
			n = rng.IntN(600) // most reads are a PDF parser's small ones
		}
		off := rng.Int64N(int64(len(data)) + 100)
		got, wantB := make([]byte, n), make([]byte, n)
		gn, gerr := c.ReadAt(got, off)
		wn, werr := want.ReadAt(wantB, off)
		if gn != wn || !bytes.Equal(got[:gn], wantB[:wn]) || (gerr == nil) != (werr == nil) {
			t.Fatalf("ReadAt(%d bytes at %d) = %d, %v; the file gives %d, %v", n, off, gn, gerr, wn, werr)
		}
		if werr != nil && !errors.Is(gerr, io.EOF) {
			t.Fatalf("ReadAt(%d bytes at %d): error %v, want io.EOF", n, off, gerr)
		}
	}
	if _, err := c.ReadAt(make([]byte, 1), -1); err == nil {
		t.Error("a negative offset is read")
	}
}

// TestCachedOneReadForALetter: the many small reads of a parser over a
// file smaller than a block reach the file once.
func TestCachedOneReadForALetter(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 3000) // a 30 kB letter
	src := &countingReaderAt{r: bytes.NewReader(data)}
	c := spool.NewCached(src, int64(len(data)))
	defer c.Close()
	buf := make([]byte, 512)
	for off := int64(len(data)) - 512; off >= 0; off -= 300 {
		if _, err := c.ReadAt(buf, off); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf, data[off:off+512]) {
			t.Fatalf("at %d: wrong bytes", off)
		}
	}
	if n := src.reads.Load(); n != 1 {
		t.Errorf("%d reads reached the file, want 1", n)
	}
}

// TestCachedShortFileAndClose: a file shorter than the size given is an
// error, not bytes made up, and reads after Close fail.
func TestCachedShortFileAndClose(t *testing.T) {
	c := spool.NewCached(bytes.NewReader([]byte("short")), 100)
	if n, err := c.ReadAt(make([]byte, 10), 0); err == nil || n > 5 {
		t.Errorf("ReadAt past the file's end: %d, %v", n, err)
	}
	c.Close()
	c = spool.NewCached(bytes.NewReader([]byte("a whole file")), 12)
	c.Close()
	if _, err := c.ReadAt(make([]byte, 4), 0); err == nil {
		t.Error("read after Close")
	}
}

// TestPooledWriter: what is written through NewWriter arrives whole once
// flushed, in few writes.
func TestPooledWriter(t *testing.T) {
	var dst writesCounter
	bw := spool.NewWriter(&dst)
	for range 1000 {
		bw.Write([]byte("0123456789"))
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	spool.PutWriter(bw)
	if dst.Len() != 10000 || dst.writes != 1 {
		t.Errorf("%d bytes in %d writes, want 10000 in 1", dst.Len(), dst.writes)
	}
}

type writesCounter struct {
	bytes.Buffer
	writes int
}

func (w *writesCounter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}
