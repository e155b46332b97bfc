package signer_test

// Tests of the stamp for issue 14: long text shrinks and stays in its
// box, the NIP is one line, and a stamp at "${ttd}" in the sample letters
// (testdata/letters) does not cover the official's typed name below it.

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
)

// TestAppearanceLongNameShrinks: a very long name and position in a small
// stamp: nothing drawn outside the rectangle (rendered by poppler), the
// NIP on one line of its own, the cut text ending in an ellipsis.
func TestAppearanceLongNameShrinks(t *testing.T) {
	t.Parallel()
	src := testcorpus.Base(t)["gs-letter"]
	rect := [4]float64{330, 90, 560, 170}
	url := stampURL("long-name")
	a := stampAppearance(signer.Placement{Rect: rect}, url)
	long := strings.Repeat("Prof. Dr. Ir. H. Muhammad Abdurrahman Wahidinsyah Kusumanegara, ", 40) + "M.Si."
	a.Lines = []string{"Ditandatangani secara elektronik oleh", long, "Kepala Badan Perencanaan Pembangunan Daerah",
		"NIP\u00a0197001011990031001", "28 November 2026 09:05 WITA"}
	out, _ := stampSign(t, src, a, nil)
	stampVerify(t, src, out, stampCheck{page: 1, pageH: 842, rects: [][4]float64{rect}, urls: []string{url}})
	text := string(stampTool(t, "pdftotext", "-f", "1", "-l", "1", stampWrite(t, "long.pdf", out), "-"))
	nip := false
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, "1970") {
			nip = strings.Join(strings.Fields(strings.ReplaceAll(l, "\u00a0", " ")), " ") == "NIP 197001011990031001"
		}
	}
	if !nip {
		t.Errorf("the NIP is not one line of its own:\n%s", text)
	}
	if !strings.Contains(text, "\u2026") {
		t.Errorf("the cut text has no ellipsis:\n%s", text)
	}
}

// TestAppearanceAnchorKeepsName signs the sample letters at "${ttd}" with
// a stamp taller than the room above the typed name: the stamp is
// shortened, and no pixel of the name's line changes. align= and
// position= place it as they say.
func TestAppearanceAnchorKeepsName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ letter, name, spec string }{
		{"surat-dinas", "Rahmat", "anchor=${ttd};size=180,120"},
		{"nota-dinas", "Aminah,", "anchor=${ttd};size=160,110;align=center"},
		{"undangan", "Aminah,", "anchor=${ttd};size=150,100;align=right"},
		{"surat-dinas", "Rahmat", "anchor=${ttd};size=180,90;position=below"},
		{"nota-dinas", "Aminah,", "anchor=${ttd};size=150,100;position=beside"},
	} {
		t.Run(tc.letter+"/"+tc.spec, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(filepath.Join("..", "testdata", "letters", tc.letter+".pdf"))
			if err != nil {
				t.Fatal(err)
			}
			anchor, pageH := stampAnchorBox(t, src, 1, "${ttd}")
			name, _ := stampAnchorBox(t, src, 1, tc.name)
			pl, err := signer.ParseVisibleSpec(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			url := stampURL("keeps-name")
			out, res := stampSign(t, src, stampAppearance(*pl, url), nil)
			rect := stampWidgetRect(t, out, res.Field)
			if rect[1] < name[3] {
				t.Errorf("stamp %v reaches down to the name's line %v", rect, name)
			}
			if h := rect[3] - rect[1]; h < 36 || h > pl.Size[1]+0.01 {
				t.Errorf("stamp %v is %g high (asked %g)", rect, h, pl.Size[1])
			}
			switch {
			case pl.Position == "beside":
				if rect[0] < anchor[2] {
					t.Errorf("stamp %v is not right of the anchor %v", rect, anchor)
				}
			case pl.Align == "center":
				if math.Abs((rect[0]+rect[2])/2-(anchor[0]+anchor[2])/2) > 1 {
					t.Errorf("stamp %v is not centred on the anchor %v", rect, anchor)
				}
			case pl.Align == "right":
				if math.Abs(rect[2]-anchor[2]) > 1 {
					t.Errorf("stamp %v does not end where the anchor %v does", rect, anchor)
				}
			default:
				if math.Abs(rect[0]-anchor[0]) > 1 {
					t.Errorf("stamp %v does not start where the anchor %v does", rect, anchor)
				}
			}
			if pl.Position == "below" && rect[3] > anchor[1]+1 {
				t.Errorf("stamp %v is not below the anchor %v", rect, anchor)
			}
			stampVerify(t, src, out, stampCheck{page: 1, pageH: pageH, rects: [][4]float64{rect}, urls: []string{url}})
			// The name's whole line, before and after: the same ink.
			_, before := stampRender(t, src, 1)
			_, after := stampRender(t, out, 1)
			line := [4]float64{0, name[1], 595, name[3]}
			if d := stampDiff(t, before, after, stampPixels(line, pageH)); !d.Empty() {
				t.Errorf("the stamp changed pixels %v on the name's line %v", d, line)
			}
		})
	}
}

// TestParseVisibleAlign: align= and position= are read, checked, and only
// for an anchor.
func TestParseVisibleAlign(t *testing.T) {
	p, err := signer.ParseVisibleSpec("anchor=${ttd};align=Center;position=below")
	if err != nil || p.Align != "center" || p.Position != "below" {
		t.Errorf("align=Center;position=below: %+v %v", p, err)
	}
	for _, bad := range []string{"anchor=x;align=middle", "anchor=x;position=above", "anchor=x;align=left;align=right"} {
		if _, err := signer.ParseVisibleSpec(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	src := testcorpus.Base(t)["gs-letter"]
	a := stampAppearance(signer.Placement{Rect: [4]float64{330, 90, 560, 170}, Align: "right"}, stampURL("x"))
	id := stampIdentity(t)
	var out bytes.Buffer
	_, err = signer.Sign(t.Context(), bytes.NewReader(src), int64(len(src)), &out,
		&signer.Options{Signer: id.Key, Certificate: id.Cert, Chain: id.Chain, Appearance: a})
	if err == nil || !strings.Contains(err.Error(), "Anchor") {
		t.Errorf("align with a rectangle: %v", err)
	}
}
