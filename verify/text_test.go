package verify

import (
	"testing"

	"github.com/segel-id/segel/internal/pdf"
)

// TestTextValue: the report's names and reasons are decoded as PDF text
// strings, PDFDocEncoding with its own table (0x84 is an em dash, 0x92 the
// trade mark sign, not C1 controls as Latin-1 has them).
func TestTextValue(t *testing.T) {
	for _, tc := range []struct {
		o    pdf.Object
		want string
	}{
		{pdf.String{Bytes: []byte("Setuju \x84 Segel\x92")}, "Setuju — Segel™"},
		{pdf.String{Bytes: []byte("\xfe\xff\x00R\x00\xe9")}, "Ré"},
		{pdf.String{Bytes: []byte("\xef\xbb\xbfR\xc3\xa9")}, "Ré"},
		{pdf.Name("Reason"), ""},
		{nil, ""},
	} {
		if got := textValue(tc.o); got != tc.want {
			t.Errorf("textValue(%v) = %q, want %q", tc.o, got, tc.want)
		}
	}
}
