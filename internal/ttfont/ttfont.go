// Package ttfont embeds TrueType fonts in PDFs: it parses a font with
// glyf outlines, records the glyphs a text uses, and writes them as a
// subset Type0 font (Identity-H over a CIDFontType2) with /W widths and a
// /ToUnicode CMap, so that the text can be searched and copied. Segel's
// own font, DejaVu Sans (fonts/), is embedded in the binary: the signer's
// stamps and filled numbers and internal/pdfgen's pages use it.
package ttfont

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"unicode/utf16"

	"golang.org/x/image/font/sfnt"

	"github.com/segel-id/segel/internal/pdf"
)

// DejaVuSans is Segel's font, DejaVu Sans (Bitstream Vera licence, see
// fonts/LICENSE-DejaVu.txt), embedded in the binary so that no system font
// is needed at run time, and embedded in each PDF as a subset: only the
// glyphs used.
//
//go:embed fonts/DejaVuSans.ttf
var DejaVuSans []byte

// Default returns DejaVuSans, parsed once.
var Default = sync.OnceValues(func() (*Font, error) { return Parse(DejaVuSans) })

// Limits of the TrueType reader, against malformed fonts given by
// callers (the signer's Appearance.Font).
const (
	// maxCompositeDepth bounds the nesting of composite glyphs (the
	// OpenType specification allows no cycles; fonts rarely nest past 3).
	maxCompositeDepth = 8
	// maxFontSize bounds a font's file.
	maxFontSize = 32 << 20
	// subsetSlack is how many bytes of outlines a subset may hold beyond
	// the size of the font's glyf table: glyphs may share outline data,
	// but a font whose loca points many glyphs at one large (composite)
	// outline must not make the subset (and the walk of its components)
	// grow with glyphs × outline size.
	subsetSlack = 1 << 20
)

// Font is a parsed TrueType (glyf-outline) font.
type Font struct {
	sf          *sfnt.Font
	tables      map[string][]byte
	upem        int
	numGlyphs   int
	numHMetrics int
	longLoca    bool
	name        string // PostScript name
	ascent      int    // hhea ascender, font units
	descent     int    // hhea descender (negative)
	capHeight   int
	bbox        [4]int
	italic      float64
	buf         sync.Pool // *sfnt.Buffer
}

// ErrFont reports a font that cannot be used.
var ErrFont = errors.New("unusable TrueType font")

// Parse parses a TrueType font with glyf outlines (a .ttf file); it fails
// with ErrFont for anything else.
func Parse(data []byte) (*Font, error) {
	if len(data) > maxFontSize {
		return nil, fmt.Errorf("%w: %d bytes (at most %d)", ErrFont, len(data), maxFontSize)
	}
	sf, err := sfnt.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFont, err)
	}
	if len(data) < 12 {
		return nil, fmt.Errorf("%w: too short", ErrFont)
	}
	f := &Font{sf: sf, tables: map[string][]byte{}, upem: int(sf.UnitsPerEm())}
	if f.upem < 16 || f.upem > 16384 { // the range the OpenType head table allows
		return nil, fmt.Errorf("%w: unitsPerEm %d", ErrFont, f.upem)
	}
	f.buf.New = func() any { return new(sfnt.Buffer) }
	if tag := string(data[:4]); tag != "\x00\x01\x00\x00" && tag != "true" {
		return nil, fmt.Errorf("%w: not a TrueType font with glyf outlines (tag %q)", ErrFont, tag)
	}
	n := int(binary.BigEndian.Uint16(data[4:]))
	if 12+16*n > len(data) {
		return nil, fmt.Errorf("%w: table directory past the end", ErrFont)
	}
	for i := range n {
		rec := data[12+16*i:]
		tag := string(rec[:4])
		off := int(binary.BigEndian.Uint32(rec[8:]))
		length := int(binary.BigEndian.Uint32(rec[12:]))
		if off < 0 || length < 0 || off > len(data) || length > len(data)-off {
			return nil, fmt.Errorf("%w: table %q past the end", ErrFont, tag)
		}
		f.tables[tag] = data[off : off+length]
	}
	for _, tag := range []string{"head", "hhea", "hmtx", "maxp", "loca", "glyf"} {
		if _, ok := f.tables[tag]; !ok {
			return nil, fmt.Errorf("%w: no %q table", ErrFont, tag)
		}
	}
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 {
		return nil, fmt.Errorf("%w: short head, hhea or maxp table", ErrFont)
	}
	f.longLoca = binary.BigEndian.Uint16(head[50:]) != 0
	f.numGlyphs = int(binary.BigEndian.Uint16(maxp[4:]))
	f.numHMetrics = int(binary.BigEndian.Uint16(hhea[34:]))
	if f.numHMetrics == 0 || f.numHMetrics > f.numGlyphs || len(f.tables["hmtx"]) < 4*f.numHMetrics+2*(f.numGlyphs-f.numHMetrics) {
		return nil, fmt.Errorf("%w: bad hmtx", ErrFont)
	}
	locaLen := 2 * (f.numGlyphs + 1)
	if f.longLoca {
		locaLen *= 2
	}
	if len(f.tables["loca"]) < locaLen {
		return nil, fmt.Errorf("%w: short loca table", ErrFont)
	}
	f.ascent = int(int16(binary.BigEndian.Uint16(hhea[4:])))
	f.descent = int(int16(binary.BigEndian.Uint16(hhea[6:])))
	for i := range 4 {
		f.bbox[i] = int(int16(binary.BigEndian.Uint16(head[36+2*i:])))
	}
	f.capHeight = f.ascent * 7 / 10
	if os2 := f.tables["OS/2"]; len(os2) >= 90 && binary.BigEndian.Uint16(os2) >= 2 {
		f.capHeight = int(int16(binary.BigEndian.Uint16(os2[88:])))
	}
	if post := sf.PostTable(); post != nil {
		f.italic = post.ItalicAngle
	}
	f.name, _ = sf.Name(nil, sfnt.NameIDPostScript)
	f.name = strings.Map(func(r rune) rune {
		if r <= ' ' || r > '~' || strings.ContainsRune("()<>[]{}/%#", r) {
			return -1
		}
		return r
	}, f.name)
	if f.name == "" {
		f.name = "Font"
	}
	return f, nil
}

