package service

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/testenv"
)

// TestNewIDForm: an id is the 16 bytes in lower-case base32 without
// padding, exactly as the upper-case standard encoding lowered (the
// form ids had before formatID), and two ids differ.
func TestNewIDForm(t *testing.T) {
	old := func(b []byte) string {
		return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	}
	var b [16]byte
	for i := range 1000 {
		switch i {
		case 0:
		case 1:
			for j := range b {
				b[j] = 0xff
			}
		default:
			rand.Read(b[:])
		}
		if got, want := formatID(&b), old(b[:]); got != want {
			t.Fatalf("formatID(%x) = %q, want %q", b, got, want)
		}
	}
	form := regexp.MustCompile(`^[a-z2-7]{26}$`)
	a, c := NewID(), NewID()
	if !form.MatchString(a) || !form.MatchString(c) || a == c {
		t.Errorf("NewID: %q and %q", a, c)
	}
}

// TestNewIDAllocs: an id costs one allocation, its string (twice a
// request: the request id and the document id). It was two.
func TestNewIDAllocs(t *testing.T) {
	if testenv.Race {
		t.Skip("the race detector allocates")
	}
	if n := testing.AllocsPerRun(100, func() { NewID() }); n > 1 {
		t.Errorf("NewID: %.0f allocations, want 1", n)
	}
}

// TestHexSum: hexSum is hex.EncodeToString of the hash's sum.
func TestHexSum(t *testing.T) {
	for _, s := range []string{"", "a", strings.Repeat("segel", 1000)} {
		h := sha256.New()
		h.Write([]byte(s))
		want := sha256.Sum256([]byte(s))
		if got := hexSum(h); got != hex.EncodeToString(want[:]) {
			t.Errorf("hexSum(%.10q) = %s", s, got)
		}
	}
}

func BenchmarkNewID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		NewID()
	}
}
