package signer

import (
	"github.com/segel-id/segel/internal/pdf"
)

// textString encodes s as a PDF text string (pdf.EncodeTextString), so
// that Indonesian names with accents survive every reader.
func textString(s string) pdf.String { return pdf.EncodeTextString(s) }
