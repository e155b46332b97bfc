package ttfont

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/pdf"
)

// memWriter is a Writer that keeps the objects in memory.
type memWriter struct {
	next uint32
	objs map[pdf.Ref]pdf.Object
	data map[pdf.Ref][]byte
}

func newMemWriter() *memWriter {
	return &memWriter{objs: map[pdf.Ref]pdf.Object{}, data: map[pdf.Ref][]byte{}}
}

func (w *memWriter) Alloc() pdf.Ref                { w.next++; return pdf.Ref{Num: w.next} }
func (w *memWriter) Set(ref pdf.Ref, o pdf.Object) { w.objs[ref] = o }
func (w *memWriter) SetStream(ref pdf.Ref, d pdf.Dict, data []byte) {
	w.objs[ref] = d
	w.data[ref] = data
}

// smallFont returns a valid TrueType font of DejaVu Sans's first n glyphs
// (a seed small enough for the fuzzer to mutate), with a cmap for the
// characters of text that fall among them.
func smallFont(t testing.TB, n int, text string) []byte {
	f, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	u := NewUse(f)
	u.Encode(text)
	for g := range u.glyphs {
		if int(g) >= n {
			delete(u.glyphs, g)
		}
	}
	maxp := slices.Clone(f.tables["maxp"])
	binary.BigEndian.PutUint16(maxp[4:], uint16(n))
	hhea := slices.Clone(f.tables["hhea"])
	binary.BigEndian.PutUint16(hhea[34:], uint16(n))
	head := slices.Clone(f.tables["head"])
	binary.BigEndian.PutUint16(head[50:], 1)
	loca := make([]byte, 4*(n+1))
	var glyf []byte
	for g := range n {
		binary.BigEndian.PutUint32(loca[4*g:], uint32(len(glyf)))
		d := f.glyphData(uint16(g))
		if len(components(d)) > 0 {
			d = nil // its components may lie beyond n
		}
		glyf = append(glyf, d...)
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
	}
	binary.BigEndian.PutUint32(loca[4*n:], uint32(len(glyf)))
	post := slices.Clone(f.tables["post"][:32])
	binary.BigEndian.PutUint32(post, 0x00030000)
	return writeSFNT(map[string][]byte{
		"head": head, "hhea": hhea, "maxp": maxp, "hmtx": slices.Clone(f.tables["hmtx"][:4*n]),
		"loca": loca, "glyf": glyf, "cmap": u.cmap(), "post": post, "OS/2": f.tables["OS/2"],
	})
}

// compositeFont is smallFont with glyph 1 made a composite of glyphs 2
// and 1 (itself: a cycle) and glyph 2 a composite of glyph 1.
func compositeFont(t testing.TB) []byte {
	f, err := Parse(smallFont(t, 40, "ABC!?"))
	if err != nil {
		t.Fatal(err)
	}
	comp := func(gs ...uint16) []byte {
		b := make([]byte, 10)
		binary.BigEndian.PutUint16(b, 0xFFFF) // numberOfContours -1
		for i, g := range gs {
			flags := uint16(0x0001) // args are words
			if i < len(gs)-1 {
				flags |= 0x0020
			}
			b = binary.BigEndian.AppendUint16(b, flags)
			b = binary.BigEndian.AppendUint16(b, g)
			b = append(b, 0, 0, 0, 0)
		}
		return b
	}
	tables := map[string][]byte{}
	for tag, d := range f.tables {
		tables[tag] = d
	}
	loca := slices.Clone(tables["loca"])
	glyf := slices.Clone(tables["glyf"])
	for g, d := range map[int][]byte{1: comp(2, 1), 2: comp(1)} {
		binary.BigEndian.PutUint32(loca[4*g:], uint32(len(glyf)))
		glyf = append(glyf, d...)
		binary.BigEndian.PutUint32(loca[4*g+4:], uint32(len(glyf)))
	}
	tables["loca"], tables["glyf"] = loca, glyf
	return writeSFNT(tables)
}

