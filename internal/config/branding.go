package config

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // the logo may be a JPEG
	_ "image/png"  // or a PNG
	"io"
	"net/url"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of branding (see docs/decisions.md, "Branding and the anchor
// stamp (issue 14)").
const (
	// MaxLogoBytes bounds the logo file: an emblem is a few tens of
	// kilobytes; it is sent with every stamp and held in memory.
	MaxLogoBytes = 1 << 20
	// MaxLogoSide bounds the logo's width and height in pixels.
	MaxLogoSide = 2048
	// maxBrandText bounds name, short_name and address, in bytes.
	maxBrandText = 200
)

// Branding is who runs the service, as the citizens' page and the stamp
// show it: the regency's name and emblem. Everything is optional; without
// it the page reads "Segel" and the stamp carries no logo.
type Branding struct {
	// Name is the body's full name, such as "Pemerintah Kabupaten
	// Serang": the page's header and the logo's alt text, and a line of
	// the stamp under the signer's position.
	Name string `yaml:"name"`
	// ShortName, such as "Kab. Serang", is the page's <title> suffix
	// instead of Name (phones show little of a title).
	ShortName string `yaml:"short_name"`
	// Logo is a PNG or JPEG file (at most MaxLogoBytes, MaxLogoSide
	// pixels a side), read and decoded when the configuration is loaded:
	// the page's header and the stamp's image when a request brings none.
	// Relative to the configuration file's directory; one given by
	// $SEGEL_BRANDING_LOGO, to the working directory.
	Logo string `yaml:"logo"`
	// Address and Website are the page's footer: the office's postal
	// address and its web site (an https:// or http:// URL).
	Address string `yaml:"address"`
	Website string `yaml:"website"`

	// logo is Logo's content, logoType its media type (image/png or
	// image/jpeg), once validated.
	logo     []byte
	logoType string
}

// LogoData returns the logo's bytes and media type ("image/png" or
// "image/jpeg"), or nil and "" without a logo. Valid after Load or
// Validate.
func (b *Branding) LogoData() ([]byte, string) { return b.logo, b.logoType }

// StampName returns the line the profile p's stamp carries for the body
// (Branding.Name unless the profile's stamp_name replaces it; "" for
// none).
func (c *Config) StampName(p *Profile) string {
	if p.StampName != nil {
		return *p.StampName
	}
	return c.Branding.Name
}

// StampLogo returns the image of the profile p's stamp when a request
// brings none: the branding's logo unless the profile's stamp_logo
// replaces it (nil for none). Valid after Load or Validate.
func (c *Config) StampLogo(p *Profile) []byte {
	if p.StampLogo != nil {
		return p.stampLogo
	}
	return c.Branding.logo
}

// validateBranding checks branding: and the profiles' stamp_logo and
// stamp_name, reading and decoding every logo.
func (c *Config) validateBranding(ps *problems) {
	b := &c.Branding
	text := func(key, v string) {
		switch {
		case len(v) > maxBrandText:
			ps.add(key, "%d bytes: at most %d", len(v), maxBrandText)
		case !utf8.ValidString(v):
			ps.add(key, "not valid UTF-8")
		case strings.ContainsFunc(v, unicode.IsControl):
			ps.add(key, "holds a control character (a line break?): write it on one line")
		}
	}
	text("branding.name", b.Name)
	text("branding.short_name", b.ShortName)
	text("branding.address", b.Address)
	if b.ShortName != "" && b.Name == "" {
		ps.add("branding.short_name", "set, but branding.name is not: give the full name too")
	}
	if b.Website != "" {
		if u, err := url.Parse(b.Website); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			ps.add("branding.website", "%q is not an http(s) URL", b.Website)
		}
	}
	b.logo, b.logoType = nil, ""
	if b.Logo != "" {
		if b.Name == "" {
			ps.add("branding.logo", "set, but branding.name is not: the name is the logo's text for readers who cannot see it")
		}
		if data, typ, err := ReadLogo(b.Logo); err != nil {
			ps.add("branding.logo", "%v", err)
		} else {
			b.logo, b.logoType = data, typ
		}
	}
	for i, p := range c.Profiles {
		if p == nil {
			continue
		}
		k := fmt.Sprintf("profiles[%d]", i)
		p.stampLogo = nil
		if p.StampLogo != nil && *p.StampLogo != "" {
			if data, _, err := ReadLogo(*p.StampLogo); err != nil {
				ps.add(k+".stamp_logo", "%v", err)
			} else {
				p.stampLogo = data
			}
		}
		if p.StampName != nil {
			text(k+".stamp_name", *p.StampName)
		}
	}
}

// ReadLogo reads a logo file and checks that it is a PNG or JPEG image
// that decodes whole, of at most MaxLogoBytes and MaxLogoSide pixels a
// side. It returns the file's bytes and media type.
func ReadLogo(path string) ([]byte, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %s", path, unwrapPath(err))
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxLogoBytes+1)); err != nil {
		return nil, "", fmt.Errorf("%s: %s", path, unwrapPath(err))
	}
	if buf.Len() > MaxLogoBytes {
		return nil, "", fmt.Errorf("%s: larger than %d KiB (an emblem needs a few tens)", path, MaxLogoBytes>>10)
	}
	typ, err := CheckLogo(buf.Bytes())
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return buf.Bytes(), typ, nil
}

// CheckLogo checks that data is a PNG or JPEG image that decodes whole,
// of at most MaxLogoBytes and MaxLogoSide pixels a side, and returns its
// media type.
func CheckLogo(data []byte) (string, error) {
	if len(data) > MaxLogoBytes {
		return "", fmt.Errorf("larger than %d KiB", MaxLogoBytes>>10)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("not a PNG or JPEG image")
	}
	if format != "png" && format != "jpeg" {
		return "", fmt.Errorf("a %s image: want PNG or JPEG", format)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide {
		return "", fmt.Errorf("%dx%d pixels: at most %d a side", cfg.Width, cfg.Height, MaxLogoSide)
	}
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return "", fmt.Errorf("a damaged %s image: %v", strings.ToUpper(format), err)
	}
	return "image/" + format, nil
}
