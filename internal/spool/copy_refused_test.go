package spool

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestCopyRefusedBodyLeavesNothingInMemory: a body over the limit of an
// http.MaxBytesReader, read straight into a spool's memory (a Content-Length
// the memory has room for, above MaxBodySize): MaxBytesReader reads one byte
// more than it reports (past its limit) into the buffer it is handed, past
// the spool's length. Close clears only the length, so that byte of the
// refused document stays in the pooled buffer, which is no longer all zeros
// ("every pooled buffer is all zeros"; "beyond len, a pooled buffer is
// zeros" is what readInto and writeAt's gaps rely on).
func TestCopyRefusedBodyLeavesNothingInMemory(t *testing.T) {
	var p Pool
	defer p.Close()
	p.SetMemory(64<<10, 1<<20)
	const limit = 10000
	body := bytes.Repeat([]byte{0xA5}, 20000)
	s := p.New(t.TempDir())
	s.Grow(int64(len(body)) + 8<<10)
	rec := httptest.NewRecorder()
	src := http.MaxBytesReader(rec, io.NopCloser(bytes.NewReader(body)), limit)
	if _, err := Copy(s, src, limit); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Copy: %v, want ErrTooLarge", err)
	}
	s.mu.Lock()
	buf := s.buf
	s.mu.Unlock()
	s.Close()
	if buf == nil {
		t.Fatal("nothing was read into memory")
	}
	all := (*buf)[:cap(*buf)]
	if i := bytes.IndexFunc(all, func(r rune) bool { return r != 0 }); i >= 0 {
		t.Errorf("the pooled buffer holds a byte of the refused body at %d (of %d)", i, len(all))
	}
}