// glyph returns the glyph of r, or 0 (.notdef) when the font has none.
func (f *Font) glyph(r rune) uint16 {
	b := f.buf.Get().(*sfnt.Buffer)
	defer f.buf.Put(b)
	g, err := f.sf.GlyphIndex(b, r)
	if err != nil || int(g) >= f.numGlyphs {
		return 0
	}
	return uint16(g)
}

// advance returns the advance width of glyph g in font units.
func (f *Font) advance(g uint16) int {
	i := min(int(g), f.numHMetrics-1)
	return int(binary.BigEndian.Uint16(f.tables["hmtx"][4*i:]))
}

// glyphData returns glyph g's outline data in glyf.
func (f *Font) glyphData(g uint16) []byte {
	loca, glyf := f.tables["loca"], f.tables["glyf"]
	var start, end int
	if f.longLoca {
		start = int(binary.BigEndian.Uint32(loca[4*int(g):]))
		end = int(binary.BigEndian.Uint32(loca[4*int(g)+4:]))
	} else {
		start = 2 * int(binary.BigEndian.Uint16(loca[2*int(g):]))
		end = 2 * int(binary.BigEndian.Uint16(loca[2*int(g)+2:]))
	}
	if start < 0 || end < start || end > len(glyf) {
		return nil
	}
	return glyf[start:end]
}

// components returns the glyphs that composite glyph data refers to.
func components(data []byte) []uint16 {
	if len(data) < 10 || int16(binary.BigEndian.Uint16(data)) >= 0 {
		return nil
	}
	var out []uint16
	p := 10
	for p+4 <= len(data) {
		flags := binary.BigEndian.Uint16(data[p:])
		out = append(out, binary.BigEndian.Uint16(data[p+2:]))
		p += 4
		if flags&0x0001 != 0 { // ARG_1_AND_2_ARE_WORDS
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&0x0008 != 0: // WE_HAVE_A_SCALE
			p += 2
		case flags&0x0040 != 0: // WE_HAVE_AN_X_AND_Y_SCALE
			p += 4
		case flags&0x0080 != 0: // WE_HAVE_A_TWO_BY_TWO
			p += 8
		}
		if flags&0x0020 == 0 { // MORE_COMPONENTS
			break
		}
	}
	return out
}

// Use records the glyphs that a PDF's text draws with one font, for the
// subset and the /W and /ToUnicode entries.
type Use struct {
	f      *Font
	glyphs map[uint16][]rune // glyph → the text it stands for (first seen)
	used   bool              // some text was encoded
}

