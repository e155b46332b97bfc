package pdftext

import (
	"strings"
	"unicode/utf16"

	"github.com/segel-id/segel/internal/pdf"
)

// font is what the extractor needs of a font: how to split a string into
// codes, each code's text and its advance width.
type font struct {
	composite bool
	enc       *cmap // Type0: code space and CIDs
	toUni     *cmap
	ucs2      bool        // Type0 with a predefined Unicode CMap (Uni…-UCS2/UTF16)
	simple    [256]string // simple font: text per code from the encoding
	first     int
	widths    []float64 // simple: by code from first; glyph units
	cidW      map[int]float64
	dw        float64 // default width, glyph units
	scale     float64 // glyph units to text space (0.001, or Type3's FontMatrix)
	ascent    float64 // above the baseline, in text space for a size of 1
	descent   float64 // below it (negative)
}

// maxStreamDecode bounds the decoded size of a font's CMap streams.
const maxCMapBytes = 4 << 20

// glyph is one decoded code of a shown string.
type codeInfo struct {
	text    string
	width   float64 // in text space, for a font size of 1
	isSpace bool    // a single-byte code 32 (word spacing applies)
}

// decode splits s into codes.
func (f *font) decode(s []byte, fn func(codeInfo)) {
	for len(s) > 0 {
		var v uint32
		var n int
		if f.composite {
			v, n = f.enc.next(s)
		} else {
			v, n = uint32(s[0]), 1
		}
		if n <= 0 {
			return
		}
		ci := codeInfo{isSpace: n == 1 && v == 32}
		text, ok := f.toUni.text(v, n)
		switch {
		case ok:
			ci.text = text
		case f.composite && f.ucs2:
			ci.text = string(utf16.Decode([]uint16{uint16(v)}))
		case !f.composite:
			ci.text = f.simple[v&0xff]
		}
		if f.composite {
			w, ok := f.cidW[f.enc.cidOf(v, n)]
			if !ok {
				w = f.dw
			}
			ci.width = w * f.scale
		} else {
			w := f.dw
			if i := int(v) - f.first; i >= 0 && i < len(f.widths) {
				w = f.widths[i]
			}
			ci.width = w * f.scale
		}
		fn(ci)
		s = s[n:]
	}
}

// loadFont reads a font dictionary. It never fails: what cannot be read
// gives empty text and default widths.
func loadFont(r *pdf.Reader, d pdf.Dict) *font {
	f := &font{scale: 0.001, dw: 500, ascent: defaultAscent, descent: defaultDescent}
	sub, _ := d.Name("Subtype")
	if sub == "Type0" {
		return loadType0(r, d, f)
	}
	if sub == "Type3" {
		if m, err := r.GetArray(d.Get("FontMatrix")); err == nil && len(m) == 6 {
			if v, ok := num(r, m[0]); ok && v != 0 {
				f.scale = v
			}
		}
		f.dw = 0
	}
	// Encoding: a base encoding and /Differences.
	base := "StandardEncoding"
	if sub == "TrueType" {
		base = "WinAnsiEncoding"
	}
	var diffs pdf.Array
	switch e := resolve(r, d.Get("Encoding")).(type) {
	case pdf.Name:
		base = string(e)
	case pdf.Dict:
		if b, ok := e.Name("BaseEncoding"); ok {
			base = string(b)
		}
		diffs, _ = r.GetArray(e.Get("Differences"))
	case *pdf.Stream:
		if b, ok := e.Dict.Name("BaseEncoding"); ok {
			base = string(b)
		}
		diffs, _ = r.GetArray(e.Dict.Get("Differences"))
	}
	names := baseEncoding(base)
	code := 0
	for _, o := range diffs {
		switch v := resolve(r, o).(type) {
		case int64:
			code = int(v)
		case float64:
			code = int(v)
		case pdf.Name:
			if code >= 0 && code < 256 {
				names[code] = string(v)
			}
			code++
		}
	}
	for c, n := range names {
		if n != "" {
			f.simple[c] = glyphNameText(n)
		}
	}
	// Widths.
	if fc, ok := num(r, d.Get("FirstChar")); ok {
		f.first = int(fc)
	}
	if ws, err := r.GetArray(d.Get("Widths")); err == nil {
		for _, w := range ws[:min(len(ws), 256)] {
			v, _ := num(r, w)
			f.widths = append(f.widths, v)
		}
	}
	if fd, err := r.GetDict(d.Get("FontDescriptor")); err == nil {
		if mw, ok := num(r, fd.Get("MissingWidth")); ok {
			f.dw = mw
		}
		if sub != "Type3" {
			f.metrics(r, fd)
		}
	}
	if len(f.widths) == 0 && sub != "Type3" {
		bf, _ := d.Name("BaseFont")
		f.first, f.widths = 0, standardWidths(string(bf), names)
	}
	f.toUni = loadCMap(r, d.Get("ToUnicode"))
	return f
}

