package config

import (
	"bytes"
	"image"
	"testing"
)

// FuzzCheckLogo: whatever bytes a logo file holds, CheckLogo answers
// without panicking, and what it accepts is a PNG or JPEG within the
// bounds that decodes. Seeds in testdata/fuzz/FuzzCheckLogo.
func FuzzCheckLogo(f *testing.F) {
	f.Add(testLogo(f, 3, 2))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		typ, err := CheckLogo(data)
		if err != nil {
			if typ != "" {
				t.Fatalf("an error with type %q", typ)
			}
			return
		}
		if typ != "image/png" && typ != "image/jpeg" {
			t.Fatalf("accepted as %q", typ)
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide || len(data) > MaxLogoBytes {
			t.Fatalf("accepted %dx%d, %d bytes: %v", cfg.Width, cfg.Height, len(data), err)
		}
	})
}
