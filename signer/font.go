package signer

import (
	"bytes"
	"compress/zlib"

	"github.com/segel-id/segel/internal/ttfont"
)

// The stamp's text and FillText's text are set in Segel's DejaVu Sans
// (internal/ttfont, embedded in the binary and written into each PDF as a
// subset), or in a TrueType font the caller gives.

// defaultFont returns the embedded font, parsed once.
var defaultFont = ttfont.Default

// parseTrueType parses a caller's TrueType font (Appearance.Font,
// FillOptions.Font).
func parseTrueType(data []byte) (*ttfont.Font, error) { return ttfont.Parse(data) }

// deflate compresses data for /FlateDecode.
func deflate(data []byte) ([]byte, error) {
	var b bytes.Buffer
	w, err := zlib.NewWriterLevel(&b, zlib.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
