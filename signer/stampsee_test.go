package signer_test

// Tests of the anchor stamp's transparency (issue 14): a stamp at
// "${ttd}" that cannot keep off the typed name below it (less than 36
// points of room) is drawn without its white background, so the name
// shows through; with room enough it stays opaque. See docs/decisions.md,
// "Branding and the anchor stamp (issue 14)".

import (
	"bytes"
	"fmt"
	"regexp"
	"testing"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/pdfgen"
	"github.com/segel-id/segel/signer"
)

// gapLetter is a one-page letter with "${ttd}" at baseline 560 (from the
// top) and the typed name and NIP gap points further down.
func gapLetter(t *testing.T, gap float64) []byte {
	t.Helper()
	d, err := pdfgen.New()
	if err != nil {
		t.Fatal(err)
	}
	p := d.AddPage()
	st := pdfgen.Style{Size: 11}
	p.Text(72, 120, st, "Dengan hormat, surat ini ditandatangani secara elektronik.")
	p.Text(340, 540, st, "Sekretaris Daerah,")
	p.Text(340, 560, st, "${ttd}")
	p.Text(340, 560+gap, pdfgen.Style{Size: 11, Bold: true}, "Drs. H. Rahmat Hidayat, M.Si.")
	p.Text(340, 574+gap, st, "NIP 197001011990031001")
	var buf bytes.Buffer
	if _, err := d.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// stampStream returns the decoded appearance stream of the signed field.
func stampStream(t *testing.T, doc []byte, field string) []byte {
	t.Helper()
	r, err := pdf.Open(bytes.NewReader(doc), int64(len(doc)), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, d, err := r.FieldByName(field)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Has("AP") {
		kids, _ := r.GetArray(d.Get("Kids"))
		if d, err = r.GetDict(kids[0]); err != nil {
			t.Fatal(err)
		}
	}
	ap, err := r.GetDict(d.Get("AP"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := r.GetStream(ap.Get("N"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := s.Decode(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// fills returns the white rectangles the stream fills ("1 g X Y W H re f").
func fills(stream []byte) [][4]string {
	var out [][4]string
	for _, m := range regexp.MustCompile(`1 g\n(\S+) (\S+) (\S+) (\S+) re f\n`).FindAllSubmatch(stream, -1) {
		out = append(out, [4]string{string(m[1]), string(m[2]), string(m[3]), string(m[4])})
	}
	return out
}

// TestAnchorStampTransparentWhenCramped: with the typed name 24 points
// under "${ttd}" (over and below it), the stamp has no background
// fill, only a patch over the anchor text; no pixel of the name's ink is
// painted over, and the anchor text is hidden. With the name 60 points
// down (the stamp shortened), 140 (room for all of it), or a stamp beside
// the line (shortened above the name) the background is there.
func TestAnchorStampTransparentWhenCramped(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		gap         float64
		spec        string
		transparent bool
	}{
		{24, "anchor=${ttd}", true},
		{24, "anchor=${ttd};position=below", true},
		// Beside the line, the stamp keeps its top and is shortened above
		// the name: room enough, opaque.
		{24, "anchor=${ttd};position=beside", false},
		{60, "anchor=${ttd}", false},
		{140, "anchor=${ttd}", false},
		{140, "anchor=${ttd};position=below", false},
	} {
		t.Run(fmt.Sprintf("%g/%s", tc.gap, tc.spec), func(t *testing.T) {
			t.Parallel()
			src := gapLetter(t, tc.gap)
			pl, err := signer.ParseVisibleSpec(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			out, res := stampSign(t, src, stampAppearance(*pl, stampURL("see-through")), nil)
			rect := stampWidgetRect(t, out, res.Field)
			w, h := rect[2]-rect[0], rect[3]-rect[1]
			full := [4]string{"0", "0", trim(w), trim(h)}
			var background bool
			var patches [][4]string
			for _, f := range fills(stampStream(t, out, res.Field)) {
				if f == full {
					background = true
				} else {
					patches = append(patches, f)
				}
			}
			if background == tc.transparent {
				t.Fatalf("stamp %v (%gx%g): background %v, want %v", rect, w, h, background, !tc.transparent)
			}
			if !tc.transparent {
				return
			}
			name, pageH := stampAnchorBox(t, src, 1, "Rahmat")
			if rect[1] >= name[3] {
				t.Fatalf("stamp %v does not reach the name %v: the case tests nothing", rect, name)
			}
			_, before := stampRender(t, src, 1)
			_, after := stampRender(t, out, 1)
			// Every dark pixel of the name's line is still dark: nothing
			// white was painted over the name.
			r := stampPixels([4]float64{name[0], name[1], 595, name[3]}, pageH).Intersect(before.Bounds())
			for y := r.Min.Y; y < r.Max.Y; y++ {
				for x := r.Min.X; x < r.Max.X; x++ {
					if b, a := before.RGBAAt(x, y), after.RGBAAt(x, y); b.R < 100 && a.R > 160 {
						t.Fatalf("pixel (%d,%d) of the name's line turned light: the stamp hides the name", x, y)
					}
				}
			}
			// Over the anchor (the default position), the patch hides it.
			if pl.Position == "" {
				if len(patches) != 1 {
					t.Fatalf("no patch over the anchor: %v", patches)
				}
				anchor, _ := stampAnchorBox(t, src, 1, "${ttd}")
				a := stampPixels(anchor, pageH).Intersect(after.Bounds())
				dark := 0
				for y := a.Min.Y; y < a.Max.Y; y++ {
					for x := a.Min.X; x < a.Max.X; x++ {
						if before.RGBAAt(x, y).R < 100 && after.RGBAAt(x, y).R < 100 {
							dark++
						}
					}
				}
				// The QR code and the text may draw there; the anchor's own
				// ink must be mostly gone.
				if dark > a.Dx()*a.Dy()/4 {
					t.Errorf("the anchor text shows through: %d dark pixels of %d", dark, a.Dx()*a.Dy())
				}
			}
		})
	}
}

// trim formats a stamp dimension as the content stream does.
func trim(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}
