package signer

import (
	"fmt"
	"time"
	"unicode/utf16"

	"github.com/segel-id/segel/internal/pdf"
)

// textString encodes s as a PDF text string (ISO 32000-2, 7.9.2.2):
// printable ASCII as is, anything else as UTF-16BE with a byte order mark,
// so that Indonesian names with accents survive every reader.
func textString(s string) pdf.String {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			ascii = false
			break
		}
	}
	if ascii {
		return pdf.String{Bytes: []byte(s)}
	}
	units := utf16.Encode([]rune(s))
	b := make([]byte, 2, 2+2*len(units))
	b[0], b[1] = 0xfe, 0xff
	for _, u := range units {
		b = append(b, byte(u>>8), byte(u))
	}
	return pdf.String{Bytes: b}
}

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
