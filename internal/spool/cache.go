package spool

import (
	"bufio"
	"errors"
	"io"
	"sync"
)

// CacheBlock is the size of the blocks a Cached reader keeps, and of
// the buffer of a pooled Writer.
const CacheBlock = 64 << 10

// cacheBlocks is the number of blocks a Cached reader keeps: a PDF's
// reader jumps between the end (trailer, xref) and its objects.
const cacheBlocks = 4

// blockPool holds the blocks of Cached readers between requests.
var blockPool = sync.Pool{New: func() any { b := make([]byte, CacheBlock); return &b }}

// Cached reads an io.ReaderAt (a spool file) through a few blocks of
// CacheBlock bytes kept in memory, so that the many small reads of a PDF
// parser cost one pread per block instead of one per object: a one-page
// letter is read from the file once. Reads of CacheBlock bytes or more
// (a copy of the whole file) go straight to the file. It is safe for
// concurrent use; Close returns its blocks to a pool.
type Cached struct {
	mu     sync.Mutex
	r      io.ReaderAt
	size   int64
	blocks [cacheBlocks]cacheBlock
	tick   uint64
	closed bool
	// direct: r holds the size bytes in memory (a Spool's), read from
	// there without the blocks.
	direct bool
}

type cacheBlock struct {
	buf  *[]byte
	off  int64 // -1: empty
	n    int   // valid bytes in buf
	hi   int   // the most bytes buf ever held: what Close clears
	used uint64
}

// NewCached returns a cached reader of the first size bytes of r. Of a
// Spool that holds them in memory (InMemory), it reads them from there:
// blocks would only copy them once more.
func NewCached(r io.ReaderAt, size int64) *Cached {
	c := &Cached{r: r, size: size}
	if m, ok := r.(interface{ InMemory(int64) bool }); ok && m.InMemory(size) {
		c.direct = true
	}
	for i := range c.blocks {
		c.blocks[i].off = -1
	}
	return c
}

// ReadAt reads len(p) bytes at off, as io.ReaderAt does; past size it
// returns io.EOF.
func (c *Cached) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("spool: negative offset")
	}
	if off >= c.size {
		return 0, io.EOF
	}
	want := p
	if rest := c.size - off; int64(len(want)) > rest {
		want = want[:rest]
	}
	var n int
	var err error
	if c.direct {
		c.mu.Lock()
		closed := c.closed
		c.mu.Unlock()
		if closed {
			return 0, errors.New("spool: read of a closed cached reader")
		}
		n, err = c.r.ReadAt(want, off)
	} else if len(want) >= CacheBlock {
		n, err = c.r.ReadAt(want, off)
	} else {
		n, err = c.readCached(want, off)
	}
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}

func (c *Cached) readCached(p []byte, off int64) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, errors.New("spool: read of a closed cached reader")
	}
	n := 0
	for n < len(p) {
		b, err := c.block((off + int64(n)) / CacheBlock * CacheBlock)
		if err != nil {
			return n, err
		}
		at := int(off + int64(n) - b.off)
		if at >= b.n {
			return n, io.ErrUnexpectedEOF // the file is shorter than size
		}
		n += copy(p[n:], (*b.buf)[at:b.n])
	}
	return n, nil
}

// block returns the block at start (a multiple of CacheBlock), reading
// it into the least recently used one when it is not kept.
func (c *Cached) block(start int64) (*cacheBlock, error) {
	c.tick++
	lru := &c.blocks[0]
	for i := range c.blocks {
		b := &c.blocks[i]
		if b.off == start {
			b.used = c.tick
			return b, nil
		}
		if b.used < lru.used {
			lru = b
		}
	}
	if lru.buf == nil {
		lru.buf = blockPool.Get().(*[]byte)
	}
	want := int(min(CacheBlock, c.size-start))
	m, err := c.r.ReadAt((*lru.buf)[:want], start)
	lru.hi = max(lru.hi, m)
	if m < want {
		lru.off = -1
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	lru.off, lru.n, lru.used = start, m, c.tick
	return lru, nil
}

// Close clears the blocks and returns them to the pool (nothing of a
// document outlives its request in a pooled block); reads after it fail.
func (c *Cached) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for i := range c.blocks {
		if b := &c.blocks[i]; b.buf != nil {
			clear((*b.buf)[:b.hi])
			blockPool.Put(b.buf)
			b.buf, b.off, b.hi = nil, -1, 0
		}
	}
}

// writerPool holds the buffered writers of NewWriter between requests.
var writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, CacheBlock) }}

// NewWriter returns a writer to w with a CacheBlock buffer from a pool,
// so that what a signer writes in many small pieces reaches the spool
// file in a few writes. Flush it, then give it back with PutWriter.
func NewWriter(w io.Writer) *bufio.Writer {
	bw := writerPool.Get().(*bufio.Writer)
	bw.Reset(w)
	return bw
}

// PutWriter returns a writer of NewWriter to the pool; what was not
// flushed is dropped, and its buffer cleared (nothing of a document
// outlives its request in a pooled buffer).
func PutWriter(bw *bufio.Writer) {
	bw.Reset(nil)
	b := bw.AvailableBuffer() // after Reset: the whole buffer
	clear(b[:cap(b)])
	writerPool.Put(bw)
}
