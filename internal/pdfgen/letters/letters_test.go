package letters_test

import (
	"bytes"
	"context"
	"flag"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/pdfgen"
	"github.com/segel-id/segel/internal/pdfgen/letters"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

var update = flag.Bool("update", false, "rewrite testdata/letters from the samples")

// dir is where the committed sample PDFs live.
var dir = filepath.Join("..", "..", "..", "testdata", "letters")

// TestGenerateLetters renders every sample and compares it with the
// committed file (with -update: rewrites it). Each draft shows its tags,
// the kop and the signature block to pdftotext, passes qpdf --check, is
// one A4 page, and takes the number at ${nomor} (signer.FillText) with
// the number then where the tag was.
func TestGenerateLetters(t *testing.T) {
	for _, l := range letters.Samples {
		t.Run(l.File, func(t *testing.T) {
			doc, err := l.PDF()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, l.File)
			if *update {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, doc, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			committed, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/pdfgen/letters -update)", err)
			}
			if !bytes.Equal(committed, doc) {
				t.Errorf("%s is not what the sample renders: run go test ./internal/pdfgen/letters -update", path)
			}
			if len(doc) > 64<<10 {
				t.Errorf("%d bytes: keep the samples small", len(doc))
			}
			if out := tool(t, doc, "qpdf", "--check"); !strings.Contains(out, "No syntax or stream encoding errors") {
				t.Errorf("qpdf --check:\n%s", out)
			}
			if info := flat(tool(t, doc, "pdfinfo")); !strings.Contains(info, "Pages: 1") || !strings.Contains(info, "(A4)") {
				t.Errorf("pdfinfo: %s", info)
			}
			text := flat(tool(t, doc, "pdftotext", "-raw"))
			for _, want := range []string{"PEMERINTAH KABUPATEN SERANG", strings.ToUpper(l.Unit), "Nomor : ${nomor}",
				"Yth.", l.To[0], l.Subject, l.SignerTitle, "${ttd}", l.SignerName, "NIP " + l.SignerNIP, l.Body[len(l.Body)-1]} {
				if !strings.Contains(text, want) {
					t.Errorf("pdftotext lacks %q:\n%s", want, text)
				}
			}
			number := "400.3.1/0001/" + l.UnitCode + "/2026"
			var filled bytes.Buffer
			if err := signer.FillText(&filled, bytes.NewReader(doc), int64(len(doc)), []signer.TextFill{{Anchor: letters.NumberTag, Text: number}}, nil); err != nil {
				t.Fatal(err)
			}
			// -layout: the number is read where the tag was (which stays
			// under the white box, see docs/decisions.md).
			if text := flat(tool(t, filled.Bytes(), "pdftotext", "-layout")); !strings.Contains(text, "Nomor : "+number) {
				t.Errorf("filled: pdftotext lacks %q:\n%s", "Nomor : "+number, text)
			}
			signedAtTag(t, filled.Bytes(), l)
		})
	}
}

// signedAtTag signs the numbered letter with the default stamp at ${ttd}
// and checks that the stamp, which hides what is under it, leaves the
// jabatan above and the typed name, pangkat and NIP below in view.
func signedAtTag(t *testing.T, doc []byte, l letters.Letter) {
	t.Helper()
	id := testpki.MustNew(t, testpki.Options{}).MustIssueSigner(t, testpki.SignerOptions{})
	var out bytes.Buffer
	_, err := signer.Sign(context.Background(), bytes.NewReader(doc), int64(len(doc)), &out, &signer.Options{
		Signer: id.Key, Certificate: id.Cert, Chain: id.Chain,
		Appearance: &signer.Appearance{Placement: signer.Placement{Anchor: letters.SignatureTag}, QR: "https://segel.example/v/1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.Open(bytes.NewReader(out.Bytes()), int64(out.Len()), nil)
	if err != nil {
		t.Fatal(err)
	}
	fields, err := r.Fields()
	if err != nil || len(fields) != 1 {
		t.Fatalf("fields %v, %v", fields, err)
	}
	rect, err := r.GetArray(fields[0].Dict.Get("Rect"))
	if err != nil || len(rect) != 4 {
		t.Fatalf("widget /Rect %v, %v", rect, err)
	}
	var stamp [4]float64
	for i, v := range rect {
		switch n := v.(type) {
		case float64:
			stamp[i] = n
		case int64:
			stamp[i] = float64(n)
		}
	}
	// pdftotext -bbox: y from the top of the page.
	words := bboxWords(t, doc)
	for _, part := range []string{l.SignerName, l.SignerRank, "NIP " + l.SignerNIP, l.SignerTitle + ","} {
		for _, w := range strings.Fields(part) {
			box, ok := words[w]
			if !ok {
				t.Fatalf("pdftotext -bbox lacks %q", w)
			}
			x0, y0, x1, y1 := box[0], pdfgen.PageHeight-box[3], box[2], pdfgen.PageHeight-box[1]
			if x0 < stamp[2] && x1 > stamp[0] && y0 < stamp[3] && y1 > stamp[1] {
				t.Errorf("the stamp %v covers %q at %v", stamp, w, [4]float64{x0, y0, x1, y1})
			}
		}
	}
}

// bboxWords returns pdftotext -bbox's words (the last box of each).
func bboxWords(t *testing.T, doc []byte) map[string][4]float64 {
	t.Helper()
	out := tool(t, doc, "pdftotext", "-bbox")
	re := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
	words := map[string][4]float64{}
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		var b [4]float64
		for i := range b {
			b[i], _ = strconv.ParseFloat(m[i+1], 64)
		}
		words[html.UnescapeString(m[5])] = b
	}
	return words
}

func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// tool runs a poppler or qpdf tool on doc.
func tool(t *testing.T, doc []byte, name string, args ...string) string {
	t.Helper()
	bin := testenv.Tool(t, name)
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args = append(args, path)
	if name == "pdftotext" {
		args = append(args, "-")
	}
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	return string(out)
}
