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
	lines, clean := s.wrap([]string{"Ditandatangani secara elektronik oleh", "", "Pemerintahkabupatenserangbanten"}, 80, 8, true)
	for _, l := range lines {
		if w := s.font.Width(l, 8); w > 80 {
			t.Errorf("line %q is %g points wide, more than 80", l, w)
		}
	}
	if got := strings.Join(lines, "|"); !strings.HasPrefix(got, "Ditandatangani|secara elektronik|oleh||Pemerintah") || clean {
		t.Errorf("wrapped: %q (clean %v)", got, clean)
	}
}

// TestStampLayoutNIP: a NIP is never broken, neither from "NIP" nor
// between its digits; where it does not fit, the type shrinks, and at
// the smallest size the line is cut with an ellipsis, within the box.
func TestStampLayoutNIP(t *testing.T) {
	f, err := defaultFont()
	if err != nil {
		t.Fatal(err)
	}
	s := &stampLayout{font: ttfont.NewUse(f)}
	nip := "NIP\u00a0197001011990031001"
	for _, width := range []float64{200, 120, 90, 60} {
		lines, size := s.fit([]string{"Dr. H. Ahmad Fauzi, M.Si.", nip, "28 November 2026 09:05 WITA"}, width, 60, maxTextSize, minTextSize)
		found := false
		for _, l := range lines {
			if w := s.font.Width(l, size); w > width+1e-6 {
				t.Errorf("width %g: line %q is %g points wide", width, l, w)
			}
			if l == nip {
				found = true
			}
			if strings.Contains(l, "1970") && l != nip {
				t.Errorf("width %g: the NIP is broken: %q", width, lines)
			}
		}
		if !found {
			t.Errorf("width %g: the NIP is not one line: %q", width, lines)
		}
	}
	// Too narrow for the NIP at the smallest size: cut, never wrapped.
	lines, size := s.fit([]string{nip}, 20, 60, maxTextSize, minTextSize)
	if len(lines) != 1 || !strings.HasSuffix(lines[0], ellipsis) || s.font.Width(lines[0], size) > 20 || size != minTextSize {
		t.Errorf("a NIP in 20 points: %q at %g pt", lines, size)
	}
	// More lines than the height holds: the last kept ends in an ellipsis.
	many := strings.Split(strings.Repeat("baris ", 40), " ")
	lines, size = s.fit(many, 100, 20, maxTextSize, minTextSize)
	if float64(len(lines))*size*lineSpacing > 20 || !strings.HasSuffix(lines[len(lines)-1], ellipsis) {
		t.Errorf("40 lines in 20 points: %q at %g pt", lines, size)
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
	if _, err := layoutStamp(a, []string{long}, 60, 20, f, [4]float64{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("layout took %v", d)
	}
}