// useFont does what the signer does with a caller's font: parse it,
// measure and encode text, and write the subset font.
func useFont(data []byte) error {
	f, err := Parse(data)
	if err != nil {
		if !errors.Is(err, ErrFont) {
			return fmt.Errorf("error not an ErrFont: %w", err)
		}
		return nil
	}
	u := NewUse(f)
	for _, s := range []string{"Sékretaris Daérah", "ABC!?", "\x00\uFFFF\U0001F600 ĞŁ"} {
		u.Width(s, 12)
		u.Encode(s)
	}
	_, err = u.Write(newMemWriter())
	if err != nil && !errors.Is(err, ErrFont) {
		return fmt.Errorf("write: error not an ErrFont: %w", err)
	}
	return nil
}

// TestSmallFonts checks that the fuzz seeds are usable fonts, so that the
// fuzzer starts from fonts that reach the subsetter.
func TestSmallFonts(t *testing.T) {
	for name, data := range map[string][]byte{"small": smallFont(t, 40, "ABC!?"), "composite": compositeFont(t)} {
		f, err := Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		u := NewUse(f)
		u.Encode("ABC")
		if _, err := u.Write(newMemWriter()); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(u.glyphs) < 3 {
			t.Errorf("%s: %d glyphs used, want the 3 of ABC and .notdef", name, len(u.glyphs))
		}
	}
	if os.Getenv("TTFONT_WRITE_SEEDS") != "" {
		dir := filepath.Join("testdata", "fuzz", "FuzzFont")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range map[string][]byte{"small": smallFont(t, 40, "ABC!?"), "composite": compositeFont(t)} {
			if err := os.WriteFile(filepath.Join(dir, name), fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// FuzzFont hands the TrueType reader and subsetter arbitrary fonts: a
// malformed font must give an ErrFont, never a panic; the seed corpus is
// in testdata/fuzz/FuzzFont (small fonts cut from DejaVu Sans, one with
// a cycle of composite glyphs).
func FuzzFont(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00head\x00\x00\x00\x00\xff\xff\xff\xf0\x00\x00\x00\x20"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := useFont(data); err != nil {
			t.Fatal(err)
		}
	})
}

// TestSharedOutlineBomb: a font whose loca points every glyph at one
// composite outline listing every glyph must fail with ErrFont, not make
// the subset grow with glyphs × outline size.
func TestSharedOutlineBomb(t *testing.T) {
	f, err := Parse(smallFont(t, 40, "ABC!?"))
	if err != nil {
		t.Fatal(err)
	}
	const n = 20000
	tables := map[string][]byte{}
	for tag, d := range f.tables {
		tables[tag] = d
	}
	maxp := slices.Clone(tables["maxp"])
	binary.BigEndian.PutUint16(maxp[4:], n)
	hhea := slices.Clone(tables["hhea"])
	binary.BigEndian.PutUint16(hhea[34:], n)
	hmtx := make([]byte, 4*n)
	for g := range n {
		binary.BigEndian.PutUint16(hmtx[4*g:], 600)
	}
	glyf := make([]byte, 10, 10+8*n)
	binary.BigEndian.PutUint16(glyf, 0xFFFF)
	for g := range n {
		flags := uint16(0x0001)
		if g < n-1 {
			flags |= 0x0020
		}
		glyf = binary.BigEndian.AppendUint16(glyf, flags)
		glyf = binary.BigEndian.AppendUint16(glyf, uint16(g))
		glyf = append(glyf, 0, 0, 0, 0)
	}
	// loca 0, L, 0, L, …: every even glyph is the whole composite outline.
	loca := make([]byte, 4*(n+1))
	for g := 1; g <= n; g += 2 {
		binary.BigEndian.PutUint32(loca[4*g:], uint32(len(glyf)))
	}
	tables["maxp"], tables["hhea"], tables["hmtx"], tables["loca"], tables["glyf"] = maxp, hhea, hmtx, loca, glyf
	bomb, err := Parse(writeSFNT(tables))
	if err != nil {
		t.Fatalf("the bomb should parse (only its subset is too large): %v", err)
	}
	u := NewUse(bomb)
	u.Encode("A")
	start := time.Now()
	if _, err := u.Write(newMemWriter()); !errors.Is(err, ErrFont) {
		t.Fatalf("Write = %v, want ErrFont", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Write took %v", el)
	}
}
