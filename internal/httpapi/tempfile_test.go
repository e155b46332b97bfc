package httpapi

import "testing"

// TestTempFileReuse: a spool file handed back to the pool is empty, and
// the spool of the request that used it no longer reads or writes it.
func TestTempFileReuse(t *testing.T) {
	s := &Server{opts: Options{TempDir: t.TempDir()}}
	a := s.newSpool()
	a.Write([]byte("letter of request A"))
	a.Close()
	b := s.newSpool()
	defer b.Close()
	if n := b.Size(); n != 0 {
		t.Fatalf("reused spool holds %d bytes", n)
	}
	b.Write([]byte("letter of request B"))
	buf := make([]byte, 8)
	if n, err := a.ReadAt(buf, 0); err == nil || n != 0 {
		t.Errorf("a closed handle read %q", buf[:n])
	}
	if _, err := a.WriteAt([]byte("x"), 0); err == nil {
		t.Error("a closed handle wrote")
	}
	if a.Close() == nil {
		t.Error("a second Close succeeded")
	}
	got := make([]byte, 19)
	if _, err := b.ReadAt(got, 0); err != nil || string(got) != "letter of request B" {
		t.Errorf("b holds %q (%v)", got, err)
	}
}
