package pdftext_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/pdftext"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/internal/testenv"
)

// bboxDoc is pdftotext -bbox output.
type bboxDoc struct {
	Pages []struct {
		Height float64 `xml:"height,attr"`
		Words  []struct {
			XMin float64 `xml:"xMin,attr"`
			YMin float64 `xml:"yMin,attr"`
			XMax float64 `xml:"xMax,attr"`
			YMax float64 `xml:"yMax,attr"`
			Text string  `xml:",chardata"`
		} `xml:"word"`
	} `xml:"body>doc>page"`
}

// TestTextAgainstPoppler checks every word poppler's pdftotext finds on
// the unrotated pages of the corpus: Find must find it at poppler's
// position (±3 pt).
func TestTextAgainstPoppler(t *testing.T) {
	bin := testenv.Tool(t, "pdftotext")
	qpdf := testenv.Tool(t, "qpdf")
	dir := t.TempDir()
	inputs := testcorpus.Base(t)
	// The signer's anchor letters add Chromium's CIDFontType2 Identity-H
	// fonts and ghostscript's base-14 substitutes.
	extra, err := filepath.Glob(filepath.Join("..", "..", "signer", "testdata", "*.pdf"))
	if err != nil || len(extra) == 0 {
		t.Fatalf("no signer/testdata PDFs: %v", err)
	}
	for _, path := range extra {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		inputs[strings.TrimSuffix(filepath.Base(path), ".pdf")] = data
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			// Form fields are flattened into the page content (as form
			// XObjects), so that poppler and Page see the same text.
			raw := filepath.Join(dir, name+".raw.pdf")
			path := filepath.Join(dir, name+".pdf")
			if err := os.WriteFile(raw, data, 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if out, err := exec.CommandContext(ctx, qpdf, "--flatten-annotations=all", raw, path).CombinedOutput(); err != nil {
				t.Fatalf("qpdf: %v\n%s", err, out)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			out, err := exec.CommandContext(ctx, bin, "-bbox", "-nopgbrk", path, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			out = bytes.ReplaceAll(out, []byte("<!DOCTYPE"), []byte("<!-- "))
			out = bytes.Replace(out, []byte(".dtd\">"), []byte(".dtd\" -->"), 1)
			var doc bboxDoc
			dec := xml.NewDecoder(bytes.NewReader(out))
			dec.Strict = false
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("pdftotext output: %v", err)
			}
			r, err := pdf.Open(bytes.NewReader(data), int64(len(data)), nil)
			if err != nil {
				t.Fatal(err)
			}
			pages, err := r.Pages()
			if err != nil {
				t.Fatal(err)
			}
			info, _ := testcorpus.Describe(name)
			checked := 0
			for i, p := range doc.Pages {
				// pdftotext gives positions in the displayed page: map them
				// back for the pages that the corpus rotates by 90°
				// (qpdf-merged, A4 at [0 0 595 842]).
				rotated := containsInt(info.RotatedPages, i+1)
				glyphs, err := pdftext.Page(r, pages[i])
				if err != nil {
					t.Fatal(err)
				}
				// Coordinates: pdftotext's origin is the top left of the
				// MediaBox; the corpus pages start at 0 0.
				for _, w := range p.Words {
					text := strings.TrimSpace(w.Text)
					if text == "" {
						continue
					}
					cx, cy := (w.XMin+w.XMax)/2, p.Height-(w.YMin+w.YMax)/2
					if rotated { // shown 842×595; pdftotext's y goes down
						cx, cy = (w.YMin+w.YMax)/2, cx
					}
					found := false
					for _, m := range pdftext.Find(glyphs, text) {
						mx, my := (m.Box[0]+m.Box[2])/2, (m.Box[1]+m.Box[3])/2
						if math.Abs(mx-cx) <= 3 && math.Abs(my-cy) <= 3 {
							found = true
							break
						}
					}
					if !found {
						t.Errorf("page %d: %q at (%.1f, %.1f) not found there", i+1, text, cx, cy)
					}
					checked++
				}
			}
			if checked == 0 {
				t.Errorf("no word checked")
			}
		})
	}
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestFindIgnoresSpaceAndSplits(t *testing.T) {
	g := func(s string, x float64) pdftext.Glyph {
		return pdftext.Glyph{Text: s, Box: [4]float64{x, 0, x + 5, 10}}
	}
	glyphs := []pdftext.Glyph{g("$", 0), g("{", 5), g(" ", 10), g("t", 15), g("t", 20), g("d", 25), g("}", 30), g("x", 35), g("$", 40), g("{", 45), g("ttd}", 50)}
	m := pdftext.Find(glyphs, "${ttd}")
	if len(m) != 2 {
		t.Fatalf("Find = %v, want 2 matches", m)
	}
	if m[0].Box != [4]float64{0, 0, 35, 10} || m[0].First != 0 {
		t.Errorf("first match %+v", m[0])
	}
	if m[1].First != 8 {
		t.Errorf("second match %+v", m[1])
	}
	if pdftext.Find(glyphs, "  ") != nil {
		t.Errorf("empty needle matched")
	}
}
