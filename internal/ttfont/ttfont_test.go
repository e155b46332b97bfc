package ttfont

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// TestFontSubset checks the subset font program: it parses, keeps the
// outlines of the glyphs used (and of the components of composite ones)
// with their metrics, and drops every other outline.
func TestFontSubset(t *testing.T) {
	f, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	u := NewUse(f)
	text := "Sékretaris Daérah ĞŁ"
	u.Encode(text)
	sub, err := u.subset()
	if err != nil {
		t.Fatal(err)
	}
	if len(sub) >= len(DejaVuSans)/4 {
		t.Errorf("subset is %d bytes of %d: too large", len(sub), len(DejaVuSans))
	}
	z, err := deflate(sub)
	if err != nil {
		t.Fatal(err)
	}
	if len(z) > 40<<10 {
		t.Errorf("compressed subset is %d bytes", len(z))
	}
	sf, err := sfnt.Parse(sub)
	if err != nil {
		t.Fatalf("the subset does not parse: %v", err)
	}
	if sf.NumGlyphs() != f.numGlyphs {
		t.Errorf("subset has %d glyphs, want the original %d (glyph ids are kept)", sf.NumGlyphs(), f.numGlyphs)
	}
	ppem := fixed.Int26_6(f.upem)
	var buf sfnt.Buffer
	kept := map[uint16]bool{}
	for _, r := range text {
		g := f.glyph(r)
		if g == 0 {
			t.Fatalf("DejaVu Sans has no glyph for %q", r)
		}
		kept[g] = true
		for _, c := range components(f.glyphData(g)) {
			kept[c] = true
		}
	}
	composite := false
	for g := range kept {
		if len(components(f.glyphData(g))) > 0 {
			composite = true
		}
		segs, err := sf.LoadGlyph(&buf, sfnt.GlyphIndex(g), ppem, nil)
		if err != nil {
			t.Errorf("glyph %d: %v", g, err)
			continue
		}
		if r, _ := u.glyphs[g]; len(r) == 1 && r[0] != ' ' && len(segs) == 0 {
			t.Errorf("glyph %d (%q) lost its outline", g, r)
		}
		adv, err := sf.GlyphAdvance(&buf, sfnt.GlyphIndex(g), ppem, font.HintingNone)
		if err != nil || int(adv) != f.advance(g) {
			t.Errorf("glyph %d: advance %d, %v; want %d", g, adv, err, f.advance(g))
		}
	}
	if !composite {
		t.Log("no composite glyph in the sample: component closure not exercised")
	}
	// An unused glyph has no outline left.
	unused := f.glyph('Z')
	if kept[unused] {
		t.Fatal("Z is used")
	}
	if segs, err := sf.LoadGlyph(&buf, sfnt.GlyphIndex(unused), ppem, nil); err != nil || len(segs) != 0 {
		t.Errorf("unused glyph Z: %d segments, %v; want none", len(segs), err)
	}
	// The cmap maps the characters drawn.
	for _, r := range "Sé" {
		if g, err := sf.GlyphIndex(&buf, r); err != nil || uint16(g) != f.glyph(r) {
			t.Errorf("subset cmap: %q → %d, %v; want %d", r, g, err, f.glyph(r))
		}
	}
	// Checksums: the whole font sums to 0xB1B0AFBA.
	if sum := checksum(sub); sum != 0xB1B0AFBA {
		t.Errorf("font checksum %#x, want 0xB1B0AFBA", sum)
	}
}

func TestFontMissingGlyph(t *testing.T) {
	f, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	u := NewUse(f)
	q := f.glyph('?')
	// U+10FFFD (private use) is in no font: a question mark stands in.
	if got, want := u.Encode("\U0010FFFD"), "<"+strings.ToUpper(hex4(q))+">"; got != want {
		t.Errorf("encode = %s, want %s", got, want)
	}
	if w1, w2 := u.Width("\U0010FFFD", 10), u.Width("?", 10); w1 != w2 {
		t.Errorf("width of a missing character %g, of ? %g", w1, w2)
	}
}

func hex4(g uint16) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[g>>12], digits[g>>8&15], digits[g>>4&15], digits[g&15]})
}

func TestFontToUnicodeCMap(t *testing.T) {
	cm := string(toUnicodeCMap([]uint16{0, 5, 300}, map[uint16][]rune{5: {'é'}, 300: {0x1F600}}))
	for _, want := range []string{"<0005> <00E9>", "<012C> <D83DDE00>", "1 begincodespacerange\n<0000> <FFFF>", "2 beginbfchar"} {
		if !strings.Contains(cm, want) {
			t.Errorf("CMap lacks %q:\n%s", want, cm)
		}
	}
}

func TestFontParseRejects(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("OTTO\x00\x00"), bytes.Repeat([]byte{0}, 64)} {
		if _, err := Parse(data); err == nil {
			t.Errorf("Parse(%q) succeeded", data)
		}
	}
}
