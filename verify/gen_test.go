package verify_test

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
)

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeLetterPDF writes a one-page A4 letter in classic PDF 1.7 syntax:
// a few lines of text and, when image > 0, an uncompressed RGB image of
// about image bytes of deterministic noise (a scanned attachment), so
// that files of any size can be made without holding them in memory.
func writeLetterPDF(w io.Writer, image int64) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := &countWriter{w: bw}
	var offsets []int64
	obj := func(format string, args ...any) {
		offsets = append(offsets, cw.n)
		fmt.Fprintf(cw, "%d 0 obj\n", len(offsets))
		fmt.Fprintf(cw, format, args...)
		fmt.Fprintf(cw, "\nendobj\n")
	}
	io.WriteString(cw, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	content := "BT /F1 14 Tf 72 770 Td (PEMERINTAH KABUPATEN SERANG) Tj /F1 11 Tf 0 -24 Td (Nomor: 800/123/Setda/2026) Tj 0 -16 Td (Perihal: Undangan Rapat Koordinasi) Tj 0 -32 Td (Demikian untuk menjadi perhatian.) Tj ET"
	xobj := ""
	if image > 0 {
		content += "\nq 451 0 0 300 72 300 cm /Im0 Do Q"
		xobj = " /XObject << /Im0 6 0 R >>"
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >>%s >> /Contents 4 0 R >>", xobj)
	obj("<< /Length %d >>\nstream\n%s\nendstream", len(content), content)
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	if image > 0 {
		const width = 1024
		height := max(image/(3*width), 1)
		n := width * height * 3
		offsets = append(offsets, cw.n)
		fmt.Fprintf(cw, "6 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d >>\nstream\n", width, height, n)
		rnd := rand.NewChaCha8([32]byte{'s', 'e', 'g', 'e', 'l'})
		if _, err := io.CopyN(cw, rnd, n); err != nil {
			return err
		}
		io.WriteString(cw, "\nendstream\nendobj\n")
	} else {
		obj("null")
	}
	obj("<< /Title (Surat Undangan) /Producer (Segel verify tests) >>")
	xref := cw.n
	fmt.Fprintf(cw, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(cw, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(cw, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, len(offsets), xref)
	return bw.Flush()
}
