package spool

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
)

// letter is n bytes of a made-up document.
func letter(n int) []byte {
	return bytes.Repeat([]byte("%PDF-1.7 surat "), n/15+1)[:n]
}

// spoolOf copies data into a new spool of p.
func spoolOf(t *testing.T, p *Pool, dir string, data []byte) *Spool {
	t.Helper()
	s := p.New(dir)
	if _, err := Copy(s, bytes.NewReader(data), 1<<30); err != nil {
		t.Fatal(err)
	}
	return s
}

// readAll reads the whole spool through ReadAt.
func readAll(t *testing.T, s *Spool) []byte {
	t.Helper()
	got := make([]byte, s.Size())
	if n, err := s.ReadAt(got, 0); err != nil || n != len(got) {
		t.Fatalf("ReadAt: %d, %v", n, err)
	}
	return got
}

// TestSpoolThreshold: a body within the per-spool memory stays in memory
// (no file is made: the directory does not even exist), one above it
// goes to a file from where memory ends, and both read back whole.
func TestSpoolThreshold(t *testing.T) {
	var p Pool
	defer p.Close()
	p.SetMemory(64<<10, 1<<20)
	missing := t.TempDir() + "/missing"
	small := letter(20 << 10)
	s := spoolOf(t, &p, missing, small)
	if !s.InMemory(s.Size()) || s.file != nil {
		t.Fatal("a 20 kB body below the 64 KiB threshold is not in memory")
	}
	// What is made from it (the signed PDF) goes after it, in memory too.
	if _, err := s.WriteAt(letter(30<<10), s.Size()); err != nil || s.file != nil {
		t.Fatalf("the output of a small body: %v, file %v", err, s.file != nil)
	}
	if !bytes.Equal(readAll(t, s)[:len(small)], small) {
		t.Error("the body read back differs")
	}
	s.Close()

	dir := t.TempDir()
	big := letter(200 << 10)
	b := spoolOf(t, &p, dir, big)
	defer b.Close()
	if b.file == nil || b.InMemory(b.Size()) {
		t.Fatal("a 200 kB body above the threshold is not in a file")
	}
	if !bytes.Equal(readAll(t, b), big) {
		t.Error("the big body read back differs")
	}
	// The file holds only what memory does not.
	fi, err := b.file.Stat()
	if err != nil || fi.Size() != int64(len(big)-len(b.mem())) {
		t.Errorf("the file holds %v bytes, want %d", fi.Size(), len(big)-len(b.mem()))
	}
	// An empty write takes nothing, with or without a pool.
	var nilPool *Pool
	for _, e := range []*Spool{p.New(missing), nilPool.New(missing)} {
		if n, err := e.Write(nil); n != 0 || err != nil || e.file != nil || e.buf != nil {
			t.Errorf("an empty write: %d, %v, file %v, memory %v", n, err, e.file != nil, e.buf != nil)
		}
		e.Close()
	}
	// A missing directory shows when a file is needed.
	m := p.New(missing)
	if _, err := Copy(m, bytes.NewReader(big), 1<<30); err == nil {
		t.Error("a big body spooled to a missing directory")
	}
	m.Close()
}

// TestSpoolBudget: once the pool's budget is held by open spools, the
// next body goes to a file although it is small; closing a spool gives
// its memory back (MemoryHeld returns to 0) and the next body is in
// memory again.
func TestSpoolBudget(t *testing.T) {
	var p Pool
	defer p.Close()
	p.SetMemory(64<<10, 128<<10)
	dir := t.TempDir()
	var open []*Spool
	for range 2 {
		s := p.New(dir)
		s.Grow(64 << 10)
		open = append(open, spoolOf2(t, s, letter(40<<10)))
	}
	if p.MemoryHeld() != 128<<10 {
		t.Fatalf("two spools hold %d bytes, want %d", p.MemoryHeld(), 128<<10)
	}
	third := spoolOf(t, &p, dir, letter(10<<10))
	if third.file == nil || third.InMemory(1) {
		t.Error("a body beyond the budget is in memory")
	}
	if !bytes.Equal(readAll(t, third), letter(10<<10)) {
		t.Error("the third body read back differs")
	}
	third.Close()
	for _, s := range open {
		s.Close()
	}
	if n := p.MemoryHeld(); n != 0 {
		t.Fatalf("after Close the spools still hold %d bytes", n)
	}
	again := spoolOf(t, &p, dir, letter(10<<10))
	defer again.Close()
	if !again.InMemory(again.Size()) {
		t.Error("after the memory came back a small body is not in memory")
	}
}

