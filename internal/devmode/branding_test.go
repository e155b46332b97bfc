package devmode

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestDevBranding: the development service is branded as Kabupaten
// Serang, with the logo drawn on the first start in DIR/dev-logo.png (a
// PNG that decodes), loaded by the configuration for the page and every
// profile's stamp; a logo the developer put there instead is kept.
func TestDevBranding(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "segel-dev")
	env := prepare(t, dir, "http://127.0.0.1:18080", true)
	c := env.Config
	data, typ := c.Branding.LogoData()
	if c.Branding.Name != BrandName || typ != "image/png" || !bytes.Equal(data, readFile(t, env.Path(LogoFile))) {
		t.Fatalf("branding %q, %q, %d bytes", c.Branding.Name, typ, len(data))
	}
	if img, err := png.Decode(bytes.NewReader(data)); err != nil || img.Bounds().Dx() != 96 {
		t.Fatalf("the logo: %v", err)
	}
	for _, p := range c.Profiles {
		if !bytes.Equal(c.StampLogo(p), data) || c.StampName(p) != BrandName {
			t.Errorf("profile %s: no branding on its stamp", p.Name)
		}
	}
	other, err := DevLogo()
	if err != nil {
		t.Fatal(err)
	}
	// A developer's own logo (here: the same picture re-encoded) stays.
	img, _ := png.Decode(bytes.NewReader(other))
	var buf bytes.Buffer
	(&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&buf, img)
	if err := os.WriteFile(env.Path(LogoFile), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	env = prepare(t, dir, "http://127.0.0.1:18080", true)
	if data, _ := env.Config.Branding.LogoData(); !bytes.Equal(data, buf.Bytes()) {
		t.Errorf("a restart replaced the developer's logo")
	}
}
