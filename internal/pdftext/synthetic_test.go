package pdftext_test

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/pdftext"
)

// buildPDF writes a classic PDF whose objects 1, 2, … are objs (streams
// written as "<<dict>>\nstream\n…\nendstream").
func buildPDF(objs []string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func stream(dict, data string) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// TestOperators runs the text and graphics state operators over fonts
// of each kind and checks the text and position of every glyph.
func TestOperators(t *testing.T) {
	widths := strings.TrimSpace(strings.Repeat("600 ", 91)) // codes 32–122
	content := strings.Join([]string{
		`BT /F1 10 Tf 100 700 Td (AB) Tj ET`,
		`q 2 0 0 2 0 0 cm BT /F1 10 Tf 10 10 Td (C) Tj ET Q`,
		`BT /F1 10 Tf 12 TL 100 600 Td (D) Tj T* (E) Tj (F) ' 5 2 (G) " ET`,
		`BT /F1 10 Tf 0 Tw 0 Tc 200 Tz 100 500 Td (HI) Tj ET`, // Tc, Tw persist after "
		`BT /F1 10 Tf 100 Tz 1 Tc 100 450 Td (JK) Tj ET`,
		`BT /F1 10 Tf 0 Tc 5 Tw 100 400 Td (L M) Tj ET`,
		`BT /F1 10 Tf 0 Tw 100 350 Td [(N) -1000 (O)] TJ ET`,
		"BI /W 4 /H 1 /BPC 8 /CS /G ID \x00EI\x01 EI",
		`/Fm1 Do`,
		`BT /F2 10 Tf 1 0 0 1 100 300 Tm <00010002> Tj ET`,
		`BT /F3 10 Tf 100 250 Td (\001\002\051) Tj ET`,
		`BT /F4 10 Tf 100 200 Td (AA) Tj ET`,
		`BT /F5 10 Tf 100 150 Td (Ab) Tj ET`,
		`BT /F1 10 Tf 100 100 Td 3 Ts (Z) Tj ET`,
	}, "\n")
	doc := buildPDF([]string{
		`<< /Type /Catalog /Pages 2 0 R >>`,
		`<< /Type /Pages /Kids [3 0 R] /Count 1 >>`,
		`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources
		   << /Font << /F1 5 0 R /F2 6 0 R /F3 9 0 R /F4 10 0 R /F5 11 0 R >> /XObject << /Fm1 12 0 R >> >> >>`,
		stream("", content),
		`<< /Type /Font /Subtype /Type1 /BaseFont /Foo /Encoding /WinAnsiEncoding /FirstChar 32 /Widths [` + widths + `] >>`,
		`<< /Type /Font /Subtype /Type0 /BaseFont /Bar /Encoding /Identity-H /DescendantFonts [7 0 R] /ToUnicode 8 0 R >>`,
		`<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Bar /DW 1000 /W [1 [500 700]] >>`,
		stream("", "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n"+
			"1 beginbfrange <0001> <0002> [<0051> <00520053>] endbfrange\nendcmap end end"),
		`<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+Baz /FirstChar 1 /Widths [400 400 400]
		   /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [1 /uni00E9 /f_i] >> >>`,
		`<< /Type /Font /Subtype /Type3 /FontMatrix [0.01 0 0 0.01 0 0] /FontBBox [0 0 100 100] /FirstChar 65 /LastChar 65
		   /Widths [50] /CharProcs << >> /Encoding << /Differences [65 /A] >> >>`,
		`<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>`,
		stream(`/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Matrix [1 0 0 1 50 50]`, `BT /F1 10 Tf 0 0 Td (P) Tj ET`),
	})
	r, err := pdf.Open(bytes.NewReader(doc), int64(len(doc)), nil)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := r.Pages()
	if err != nil {
		t.Fatal(err)
	}
	glyphs, err := pdftext.Page(r, pages[0])
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		text string
		x, y float64 // origin: left edge and baseline
		size float64
	}{
		{"A", 100, 700, 10}, {"B", 106, 700, 10},
		{"C", 20, 20, 20},
		{"D", 100, 600, 10}, {"E", 100, 588, 10}, {"F", 100, 576, 10}, {"G", 100, 564, 10},
		{"H", 100, 500, 10}, {"I", 112, 500, 10},
		{"J", 100, 450, 10}, {"K", 107, 450, 10},
		{"L", 100, 400, 10}, {" ", 106, 400, 10}, {"M", 117, 400, 10},
		{"N", 100, 350, 10}, {"O", 116, 350, 10},
		{"P", 50, 50, 10},
		{"Q", 100, 300, 10}, {"RS", 105, 300, 10},
		{"é", 100, 250, 10}, {"fi", 104, 250, 10}, {")", 108, 250, 10},
		{"A", 100, 200, 10}, {"A", 105, 200, 10},
		{"A", 100, 150, 10}, {"b", 106.67, 150, 10},
		{"Z", 100, 103, 10},
	}
	if len(glyphs) != len(want) {
		for _, g := range glyphs {
			t.Logf("%q %v", g.Text, g.Box)
		}
		t.Fatalf("%d glyphs, want %d", len(glyphs), len(want))
	}
	for i, w := range want {
		g := glyphs[i]
		// Boxes run from 0.2 em below the baseline to 0.9 em above it
		// when the font has no descriptor.
		base := g.Box[1] + 0.2*g.Size
		if g.Text != w.text || math.Abs(g.Box[0]-w.x) > 0.01 || math.Abs(base-w.y) > 0.01 || math.Abs(g.Size-w.size) > 0.01 {
			t.Errorf("glyph %d = %q at (%.2f, %.2f) size %.2f; want %q at (%g, %g) size %g",
				i, g.Text, g.Box[0], base, g.Size, w.text, w.x, w.y, w.size)
		}
	}
	if m := pdftext.Find(glyphs, "QRS"); len(m) != 1 {
		t.Errorf("Find(QRS) = %v", m)
	}
}