func spoolOf2(t *testing.T, s *Spool, data []byte) *Spool {
	t.Helper()
	if _, err := Copy(s, bytes.NewReader(data), 1<<30); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSpoolConcurrentBudget: many spools at once never hold more than
// the budget, and all memory is back after they close.
func TestSpoolConcurrentBudget(t *testing.T) {
	var p Pool
	defer p.Close()
	const budget = 256 << 10
	p.SetMemory(64<<10, budget)
	dir := t.TempDir()
	var wg sync.WaitGroup
	var mu sync.Mutex
	peak := int64(0)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := letter(10<<10 + i*2000)
			s := p.New(dir)
			defer s.Close()
			if _, err := Copy(s, bytes.NewReader(data), 1<<30); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			peak = max(peak, p.MemoryHeld())
			mu.Unlock()
			got := make([]byte, len(data))
			if _, err := s.ReadAt(got, 0); err != nil || !bytes.Equal(got, data) {
				t.Errorf("spool %d reads back wrong: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if peak > budget {
		t.Errorf("the spools held %d bytes, over the budget of %d", peak, budget)
	}
	if n := p.MemoryHeld(); n != 0 {
		t.Errorf("%d bytes held after every spool closed", n)
	}
}

// TestSpoolClearedOnClose: the memory of a closed spool is zeros when it
// is pooled, so no document outlives its request in a reused buffer; the
// closed spool reads and writes nothing.
func TestSpoolClearedOnClose(t *testing.T) {
	var p Pool
	defer p.Close()
	p.SetMemory(64<<10, 1<<20)
	s := spoolOf(t, &p, t.TempDir(), letter(20<<10))
	buf := s.buf
	s.Close()
	for i, c := range (*buf)[:cap(*buf)] {
		if c != 0 {
			t.Fatalf("byte %d of the pooled buffer is %q after Close", i, c)
		}
	}
	if _, err := s.ReadAt(make([]byte, 4), 0); err == nil {
		t.Error("a closed spool was read")
	}
	if _, err := s.Write([]byte("x")); err == nil {
		t.Error("a closed spool was written")
	}
	if s.InMemory(0) {
		t.Error("a closed spool says it holds memory")
	}
	if !errors.Is(s.Close(), os.ErrClosed) {
		t.Error("a second Close did not fail")
	}
}

// TestSpoolReadsAsAFile: random writes (gaps, overwrites, across where
// memory ends) and reads of a spool give what an ordinary file gives.
func TestSpoolReadsAsAFile(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, memory := range []int64{0, 1 << 10, 16 << 10, 256 << 10} {
		var p Pool
		p.SetMemory(memory, 1<<20)
		dir := t.TempDir()
		s := p.New(dir)
		f, err := os.CreateTemp(dir, "ref")
		if err != nil {
			t.Fatal(err)
		}
		for range 300 {
			off := rng.Int64N(100 << 10)
			if rng.IntN(2) == 0 {
				data := make([]byte, rng.IntN(8<<10))
				for i := range data {
					data[i] = byte(rng.IntN(256))
				}
				n, err := s.WriteAt(data, off)
				if err != nil || n != len(data) {
					t.Fatalf("WriteAt: %d, %v", n, err)
				}
				f.WriteAt(data, off)
				continue
			}
			n := rng.IntN(8 << 10)
			got, want := make([]byte, n), make([]byte, n)
			gn, gerr := s.ReadAt(got, off)
			wn, werr := f.ReadAt(want, off)
			if gn != wn || !bytes.Equal(got[:gn], want[:wn]) || (gerr == nil) != (werr == nil) {
				t.Fatalf("memory %d: ReadAt(%d at %d) = %d, %v; the file gives %d, %v", memory, n, off, gn, gerr, wn, werr)
			}
		}
		fi, _ := f.Stat()
		if s.Size() != fi.Size() {
			t.Errorf("memory %d: size %d, the file's %d", memory, s.Size(), fi.Size())
		}
		s.Close()
		f.Close()
		p.Close()
		if p.MemoryHeld() != 0 {
			t.Errorf("memory %d: %d bytes held after Close", memory, p.MemoryHeld())
		}
	}
}

// TestSpoolFullDirectory: a body above the threshold whose file cannot
// be written (/dev/full: ENOSPC, as a full temporary directory) fails as a
// WriteError that NoRoom recognises; one below it needs no file.
func TestSpoolFullDirectory(t *testing.T) {
	var p Pool
	defer p.Close()
	p.SetMemory(4<<10, 1<<20)
	full := func() *Spool {
		f, err := os.OpenFile("/dev/full", os.O_RDWR, 0)
		if err != nil {
			t.Skipf("no /dev/full: %v", err)
		}
		s := p.New(t.TempDir())
		s.file = &File{File: f} // as if made in a full directory
		return s
	}
	s := full()
	_, err := Copy(s, bytes.NewReader(letter(8<<10)), 1<<20)
	var we *WriteError
	if !errors.As(err, &we) || !NoRoom(err) {
		t.Errorf("a big body in a full directory: %v, want a WriteError with ENOSPC", err)
	}
	s.Close()
	small := p.New(t.TempDir() + "/missing")
	defer small.Close()
	if _, err := Copy(small, bytes.NewReader(letter(3<<10)), 1<<20); err != nil {
		t.Errorf("a small body needed the directory: %v", err)
	}
}

// TestSendFromMemory: a section of a spool held in memory reaches the
// writer in one Write, from where a reader left it; one in a file whole.
func TestSendFromMemory(t *testing.T) {
	var p Pool
	defer p.Close()
	p.SetMemory(64<<10, 1<<20)
	data := letter(40 << 10)
	s := spoolOf(t, &p, t.TempDir(), data)
	defer s.Close()
	sr := io.NewSectionReader(s, 1000, 30<<10)
	sr.Read(make([]byte, 100))
	var w countWriter
	if n, err := Send(&w, sr); err != nil || n != 30<<10-100 {
		t.Fatalf("Send: %d, %v", n, err)
	}
	if w.writes != 1 || !bytes.Equal(w.Bytes(), data[1100:1000+30<<10]) {
		t.Errorf("%d writes of %d bytes, want the section's rest in 1", w.writes, w.Len())
	}
	if rest, _ := io.ReadAll(sr); len(rest) != 0 {
		t.Errorf("the section reader still holds %d bytes after Send", len(rest))
	}
	var none Pool
	defer none.Close()
	fs := spoolOf(t, &none, t.TempDir(), data)
	defer fs.Close()
	var w2 countWriter
	if n, err := Send(&w2, io.NewSectionReader(fs, 0, int64(len(data)))); err != nil || n != int64(len(data)) || !bytes.Equal(w2.Bytes(), data) {
		t.Errorf("Send from a file: %d, %v", n, err)
	}
}

// TestCachedDirectFromMemory: a Cached reader of a spool held in memory
// reads it without blocks (no block taken from the pool).
func TestCachedDirectFromMemory(t *testing.T) {
	var p Pool
	defer p.Close()
	p.SetMemory(64<<10, 1<<20)
	data := letter(30 << 10)
	s := spoolOf(t, &p, t.TempDir(), data)
	defer s.Close()
	c := NewCached(s, s.Size())
	got := make([]byte, 512)
	if _, err := c.ReadAt(got, 4096); err != nil || !bytes.Equal(got, data[4096:4608]) {
		t.Fatalf("ReadAt: %v", err)
	}
	for _, b := range c.blocks {
		if b.buf != nil {
			t.Error("a block was taken for a spool in memory")
		}
	}
	c.Close()
	if _, err := c.ReadAt(got, 0); err == nil {
		t.Error("read after Close")
	}
}

// countWriter counts the writes it is given.
type countWriter struct {
	bytes.Buffer
	writes int
}

func (w *countWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

// TestPooledBuffersCleared: the blocks of a Cached reader and the buffer
// of a pooled writer hold zeros once given back, so that nothing of a
// document outlives its request in a pooled buffer.
func TestPooledBuffersCleared(t *testing.T) {
	data := letter(100 << 10)
	c := NewCached(bytes.NewReader(data), int64(len(data)))
	for off := int64(0); off < int64(len(data)); off += 7000 {
		if _, err := c.ReadAt(make([]byte, 100), off); err != nil {
			t.Fatal(err)
		}
	}
	var blocks []*[]byte
	for _, b := range c.blocks {
		if b.buf != nil {
			blocks = append(blocks, b.buf)
		}
	}
	c.Close()
	if len(blocks) == 0 {
		t.Fatal("no block was used")
	}
	for i, b := range blocks {
		if !allZero((*b)[:cap(*b)]) {
			t.Errorf("block %d holds the document after Close", i)
		}
	}
	var out bytes.Buffer
	bw := NewWriter(&out)
	bw.Write(data[:20<<10])
	bw.Flush()
	bw.Write(data[:100]) // not flushed: dropped
	buf := bw.AvailableBuffer()
	PutWriter(bw)
	if !allZero(buf[:cap(buf)]) {
		t.Error("a pooled writer's buffer holds the document after PutWriter")
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
