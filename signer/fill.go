package signer

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/pdftext"
	"github.com/segel-id/segel/internal/ttfont"
)

// TextFill is a text to write where a letter's pages show an anchor, such
// as the number a register gives a letter ("800/12/DISDIK/2026") where its
// template left "${nomor}".
type TextFill struct {
	// Anchor is the text searched for, as Placement.Anchor searches it
	// (white space ignored).
	Anchor string
	// Text is what is written over the anchor: one line, at most
	// MaxFillText bytes. Empty text only hides the anchor.
	Text string
}

// FillOptions are FillText's options; nil means the defaults.
type FillOptions struct {
	// Page restricts the search to one page: 1-based, -1 for the last.
	// Zero (the default) fills every occurrence on every page.
	Page int
	// Font is a TrueType font (glyf outlines) to set the text in; nil
	// means Segel's embedded DejaVu Sans, as the stamp uses.
	Font []byte
	// MaxWidth, when positive, is the widest a filled text may be, in
	// points: a longer text is set smaller to fit. Zero keeps the
	// anchor's font size whatever the text's width.
	MaxWidth float64
}

// Limits of FillText's inputs.
const (
	// MaxFills bounds the TextFills of one call.
	MaxFills = 32
	// MaxFillText bounds TextFill.Text and TextFill.Anchor, in bytes.
	MaxFillText = 256
	// maxFillOccurrences bounds the places filled in one document.
	maxFillOccurrences = 256
)

// ErrSigned reports a document that already carries a signature (or a
// document timestamp), which FillText refuses: changing the page content
// after a signature is a change that no signature permits, so verifiers
// would call the signature's document modified.
var ErrSigned = errors.New("the document is already signed")

// FillText writes each fill's Text where the pages of the PDF document
// src (size bytes) show its Anchor, and writes the result to dst: the
// source unchanged, followed by an incremental update.
//
// Each occurrence of an anchor (on every page, or on FillOptions.Page) is
// covered by an opaque white box over the anchor's glyphs, and the text
// is drawn on the anchor's baseline, from its start, in the direction of
// its text, in Segel's embedded font at the anchor's font size, in black.
// The font is embedded as a subset with a /ToUnicode map, so text
// extraction (pdftotext, search, copy) finds the filled text. The
// anchor's own glyphs stay in the page content under the box: a text
// extractor may report them too (docs/decisions.md, "Filling ${nomor}").
// A text wider than the anchor runs on to its right over whatever is
// there; templates leave the room, or FillOptions.MaxWidth shrinks it.
//
// The document must not be signed yet (ErrSigned): fill first, then sign.
// An anchor that no page searched shows fails with ErrAnchorNotFound
// (naming the anchor); bad input fails with ErrInvalidPDF, ErrEncrypted,
// ErrPage or ErrOptions. The whole update is built before anything is
// written, so on any of these errors nothing has been written to dst;
// only a failing dst or src while copying can leave dst partial (write to
// a temporary file and rename it on success).
func FillText(dst io.Writer, src io.ReaderAt, size int64, fills []TextFill, opts *FillOptions) error {
	if opts == nil {
		opts = &FillOptions{}
	}
	if err := checkFills(fills, opts); err != nil {
		return err
	}
	r, err := pdf.Open(src, size, nil)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	if r.Encrypted() {
		return ErrEncrypted
	}
	state, err := readState(r)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	if state.signed > 0 || state.certification != NotCertified {
		return fmt.Errorf("%w (%d signature(s)): fill the text in before signing", ErrSigned, state.signed)
	}
	f, err := defaultFont()
	if opts.Font != nil {
		if f, err = parseTrueType(opts.Font); err != nil {
			return fmt.Errorf("%w: FillOptions.Font: %w", ErrOptions, err)
		}
	}
	if err != nil {
		return fmt.Errorf("signer: the embedded font: %w", err)
	}

	font := ttfont.NewUse(f)
	var order []pdf.Ref                       // pages in the order first filled
	content := map[pdf.Ref]*strings.Builder{} // each page's overlay
	count := 0
	for _, fill := range fills {
		found, err := findAnchor(r, opts.Page, fill.Anchor, true)
		if err != nil {
			return err
		}
		for _, ap := range found {
			c := content[ap.page]
			if c == nil {
				c = &strings.Builder{}
				content[ap.page] = c
				order = append(order, ap.page)
			}
			for _, m := range ap.matches {
				if count++; count > maxFillOccurrences {
					return fmt.Errorf("%w: more than %d places to fill", ErrOptions, maxFillOccurrences)
				}
				if err := drawFill(c, font, ap.glyphs[m.First:m.Last+1], fill.Text, opts.MaxWidth); err != nil {
					return err
				}
			}
		}
	}

	u := pdf.NewUpdate(r)
	fonts := pdf.NewDict()
	if font.Used() {
		fontRef, err := font.Write(u)
		if err != nil {
			return fmt.Errorf("signer: writing the fill's font: %w", err)
		}
		fonts.Set("F1", fontRef)
	}
	// One "q" before each filled page's content and the overlay after it
	// ("Q q … Q"), so that whatever graphics state the page's content
	// leaves, the overlay draws in default user space.
	push := u.Alloc()
	u.SetStream(push, pdf.NewDict(), []byte("q\n"))
	for _, page := range order {
		if err := addOverlay(r, u, page, push, fonts, content[page].String()); err != nil {
			return err
		}
	}
	res, err := u.Bytes()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	if _, err := copySource(dst, src, size); err != nil {
		return fmt.Errorf("signer: copying the source: %w", err)
	}
	if _, err := dst.Write(res.Data); err != nil {
		return fmt.Errorf("signer: writing the update: %w", err)
	}
	return nil
}

