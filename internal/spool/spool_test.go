package spool

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
)

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

func TestCopy(t *testing.T) {
	f, err := Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := Copy(f, strings.NewReader("%PDF-1.7 body"), 13)
	sum := sha256.Sum256([]byte("%PDF-1.7 body"))
	if err != nil || c.Size != 13 || c.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("Copy = %+v, %v", c, err)
	}
	if _, err := Copy(io.Discard, strings.NewReader("%PDF-1.7 body"), 12); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v, want ErrTooLarge", err)
	}
	rec := httptest.NewRecorder()
	body := http.MaxBytesReader(rec, io.NopCloser(strings.NewReader("0123456789")), 5)
	if _, err := Copy(io.Discard, body, 100); !errors.Is(err, ErrTooLarge) {
		t.Errorf("past MaxBytesReader: %v, want ErrTooLarge", err)
	}
	_, err = Copy(failWriter{}, strings.NewReader("x"), 10)
	var we *WriteError
	if !errors.As(err, &we) || !NoRoom(err) {
		t.Errorf("full directory: %v, want a WriteError with ENOSPC", err)
	}
}

func TestCreateLeavesNoName(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("the directory holds %v while the file is open", entries)
	}
	if f.Close() != nil || f.Close() == nil {
		t.Error("Close: want nil, then an error")
	}
}

func TestClientAddress(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, c := range []struct{ remote, xff, want string }{
		{"192.0.2.1:5000", "203.0.113.9", "192.0.2.1"},            // not a proxy: XFF ignored
		{"10.0.0.1:5000", "203.0.113.9, 10.0.0.2", "203.0.113.9"}, // the last untrusted hop
		{"10.0.0.1:5000", "forged, 203.0.113.9", "203.0.113.9"},
		{"10.0.0.1:5000", "junk", "10.0.0.1"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		r.Header.Set("X-Forwarded-For", c.xff)
		if got := ClientAddress(r, trusted); got != c.want {
			t.Errorf("%s via %q: %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
	if ClientKey("2001:db8:1:2:3:4:5:6") != ClientKey("2001:db8:1:2:ffff::1") || ClientKey("192.0.2.1") == ClientKey("192.0.2.2") {
		t.Error("ClientKey")
	}
}
