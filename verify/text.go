package verify

import (
	"fmt"
	"unicode/utf16"

	"github.com/segel-id/segel/internal/pdf"
)

func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// textValue decodes a PDF text string: UTF-16BE with a byte order mark,
// UTF-8 with one (PDF 2.0), or PDFDocEncoding (read as Latin-1, which
// agrees with it on every letter a name uses).
func textValue(o pdf.Object) string {
	s, ok := o.(pdf.String)
	if !ok {
		return ""
	}
	b := s.Bytes
	switch {
	case len(b) >= 2 && b[0] == 0xfe && b[1] == 0xff:
		b = b[2:]
		units := make([]uint16, len(b)/2)
		for i := range units {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		return string(utf16.Decode(units))
	case len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf:
		return string(b[3:])
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
