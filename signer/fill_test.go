package signer_test

// Tests of FillText: the number a register gives a letter, written where
// its template left "${nomor}", checked with poppler (pdftotext), qpdf,
// and by signing the filled letter and verifying it.

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/pdftext"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/verify"
)

const fillNumber = "800.1.2/0457/DISDIKBUD/2026"

// fill runs FillText and checks that the source is a prefix of the output.
func fill(t *testing.T, src []byte, fills []signer.TextFill, opts *signer.FillOptions) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := signer.FillText(&out, bytes.NewReader(src), int64(len(src)), fills, opts); err != nil {
		t.Fatalf("FillText: %v", err)
	}
	if !bytes.HasPrefix(out.Bytes(), src) || out.Len() == len(src) {
		t.Fatal("the output is not the source followed by an update")
	}
	return out.Bytes()
}

// pdftotextOf returns pdftotext's text of the document (not -layout).
func pdftotextOf(t *testing.T, doc []byte) string {
	t.Helper()
	return string(stampTool(t, "pdftotext", stampWrite(t, "doc.pdf", doc), "-"))
}

// TestFillText fills the anchor of letters from four writers, finds the
// number where the anchor was (pdftotext -bbox, independently of Segel),
// then signs the filled letter with a stamp at ${ttd} and verifies it.
func TestFillText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ file, anchor string }{
		{"letter-libreoffice", "${nomor}"},
		{"anchor-gs", "${paraf}"},
		{"anchor-cairo", "${paraf}"},
		{"anchor-chromium", "${paraf}"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(filepath.Join("testdata", tc.file+".pdf"))
			if err != nil {
				t.Fatal(err)
			}
			anchor, _ := stampAnchorBox(t, src, 1, tc.anchor)
			out := fill(t, src, []signer.TextFill{{Anchor: tc.anchor, Text: fillNumber}}, nil)
			qpdfCheck(t, out)
			if text := pdftotextOf(t, out); !strings.Contains(text, fillNumber) {
				t.Fatalf("pdftotext does not show %q:\n%s", fillNumber, text)
			}
			// The number starts where the anchor started, on its line.
			got, _ := stampAnchorBox(t, out, 1, fillNumber)
			if math.Abs(got[0]-anchor[0]) > 1.5 || math.Abs(got[1]-anchor[1]) > 0.3*(anchor[3]-anchor[1]) {
				t.Errorf("the number is at %v, the anchor was at %v", got, anchor)
			}
			// Then the letter is signed, with its stamp at ${ttd}.
			id := stampIdentity(t)
			signed, _ := stampSign(t, out, stampAppearance(signer.Placement{Anchor: "${ttd}"}, "https://segel.example/v/fill"), nil)
			pool := trust.NewPool()
			pool.AddCert(id.Chain[len(id.Chain)-1], "test root")
			rep, err := verify.Verify(context.Background(), bytes.NewReader(signed), int64(len(signed)),
				&verify.Options{Trust: pool, Offline: true})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Indication != verify.TotalPassed {
				t.Errorf("the filled and signed letter is %s, want TOTAL_PASSED", rep.Indication)
				for _, s := range rep.Signatures {
					t.Logf("%s %s %s errors %v warnings %v", s.Field, s.Indication, s.SubIndication, s.Errors, s.Warnings)
				}
			}
			if text := pdftotextOf(t, signed); !strings.Contains(text, fillNumber) {
				t.Errorf("after signing, pdftotext does not show %q", fillNumber)
			}
		})
	}
}

// TestFillTextPages fills several anchors, every occurrence, on every
// page and on one page, including a page with /Rotate 90 (qpdf-merged:
// page 2).
func TestFillTextPages(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("..", "testdata", "pdf", "qpdf-merged.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	// Page 1 shows "005/77/Diskominfo/2026", page 2 (rotated) "800/123/Setda/2026".
	fills := []signer.TextFill{{Anchor: "005/77/Diskominfo/2026", Text: "NOMOR-SATU"}, {Anchor: "800/123/Setda/2026", Text: "NOMOR-DUA"}}
	out := fill(t, src, fills, nil)
	qpdfCheck(t, out)
	for page, want := range map[int]string{1: "NOMOR-SATU", 2: "NOMOR-DUA"} {
		if got := pageText(t, out, page); !strings.Contains(got, want) {
			t.Errorf("page %d: our extractor does not find %q in %q", page, want, got)
		}
	}
	if text := pdftotextOf(t, out); !strings.Contains(text, "NOMOR-SATU") || !strings.Contains(text, "NOMOR-DUA") {
		t.Errorf("pdftotext does not show both numbers:\n%s", text)
	}
	// On page 2 only: the anchor of page 1 is then not found.
	var buf bytes.Buffer
	err = signer.FillText(&buf, bytes.NewReader(src), int64(len(src)), fills, &signer.FillOptions{Page: 2})
	if !errors.Is(err, signer.ErrAnchorNotFound) || !strings.Contains(err.Error(), "005/77") || buf.Len() != 0 {
		t.Errorf("FillOptions.Page 2: %v (%d bytes written), want ErrAnchorNotFound naming the anchor and nothing written", err, buf.Len())
	}
	out = fill(t, src, fills[1:], &signer.FillOptions{Page: -1, MaxWidth: 20})
	if got := pageText(t, out, 2); !strings.Contains(got, "NOMOR-DUA") {
		t.Errorf("page 2 with MaxWidth: %q", got)
	}
}

// TestFillTextCorpus fills "Nomor" in every file of the corpus and every
// qpdf variant of it (object streams, xref streams, linearized, QDF,
// PDF 2.0, a hybrid-reference file): the update is accepted by qpdf and
// the text is read back on the first page.
func TestFillTextCorpus(t *testing.T) {
	t.Parallel()
	all := testcorpus.All(t)
	for _, name := range testcorpus.Names(all) {
		src := all[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := fill(t, src, []signer.TextFill{{Anchor: "Nomor", Text: "NOMOR-TERISI"}}, nil)
			qpdfCheck(t, out)
			if got := pageText(t, out, 1); !strings.Contains(got, "NOMOR-TERISI") {
				t.Errorf("page 1 reads %q", got)
			}
		})
	}
}

