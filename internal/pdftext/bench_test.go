package pdftext_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/pdftext"
)

// BenchmarkPage extracts a page shaped like an office suite's: a line of
// text per TJ array, with kerning, a Type0 font with a ToUnicode CMap, and
// graphics state and marked-content operators between the lines.
func BenchmarkPage(b *testing.B) {
	var c strings.Builder
	for i := range 400 {
		c.WriteString("q 0.1 0 0 0.1 0 0 cm /P <</MCID 3>> BDC BT /F1 11.04 Tf 1 0 0 1 72.024 ")
		c.WriteString(strings.Repeat("7", 1+i%3))
		c.WriteString(" Tm [(Surat) -3 (Keputusan) 4 (Bupati) -250 (Nomor) 2 (\\(12\\))] TJ ET EMC Q\n")
		c.WriteString("BT /F2 10 Tf 72 500 Td <0001000200030004> Tj ET\n")
	}
	cmap := `/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar <0001> <0041> <0002> <0042> endbfchar
1 beginbfrange <0003> <0004> <0043> endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end`
	doc := buildPDF([]string{
		`<< /Type /Catalog /Pages 2 0 R >>`,
		`<< /Type /Pages /Kids [3 0 R] /Count 1 >>`,
		`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources
		   << /Font << /F1 5 0 R /F2 6 0 R >> >> >>`,
		stream("", c.String()),
		`<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>`,
		`<< /Type /Font /Subtype /Type0 /Encoding /Identity-H /DescendantFonts [7 0 R] /ToUnicode 8 0 R >>`,
		`<< /Type /Font /Subtype /CIDFontType2 /W [1 [500 700] 3 9 250] >>`,
		stream("", cmap),
	})
	r, err := pdf.Open(bytes.NewReader(doc), int64(len(doc)), nil)
	if err != nil {
		b.Fatal(err)
	}
	pages, err := r.Pages()
	if err != nil {
		b.Fatal(err)
	}
	g, err := pdftext.Page(r, pages[0])
	if err != nil || len(g) < 400*30 {
		b.Fatalf("%d glyphs, %v", len(g), err)
	}
	b.SetBytes(int64(c.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pdftext.Page(r, pages[0]); err != nil {
			b.Fatal(err)
		}
	}
}
