package service_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/service"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/signer"
)

// solidPNG is a w×h PNG of one colour, made here.
func solidPNG(t *testing.T, w, h int, c color.NRGBA) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// stamped signs the letter with profile "dinas" and a stamp, and returns
// page 1 rendered by poppler and its text.
func stamped(t *testing.T, f *fixture, v *service.Visible) (image.Image, string) {
	t.Helper()
	pdftoppm, pdftotext := testenv.Tool(t, "pdftoppm"), testenv.Tool(t, "pdftotext")
	req := f.request(t, "dinas", "", "")
	req.Title = "Sekretaris Daerah"
	req.Visible = v
	res, err := f.svc.Sign(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	signed, _ := io.ReadAll(res.Signed)
	dir := t.TempDir()
	path := filepath.Join(dir, "signed.pdf")
	if err := os.WriteFile(path, signed, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pdftoppm, "-r", "72", "-png", "-singlefile", "-f", "1", "-l", "1", path, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pf, err := os.Open(filepath.Join(dir, "p.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	img, err := png.Decode(pf)
	if err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command(pdftotext, "-f", "1", "-l", "1", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, text)
	}
	return img, strings.Join(strings.Fields(string(text)), " ")
}

// pixels counts the pixels of img within 24 of colour c.
func pixels(img image.Image, c color.NRGBA) int {
	n := 0
	b := img.Bounds()
	near := func(a, b uint8) bool { return int(a)-int(b) < 24 && int(b)-int(a) < 24 }
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if near(p.R, c.R) && near(p.G, c.G) && near(p.B, c.B) {
				n++
			}
		}
	}
	return n
}

// TestStampBranding: a profile's StampImage (the branding logo) is drawn
// in a stamp whose request brings no image, and StampName is a line
// under the position; a request's own image wins over the logo.
func TestStampBranding(t *testing.T) {
	magenta, cyan := color.NRGBA{0xff, 0x00, 0xff, 0xff}, color.NRGBA{0x00, 0xff, 0xff, 0xff}
	f := newFixture(t, func(o *service.Options) {
		o.Profiles[0].StampImage = solidPNG(t, 40, 40, magenta)
		o.Profiles[0].StampName = "Pemerintah Kabupaten Serang"
	})
	rect := signer.Placement{Page: 1, Rect: [4]float64{330, 40, 560, 170}}
	img, text := stamped(t, f, &service.Visible{Placement: rect})
	if n := pixels(img, magenta); n < 100 {
		t.Errorf("the logo is not drawn: %d magenta pixels", n)
	}
	if !strings.Contains(text, "Sekretaris Daerah Pemerintah Kabupaten Serang") {
		t.Errorf("the body's name is not the line under the position: %s", text)
	}
	img, _ = stamped(t, f, &service.Visible{Placement: rect, Image: solidPNG(t, 40, 40, cyan)})
	if n, m := pixels(img, cyan), pixels(img, magenta); n < 100 || m != 0 {
		t.Errorf("the request's image does not replace the logo: %d cyan, %d magenta pixels", n, m)
	}
	// Given lines replace all the text, the name with it.
	_, text = stamped(t, f, &service.Visible{Placement: rect, Lines: []string{"Bupati Serang"}})
	if strings.Contains(text, "Pemerintah Kabupaten Serang") {
		t.Errorf("the name is added to the request's own lines: %s", text)
	}
}
