package signer

import (
	"fmt"
	"time"

	"github.com/segel-id/segel/internal/pdf"
)

// textString encodes s as a PDF text string (pdf.EncodeTextString), so
// that Indonesian names with accents survive every reader.
func textString(s string) pdf.String { return pdf.EncodeTextString(s) }

// dateString formats t as a PDF date (ISO 32000-2, 7.9.4):
// D:YYYYMMDDHHmmSS+HH'mm', keeping t's zone offset.
func dateString(t time.Time) pdf.String {
	s := t.Format("D:20060102150405")
	_, off := t.Zone()
	switch {
	case off == 0:
		s += "Z"
	default:
		sign := '+'
		if off < 0 {
			sign, off = '-', -off
		}
		s += fmt.Sprintf("%c%02d'%02d'", sign, off/3600, off/60%60)
	}
	return pdf.String{Bytes: []byte(s)}
}