// checkFills checks FillText's arguments before the document is read.
func checkFills(fills []TextFill, opts *FillOptions) error {
	if len(fills) == 0 {
		return fmt.Errorf("%w: no TextFill", ErrOptions)
	}
	if len(fills) > MaxFills {
		return fmt.Errorf("%w: %d TextFills (at most %d)", ErrOptions, len(fills), MaxFills)
	}
	if opts.MaxWidth < 0 || math.IsNaN(opts.MaxWidth) || math.IsInf(opts.MaxWidth, 0) {
		return fmt.Errorf("%w: FillOptions.MaxWidth %g", ErrOptions, opts.MaxWidth)
	}
	for i, fill := range fills {
		if strings.TrimFunc(fill.Anchor, unicode.IsSpace) == "" {
			return fmt.Errorf("%w: TextFill %d: empty anchor", ErrOptions, i)
		}
		for _, s := range []string{fill.Anchor, fill.Text} {
			if len(s) > MaxFillText {
				return fmt.Errorf("%w: TextFill %d: %d bytes (at most %d)", ErrOptions, i, len(s), MaxFillText)
			}
			if !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
				return fmt.Errorf("%w: TextFill %d: %q is not one line of text", ErrOptions, i, s)
			}
		}
	}
	return nil
}

// drawFill appends to c the white box over the glyphs of one occurrence
// of an anchor and the text on its baseline. It draws in a frame whose
// origin is the first glyph's origin and whose x axis runs along the
// anchor's baseline, so that rotated text is filled in its direction.
func drawFill(c *strings.Builder, font *ttfont.Use, glyphs []pdftext.Glyph, text string, maxWidth float64) error {
	first, last := glyphs[0], glyphs[len(glyphs)-1]
	o := first.Origin
	dx, dy := last.End[0]-o[0], last.End[1]-o[1]
	if l := math.Hypot(dx, dy); l > 1e-6 {
		dx, dy = dx/l, dy/l
	} else {
		dx, dy = 1, 0
	}
	// The box: the glyph boxes' corners in the frame (x along the
	// baseline, y across it).
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, g := range glyphs {
		for _, p := range [4][2]float64{{g.Box[0], g.Box[1]}, {g.Box[2], g.Box[1]}, {g.Box[0], g.Box[3]}, {g.Box[2], g.Box[3]}} {
			px, py := p[0]-o[0], p[1]-o[1]
			x, y := px*dx+py*dy, -px*dy+py*dx
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
		}
	}
	size := first.Size
	for _, v := range []float64{o[0], o[1], x0, y0, x1, y1, size} {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e6 {
			return fmt.Errorf("%w: the anchor's position or size is out of range", ErrInvalidPDF)
		}
	}
	if size <= 0 {
		size = y1 - y0
	}
	// A little more than the font's ascent and descent, which some
	// glyphs ($, {, }, accents) pass.
	pad := 0.05 * size
	x0, y0, x1, y1 = x0-pad/2, y0-pad, x1+pad/2, y1+pad
	if w := font.Width(text, size); maxWidth > 0 && w > maxWidth {
		size *= maxWidth / w
	}
	fmt.Fprintf(c, "q\n%s %s %s %s %s %s cm\n", num(dx), num(dy), num(-dy), num(dx), num(o[0]), num(o[1]))
	fmt.Fprintf(c, "1 g\n%s %s %s %s re f\n", num(x0), num(y0), num(x1-x0), num(y1-y0))
	if text != "" {
		fmt.Fprintf(c, "0 g\nBT\n/F1 %s Tf\n0 0 Td\n%s Tj\nET\n", num(size), font.Encode(text))
	}
	c.WriteString("Q\n")
	return nil
}

