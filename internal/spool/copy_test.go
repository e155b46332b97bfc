package spool

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"
	"unsafe"
)

// netBody reads like a request body from net/http: the first piece is
// what the connection's 4 KiB buffer held after the headers, the rest
// comes in reads as large as the caller asks for.
type netBody struct {
	data  []byte
	first bool
}

func (b *netBody) Read(p []byte) (int, error) {
	if len(b.data) == 0 {
		return 0, io.EOF
	}
	n := len(p)
	if !b.first {
		b.first = true
		n = min(n, 3700)
	}
	n = copy(p[:n], b.data)
	b.data = b.data[n:]
	return n, nil
}

// BenchmarkCopyIntoSpool spools a 15 KB body as the gateway does (Grow
// by its Content-Length and the output's room, Copy, Close): the CPU of
// a request's spool outside the network.
func BenchmarkCopyIntoSpool(b *testing.B) {
	var p Pool
	defer p.Close()
	p.SetMemory(DefaultMemoryPerSpool, DefaultMemoryTotal)
	data := letter(15 << 10)
	dir := b.TempDir()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		s := p.New(dir)
		s.Grow(int64(len(data)) + 32<<10)
		if _, err := Copy(s, &netBody{data: data}, 64<<20); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// handedReader reads data like netBody and remembers the buffers it was
// handed.
type handedReader struct {
	netBody
	handed [][]byte
	err    error // returned, once data is read, instead of io.EOF
}

func (r *handedReader) Read(p []byte) (int, error) {
	r.handed = append(r.handed, p)
	if len(r.data) == 0 && r.err != nil {
		return 0, r.err
	}
	return r.netBody.Read(p)
}

// within reports whether p lies inside the capacity of b.
func within(p, b []byte) bool {
	if len(p) == 0 || cap(b) == 0 {
		return false
	}
	start, end := &b[:cap(b)][0], &b[:cap(b)][cap(b)-1]
	return uintptr(unsafe.Pointer(&p[0])) >= uintptr(unsafe.Pointer(start)) &&
		uintptr(unsafe.Pointer(&p[len(p)-1])) <= uintptr(unsafe.Pointer(end))
}

// TestCopyReadsIntoMemory: Copy into a Spool whose memory has room (a
// body of known length, Grow) reads the body straight into that memory,
// not through a buffer of its own; the spool, its size and its hash are
// those of the body, also when the body outgrows the room or the memory
// (the rest goes through Write), is over the limit or fails.
func TestCopyReadsIntoMemory(t *testing.T) {
	var p Pool
	defer p.Close()
	p.SetMemory(64<<10, 1<<20)
	dir := t.TempDir()
	data := letter(15 << 10)
	sum := sha256.Sum256(data)

	s := p.New(dir)
	s.Grow(int64(len(data)) + 32<<10)
	r := &handedReader{netBody: netBody{data: data}}
	c, err := Copy(s, r, 1<<20)
	if err != nil || c.Size != int64(len(data)) || c.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("Copy = %+v, %v", c, err)
	}
	mem := s.mem()
	for i, h := range r.handed {
		if !within(h, mem) {
			t.Errorf("read %d was into a buffer of %d bytes outside the spool's memory", i, cap(h))
		}
	}
	if got := readAll(t, s); !bytes.Equal(got, data) || !s.InMemory(int64(len(data))) {
		t.Errorf("the spool holds %d bytes (in memory: %v), want the body's %d", len(got), s.InMemory(int64(len(data))), len(data))
	}
	s.Close()

	// Room for part of the body: the rest grows the memory; past the
	// memory's limit, it goes to the file.
	for _, n := range []int{40 << 10, 100 << 10} {
		big := letter(n)
		bs := sha256.Sum256(big)
		s := p.New(dir)
		s.Grow(8 << 10)
		c, err := Copy(s, &netBody{data: big}, 1<<20)
		if err != nil || c.Size != int64(n) || c.SHA256 != hex.EncodeToString(bs[:]) {
			t.Fatalf("%d bytes: Copy = %+v, %v", n, c, err)
		}
		if got := readAll(t, s); !bytes.Equal(got, big) {
			t.Errorf("%d bytes: the spool differs from the body", n)
		}
		if inMem := s.InMemory(int64(n)); inMem != (n <= 64<<10) {
			t.Errorf("%d bytes: in memory %v", n, inMem)
		}
		s.Close()
	}

	// Over the limit, and a failing body: the error, the size read.
	s = p.New(dir)
	s.Grow(int64(len(data)) + 32<<10)
	if c, err := Copy(s, &netBody{data: data}, int64(len(data))-1); !errors.Is(err, ErrTooLarge) || c.Size != int64(len(data)) {
		t.Errorf("over the limit: %+v, %v; want ErrTooLarge", c, err)
	}
	s.Close()
	s = p.New(dir)
	s.Grow(int64(len(data)) + 32<<10)
	broken := errors.New("connection reset")
	if c, err := Copy(s, &handedReader{netBody: netBody{data: data}, err: broken}, 1<<20); !errors.Is(err, broken) || c.Size != int64(len(data)) || c.SHA256 != "" {
		t.Errorf("a failing body: %+v, %v", c, err)
	}
	s.Close()
	if held := p.MemoryHeld(); held != 0 {
		t.Errorf("%d bytes of memory still held after Close", held)
	}
}