// TestMalformed feeds content that is not valid PDF syntax: the extractor
// returns what it can and never panics.
func TestMalformed(t *testing.T) {
	for _, content := range []string{
		`BT /F1 Tf (unterminated`,
		`BT /F1 10 Tf [(a) [(b) [(c)]] TJ ET Q Q Q`,
		`<< /a << /b [ ] >> BT ET`,
		`BI /W 1 ID`,
		`1 2 3 4 5 cm 1 0 0 1 0 0 Tm (x) Tj '`,
		`/Fm1 Do /Fm1 Do`,
		strings.Repeat("q ", 1000) + strings.Repeat("[", 500),
		`<4142 4 > Tj (\\\n\101\7) Tj`,
	} {
		doc := buildPDF([]string{
			`<< /Type /Catalog /Pages 2 0 R >>`,
			`<< /Type /Pages /Kids [3 0 R] /Count 1 >>`,
			`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Fm1 5 0 R >> >> >>`,
			stream("", content),
			stream(`/Subtype /Form /BBox [0 0 1 1]`, `/Fm1 Do (y) Tj`),
		})
		r, err := pdf.Open(bytes.NewReader(doc), int64(len(doc)), nil)
		if err != nil {
			t.Fatal(err)
		}
		pages, _ := r.Pages()
		if _, err := pdftext.Page(r, pages[0]); err != nil {
			t.Errorf("%q: %v", content, err)
		}
	}
}

// FuzzPage runs the extractor over arbitrary content streams, with a
// simple and a composite font and a form XObject in the resources.
func FuzzPage(f *testing.F) {
	for _, seed := range []string{
		`BT /F1 10 Tf 100 700 Td (AB) Tj [(C) -250 (D)] TJ ET`,
		`q 1 0 0 1 5 5 cm BT /F2 12 Tf <00010002> Tj T* (x) ' 1 2 (y) " ET Q /Fm1 Do`,
		"BI /W 1 /H 1 ID \x00 EI BT ET",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		doc := buildPDF([]string{
			`<< /Type /Catalog /Pages 2 0 R >>`,
			`<< /Type /Pages /Kids [3 0 R] /Count 1 >>`,
			`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources
			   << /Font << /F1 5 0 R /F2 6 0 R >> /XObject << /Fm1 8 0 R >> >> >>`,
			stream("", string(content)),
			`<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>`,
			`<< /Type /Font /Subtype /Type0 /Encoding /Identity-H /DescendantFonts [7 0 R] >>`,
			`<< /Type /Font /Subtype /CIDFontType2 /W [1 [500 700] 3 9 250] >>`,
			stream(`/Subtype /Form /BBox [0 0 1 1] /Matrix [2 0 0 2 0 0]`, string(content)),
		})
		r, err := pdf.Open(bytes.NewReader(doc), int64(len(doc)), nil)
		if err != nil {
			t.Skip()
		}
		pages, err := r.Pages()
		if err != nil || len(pages) == 0 {
			t.Skip()
		}
		glyphs, _ := pdftext.Page(r, pages[0])
		pdftext.Find(glyphs, "AB")
	})
}
