package pdftext

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/segel-id/segel/internal/pdf"
)

// Glyph is one shown character (or the text of one code: a ligature
// gives several characters) with its position on the page.
type Glyph struct {
	// Text is the Unicode text of the glyph, "" when the font does not
	// say (no ToUnicode CMap and an unknown glyph name).
	Text string
	// Box is the glyph's box in the page's default user space (before
	// the CropBox and /Rotate are applied): llx, lly, urx, ury. Its
	// height is the font's descent to its ascent (from the font
	// descriptor; 0.2 em below the baseline to 0.9 em above it when it
	// does not say), not the glyph's own outline.
	Box [4]float64
	// Size is the font size in user space units (points).
	Size float64
	// Origin is where the glyph starts on its baseline and End where it
	// ends (Origin advanced by the glyph's width, without character or
	// word spacing), in default user space: the baseline's position and
	// direction, for drawing over the text.
	Origin, End [2]float64
}

// Limits of the extractor; text beyond them is not returned.
const (
	// maxContentBytes bounds the decoded size of one content stream or
	// form XObject.
	maxContentBytes = 64 << 20
	// maxGlyphs bounds the glyphs returned for a page.
	maxGlyphs = 1 << 20
	// maxFormDepth bounds the nesting of form XObjects.
	maxFormDepth = 12
	// maxStateDepth bounds the graphics state stack (q without Q).
	maxStateDepth = 256
)

// ErrPage reports a page whose content cannot be read.
var ErrPage = errors.New("pdftext: unreadable page content")

type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (m applied first).
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func (m matrix) apply(x, y float64) (float64, float64) {
	return x*m[0] + y*m[2] + m[4], x*m[1] + y*m[3] + m[5]
}

type gstate struct {
	ctm                  matrix
	font                 *font
	size                 float64
	charSp, wordSp       float64
	scale, leading, rise float64
}

type extractor struct {
	r       *pdf.Reader
	fonts   map[pdf.Ref]*font
	out     []Glyph
	forms   map[pdf.Ref]bool // forms being drawn (cycle guard)
	tm, tlm matrix
}

// Page returns the glyphs that a page's content streams show, and the
// form XObjects they draw, in content order.
//
// It reads simple fonts (Type1, TrueType, Type3) through /ToUnicode or
// their encoding and /Differences, and composite fonts (Type0, such as
// Identity-H) through /ToUnicode; widths come from /Widths, /W and /DW.
// It does not read vertical writing, annotation appearances, or the text
// of fonts that give no Unicode mapping (their glyphs are returned with
// empty Text).
func Page(r *pdf.Reader, page pdf.Ref) ([]Glyph, error) {
	pd, err := r.GetDict(page)
	if err != nil {
		return nil, fmt.Errorf("%w: page %v: %w", ErrPage, page, err)
	}
	resObj, err := r.PageAttr(page, "Resources")
	if err != nil {
		return nil, fmt.Errorf("%w: resources of page %v: %w", ErrPage, page, err)
	}
	res, _ := r.GetDict(resObj)
	var content []byte
	contents := resolve(r, pd.Get("Contents"))
	var parts []pdf.Object
	switch c := contents.(type) {
	case pdf.Array:
		parts = c
	case *pdf.Stream:
		parts = []pdf.Object{pd.Get("Contents")}
	}
	for _, p := range parts {
		s, err := r.GetStream(p)
		if err != nil {
			return nil, fmt.Errorf("%w: content of page %v: %w", ErrPage, page, err)
		}
		data, err := s.Decode(maxContentBytes)
		if err != nil {
			return nil, fmt.Errorf("%w: content of page %v: %w", ErrPage, page, err)
		}
		if len(content)+len(data) > maxContentBytes {
			return nil, fmt.Errorf("%w: content of page %v is larger than %d bytes", ErrPage, page, maxContentBytes)
		}
		content = append(append(content, data...), '\n')
	}
	e := &extractor{r: r, fonts: map[pdf.Ref]*font{}, forms: map[pdf.Ref]bool{}}
	e.run(content, res, gstate{ctm: identity, scale: 1}, 0)
	return e.out, nil
}