// NewUse starts recording the glyphs used of f.
func NewUse(f *Font) *Use {
	return &Use{f: f, glyphs: map[uint16][]rune{0: nil}}
}

// glyph returns the glyph that draws r, and the character it stands
// for: a question mark when the font has no glyph for r.
func (u *Use) glyph(r rune) (uint16, rune) {
	if g := u.f.glyph(r); g != 0 {
		return g, r
	}
	return u.f.glyph('?'), '?'
}

// Width returns the width of s set at size points.
func (u *Use) Width(s string, size float64) float64 {
	w := 0
	for _, r := range s {
		g, _ := u.glyph(r)
		w += u.f.advance(g)
	}
	return float64(w) * size / float64(u.f.upem)
}

// Encode returns s as a hex string of two-byte glyph ids (Identity-H),
// ready for Tj, and records the glyphs as used.
func (u *Use) Encode(s string) string {
	var b strings.Builder
	b.WriteByte('<')
	for _, r := range s {
		g, r := u.glyph(r)
		u.used = true
		if _, seen := u.glyphs[g]; !seen {
			u.glyphs[g] = []rune{r}
		}
		fmt.Fprintf(&b, "%04X", g)
	}
	b.WriteByte('>')
	return b.String()
}

// subset returns the font program keeping only the used glyphs (and the
// components of composite ones). Glyph ids are kept, so that the PDF's
// CIDs are the original glyph ids (CIDToGIDMap /Identity): the outlines
// of unused glyphs are dropped, their loca entries are empty and their
// metrics zero, which compresses to almost nothing.
func (u *Use) subset() ([]byte, error) {
	f := u.f
	keep := map[uint16]bool{}
	budget := len(f.tables["glyf"]) + subsetSlack
	var visit func(g uint16, depth int)
	visit = func(g uint16, depth int) {
		if keep[g] || int(g) >= f.numGlyphs || depth > maxCompositeDepth || budget < 0 {
			return
		}
		keep[g] = true
		d := f.glyphData(g)
		if budget -= len(d); budget < 0 {
			return
		}
		for _, c := range components(d) {
			visit(c, depth+1)
		}
	}
	for g := range u.glyphs {
		visit(g, 0)
	}
	if budget < 0 {
		return nil, fmt.Errorf("%w: the glyphs used share more outline data than the glyf table holds", ErrFont)
	}

	var glyf []byte
	loca := make([]byte, 4*(f.numGlyphs+1))
	for g := range f.numGlyphs {
		binary.BigEndian.PutUint32(loca[4*g:], uint32(len(glyf)))
		if keep[uint16(g)] {
			glyf = append(glyf, f.glyphData(uint16(g))...)
			for len(glyf)%4 != 0 {
				glyf = append(glyf, 0)
			}
		}
	}
	binary.BigEndian.PutUint32(loca[4*f.numGlyphs:], uint32(len(glyf)))

	hmtx := slices.Clone(f.tables["hmtx"])
	for g := range f.numGlyphs {
		if keep[uint16(g)] {
			continue
		}
		if g < f.numHMetrics {
			clear(hmtx[4*g : 4*g+4])
		} else if at := 4*f.numHMetrics + 2*(g-f.numHMetrics); at+2 <= len(hmtx) {
			clear(hmtx[at : at+2])
		}
	}
	head := slices.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, set below
	binary.BigEndian.PutUint16(head[50:], 1) // indexToLocFormat: long

	tables := map[string][]byte{"head": head, "hhea": f.tables["hhea"], "maxp": f.tables["maxp"],
		"hmtx": hmtx, "loca": loca, "glyf": glyf}
	// A CIDFontType2 is addressed by glyph id, so the cmap is only for
	// tools that insist on one: it maps the characters drawn.
	tables["cmap"] = u.cmap()
	// Hinting programs and global metrics are kept; tables that describe
	// every glyph (kerning, layout, device metrics) are left out.
	for _, tag := range []string{"cvt ", "fpgm", "prep", "gasp", "name", "OS/2"} {
		if t, ok := f.tables[tag]; ok {
			tables[tag] = t
		}
	}
	if post := f.tables["post"]; len(post) >= 32 {
		p := slices.Clone(post[:32])
		binary.BigEndian.PutUint32(p, 0x00030000) // format 3: no glyph names
		tables["post"] = p
	}
	return writeSFNT(tables), nil
}

