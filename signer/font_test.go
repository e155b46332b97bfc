package signer

import (
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/ttfont"
)

func TestStampLayoutWrap(t *testing.T) {
	f, err := defaultFont()
	if err != nil {
		t.Fatal(err)
	}
	s := &stampLayout{font: ttfont.NewUse(f)}
	lines := s.wrap([]string{"Ditandatangani secara elektronik oleh", "", "NIP197001011990031001199003"}, 80, 8)
	for _, l := range lines {
		if w := s.font.Width(l, 8); w > 80 {
			t.Errorf("line %q is %g points wide, more than 80", l, w)
		}
	}
	if got := strings.Join(lines, "|"); !strings.HasPrefix(got, "Ditandatangani|secara elektronik|oleh||NIP") {
		t.Errorf("wrapped: %q", got)
	}
}

func TestStampIndonesianDate(t *testing.T) {
	for _, tc := range []struct {
		hours int
		want  string
	}{{7, "WIB"}, {8, "WITA"}, {9, "WIT"}, {0, "UTC"}, {-3, "-03:00"}} {
		tm := time.Date(2026, 11, 28, 9, 5, 0, 0, time.FixedZone("", tc.hours*3600))
		if got := indonesianDate(tm); got != "28 November 2026 09:05 "+tc.want {
			t.Errorf("indonesianDate = %q", got)
		}
	}
}

func TestQRLimits(t *testing.T) {
	m, err := qrMatrix("https://segel.serangkab.go.id/v/0193c6b2-7f1e-7c3a-9d4e-5f6a7b8c9d0e")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m); n < 21 || n%4 != 1 || len(m[0]) != n {
		t.Errorf("QR matrix is %dx%d, want a QR symbol size (21, 25, …) without border", n, len(m[0]))
	}
	var b strings.Builder
	qrPath(&b, m, 10, 20, float64(len(m)))
	if !strings.Contains(b.String(), "10 ") || !strings.HasSuffix(b.String(), "f\n") {
		t.Errorf("QR path: %.80q", b.String())
	}
	if _, err := qrMatrix(strings.Repeat("x", maxQRLength+1)); err == nil {
		t.Error("an over-long QR text was accepted")
	}
}

// TestStampLayoutLimits lays out the longest text allowed in a small
// stamp: it must end quickly, whatever is clipped.
func TestStampLayoutLimits(t *testing.T) {
	f, err := defaultFont()
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("W", maxStampText/2)
	start := time.Now()
	a := &Appearance{Footer: long, QR: "x"}
	if _, err := layoutStamp(a, []string{long}, 60, 20, f); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("layout took %v", d)
	}
}