func (e *extractor) run(content []byte, res pdf.Dict, gs gstate, depth int) {
	l := pdf.NewContentLexer(content)
	var stack []gstate
	for len(e.out) < maxGlyphs {
		o, ok := l.Next()
		if !ok {
			return
		}
		a := o.Args
		switch o.Name {
		case "q":
			if len(stack) < maxStateDepth {
				stack = append(stack, gs)
			}
		case "Q":
			if n := len(stack); n > 0 {
				gs = stack[n-1]
				stack = stack[:n-1]
			}
		case "cm":
			if m, ok := matrixArgs(a); ok {
				gs.ctm = m.mul(gs.ctm)
			}
		case "BT":
			e.tm, e.tlm = identity, identity
		case "Tf":
			if len(a) >= 2 {
				if n, ok := a[len(a)-2].(pdf.Name); ok {
					gs.font = e.font(res, n)
				}
				gs.size, _ = operandNum(a[len(a)-1])
			}
		case "Tc":
			gs.charSp = lastNum(a, gs.charSp)
		case "Tw":
			gs.wordSp = lastNum(a, gs.wordSp)
		case "Tz":
			gs.scale = lastNum(a, gs.scale*100) / 100
		case "TL":
			gs.leading = lastNum(a, gs.leading)
		case "Ts":
			gs.rise = lastNum(a, gs.rise)
		case "Td", "TD":
			if len(a) >= 2 {
				tx, _ := operandNum(a[len(a)-2])
				ty, _ := operandNum(a[len(a)-1])
				if o.Name == "TD" {
					gs.leading = -ty
				}
				e.tlm = matrix{1, 0, 0, 1, tx, ty}.mul(e.tlm)
				e.tm = e.tlm
			}
		case "Tm":
			if m, ok := matrixArgs(a); ok {
				e.tm, e.tlm = m, m
			}
		case "T*":
			e.nextLine(&gs)
		case "Tj":
			if len(a) >= 1 {
				s := operandBytes(a[len(a)-1])
				e.show(&gs, s)
			}
		case "'":
			e.nextLine(&gs)
			if len(a) >= 1 {
				s := operandBytes(a[len(a)-1])
				e.show(&gs, s)
			}
		case "\"":
			if len(a) >= 3 {
				gs.wordSp, _ = operandNum(a[len(a)-3])
				gs.charSp, _ = operandNum(a[len(a)-2])
				e.nextLine(&gs)
				s := operandBytes(a[len(a)-1])
				e.show(&gs, s)
			}
		case "TJ":
			if len(a) >= 1 {
				arr, _ := a[len(a)-1].(pdf.Array)
				for _, el := range arr {
					if v, ok := el.(pdf.String); ok {
						e.show(&gs, v.Bytes)
					} else if v, ok := operandNum(el); ok {
						tx := -v / 1000 * gs.size * gs.scale
						e.tm = matrix{1, 0, 0, 1, tx, 0}.mul(e.tm)
					}
				}
			}
		case "Do":
			if len(a) >= 1 && depth < maxFormDepth {
				if n, ok := a[len(a)-1].(pdf.Name); ok {
					e.form(res, n, gs, depth)
				}
			}
		}
	}
}

func (e *extractor) nextLine(gs *gstate) {
	e.tlm = matrix{1, 0, 0, 1, 0, -gs.leading}.mul(e.tlm)
	e.tm = e.tlm
}

// show records the glyphs of a shown string and advances the text matrix.
func (e *extractor) show(gs *gstate, s []byte) {
	f := gs.font
	if f == nil {
		f = &font{scale: 0.001, dw: 500, ascent: defaultAscent, descent: defaultDescent}
	}
	f.decode(s, func(ci codeInfo) {
		trm := matrix{gs.size * gs.scale, 0, 0, gs.size, 0, gs.rise}.mul(e.tm).mul(gs.ctm)
		w := ci.width
		var box [4]float64
		for i, p := range [4][2]float64{{0, f.descent}, {w, f.descent}, {0, f.ascent}, {w, f.ascent}} {
			x, y := trm.apply(p[0], p[1])
			if i == 0 {
				box = [4]float64{x, y, x, y}
				continue
			}
			box[0], box[1] = math.Min(box[0], x), math.Min(box[1], y)
			box[2], box[3] = math.Max(box[2], x), math.Max(box[3], y)
		}
		size := math.Hypot(trm[2], trm[3])
		if len(e.out) < maxGlyphs {
			ox, oy := trm.apply(0, 0)
			ex, ey := trm.apply(w, 0)
			e.out = append(e.out, Glyph{Text: ci.text, Box: box, Size: size, Origin: [2]float64{ox, oy}, End: [2]float64{ex, ey}})
		}
		tx := w*gs.size + gs.charSp
		if ci.isSpace {
			tx += gs.wordSp
		}
		e.tm = matrix{1, 0, 0, 1, tx * gs.scale, 0}.mul(e.tm)
	})
}