// pageText returns the text our extractor reads from a page.
func pageText(t *testing.T, doc []byte, page int) string {
	t.Helper()
	r, err := pdf.Open(bytes.NewReader(doc), int64(len(doc)), nil)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := r.Pages()
	if err != nil {
		t.Fatal(err)
	}
	glyphs, err := pdftext.Page(r, pages[page-1])
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, g := range glyphs {
		b.WriteString(g.Text)
	}
	return b.String()
}

// TestFillTextErrors: every refusal is typed, and nothing is written.
func TestFillTextErrors(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("testdata", "letter-libreoffice.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	nomor := []signer.TextFill{{Anchor: "${nomor}", Text: fillNumber}}
	signed, _ := stampSign(t, src, stampAppearance(signer.Placement{Anchor: "${ttd}"}, "https://segel.example/v/x"), nil)
	for _, tc := range []struct {
		name  string
		src   []byte
		fills []signer.TextFill
		opts  *signer.FillOptions
		want  error
	}{
		{"anchor not found", src, []signer.TextFill{{Anchor: "${tidak-ada}", Text: "x"}}, nil, signer.ErrAnchorNotFound},
		{"second anchor not found", src, append(nomor, signer.TextFill{Anchor: "${lampiran}", Text: "x"}), nil, signer.ErrAnchorNotFound},
		{"signed", signed, nomor, nil, signer.ErrSigned},
		{"not a PDF", []byte("%PDF-1.7\nbukan PDF"), nomor, nil, signer.ErrInvalidPDF},
		{"empty", nil, nomor, nil, signer.ErrInvalidPDF},
		{"truncated", src[:len(src)/2], nomor, nil, signer.ErrInvalidPDF},
		{"no fills", src, nil, nil, signer.ErrOptions},
		{"empty anchor", src, []signer.TextFill{{Anchor: " ", Text: "x"}}, nil, signer.ErrOptions},
		{"newline", src, []signer.TextFill{{Anchor: "${nomor}", Text: "a\nb"}}, nil, signer.ErrOptions},
		{"long text", src, []signer.TextFill{{Anchor: "${nomor}", Text: strings.Repeat("9", signer.MaxFillText+1)}}, nil, signer.ErrOptions},
		{"bad UTF-8", src, []signer.TextFill{{Anchor: "${nomor}", Text: "\xff"}}, nil, signer.ErrOptions},
		{"bad font", src, nomor, &signer.FillOptions{Font: []byte("not a font")}, signer.ErrOptions},
		{"bad max width", src, nomor, &signer.FillOptions{MaxWidth: math.NaN()}, signer.ErrOptions},
		{"page out of range", src, nomor, &signer.FillOptions{Page: 7}, signer.ErrPage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := signer.FillText(&out, bytes.NewReader(tc.src), int64(len(tc.src)), tc.fills, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Errorf("FillText: %v, want %v", err, tc.want)
			}
			if out.Len() != 0 {
				t.Errorf("%d bytes written on error", out.Len())
			}
		})
	}
}

// TestFillTextEmpty: an empty Text only hides the anchor: rendered by
// poppler, the anchor's box (as pdftotext finds it) is white, on letters
// from four writers.
func TestFillTextEmpty(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ file, anchor string }{
		{"letter-libreoffice", "${nomor}"},
		{"anchor-gs", "${paraf}"},
		{"anchor-cairo", "${ttd}"},
		{"anchor-chromium", "${paraf}"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(filepath.Join("testdata", tc.file+".pdf"))
			if err != nil {
				t.Fatal(err)
			}
			box, pageH := stampAnchorBox(t, src, 1, tc.anchor)
			out := fill(t, src, []signer.TextFill{{Anchor: tc.anchor}}, nil)
			qpdfCheck(t, out)
			_, img := stampRender(t, out, 1)
			px := func(v float64) int { return int(math.Round(v * stampDPI / 72)) }
			dark := 0
			for y := px(pageH - box[3]); y <= px(pageH-box[1]); y++ {
				for x := px(box[0]); x <= px(box[2]); x++ {
					if c := img.RGBAAt(x, y); c.R < 0xf0 || c.G < 0xf0 || c.B < 0xf0 {
						dark++
					}
				}
			}
			if dark > 0 {
				t.Errorf("%d pixels of the anchor's box %v are not white", dark, box)
			}
			if _, orig := stampRender(t, src, 1); orig.Bounds() != img.Bounds() {
				t.Errorf("page size changed")
			}
		})
	}
}
