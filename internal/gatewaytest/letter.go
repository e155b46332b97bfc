package gatewaytest

import (
	"bytes"
	"fmt"
	"strings"
)

// Anchors of the letters Letter makes: where the stamp goes and where the
// number is written.
const (
	SignatureAnchor = "${ttd}"
	NumberAnchor    = "${nomor}"
)

// Letter returns a one-page A4 letter (Helvetica, WinAnsi text) with the
// anchors NumberAnchor, in a line "Nomor: ${nomor}", and SignatureAnchor
// under the signer's position, as a drafter's template leaves them.
func Letter() []byte {
	return LetterWith("PEMERINTAH KABUPATEN CONTOH", "Nomor: "+NumberAnchor, "Perihal: Undangan Rapat",
		"", "Dengan hormat, kami mengundang Saudara hadir pada rapat koordinasi.", "", "Bupati Contoh,", SignatureAnchor)
}

// LetterWith returns a one-page A4 letter of the given lines (Latin-1
// text; an empty string is an empty line), top to bottom.
func LetterWith(lines ...string) []byte {
	var content strings.Builder
	content.WriteString("BT /F1 12 Tf 16 TL 72 770 Td")
	for _, l := range lines {
		fmt.Fprintf(&content, " (%s) '", pdfString(l))
	}
	content.WriteString(" ET")
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// pdfString escapes s for a PDF literal string.
func pdfString(s string) string {
	return strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`, "\r", `\r`, "\n", `\n`).Replace(s)
}
