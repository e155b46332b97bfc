package signer_test

// Tests of visible signatures. Each one signs with a stamp, renders the
// page with poppler (pdftoppm -r 100), decodes the QR code from the pixels
// with zbar, checks that everything the stamp drew lies inside its
// rectangle (the pixels that differ from a render of the unsigned page,
// ±2 px), and that pdfsig still finds every signature valid.

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// stampDPI is the resolution of the renders.
const stampDPI = 100

const stampFooter = "Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat elektronik yang diterbitkan oleh BSrE, BSSN"

var (
	stampIDOnce sync.Once
	stampID     *testpki.Identity
)

// stampIdentity returns a signer identity shared by the stamp tests.
func stampIdentity(t *testing.T) *testpki.Identity {
	t.Helper()
	stampIDOnce.Do(func() {
		stampID = testpki.MustNew(t, testpki.Options{}).MustIssueSigner(t, testpki.SignerOptions{})
	})
	if stampID == nil {
		t.Fatal("no test identity")
	}
	return stampID
}

// stampAppearance returns a typical stamp for placement p with the QR
// code url.
func stampAppearance(p signer.Placement, url string) *signer.Appearance {
	return &signer.Appearance{
		Placement: p,
		Lines: []string{"Ditandatangani secara elektronik oleh", "Dr. H. Ahmad Fauzi, M.Si.",
			"Sékretaris Daérah", "NIP 197001011990031001", "28 November 2026"},
		QR:     url,
		Footer: stampFooter,
	}
}

// stampSign signs src with the appearance a.
func stampSign(t *testing.T, src []byte, a *signer.Appearance, edit func(*signer.Options)) ([]byte, *signer.Result) {
	t.Helper()
	id := stampIdentity(t)
	opts := &signer.Options{Signer: id.Key, Certificate: id.Cert, Chain: id.Chain, Appearance: a}
	if edit != nil {
		edit(opts)
	}
	var out bytes.Buffer
	res, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &out, opts)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	if !bytes.HasPrefix(out.Bytes(), src) {
		t.Fatal("the input is not a prefix of the output")
	}
	return out.Bytes(), res
}

