package signer

import (
	"github.com/segel-id/segel/internal/pdf"
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

// deflate compresses data for /FlateDecode (pdf.Deflate).
func deflate(data []byte) ([]byte, error) { return pdf.Deflate(data) }
