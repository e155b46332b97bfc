package pdftext

import "github.com/segel-id/segel/internal/pdf"

// Operands come from pdf.ContentLexer as PDF objects; these helpers read
// the kinds the text operators take.

// operandNum returns a number operand (integer or real) as a float64.
func operandNum(o pdf.Object) (float64, bool) {
	switch v := o.(type) {
	case float64:
		return v, true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// operandString returns the bytes of a string operand.
func operandString(o pdf.Object) ([]byte, bool) {
	s, ok := o.(pdf.String)
	return s.Bytes, ok
}

// operandBytes returns the bytes of a string operand, nil for any other.
func operandBytes(o pdf.Object) []byte {
	b, _ := operandString(o)
	return b
}