// cmap returns a cmap table (format 4, Windows Unicode BMP) mapping the
// characters drawn to their glyphs, one segment each.
func (u *Use) cmap() []byte {
	type pair struct {
		r rune
		g uint16
	}
	var pairs []pair
	for g, rs := range u.glyphs {
		if len(rs) == 1 && rs[0] > 0 && rs[0] < 0xFFFF {
			pairs = append(pairs, pair{rs[0], g})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int { return int(a.r - b.r) })
	segs := len(pairs) + 1 // and the final 0xFFFF segment
	length := 16 + 8*segs
	b := make([]byte, 12, 12+length)
	binary.BigEndian.PutUint16(b[2:], 1)  // one encoding record
	binary.BigEndian.PutUint16(b[4:], 3)  // platform Windows
	binary.BigEndian.PutUint16(b[6:], 1)  // Unicode BMP
	binary.BigEndian.PutUint32(b[8:], 12) // offset of the subtable
	sub := make([]byte, length)
	binary.BigEndian.PutUint16(sub[0:], 4)
	binary.BigEndian.PutUint16(sub[2:], uint16(length))
	binary.BigEndian.PutUint16(sub[6:], uint16(2*segs))
	es := 0
	for 1<<(es+1) <= segs {
		es++
	}
	binary.BigEndian.PutUint16(sub[8:], uint16(2<<es))
	binary.BigEndian.PutUint16(sub[10:], uint16(es))
	binary.BigEndian.PutUint16(sub[12:], uint16(2*segs-2<<es))
	ends, starts := sub[14:], sub[16+2*segs:]
	deltas := sub[16+4*segs:] // idRangeOffsets (after deltas) stay zero
	for i, p := range pairs {
		binary.BigEndian.PutUint16(ends[2*i:], uint16(p.r))
		binary.BigEndian.PutUint16(starts[2*i:], uint16(p.r))
		binary.BigEndian.PutUint16(deltas[2*i:], p.g-uint16(p.r))
	}
	last := 2 * (segs - 1)
	binary.BigEndian.PutUint16(ends[last:], 0xFFFF)
	binary.BigEndian.PutUint16(starts[last:], 0xFFFF)
	binary.BigEndian.PutUint16(deltas[last:], 1)
	return append(b, sub...)
}

// writeSFNT writes a TrueType font file from its tables, with checksums.
func writeSFNT(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for tag := range tables {
		tags = append(tags, tag)
	}
	slices.Sort(tags)
	n := len(tags)
	entrySelector := 0
	for 1<<(entrySelector+1) <= n {
		entrySelector++
	}
	searchRange := 16 << entrySelector
	out := make([]byte, 12+16*n)
	binary.BigEndian.PutUint32(out, 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(searchRange))
	binary.BigEndian.PutUint16(out[8:], uint16(entrySelector))
	binary.BigEndian.PutUint16(out[10:], uint16(16*n-searchRange))
	headAt := 0
	for i, tag := range tags {
		data := tables[tag]
		rec := out[12+16*i:]
		copy(rec, tag)
		binary.BigEndian.PutUint32(rec[4:], checksum(data))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(data)))
		if tag == "head" {
			headAt = len(out)
		}
		out = append(out, data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	return out
}

// checksum is the OpenType table checksum: the sum of big-endian uint32s.
func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}

// Used reports whether some text was encoded.
func (u *Use) Used() bool { return u.used }

// Writer receives a PDF's objects: a *pdf.Update, or internal/pdfgen's
// file writer.
type Writer interface {
	// Alloc returns the reference of a new object.
	Alloc() pdf.Ref
	// Set writes an object.
	Set(ref pdf.Ref, obj pdf.Object)
	// SetStream writes a stream with its (encoded) data.
	SetStream(ref pdf.Ref, dict pdf.Dict, data []byte)
}

