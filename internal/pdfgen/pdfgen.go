package pdfgen

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/ttfont"
)

// The A4 page, in points.
const (
	PageWidth  = 595.276
	PageHeight = 841.89
)

// Info is the document information dictionary's content.
type Info struct {
	Title, Author, Subject, Creator string
	// Created is the creation date; zero leaves it out (and keeps the
	// output the same from run to run).
	Created time.Time
}

// Doc is a document being written. Its methods are not safe for
// concurrent use.
type Doc struct {
	// Info goes into the document information dictionary.
	Info  Info
	font  *ttfont.Use
	pages []*Page
}

// New starts an empty document.
func New() (*Doc, error) {
	f, err := ttfont.Default()
	if err != nil {
		return nil, fmt.Errorf("pdfgen: the embedded font: %w", err)
	}
	return &Doc{font: ttfont.NewUse(f)}, nil
}

// Page is one A4 page of a Doc.
type Page struct {
	doc *Doc
	c   strings.Builder
}

// AddPage adds a blank page at the end and returns it.
func (d *Doc) AddPage() *Page {
	p := &Page{doc: d}
	d.pages = append(d.pages, p)
	return p
}

// Pages returns the number of pages so far.
func (d *Doc) Pages() int { return len(d.pages) }

// Page returns page i (0-based), to add to it later (a footer with the
// page count, say).
func (d *Doc) Page(i int) *Page { return d.pages[i] }

// Align is where a text stands relative to its x.
type Align int

// Alignments of Text.
const (
	Left   Align = iota // x is the text's left end
	Center              // x is its middle
	Right               // x is its right end
)

// Style is how a text is set.
type Style struct {
	// Size is the font size in points; zero means 10.
	Size float64
	// Bold thickens the glyphs (the one font has no bold face: its
	// outlines are stroked as well as filled).
	Bold bool
	// Align places the text relative to x.
	Align Align
	// Gray is the text's colour, 0 (black, the default) to 1 (white).
	Gray float64
}

func (s Style) size() float64 {
	if s.Size <= 0 || !finite(s.Size) {
		return 10
	}
	return s.Size
}

// Width returns the width of s set in st, in points.
func (d *Doc) Width(s string, st Style) float64 { return d.font.Width(s, st.size()) }

// Text draws one line of text with its baseline at y.
func (p *Page) Text(x, y float64, st Style, s string) {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if s == "" {
		return
	}
	size := st.size()
	switch st.Align {
	case Center:
		x -= p.doc.font.Width(s, size) / 2
	case Right:
		x -= p.doc.font.Width(s, size)
	}
	gray := num(min(max(st.Gray, 0), 1))
	fmt.Fprintf(&p.c, "BT\n/F1 %s Tf\n%s g\n", num(size), gray)
	// The text rendering mode outlives ET: every text sets its own.
	if st.Bold {
		fmt.Fprintf(&p.c, "2 Tr %s w %s G\n", num(size*0.035), gray)
	} else {
		p.c.WriteString("0 Tr\n")
	}
	fmt.Fprintf(&p.c, "%s %s Td\n%s Tj\nET\n", num(x), num(PageHeight-y), p.doc.font.Encode(s))
}

// Wrap breaks s into lines no wider than width when set in st: at white
// space, and a word wider than the line between its characters. Line
// breaks in s are kept.
func (d *Doc) Wrap(s string, st Style, width float64) []string {
	var out []string
	for para := range strings.SplitSeq(s, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		cur := ""
		for _, w := range words {
			try := w
			if cur != "" {
				try = cur + " " + w
			}
			if d.Width(try, st) <= width {
				cur = try
				continue
			}
			if cur != "" {
				out = append(out, cur)
			}
			cur = ""
			for _, r := range w {
				if cur != "" && d.Width(cur+string(r), st) > width {
					out = append(out, cur)
					cur = ""
				}
				cur += string(r)
			}
		}
		out = append(out, cur)
	}
	return out
}

// Paragraph draws s wrapped to width, the first baseline at y, lines
// leading points apart (zero: 1.3 × the font size), and returns the
// baseline after the last line.
func (p *Page) Paragraph(x, y, width, leading float64, st Style, s string) float64 {
	if leading <= 0 {
		leading = 1.3 * st.size()
	}
	for _, line := range p.doc.Wrap(s, st, width) {
		p.Text(x, y, st, line)
		y += leading
	}
	return y
}

// Line draws a straight line of the given width.
func (p *Page) Line(x1, y1, x2, y2, width float64) {
	fmt.Fprintf(&p.c, "%s w 0 G\n%s %s m %s %s l S\n", num(width), num(x1), num(PageHeight-y1), num(x2), num(PageHeight-y2))
}

// Rect draws the outline of a rectangle whose top left corner is x, y.
func (p *Page) Rect(x, y, w, h, width float64) {
	fmt.Fprintf(&p.c, "%s w 0 G\n%s %s %s %s re S\n", num(width), num(x), num(PageHeight-y-h), num(w), num(h))
}

// FillRect paints a rectangle in a gray (0 black … 1 white).
func (p *Page) FillRect(x, y, w, h, gray float64) {
	fmt.Fprintf(&p.c, "%s g\n%s %s %s %s re f\n", num(min(max(gray, 0), 1)), num(x), num(PageHeight-y-h), num(w), num(h))
}