// addOverlay adds the overlay content to page as a form XObject drawn
// after the page's content, which the update wraps in q … Q.
func addOverlay(r *pdf.Reader, u *pdf.Update, page, push pdf.Ref, fonts pdf.Dict, overlay string) error {
	dict, err := r.GetDict(page)
	if err != nil {
		return fmt.Errorf("%w: page %v: %w", ErrInvalidPDF, page, err)
	}
	dict = dict.Clone()

	// The page's resources, inherited or not, with the form added under a
	// name of its own.
	resources := pdf.NewDict()
	if o, err := r.PageAttr(page, "Resources"); err == nil && o != nil {
		d, err := r.GetDict(o)
		if err != nil {
			return fmt.Errorf("%w: /Resources of page %v: %w", ErrInvalidPDF, page, err)
		}
		resources = d.Clone()
	}
	xobjects := pdf.NewDict()
	if o := resources.Get("XObject"); o != nil {
		d, err := r.GetDict(o)
		if err != nil {
			return fmt.Errorf("%w: /XObject resources of page %v: %w", ErrInvalidPDF, page, err)
		}
		xobjects = d.Clone()
	}
	name := pdf.Name("SegelFill")
	for i := 2; xobjects.Has(name); i++ {
		name = pdf.Name(fmt.Sprintf("SegelFill%d", i))
	}

	media, ok := pageBox(r, page, "MediaBox")
	if !ok {
		media = [4]float64{0, 0, 612, 792}
	}
	formRes := pdf.NewDict()
	if fonts.Len() > 0 {
		formRes.Set("Font", fonts)
	}
	form := pdf.NewDict()
	form.Set("Type", pdf.Name("XObject"))
	form.Set("Subtype", pdf.Name("Form"))
	form.Set("BBox", pdf.Array{media[0], media[1], media[2], media[3]})
	form.Set("Resources", formRes)
	form.Set("Filter", pdf.Name("FlateDecode"))
	data, err := deflate([]byte(overlay))
	if err != nil {
		return err
	}
	formRef := u.Alloc()
	u.SetStream(formRef, form, data)
	xobjects.Set(name, formRef)
	resources.Set("XObject", xobjects)
	dict.Set("Resources", resources)

	draw := u.Alloc()
	u.SetStream(draw, pdf.NewDict(), fmt.Appendf(nil, "Q\nq /%s Do Q\n", name))
	contents := pdf.Array{push}
	switch old := dict.Get("Contents").(type) {
	case nil:
	case pdf.Array:
		contents = append(contents, old...)
	case pdf.Ref:
		v, err := r.Resolve(old)
		if err != nil {
			return fmt.Errorf("%w: /Contents of page %v: %w", ErrInvalidPDF, page, err)
		}
		if arr, ok := v.(pdf.Array); ok {
			contents = append(contents, arr...)
		} else {
			contents = append(contents, old)
		}
	default:
		return fmt.Errorf("%w: /Contents of page %v is %T", ErrInvalidPDF, page, old)
	}
	dict.Set("Contents", append(contents, draw))
	u.Set(page, dict)
	return nil
}