func loadType0(r *pdf.Reader, d pdf.Dict, f *font) *font {
	f.composite = true
	f.dw = 1000
	switch e := resolve(r, d.Get("Encoding")).(type) {
	case pdf.Name:
		f.enc = &cmap{defLen: 2, space: []codeRange{{lo: []byte{0, 0}, hi: []byte{0xff, 0xff}}}}
		f.ucs2 = strings.Contains(string(e), "UCS2") || strings.Contains(string(e), "UTF16")
	case *pdf.Stream:
		f.enc = loadCMap(r, e.Ref)
	}
	if f.enc == nil {
		f.enc = &cmap{defLen: 2, space: []codeRange{{lo: []byte{0, 0}, hi: []byte{0xff, 0xff}}}}
	}
	if len(f.enc.space) == 0 {
		f.enc.defLen = 2
	}
	f.toUni = loadCMap(r, d.Get("ToUnicode"))
	kids, _ := r.GetArray(d.Get("DescendantFonts"))
	if len(kids) == 0 {
		return f
	}
	cid, err := r.GetDict(kids[0])
	if err != nil {
		return f
	}
	if fd, err := r.GetDict(cid.Get("FontDescriptor")); err == nil {
		f.metrics(r, fd)
	}
	if dw, ok := num(r, cid.Get("DW")); ok {
		f.dw = dw
	}
	f.cidW = map[int]float64{}
	w, _ := r.GetArray(cid.Get("W"))
	for i := 0; i < len(w); {
		c1, ok := num(r, w[i])
		if !ok || i+1 >= len(w) {
			break
		}
		if arr, ok := resolve(r, w[i+1]).(pdf.Array); ok {
			for j, o := range arr {
				if len(f.cidW) >= maxCMapEntries {
					break
				}
				v, _ := num(r, o)
				f.cidW[int(c1)+j] = v
			}
			i += 2
			continue
		}
		if i+2 >= len(w) {
			break
		}
		c2, _ := num(r, w[i+1])
		v, _ := num(r, w[i+2])
		for c := int(c1); c <= int(c2) && len(f.cidW) < maxCMapEntries; c++ {
			f.cidW[c] = v
		}
		i += 3
	}
	return f
}

// Glyph heights when the font descriptor does not give them, in em.
const (
	defaultAscent  = 0.9
	defaultDescent = -0.2
)

// metrics reads the ascent and descent of a font descriptor, keeping the
// defaults for values no font has (LibreOffice writes /Ascent 0 and
// /Descent 0 for its TrueType subsets).
func (f *font) metrics(r *pdf.Reader, fd pdf.Dict) {
	if a, ok := num(r, fd.Get("Ascent")); ok && a >= 500 && a <= 1500 {
		f.ascent = a / 1000
	}
	if d, ok := num(r, fd.Get("Descent")); ok && d < 0 && d >= -600 {
		f.descent = d / 1000
	}
}

func loadCMap(r *pdf.Reader, o pdf.Object) *cmap {
	s, err := r.GetStream(o)
	if err != nil || s == nil {
		return nil
	}
	data, err := s.Decode(maxCMapBytes)
	if err != nil {
		return nil
	}
	return parseCMap(data)
}

// resolve resolves o, or returns nil.
func resolve(r *pdf.Reader, o pdf.Object) pdf.Object {
	v, err := r.Resolve(o)
	if err != nil {
		return nil
	}
	return v
}

// num returns a number object's value.
func num(r *pdf.Reader, o pdf.Object) (float64, bool) {
	switch v := resolve(r, o).(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// std14Index maps the names of std14Names to their index.
var std14Index = func() map[string]int {
	m := make(map[string]int, len(std14Names))
	for i, n := range std14Names {
		m[n] = i
	}
	return m
}()

// standardWidths returns the widths by code of a standard 14 font (or
// one of the common aliases that Windows applications write, such as
// Arial and TimesNewRoman) under the encoding names, for simple fonts
// without /Widths; nil for other fonts.
func standardWidths(base string, names [256]string) []float64 {
	if i := strings.IndexByte(base, '+'); i == 6 {
		base = base[i+1:]
	}
	std := ""
	bold := strings.Contains(base, "Bold")
	italic := strings.Contains(base, "Italic") || strings.Contains(base, "Oblique")
	switch {
	case strings.HasPrefix(base, "Courier"):
		w := make([]float64, 256)
		for i := range w {
			w[i] = 600
		}
		return w
	case strings.HasPrefix(base, "Helvetica"), strings.HasPrefix(base, "Arial"):
		std = "Helvetica"
		switch {
		case bold && italic:
			std += "-BoldOblique"
		case bold:
			std += "-Bold"
		case italic:
			std += "-Oblique"
		}
	case strings.HasPrefix(base, "Times"):
		switch {
		case bold && italic:
			std = "Times-BoldItalic"
		case bold:
			std = "Times-Bold"
		case italic:
			std = "Times-Italic"
		default:
			std = "Times-Roman"
		}
	default:
		return nil
	}
	table := std14Widths[std]
	w := make([]float64, 256)
	for c, n := range names {
		if i, ok := std14Index[n]; ok && table[i] != 0 {
			w[c] = float64(table[i])
		} else {
			w[c] = 500
		}
	}
	return w
}
