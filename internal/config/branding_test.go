package config

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testLogo returns a small PNG made here: a w×h green square.
func testLogo(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{0x1b, 0x5e, 0x20, 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestBranding: branding's logo is read and decoded at load (a relative
// path from the file's directory), its name, address and website are
// kept, a profile's stamp_logo and stamp_name replace the branding's on
// its stamp ("" for none), and the environment overrides name and logo.
func TestBranding(t *testing.T) {
	dir, module := setup(t)
	logo := testLogo(t, 16, 12)
	other := testLogo(t, 4, 4)
	for name, data := range map[string][]byte{"logo.png": logo, "rsud.png": other} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Load(write(t, dir, module, `branding:
  name: Pemerintah Kabupaten Serang
  short_name: Kab. Serang
  logo: logo.png
  address: Jl. Veteran No. 1, Serang
  website: https://serangkab.go.id
profiles:
  - name: a
    key: keys/signer.pem
  - name: rsud
    key: keys/signer.pem
    stamp_logo: rsud.png
    stamp_name: RSUD dr. Dradjat Prawiranegara
  - name: plain
    key: keys/signer.pem
    stamp_logo: ""
    stamp_name: ""
`))
	if err != nil {
		t.Fatal(err)
	}
	b := c.Branding
	if b.Name != "Pemerintah Kabupaten Serang" || b.ShortName != "Kab. Serang" || b.Address == "" || b.Website != "https://serangkab.go.id" {
		t.Errorf("branding %+v", b)
	}
	if data, typ := b.LogoData(); !bytes.Equal(data, logo) || typ != "image/png" {
		t.Errorf("LogoData: %d bytes, %q", len(data), typ)
	}
	a, rsud, plain := c.Profiles[0], c.Profiles[1], c.Profiles[2]
	if got := c.StampLogo(a); !bytes.Equal(got, logo) || c.StampName(a) != b.Name {
		t.Errorf("profile a: %d bytes, %q", len(got), c.StampName(a))
	}
	if got := c.StampLogo(rsud); !bytes.Equal(got, other) || c.StampName(rsud) != "RSUD dr. Dradjat Prawiranegara" {
		t.Errorf("profile rsud: %d bytes, %q", len(got), c.StampName(rsud))
	}
	if got := c.StampLogo(plain); got != nil || c.StampName(plain) != "" {
		t.Errorf("profile plain: %d bytes, %q", len(got), c.StampName(plain))
	}

	// Without branding: nothing.
	c, err = Load(write(t, dir, module, "profiles:\n  - name: a\n    key: keys/signer.pem\n"))
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := c.Branding.LogoData(); data != nil || c.StampLogo(c.Profiles[0]) != nil || c.StampName(c.Profiles[0]) != "" {
		t.Errorf("no branding: %d bytes, %q", len(data), c.StampName(c.Profiles[0]))
	}

	// The environment.
	env := map[string]string{"SEGEL_BRANDING_NAME": "Pemerintah Kota Cilegon", "SEGEL_BRANDING_LOGO": filepath.Join(dir, "rsud.png")}
	c, err = Parse([]byte("branding:\n  name: x\n"), filepath.Join(dir, "segel.yaml"), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := c.Branding.LogoData(); c.Branding.Name != "Pemerintah Kota Cilegon" || !bytes.Equal(data, other) {
		t.Errorf("from the environment: %q, %d bytes", c.Branding.Name, len(data))
	}
}

// TestBrandingErrors: a logo that is missing, not an image, damaged,
// too large or too big a picture, and bad texts and website are errors
// of the configuration naming the key, not failures when serving.
func TestBrandingErrors(t *testing.T) {
	dir, module := setup(t)
	good := testLogo(t, 8, 8)
	files := map[string][]byte{
		"text.png":    []byte("not an image at all"),
		"damaged.png": good[:len(good)-20],
		"huge.png":    append(append([]byte{}, good...), make([]byte, MaxLogoBytes)...),
		"wide.png":    testLogo(t, MaxLogoSide+1, 1),
		"ok.png":      good,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ yaml, want string }{
		{"branding:\n  name: X\n  logo: missing.png\n", "branding.logo: " + filepath.Join(dir, "missing.png") + ": no such file"},
		{"branding:\n  name: X\n  logo: text.png\n", "branding.logo: " + filepath.Join(dir, "text.png") + ": not a PNG or JPEG image"},
		{"branding:\n  name: X\n  logo: damaged.png\n", "damaged PNG image"},
		{"branding:\n  name: X\n  logo: huge.png\n", "larger than 1024 KiB"},
		{"branding:\n  name: X\n  logo: wide.png\n", "2049x1 pixels: at most 2048 a side"},
		{"branding:\n  logo: ok.png\n", "branding.logo: set, but branding.name is not"},
		{"branding:\n  short_name: X\n", "branding.short_name: set, but branding.name is not"},
		{"branding:\n  name: \"Kab.\\nSerang\"\n", "branding.name: holds a control character"},
		{"branding:\n  name: X\n  website: serangkab.go.id\n", `branding.website: "serangkab.go.id" is not an http(s) URL`},
		{"branding:\n  name: X\n  colour: green\n", "branding.colour: unknown key"},
		{"profiles:\n  - name: a\n    key: keys/signer.pem\n    stamp_logo: text.png\n", "profiles[0].stamp_logo: "},
	} {
		_, err := Load(write(t, dir, module, tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.yaml, err, tc.want)
		}
	}
}