// stampTool runs a tool and returns its standard output.
func stampTool(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	bin := testenv.Tool(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

func stampWrite(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// stampRender renders one page (1-based; its CropBox, as displayed) at
// stampDPI and returns the PNG's path and the decoded image.
func stampRender(t *testing.T, doc []byte, page int) (string, *image.RGBA) {
	t.Helper()
	in := stampWrite(t, "doc.pdf", doc)
	prefix := filepath.Join(filepath.Dir(in), "page")
	n := strconv.Itoa(page)
	stampTool(t, "pdftoppm", "-cropbox", "-r", strconv.Itoa(stampDPI), "-png", "-f", n, "-l", n, "-singlefile", in, prefix)
	f, err := os.Open(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	rgba, ok := img.(*image.RGBA)
	if !ok {
		rgba = image.NewRGBA(img.Bounds())
		draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	}
	return prefix + ".png", rgba
}

// stampQR is a QR code zbar found.
type stampQR struct {
	Data        string `xml:"data"`
	Orientation string `xml:"orientation,attr"`
}

// stampDecode returns the QR codes zbar decodes from a PNG.
func stampDecode(t *testing.T, path string) []stampQR {
	t.Helper()
	bin := testenv.Tool(t, "zbarimg")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "--xml", "-q", path).Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 4) { // 4: no symbol found
		t.Fatalf("zbarimg: %v", err)
	}
	var doc struct {
		Symbols []stampQR `xml:"source>index>symbol"`
	}
	if len(bytes.TrimSpace(out)) > 0 {
		if err := xml.Unmarshal(out, &doc); err != nil {
			t.Fatalf("zbarimg output: %v\n%s", err, out)
		}
	}
	return doc.Symbols
}

// stampDiff returns the bounding box of the pixels that differ between
// two renders of a page, within r.
func stampDiff(t *testing.T, before, after *image.RGBA, r image.Rectangle) image.Rectangle {
	t.Helper()
	if before.Bounds() != after.Bounds() {
		t.Fatalf("renders differ in size: %v and %v", before.Bounds(), after.Bounds())
	}
	r = r.Intersect(after.Bounds())
	var box image.Rectangle
	for y := r.Min.Y; y < r.Max.Y; y++ {
		i := after.PixOffset(r.Min.X, y)
		for x := r.Min.X; x < r.Max.X; x, i = x+1, i+4 {
			p, q := before.Pix[i:i+3:i+3], after.Pix[i:i+3:i+3]
			if absDiff(p[0], q[0]) > 24 || absDiff(p[1], q[1]) > 24 || absDiff(p[2], q[2]) > 24 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box
}

func absDiff(a, b uint8) uint8 {
	if a > b {
		return a - b
	}
	return b - a
}

// stampPixels maps a rectangle in points, in the page's view (origin at
// the lower left of the displayed page of height pageH points), to
// pixels of a render.
func stampPixels(r [4]float64, pageH float64) image.Rectangle {
	s := float64(stampDPI) / 72
	return image.Rect(int(math.Floor(r[0]*s)), int(math.Floor((pageH-r[3])*s)),
		int(math.Ceil(r[2]*s)), int(math.Ceil((pageH-r[1])*s)))
}

// stampCheck is what one page of a signed document must show.
type stampCheck struct {
	page  int
	pageH float64      // height of the displayed page in points
	rects [][4]float64 // the stamps' rectangles in view coordinates
	urls  []string     // the QR codes, in any order
	tol   int          // pixels; 2 when zero
}

// stampVerify renders the page before and after signing, decodes the QR
// codes, checks that the changed pixels lie within the stamps'
// rectangles and cover most of them, and runs pdfsig.
func stampVerify(t *testing.T, unsigned, signed []byte, c stampCheck) {
	t.Helper()
	_, before := stampRender(t, unsigned, c.page)
	path, after := stampRender(t, signed, c.page)
	if c.tol == 0 {
		c.tol = 2
	}

	if dir := os.Getenv("SEGEL_KEEP_RENDERS"); dir != "" { // to look at the stamps
		name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()) + ".png"
		if data, err := os.ReadFile(path); err == nil {
			_ = os.WriteFile(filepath.Join(dir, name), data, 0o644)
		}
		_ = os.WriteFile(filepath.Join(dir, strings.TrimSuffix(name, ".png")+".pdf"), signed, 0o644)
	}
	got := stampDecode(t, path)
	var datas []string
	for _, q := range got {
		datas = append(datas, q.Data)
		if q.Orientation != "" && q.Orientation != "UP" {
			t.Errorf("QR code %q is shown %s, want upright (UP)", q.Data, q.Orientation)
		}
	}
	for _, u := range c.urls {
		found := false
		for _, d := range datas {
			found = found || d == u
		}
		if !found {
			t.Errorf("QR code %q not decoded from page %d; zbar found %q", u, c.page, datas)
		}
	}
	if len(datas) != len(c.urls) {
		t.Errorf("zbar found %d QR codes (%q), want %d", len(datas), datas, len(c.urls))
	}

	diff := stampDiff(t, before, after, after.Bounds())
	if diff.Empty() {
		t.Fatalf("page %d: the stamp changed no pixel", c.page)
	}
	var allowed image.Rectangle
	for _, r := range c.rects {
		px := stampPixels(r, c.pageH)
		allowed = allowed.Union(px.Inset(-c.tol))
		// Each stamp must have drawn across most of its rectangle.
		sub := stampDiff(t, before, after, px.Inset(-c.tol))
		if sub.Dx() < px.Dx()*6/10 || sub.Dy() < px.Dy()*6/10 {
			t.Errorf("stamp at %v (pixels %v) drew only %v", r, px, sub)
		}
	}
	if !diff.In(allowed) {
		t.Errorf("page %d: pixels changed in %v, outside the stamps' %v (±%d px)", c.page, diff, allowed, c.tol)
	}

	path = stampWrite(t, "signed.pdf", signed)
	out := stampTool(t, "pdfsig", path)
	if n := strings.Count(string(out), "Signature is Valid"); n == 0 || strings.Contains(string(out), "Invalid") {
		t.Errorf("pdfsig:\n%s", out)
	}
	if err := testcorpus.Check(testenv.Tool(t, "qpdf"), path); err != nil {
		t.Errorf("qpdf --check: %v", err)
	}
}

// stampEditPage returns src with an incremental update that edits the
// dictionary of page n (1-based).
func stampEditPage(t *testing.T, src []byte, n int, edit func(d pdf.Dict)) []byte {
	t.Helper()
	r, err := pdf.Open(bytes.NewReader(src), int64(len(src)), nil)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := r.Pages()
	if err != nil {
		t.Fatal(err)
	}
	d, err := r.GetDict(pages[n-1])
	if err != nil {
		t.Fatal(err)
	}
	d = d.Clone()
	edit(d)
	u := pdf.NewUpdate(r)
	u.Set(pages[n-1], d)
	res, err := u.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return append(bytes.Clone(src), res.Data...)
}

// stampWidgetRect returns the /Rect of the widget of the named field.
func stampWidgetRect(t *testing.T, doc []byte, field string) [4]float64 {
	t.Helper()
	r, err := pdf.Open(bytes.NewReader(doc), int64(len(doc)), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, d, err := r.FieldByName(field)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Has("Rect") {
		kids, _ := r.GetArray(d.Get("Kids"))
		if d, err = r.GetDict(kids[0]); err != nil {
			t.Fatal(err)
		}
	}
	arr, err := r.GetArray(d.Get("Rect"))
	if err != nil || len(arr) != 4 {
		t.Fatalf("widget /Rect: %v %v", arr, err)
	}
	var out [4]float64
	for i, v := range arr {
		switch n := v.(type) {
		case int64:
			out[i] = float64(n)
		case float64:
			out[i] = n
		}
	}
	return out
}

func stampURL(id string) string { return "https://segel.serangkab.go.id/v/" + id }

func near(a, b [4]float64, tol float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

func TestAppearancePageRect(t *testing.T) {
	t.Parallel()
	src := testcorpus.Base(t)["gs-letter"]
	rect := [4]float64{330, 90, 560, 190}
	url := stampURL("0193c6b2-7f1e-7c3a-9d4e-5f6a7b8c9d0e")
	out, res := stampSign(t, src, stampAppearance(signer.Placement{Page: 1, Rect: rect}, url), nil)
	if got := stampWidgetRect(t, out, res.Field); got != rect {
		t.Errorf("widget /Rect = %v, want %v", got, rect)
	}
	stampVerify(t, src, out, stampCheck{page: 1, pageH: 842, rects: [][4]float64{rect}, urls: []string{url}})
}

func TestAppearanceLastPage(t *testing.T) {
	t.Parallel()
	src := testcorpus.Base(t)["form-2page"]
	spec, err := signer.ParseVisibleSpec("page=-1;rect=60,60,260,150")
	if err != nil {
		t.Fatal(err)
	}
	url := stampURL("last-page")
	out, _ := stampSign(t, src, stampAppearance(*spec, url), nil)
	stampVerify(t, src, out, stampCheck{page: 2, pageH: 842, rects: [][4]float64{spec.Rect}, urls: []string{url}})
}

// TestAppearanceRotatedPage signs the page of qpdf-merged that carries
// /Rotate 90, and pages given /Rotate 180 and 270 in an update: the
// rectangle is in the reader's view and the QR code reads upright.
func TestAppearanceRotatedPage(t *testing.T) {
	t.Parallel()
	base := testcorpus.Base(t)
	t.Run("qpdf-merged/90", func(t *testing.T) {
		t.Parallel()
		src := base["qpdf-merged"]
		rect := [4]float64{500, 60, 740, 160} // the page is 842 wide as displayed
		url := stampURL("rotated-90")
		out, res := stampSign(t, src, stampAppearance(signer.Placement{Page: 2, Rect: rect}, url), nil)
		// Page 2 is A4 turned: user space [0 0 595 842], shown 842×595.
		if got, want := stampWidgetRect(t, out, res.Field), [4]float64{595 - 160, 500, 595 - 60, 740}; !near(got, want, 0.01) {
			t.Errorf("widget /Rect = %v, want %v", got, want)
		}
		stampVerify(t, src, out, stampCheck{page: 2, pageH: 595, rects: [][4]float64{rect}, urls: []string{url}})
	})
	for _, rot := range []int64{180, 270} {
		t.Run(fmt.Sprintf("gs-letter/%d", rot), func(t *testing.T) {
			t.Parallel()
			src := stampEditPage(t, base["gs-letter"], 1, func(d pdf.Dict) { d.Set("Rotate", rot) })
			h := 842.0
			rect := [4]float64{40, 40, 260, 140}
			if rot == 270 {
				h = 595
				rect = [4]float64{580, 40, 800, 140}
			}
			url := stampURL(fmt.Sprintf("rotated-%d", rot))
			out, _ := stampSign(t, src, stampAppearance(signer.Placement{Rect: rect}, url), nil)
			stampVerify(t, src, out, stampCheck{page: 1, pageH: h, rects: [][4]float64{rect}, urls: []string{url}})
		})
	}
}

// TestAppearanceCropBox signs a page whose CropBox does not start at the
// MediaBox's origin: the rectangle is relative to the CropBox.
func TestAppearanceCropBox(t *testing.T) {
	t.Parallel()
	src := stampEditPage(t, testcorpus.Base(t)["gs-letter"], 1, func(d pdf.Dict) {
		d.Set("CropBox", pdf.Array{int64(40), int64(50), int64(560), int64(800)})
	})
	rect := [4]float64{280, 40, 500, 140}
	url := stampURL("cropbox")
	out, res := stampSign(t, src, stampAppearance(signer.Placement{Page: 1, Rect: rect}, url), nil)
	if got, want := stampWidgetRect(t, out, res.Field), [4]float64{320, 90, 540, 190}; got != want {
		t.Errorf("widget /Rect = %v, want %v (the view rectangle moved by the CropBox's origin)", got, want)
	}
	stampVerify(t, src, out, stampCheck{page: 1, pageH: 750, rects: [][4]float64{rect}, urls: []string{url}})
}

// TestAppearanceExistingField signs form-2page's empty Signature1 field,
// whose widget is on page 2 at [340 420 540 490].
func TestAppearanceExistingField(t *testing.T) {
	t.Parallel()
	src := testcorpus.Base(t)["form-2page"]
	for _, tc := range []struct {
		name  string
		place signer.Placement
		field string
	}{
		{"Placement.Field", signer.Placement{Field: "Signature1"}, ""},
		{"Options.Field", signer.Placement{}, "Signature1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := stampURL("field-" + tc.name)
			out, res := stampSign(t, src, stampAppearance(tc.place, url), func(o *signer.Options) { o.Field = tc.field })
			if res.Field != "Signature1" {
				t.Errorf("signed field %q, want Signature1", res.Field)
			}
			stampVerify(t, src, out, stampCheck{page: 2, pageH: 842, rects: [][4]float64{{340, 420, 540, 490}}, urls: []string{url}})
		})
	}
}

// stampAnchorBox returns where pdftotext (independently of Segel) finds
// a word on a page, in view coordinates.
func stampAnchorBox(t *testing.T, doc []byte, page int, word string) ([4]float64, float64) {
	t.Helper()
	n := strconv.Itoa(page)
	out := stampTool(t, "pdftotext", "-bbox", "-f", n, "-l", n, stampWrite(t, "in.pdf", doc), "-")
	out = bytes.Replace(out, []byte("<!DOCTYPE"), []byte("<!-- "), 1)
	out = bytes.Replace(out, []byte(".dtd\">"), []byte(".dtd\" -->"), 1)
	var d struct {
		Pages []struct {
			Height float64 `xml:"height,attr"`
			Words  []struct {
				XMin float64 `xml:"xMin,attr"`
				YMin float64 `xml:"yMin,attr"`
				XMax float64 `xml:"xMax,attr"`
				YMax float64 `xml:"yMax,attr"`
				Text string  `xml:",chardata"`
			} `xml:"word"`
		} `xml:"body>doc>page"`
	}
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = false
	if err := dec.Decode(&d); err != nil || len(d.Pages) == 0 {
		t.Fatalf("pdftotext -bbox: %v\n%s", err, out)
	}
	p := d.Pages[0]
	for _, w := range p.Words {
		if strings.Contains(w.Text, word) {
			return [4]float64{w.XMin, p.Height - w.YMax, w.XMax, p.Height - w.YMin}, p.Height
		}
	}
	t.Fatalf("pdftotext does not find %q on page %d", word, page)
	return [4]float64{}, 0
}

// TestAppearanceAnchor places stamps at "${ttd}" in letters from three
// writers: ghostscript (embedded CFF fonts), cairo (another object
// layout) and Chromium (CIDFontType2 Identity-H with ToUnicode, as office
// suites write).
func TestAppearanceAnchor(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"anchor-gs", "anchor-cairo", "anchor-chromium"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(filepath.Join("testdata", name+".pdf"))
			if err != nil {
				t.Fatal(err)
			}
			anchor, pageH := stampAnchorBox(t, src, 1, "${ttd}")
			spec, err := signer.ParseVisibleSpec("anchor=${ttd}")
			if err != nil {
				t.Fatal(err)
			}
			url := stampURL("anchor-" + name)
			out, res := stampSign(t, src, stampAppearance(*spec, url), nil)
			rect := stampWidgetRect(t, out, res.Field)
			// The stamp's upper left corner is the anchor's (within the
			// difference between two estimates of a glyph's height).
			if math.Abs(rect[0]-anchor[0]) > 1 || math.Abs(rect[3]-anchor[3]) > 3 {
				t.Errorf("stamp %v: upper left corner is not at the anchor %v", rect, anchor)
			}
			if w, h := rect[2]-rect[0], rect[3]-rect[1]; math.Abs(w-signer.DefaultStampWidth) > 0.01 || math.Abs(h-signer.DefaultStampHeight) > 0.01 {
				t.Errorf("stamp is %gx%g, want the default %dx%d", w, h, signer.DefaultStampWidth, signer.DefaultStampHeight)
			}
			stampVerify(t, src, out, stampCheck{page: 1, pageH: pageH, rects: [][4]float64{rect}, urls: []string{url}})
		})
	}
}

// TestAppearanceParafAndSignature stamps a letter twice, as the reviewer's
// initials (paraf) at "${paraf}" and then the signature at "${ttd}": two
// fields, both QR codes decode, both signatures valid.
func TestAppearanceParafAndSignature(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("testdata", "anchor-chromium.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	paraf, err := signer.ParseVisibleSpec("anchor=${paraf};page=1;size=150,60")
	if err != nil {
		t.Fatal(err)
	}
	parafURL, ttdURL := stampURL("paraf"), stampURL("ttd")
	a := stampAppearance(*paraf, parafURL)
	a.Lines = []string{"Paraf", "Kepala Bagian Umum", "28 November 2026"}
	a.Footer = ""
	once, res1 := stampSign(t, src, a, nil)
	twice, res2 := stampSign(t, once, stampAppearance(signer.Placement{Anchor: "${ttd}"}, ttdURL), nil)
	if res1.Field == res2.Field {
		t.Fatalf("both signatures in field %q", res1.Field)
	}
	r1, r2 := stampWidgetRect(t, twice, res1.Field), stampWidgetRect(t, twice, res2.Field)
	if math.Abs(r1[2]-r1[0]-150) > 0.01 || math.Abs(r1[3]-r1[1]-60) > 0.01 {
		t.Errorf("paraf stamp %v, want 150x60", r1)
	}
	out := stampTool(t, "pdfsig", stampWrite(t, "twice.pdf", twice))
	if n := strings.Count(string(out), "Signature is Valid"); n != 2 {
		t.Errorf("pdfsig finds %d valid signatures, want 2:\n%s", n, out)
	}
	_, pageH := stampAnchorBox(t, src, 1, "${ttd}")
	stampVerify(t, src, twice, stampCheck{page: 1, pageH: pageH, rects: [][4]float64{r1, r2}, urls: []string{parafURL, ttdURL}})
}

// TestAppearanceTextAndFont checks that the stamp's Indonesian text can be
// extracted back by poppler, and that its font is embedded as a subset.
func TestAppearanceTextAndFont(t *testing.T) {
	t.Parallel()
	src := testcorpus.Base(t)["gs-letter"]
	out, _ := stampSign(t, src, stampAppearance(signer.Placement{Rect: [4]float64{330, 90, 560, 190}}, stampURL("text")), nil)
	path := stampWrite(t, "signed.pdf", out)
	text := string(stampTool(t, "pdftotext", "-f", "1", "-l", "1", path, "-"))
	for _, want := range []string{"Sékretaris Daérah", "Dr. H. Ahmad Fauzi, M.Si.", "NIP 197001011990031001"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext does not give back %q:\n%s", want, text)
		}
	}
	fonts := string(stampTool(t, "pdffonts", path))
	found := false
	for _, line := range strings.Split(fonts, "\n") {
		if !strings.Contains(line, "DejaVuSans") {
			continue
		}
		found = true
		f := strings.Fields(line)
		// name type... encoding emb sub uni object-id gen
		if len(f) < 7 || f[len(f)-5] != "yes" || f[len(f)-4] != "yes" || f[len(f)-3] != "yes" {
			t.Errorf("pdffonts: stamp font not embedded, subset and mapped to Unicode (emb sub uni): %q", line)
		}
		if name := f[0]; len(name) < 8 || name[6] != '+' || strings.ToUpper(name[:6]) != name[:6] {
			t.Errorf("pdffonts: subset font name %q lacks the ABCDEF+ tag", name)
		}
		if !strings.Contains(line, "CID TrueType") || !strings.Contains(line, "Identity-H") {
			t.Errorf("pdffonts: stamp font is not CID TrueType Identity-H: %q", line)
		}
	}
	if !found {
		t.Errorf("pdffonts lists no DejaVuSans font:\n%s", fonts)
	}
	if len(out)-len(src) > 60<<10 {
		t.Errorf("the signature update is %d bytes: the font is not subset", len(out)-len(src))
	}
}

// TestAppearanceImages draws a PNG with transparency (its transparent half
// is green, which must not show) and a JPEG (blue).
func TestAppearanceImages(t *testing.T) {
	t.Parallel()
	pngImg := image.NewNRGBA(image.Rect(0, 0, 60, 40))
	for y := range 40 {
		for x := range 60 {
			if x < 30 {
				pngImg.Set(x, y, color.NRGBA{R: 220, A: 255})
			} else {
				pngImg.Set(x, y, color.NRGBA{G: 200, A: 0})
			}
		}
	}
	var pngData bytes.Buffer
	if err := png.Encode(&pngData, pngImg); err != nil {
		t.Fatal(err)
	}
	jpgImg := image.NewRGBA(image.Rect(0, 0, 60, 40))
	for y := range 40 {
		for x := range 60 {
			jpgImg.Set(x, y, color.RGBA{B: 220, A: 255})
		}
	}
	var jpgData bytes.Buffer
	if err := jpeg.Encode(&jpgData, jpgImg, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	src := testcorpus.Base(t)["gs-letter"]
	for _, tc := range []struct {
		name       string
		data       []byte
		want, nope func(r, g, b uint32) bool
	}{
		{"png-alpha", pngData.Bytes(),
			func(r, g, b uint32) bool { return r > 180 && g < 80 && b < 80 },
			func(r, g, b uint32) bool { return g > 150 && r < 100 }},
		{"jpeg", jpgData.Bytes(),
			func(r, g, b uint32) bool { return b > 180 && r < 80 && g < 80 }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rect := [4]float64{300, 90, 560, 190}
			url := stampURL("image-" + tc.name)
			a := stampAppearance(signer.Placement{Rect: rect}, url)
			a.Image = tc.data
			out, _ := stampSign(t, src, a, nil)
			stampVerify(t, src, out, stampCheck{page: 1, pageH: 842, rects: [][4]float64{rect}, urls: []string{url}})
			_, img := stampRender(t, out, 1)
			px := stampPixels(rect, 842)
			wanted, unwanted := 0, 0
			for y := px.Min.Y; y < px.Max.Y; y++ {
				for x := px.Min.X; x < px.Max.X; x++ {
					r, g, b, _ := img.At(x, y).RGBA()
					r, g, b = r>>8, g>>8, b>>8
					if tc.want(r, g, b) {
						wanted++
					}
					if tc.nope != nil && tc.nope(r, g, b) {
						unwanted++
					}
				}
			}
			if wanted < 200 {
				t.Errorf("only %d pixels of the image's colour in the stamp", wanted)
			}
			if unwanted > 0 {
				t.Errorf("%d pixels of the PNG's transparent part show", unwanted)
			}
		})
	}
}

func TestAppearanceErrors(t *testing.T) {
	t.Parallel()
	base := testcorpus.Base(t)
	id := stampIdentity(t)
	for _, tc := range []struct {
		name string
		src  string
		opts func(*signer.Options)
		want error
	}{
		{"anchor not found", "gs-letter", func(o *signer.Options) {
			o.Appearance = &signer.Appearance{Placement: signer.Placement{Anchor: "${tidak-ada}"}}
		}, signer.ErrAnchorNotFound},
		{"rect outside the page", "gs-letter", func(o *signer.Options) {
			o.Appearance = &signer.Appearance{Placement: signer.Placement{Rect: [4]float64{500, 700, 700, 900}}}
		}, signer.ErrPlacement},
		{"no placement", "gs-letter", func(o *signer.Options) {
			o.Appearance = &signer.Appearance{}
		}, signer.ErrOptions},
		{"two placements", "gs-letter", func(o *signer.Options) {
			o.Appearance = &signer.Appearance{Placement: signer.Placement{Anchor: "SERANG", Rect: [4]float64{10, 10, 100, 100}}}
		}, signer.ErrOptions},
		{"fields differ", "form-2page", func(o *signer.Options) {
			o.Field = "Signature1"
			o.Appearance = &signer.Appearance{Placement: signer.Placement{Field: "Signature2"}}
		}, signer.ErrOptions},
		{"field and rect", "form-2page", func(o *signer.Options) {
			o.Field = "Signature1"
			o.Appearance = &signer.Appearance{Placement: signer.Placement{Rect: [4]float64{10, 10, 100, 100}}}
		}, signer.ErrOptions},
		{"missing field", "form-2page", func(o *signer.Options) {
			o.Appearance = &signer.Appearance{Placement: signer.Placement{Field: "TidakAda"}}
		}, signer.ErrFieldNotFound},
		{"not an image", "gs-letter", func(o *signer.Options) {
			o.Appearance = &signer.Appearance{Placement: signer.Placement{Rect: [4]float64{10, 10, 100, 100}}, Image: []byte("GIF89a")}
		}, signer.ErrOptions},
		{"not a font", "gs-letter", func(o *signer.Options) {
			o.Appearance = &signer.Appearance{Placement: signer.Placement{Rect: [4]float64{10, 10, 100, 100}}, Font: []byte("OTTO")}
		}, signer.ErrOptions},
		{"page out of range", "gs-letter", func(o *signer.Options) {
			o.Appearance = &signer.Appearance{Placement: signer.Placement{Page: 3, Rect: [4]float64{10, 10, 100, 100}}}
		}, signer.ErrPage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := base[tc.src]
			opts := &signer.Options{Signer: id.Key, Certificate: id.Cert}
			tc.opts(opts)
			var out bytes.Buffer
			_, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &out, opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Sign: %v, want %v", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "invalid signing options") && tc.want == signer.ErrOptions {
				t.Logf("error: %v", err)
			}
		})
	}
}

