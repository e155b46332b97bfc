package verify

import (
	"fmt"

	"github.com/segel-id/segel/internal/pdf"
)

func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// textValue decodes a PDF text string object (pdf.TextString); anything
// else is "".
func textValue(o pdf.Object) string {
	s, ok := o.(pdf.String)
	if !ok {
		return ""
	}
	return pdf.TextString(s.Bytes)
}