// font returns the font named n in the resources, loading it once.
func (e *extractor) font(res pdf.Dict, n pdf.Name) *font {
	fonts, err := e.r.GetDict(res.Get("Font"))
	if err != nil {
		return nil
	}
	o := fonts.Get(n)
	ref, isRef := o.(pdf.Ref)
	if isRef {
		if f, ok := e.fonts[ref]; ok {
			return f
		}
	}
	d, err := e.r.GetDict(o)
	if err != nil {
		return nil
	}
	f := loadFont(e.r, d)
	if isRef {
		e.fonts[ref] = f
	}
	return f
}

// form draws the form XObject named n, if it is one.
func (e *extractor) form(res pdf.Dict, n pdf.Name, gs gstate, depth int) {
	xobjs, err := e.r.GetDict(res.Get("XObject"))
	if err != nil {
		return
	}
	o := xobjs.Get(n)
	ref, _ := o.(pdf.Ref)
	if ref.IsZero() || e.forms[ref] {
		return
	}
	s, err := e.r.GetStream(ref)
	if err != nil {
		return
	}
	if st, _ := s.Dict.Name("Subtype"); st != "Form" {
		return
	}
	data, err := s.Decode(maxContentBytes)
	if err != nil {
		return
	}
	if m, err := e.r.GetArray(s.Dict.Get("Matrix")); err == nil && len(m) == 6 {
		var fm matrix
		for i := range fm {
			fm[i], _ = num(e.r, m[i])
		}
		gs.ctm = fm.mul(gs.ctm)
	}
	formRes := res
	if d, err := e.r.GetDict(s.Dict.Get("Resources")); err == nil && d.Len() > 0 {
		formRes = d
	}
	e.forms[ref] = true
	tm, tlm := e.tm, e.tlm
	e.run(data, formRes, gs, depth+1)
	e.tm, e.tlm = tm, tlm
	delete(e.forms, ref)
}

func matrixArgs(a []pdf.Object) (matrix, bool) {
	if len(a) < 6 {
		return matrix{}, false
	}
	var m matrix
	for i, v := range a[len(a)-6:] {
		f, ok := operandNum(v)
		if !ok {
			return matrix{}, false
		}
		m[i] = f
	}
	return m, true
}

func lastNum(a []pdf.Object, def float64) float64 {
	if len(a) == 0 {
		return def
	}
	if f, ok := operandNum(a[len(a)-1]); ok {
		return f
	}
	return def
}

// Match is an occurrence of a searched text.
type Match struct {
	// Box is the union of the boxes of the matched glyphs, in default
	// user space.
	Box [4]float64
	// First is the index of the first matched glyph, Last that of the
	// last one.
	First, Last int
}

// Find returns the occurrences of text in the glyphs, in content order.
// White space is ignored on both sides, so that a text split over several
// strings, kerned, or spaced by positioning rather than by space
// characters is still found.
func Find(glyphs []Glyph, text string) []Match {
	needle := []rune(strings.Join(strings.FieldsFunc(text, unicode.IsSpace), ""))
	if len(needle) == 0 {
		return nil
	}
	type ch struct {
		r rune
		g int
	}
	var hay []ch
	for i, g := range glyphs {
		for _, r := range g.Text {
			if !unicode.IsSpace(r) {
				hay = append(hay, ch{r, i})
			}
		}
	}
	var out []Match
	for i := 0; i+len(needle) <= len(hay); i++ {
		ok := true
		for j, r := range needle {
			if hay[i+j].r != r {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		m := Match{First: hay[i].g, Last: hay[i+len(needle)-1].g, Box: glyphs[hay[i].g].Box}
		for j := 1; j < len(needle); j++ {
			b := glyphs[hay[i+j].g].Box
			m.Box = [4]float64{math.Min(m.Box[0], b[0]), math.Min(m.Box[1], b[1]), math.Max(m.Box[2], b[2]), math.Max(m.Box[3], b[3])}
		}
		out = append(out, m)
		i += len(needle) - 1
	}
	return out
}