func TestParseVisibleSpec(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want signer.Placement
		err  string
	}{
		{"page=1;rect=350,100,550,190", signer.Placement{Page: 1, Rect: [4]float64{350, 100, 550, 190}}, ""},
		{"rect=10.5, 20 ,110,120 ; page=-1", signer.Placement{Page: -1, Rect: [4]float64{10.5, 20, 110, 120}}, ""},
		{"field=Signature1", signer.Placement{Field: "Signature1"}, ""},
		{"anchor=${ttd}", signer.Placement{Anchor: "${ttd}"}, ""},
		{"anchor=#;page=2;size=200,90", signer.Placement{Anchor: "#", Page: 2, Size: [2]float64{200, 90}}, ""},
		{"", signer.Placement{}, "empty"},
		{"page=1", signer.Placement{}, "missing rect, field or anchor"},
		{"page=0;rect=1,2,30,40", signer.Placement{}, "page \"0\""},
		{"page=x;rect=1,2,30,40", signer.Placement{}, "page \"x\""},
		{"rect=1,2,3", signer.Placement{}, "rect:"},
		{"rect=100,2,30,40", signer.Placement{}, "X2 must be greater"},
		{"rect=1,2,30,abc", signer.Placement{}, "\"abc\" is not a number"},
		{"field=", signer.Placement{}, "field: empty"},
		{"field=A;page=2", signer.Placement{}, "takes no other item"},
		{"anchor=#;rect=1,2,30,40", signer.Placement{}, "cannot be combined"},
		{"rect=1,2,30,40;size=10,10", signer.Placement{}, "cannot be combined"},
		{"anchor=#;size=2,2", signer.Placement{}, "too small"},
		{"page=1;page=2;rect=1,2,30,40", signer.Placement{}, "twice"},
		{"colour=red", signer.Placement{}, "unknown item"},
		{"anchor", signer.Placement{}, "not KEY=VALUE"},
	} {
		got, err := signer.ParseVisibleSpec(tc.spec)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, signer.ErrOptions) {
				t.Errorf("ParseVisibleSpec(%q) = %v, %v; want an ErrOptions error containing %q", tc.spec, got, err, tc.err)
			}
			continue
		}
		if err != nil || *got != tc.want {
			t.Errorf("ParseVisibleSpec(%q) = %+v, %v; want %+v", tc.spec, got, err, tc.want)
		}
	}
}

