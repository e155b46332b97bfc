package signer

import (
	"fmt"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// qrQuiet is the quiet zone kept around the QR code inside its square, in
// modules. ISO/IEC 18004 asks for 4; with the stamp's padding and white
// background around it, readers need less, and every module given to the
// quiet zone makes the others smaller.
const qrQuiet = 1

// maxQRLength bounds Appearance.QR: a verification URL is far shorter,
// and a QR code of this many bytes is already too dense for a stamp.
const maxQRLength = 512

// qrMatrix returns the module matrix of a QR code for text (no quiet
// zone), with error correction level M: 15% of the symbol can be lost to
// a stain or a fold of the printed letter.
func qrMatrix(text string) ([][]bool, error) {
	if len(text) > maxQRLength {
		return nil, fmt.Errorf("%w: Appearance.QR is %d bytes (at most %d)", ErrOptions, len(text), maxQRLength)
	}
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("%w: Appearance.QR: %w", ErrOptions, err)
	}
	q.DisableBorder = true
	return q.Bitmap(), nil
}

// qrPath writes the dark modules of m as filled rectangles, a square of
// side points with its lower left corner at x, y: vector paths, sharp at
// any zoom and in print. Runs of dark modules in a row become one
// rectangle.
func qrPath(b *strings.Builder, m [][]bool, x, y, side float64) {
	n := len(m)
	if n == 0 {
		return
	}
	mod := side / float64(n)
	b.WriteString("0 g\n")
	for row := range n {
		for col := 0; col < n; {
			if !m[row][col] {
				col++
				continue
			}
			start := col
			for col < n && m[row][col] {
				col++
			}
			// Row 0 is the top of the symbol.
			fmt.Fprintf(b, "%s %s %s %s re\n", num(x+float64(start)*mod), num(y+side-float64(row+1)*mod),
				num(float64(col-start)*mod), num(mod))
		}
	}
	b.WriteString("f\n")
}

// num formats a coordinate for a content stream: at most 3 decimals, no
// exponent, no trailing zeros.
func num(v float64) string {
	s := strconv.FormatFloat(v, 'f', 3, 64)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		s = "0"
	}
	return s
}