// WriteTo writes the document: at least one page (a blank one when none
// was added).
func (d *Doc) WriteTo(w io.Writer) (int64, error) {
	if len(d.pages) == 0 {
		d.AddPage()
	}
	f := &file{}
	catalog, pagesRef := f.Alloc(), f.Alloc()
	fonts := pdf.NewDict()
	if d.font.Used() {
		fontRef, err := d.font.Write(f)
		if err != nil {
			return 0, fmt.Errorf("pdfgen: writing the font: %w", err)
		}
		fonts.Set("F1", fontRef)
	}
	resources := pdf.NewDict()
	resources.Set("Font", fonts)
	kids := pdf.Array{}
	for _, p := range d.pages {
		data, err := deflate([]byte(p.c.String()))
		if err != nil {
			return 0, err
		}
		content := f.Alloc()
		sd := pdf.NewDict()
		sd.Set("Filter", pdf.Name("FlateDecode"))
		f.SetStream(content, sd, data)
		page := pdf.NewDict()
		page.Set("Type", pdf.Name("Page"))
		page.Set("Parent", pagesRef)
		page.Set("MediaBox", pdf.Array{int64(0), int64(0), PageWidth, PageHeight})
		page.Set("Resources", resources)
		page.Set("Contents", content)
		ref := f.Alloc()
		f.Set(ref, page)
		kids = append(kids, ref)
	}
	pages := pdf.NewDict()
	pages.Set("Type", pdf.Name("Pages"))
	pages.Set("Kids", kids)
	pages.Set("Count", int64(len(kids)))
	f.Set(pagesRef, pages)
	cat := pdf.NewDict()
	cat.Set("Type", pdf.Name("Catalog"))
	cat.Set("Pages", pagesRef)
	cat.Set("Lang", pdf.EncodeTextString("id"))
	f.Set(catalog, cat)

	info := pdf.NewDict()
	for _, e := range []struct {
		key pdf.Name
		val string
	}{{"Title", d.Info.Title}, {"Author", d.Info.Author}, {"Subject", d.Info.Subject}, {"Creator", d.Info.Creator}, {"Producer", "Segel"}} {
		if e.val != "" {
			info.Set(e.key, pdf.EncodeTextString(e.val))
		}
	}
	if !d.Info.Created.IsZero() {
		info.Set("CreationDate", pdf.DateString(d.Info.Created.UTC()))
	}
	infoRef := f.Alloc()
	f.Set(infoRef, info)
	data, err := f.bytes(catalog, infoRef)
	if err != nil {
		return 0, err
	}
	n, err := w.Write(data)
	return int64(n), err
}

// file collects a whole document's objects (ttfont.Writer).
type file struct {
	objs [][]byte // object i+1's "N 0 obj … endobj", nil until set
	err  error
}

// Alloc returns the reference of a new object.
func (f *file) Alloc() pdf.Ref {
	f.objs = append(f.objs, nil)
	return pdf.Ref{Num: uint32(len(f.objs))}
}

// Set writes object ref.
func (f *file) Set(ref pdf.Ref, obj pdf.Object) {
	b, err := pdf.Marshal(obj)
	if err != nil && f.err == nil {
		f.err = err
	}
	f.objs[ref.Num-1] = fmt.Appendf(nil, "%d 0 obj\n%s\nendobj\n", ref.Num, b)
}

// SetStream writes the stream ref with its encoded data.
func (f *file) SetStream(ref pdf.Ref, dict pdf.Dict, data []byte) {
	d := dict.Clone()
	d.Set("Length", int64(len(data)))
	b, err := pdf.Marshal(d)
	if err != nil && f.err == nil {
		f.err = err
	}
	var o bytes.Buffer
	fmt.Fprintf(&o, "%d 0 obj\n%s\nstream\n", ref.Num, b)
	o.Write(data)
	o.WriteString("\nendstream\nendobj\n")
	f.objs[ref.Num-1] = o.Bytes()
}

// bytes serialises the file with a classic cross-reference table, and an
// /ID derived from the content (so equal documents are equal files).
func (f *file) bytes(root, info pdf.Ref) ([]byte, error) {
	if f.err != nil {
		return nil, fmt.Errorf("pdfgen: %w", f.err)
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(f.objs))
	h := sha256.New()
	for i, o := range f.objs {
		if o == nil {
			return nil, fmt.Errorf("pdfgen: internal error: object %d never written", i+1)
		}
		offsets[i] = b.Len()
		b.Write(o)
		h.Write(o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(f.objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	id := pdf.String{Bytes: h.Sum(nil)[:16], Hex: true}
	trailer := pdf.NewDict()
	trailer.Set("Size", int64(len(f.objs)+1))
	trailer.Set("Root", root)
	trailer.Set("Info", info)
	trailer.Set("ID", pdf.Array{id, id})
	t, err := pdf.Marshal(trailer)
	if err != nil {
		return nil, fmt.Errorf("pdfgen: %w", err)
	}
	fmt.Fprintf(&b, "trailer\n%s\nstartxref\n%d\n%%%%EOF\n", t, xref)
	return b.Bytes(), nil
}

// num formats a coordinate: at most 3 decimals, no exponent; anything
// not finite is 0.
func num(v float64) string {
	if !finite(v) {
		return "0"
	}
	s := strconv.FormatFloat(v, 'f', 3, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" || s == "" {
		s = "0"
	}
	return s
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// deflate compresses data for /FlateDecode (pdf.Deflate).
func deflate(data []byte) ([]byte, error) { return pdf.Deflate(data) }