func TestPlacementRectFromXYWH(t *testing.T) {
	if got, want := signer.RectFromXYWH(100, 50, 180, 80), [4]float64{100, 50, 280, 130}; got != want {
		t.Errorf("RectFromXYWH = %v, want %v", got, want)
	}
}

// TestAppearanceCorpus stamps the last page of every corpus file and each
// of its qpdf variants (object streams, linearized, PDF 2.0, …): the
// stamp's widget must be found with its rectangle, and the output must
// pass qpdf --check.
func TestAppearanceCorpus(t *testing.T) {
	t.Parallel()
	qpdf := testenv.Tool(t, "qpdf")
	rect := [4]float64{40, 40, 240, 120}
	all := testcorpus.All(t)
	for _, name := range testcorpus.Names(all) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := all[name]
			out, res := stampSign(t, src, stampAppearance(signer.Placement{Page: -1, Rect: rect}, stampURL(name)), nil)
			got := stampWidgetRect(t, out, res.Field)
			if got[2]-got[0] != 200 && got[3]-got[1] != 200 {
				t.Errorf("widget /Rect %v is not 200 points wide (or tall, on a rotated page)", got)
			}
			if err := testcorpus.Check(qpdf, stampWrite(t, "out.pdf", out)); err != nil {
				t.Errorf("qpdf --check: %v", err)
			}
			// The stamp's update writes the appearance and what it uses,
			// nothing more.
			if got := auditUpdates(t, out, len(src)); len(got) != 1 || got[0] != "signature" {
				t.Errorf("updates %v, want one signature", got)
			}
		})
	}
}

// TestAppearanceCustomFont sets the stamp in a font given by the caller
// (here the repository's copy of DejaVu Sans under another name).
func TestAppearanceCustomFont(t *testing.T) {
	t.Parallel()
	ttf, err := os.ReadFile(filepath.Join("..", "internal", "ttfont", "fonts", "DejaVuSans.ttf"))
	if err != nil {
		t.Fatal(err)
	}
	a := stampAppearance(signer.Placement{Rect: [4]float64{330, 90, 560, 190}}, stampURL("font"))
	a.Font = ttf
	a.Lines = []string{"Kustini Sri Purnomo"}
	out, _ := stampSign(t, testcorpus.Base(t)["gs-letter"], a, nil)
	text := string(stampTool(t, "pdftotext", stampWrite(t, "out.pdf", out), "-"))
	if !strings.Contains(text, "Kustini Sri Purnomo") {
		t.Errorf("pdftotext does not find the stamp's text:\n%s", text)
	}
}
