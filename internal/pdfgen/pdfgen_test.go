package pdfgen_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/pdfgen"
	"github.com/segel-id/segel/internal/pdftext"
	"github.com/segel-id/segel/internal/testenv"
)

// tool runs a command-line tool on doc and returns its output.
func tool(t *testing.T, doc []byte, name string, args ...string) string {
	t.Helper()
	bin := testenv.Tool(t, name)
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args = append(args, path)
	if name == "pdftotext" {
		args = append(args, "-")
	}
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	return string(out)
}

func sample(t *testing.T) []byte {
	t.Helper()
	d, err := pdfgen.New()
	if err != nil {
		t.Fatal(err)
	}
	d.Info = pdfgen.Info{Title: "Uji pdfgen", Created: time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)}
	p := d.AddPage()
	p.Text(pdfgen.PageWidth/2, 60, pdfgen.Style{Size: 14, Bold: true, Align: pdfgen.Center}, "PEMERINTAH KABUPATEN SERANG")
	p.Line(60, 70, pdfgen.PageWidth-60, 70, 1.5)
	p.Text(pdfgen.PageWidth-60, 90, pdfgen.Style{Align: pdfgen.Right}, "Serang, 2 Desember 2026")
	y := p.Paragraph(60, 120, 200, 0, pdfgen.Style{Size: 11}, strings.Repeat("Sékretaris Daérah menyampaikan ", 8))
	p.Rect(60, y, 100, 40, 0.5)
	p.FillRect(170, y, 50, 20, 0.8)
	p2 := d.AddPage()
	p2.Text(60, 60, pdfgen.Style{}, "Halaman dua: ${ttd}")
	var b bytes.Buffer
	if _, err := d.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDocument: poppler and qpdf accept the file, its text extracts
// (poppler and Segel's own extractor), pages are A4, output is
// deterministic.
func TestDocument(t *testing.T) {
	t.Parallel()
	doc := sample(t)
	if again := sample(t); !bytes.Equal(doc, again) {
		t.Error("the same calls gave different bytes")
	}
	if out := tool(t, doc, "qpdf", "--check"); !strings.Contains(out, "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check:\n%s", out)
	}
	info := tool(t, doc, "pdfinfo")
	info = strings.Join(strings.Fields(info), " ")
	for _, want := range []string{"Pages: 2", "595.276 x 841.89 pts (A4)", "Title: Uji pdfgen", "Producer: Segel"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
	text := tool(t, doc, "pdftotext")
	for _, want := range []string{"PEMERINTAH KABUPATEN SERANG", "Serang, 2 Desember 2026", "Sékretaris Daérah", "Halaman dua: ${ttd}"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q:\n%s", want, text)
		}
	}
	if fonts := tool(t, doc, "pdffonts"); !strings.Contains(fonts, "CID TrueType") || !strings.Contains(fonts, "yes yes yes") {
		t.Errorf("the font is not an embedded subset with ToUnicode:\n%s", fonts)
	}
	// Segel's own extractor finds the anchor where the text was drawn.
	r, err := pdf.Open(bytes.NewReader(doc), int64(len(doc)), nil)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := r.Pages()
	if err != nil || len(pages) != 2 {
		t.Fatalf("pages %v, %v", pages, err)
	}
	glyphs, err := pdftext.Page(r, pages[1])
	if err != nil {
		t.Fatal(err)
	}
	m := pdftext.Find(glyphs, "${ttd}")
	if len(m) != 1 || glyphs[m[0].First].Origin[1] < pdfgen.PageHeight-60.5 || glyphs[m[0].First].Origin[1] > pdfgen.PageHeight-59.5 {
		t.Errorf("anchor: %v", m)
	}
}

// TestWrap: every line fits, nothing is lost, long words are broken.
func TestWrap(t *testing.T) {
	t.Parallel()
	d, err := pdfgen.New()
	if err != nil {
		t.Fatal(err)
	}
	st := pdfgen.Style{Size: 10}
	s := "Dengan hormat, bersama ini kami sampaikan NIP196805121994032007196805121994032007 untuk diketahui.\nBaris baru"
	lines := d.Wrap(s, st, 120)
	if len(lines) < 4 {
		t.Errorf("lines: %q", lines)
	}
	for _, l := range lines {
		if w := d.Width(l, st); w > 120 {
			t.Errorf("line %q is %g wide", l, w)
		}
	}
	joined := strings.Join(lines, "")
	if strings.ReplaceAll(joined, " ", "") != strings.NewReplacer(" ", "", "\n", "").Replace(s) {
		t.Errorf("text lost: %q", joined)
	}
	if lines[len(lines)-1] != "Baris baru" {
		t.Errorf("line break not kept: %q", lines)
	}
}

// TestEmpty: a document without pages gets one blank page.
func TestEmpty(t *testing.T) {
	t.Parallel()
	d, err := pdfgen.New()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := d.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if out := tool(t, b.Bytes(), "pdfinfo"); !strings.Contains(strings.Join(strings.Fields(out), " "), "Pages: 1") {
		t.Errorf("pdfinfo:\n%s", out)
	}
}
