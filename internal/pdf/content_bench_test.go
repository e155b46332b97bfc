package pdf

import (
	"strings"
	"testing"
)

func lexBenchContent() []byte {
	var c strings.Builder
	for i := range 400 {
		c.WriteString("q 0.1 0 0 0.1 0 0 cm /P <</MCID 3>> BDC BT /F1 11.04 Tf 1 0 0 1 72.024 ")
		c.WriteString(strings.Repeat("7", 1+i%3))
		c.WriteString(" Tm [(Surat) -3 (Keputusan) 4 (Bupati) -250 (Nomor) 2 (\\(12\\))] TJ ET EMC Q\n")
		c.WriteString("BT /F2 10 Tf 72 500 Td <0001000200030004> Tj ET\n")
	}
	return []byte(c.String())
}
func BenchmarkContentLexer(b *testing.B) {
	data := lexBenchContent()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		l := NewContentLexer(data)
		for {
			if _, ok := l.Next(); !ok {
				break
			}
		}
	}
}