// Write writes the used font as a Type0 font with Identity-H encoding
// over a CIDFontType2 descendant holding the subset, and returns the
// reference of the Type0 font dictionary.
func (u *Use) Write(up Writer) (pdf.Ref, error) {
	f := u.f
	gids := make([]uint16, 0, len(u.glyphs))
	for g := range u.glyphs {
		gids = append(gids, g)
	}
	slices.Sort(gids)

	// The subset tag is six capital letters derived from the glyph set
	// (ISO 32000-2, 9.9.2): equal subsets get equal names.
	h := fnv.New64a()
	for _, g := range gids {
		h.Write([]byte{byte(g >> 8), byte(g)})
	}
	sum := h.Sum64()
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + byte(sum%26)
		sum /= 26
	}
	baseName := pdf.Name(string(tag) + "+" + f.name)
	scale := func(v int) int64 { return int64(v * 1000 / f.upem) }

	program, err := u.subset()
	if err != nil {
		return pdf.Ref{}, err
	}
	fileRef := up.Alloc()
	fileDict := pdf.NewDict()
	fileDict.Set("Length1", int64(len(program)))
	fileDict.Set("Filter", pdf.Name("FlateDecode"))
	z, err := deflate(program)
	if err != nil {
		return pdf.Ref{}, err
	}
	up.SetStream(fileRef, fileDict, z)

	descRef := up.Alloc()
	desc := pdf.NewDict()
	desc.Set("Type", pdf.Name("FontDescriptor"))
	desc.Set("FontName", baseName)
	desc.Set("Flags", int64(32)) // Nonsymbolic
	desc.Set("FontBBox", pdf.Array{scale(f.bbox[0]), scale(f.bbox[1]), scale(f.bbox[2]), scale(f.bbox[3])})
	desc.Set("ItalicAngle", f.italic)
	desc.Set("Ascent", scale(f.ascent))
	desc.Set("Descent", scale(f.descent))
	desc.Set("CapHeight", scale(f.capHeight))
	desc.Set("StemV", int64(80))
	desc.Set("FontFile2", fileRef)
	up.Set(descRef, desc)

	// /W: runs of consecutive glyph ids as "first [w1 w2 …]".
	var w pdf.Array
	for i := 0; i < len(gids); {
		j := i + 1
		for j < len(gids) && gids[j] == gids[j-1]+1 {
			j++
		}
		ws := make(pdf.Array, 0, j-i)
		for _, g := range gids[i:j] {
			ws = append(ws, scale(f.advance(g)))
		}
		w = append(w, int64(gids[i]), ws)
		i = j
	}
	cid := pdf.NewDict()
	cid.Set("Type", pdf.Name("Font"))
	cid.Set("Subtype", pdf.Name("CIDFontType2"))
	cid.Set("BaseFont", baseName)
	info := pdf.NewDict()
	info.Set("Registry", pdf.String{Bytes: []byte("Adobe")})
	info.Set("Ordering", pdf.String{Bytes: []byte("Identity")})
	info.Set("Supplement", int64(0))
	cid.Set("CIDSystemInfo", info)
	cid.Set("FontDescriptor", descRef)
	cid.Set("DW", scale(f.advance(0)))
	cid.Set("W", w)
	cid.Set("CIDToGIDMap", pdf.Name("Identity"))
	cidRef := up.Alloc()
	up.Set(cidRef, cid)

	tuRef := up.Alloc()
	tu := pdf.NewDict()
	tu.Set("Filter", pdf.Name("FlateDecode"))
	z, err = deflate(toUnicodeCMap(gids, u.glyphs))
	if err != nil {
		return pdf.Ref{}, err
	}
	up.SetStream(tuRef, tu, z)

	fontRef := up.Alloc()
	font := pdf.NewDict()
	font.Set("Type", pdf.Name("Font"))
	font.Set("Subtype", pdf.Name("Type0"))
	font.Set("BaseFont", baseName)
	font.Set("Encoding", pdf.Name("Identity-H"))
	font.Set("DescendantFonts", pdf.Array{cidRef})
	font.Set("ToUnicode", tuRef)
	up.Set(fontRef, font)
	return fontRef, nil
}

// toUnicodeCMap maps each glyph id to its text (ISO 32000-2, 9.10.3), so
// that the text can be searched and copied.
func toUnicodeCMap(gids []uint16, text map[uint16][]rune) []byte {
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	var entries []string
	for _, g := range gids {
		rs := text[g]
		if len(rs) == 0 {
			continue
		}
		var dst strings.Builder
		for _, u := range utf16.Encode(rs) {
			fmt.Fprintf(&dst, "%04X", u)
		}
		entries = append(entries, fmt.Sprintf("<%04X> <%s>\n", g, dst.String()))
	}
	for len(entries) > 0 {
		n := min(len(entries), 100) // at most 100 entries per block
		fmt.Fprintf(&b, "%d beginbfchar\n", n)
		for _, e := range entries[:n] {
			b.WriteString(e)
		}
		b.WriteString("endbfchar\n")
		entries = entries[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// deflate compresses data for /FlateDecode (pdf.Deflate).
func deflate(data []byte) ([]byte, error) { return pdf.Deflate(data) }
