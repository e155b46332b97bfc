package signer

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // JPEG sizes and colour models for DecodeConfig
	"image/png"
	"strings"
	"unicode"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/ttfont"
)

// Limits of the stamp's inputs.
const (
	// maxImageBytes bounds Appearance.Image: a scanned signature or a
	// logo is a few hundred kilobytes.
	maxImageBytes = 8 << 20
	// maxImagePixels bounds the decoded size of a PNG image (4 bytes per
	// pixel in memory while converting).
	maxImagePixels = 16 << 20
	// maxStampText bounds the text of a stamp (lines and footer), in
	// bytes.
	maxStampText = 4096
)

// Font sizes of the stamp, in points.
const (
	maxTextSize   = 11
	minTextSize   = 3
	maxFooterSize = 6.5
	minFooterSize = 3
	lineSpacing   = 1.2 // baseline distance in font sizes
)

// stampLayout is a stamp drawn in a w×h form XObject, before its objects
// are written: the content stream and the resources it needs.
type stampLayout struct {
	w, h    float64
	content strings.Builder
	font    *ttfont.Use
	image   *stampImage
}

// layoutStamp draws the appearance a in a w×h box (points, upright):
//
//	+--------------------------------------------+
//	| +----+ [image] Ditandatangani secara       |
//	| | QR |         elektronik oleh             |
//	| |    |         NAMA, jabatan, NIP, date    |
//	| |    | ----------------------------------- |
//	| +----+ footer, in small type               |
//	+--------------------------------------------+
//
// The QR code is a square as tall as the stamp (at most 45% of its width
// when there is more to show); the footer takes at most 40% of the height
// beside it; the image keeps its aspect ratio in at most 35% of the
// remaining width; the text takes the largest font size (up to 11 pt) at
// which its lines, wrapped at word boundaries, fit, and is cut with an
// ellipsis at the smallest (see fit).
//
// cover, when not zero, is a rectangle (x0, y0, x1, y1) painted white on
// a transparent stamp: the anchor text under it.
func layoutStamp(a *Appearance, lines []string, w, h float64, f *ttfont.Font, cover [4]float64) (*stampLayout, error) {
	s := &stampLayout{w: w, h: h, font: ttfont.NewUse(f)}
	if a.Image != nil {
		img, err := loadImage(a.Image)
		if err != nil {
			return nil, err
		}
		s.image = img
	}
	var qr [][]bool
	if a.QR != "" {
		m, err := qrMatrix(a.QR)
		if err != nil {
			return nil, err
		}
		qr = m
	}
	c := &s.content
	fmt.Fprintf(c, "q\n0 0 %s %s re W n\n", num(w), num(h))
	if !a.Transparent {
		fmt.Fprintf(c, "1 g\n0 0 %s %s re f\n", num(w), num(h))
	} else if cover != [4]float64{} {
		fmt.Fprintf(c, "1 g\n%s %s %s %s re f\n", num(cover[0]), num(cover[1]), num(cover[2]-cover[0]), num(cover[3]-cover[1]))
	}
	pad := min(max(min(w, h)*0.05, 1.5), 4)
	x0, y0, x1, y1 := pad, pad, w-pad, h-pad
	hasText := len(lines) > 0
	footer := strings.TrimSpace(a.Footer)

	// QR code on the left, as tall as the stamp: its quiet zone is one
	// module inside its square plus the padding around it.
	if qr != nil {
		side := y1 - y0
		if hasText || footer != "" || s.image != nil {
			side = min(side, (x1-x0)*0.45)
		} else {
			side = min(side, x1-x0)
		}
		n := float64(len(qr))
		mod := side / (n + 2*qrQuiet)
		qrPath(c, qr, x0+qrQuiet*mod, y0+(y1-y0-side)/2+qrQuiet*mod, n*mod)
		x0 += side + pad/2
	}
	// Footer across the bottom of the rest.
	if footer != "" && x1 > x0 {
		fs0 := min(max(h*0.07, minFooterSize), maxFooterSize)
		flines, fs := s.fit([]string{footer}, x1-x0, (y1-y0)*0.4, fs0, minFooterSize)
		fh := float64(len(flines)) * fs * lineSpacing
		s.text(flines, x0, y0, fh, fs, 0.2)
		y0 += fh + pad/2
		if hasText || s.image != nil {
			fmt.Fprintf(c, "0.6 G 0.4 w\n%s %s m %s %s l S\n", num(x0), num(y0), num(x1), num(y0))
		}
		y0 += pad / 2
	}
	// Image next to the QR code.
	if s.image != nil && y1 > y0 && x1 > x0 {
		maxW := x1 - x0
		if hasText {
			maxW *= 0.35
		}
		iw, ih := float64(s.image.w), float64(s.image.h)
		scale := min(maxW/iw, (y1-y0)/ih)
		iw, ih = iw*scale, ih*scale
		fmt.Fprintf(c, "q %s 0 0 %s %s %s cm /Im1 Do Q\n", num(iw), num(ih), num(x0), num(y0+(y1-y0-ih)/2))
		x0 += iw + pad
	}
	// Text lines in the rest, vertically centred.
	if hasText && x1 > x0 && y1 > y0 {
		wrapped, size := s.fit(lines, x1-x0, y1-y0, maxTextSize, minTextSize)
		th := float64(len(wrapped)) * size * lineSpacing
		s.text(wrapped, x0, y0+(y1-y0-th)/2, th, size, 0)
	}
	c.WriteString("Q\n")
	return s, nil
}

// text draws lines top down in a block of height bh whose bottom is at y.
func (s *stampLayout) text(lines []string, x, y, bh, size, gray float64) {
	c := &s.content
	fmt.Fprintf(c, "BT\n/F1 %s Tf %s g\n", num(size), num(gray))
	top := y + bh
	for i, line := range lines {
		// Baselines: the ascent (about 0.8 em) below the top of each
		// line's slot.
		base := top - float64(i)*size*lineSpacing - size*(0.8+(lineSpacing-1)/2)
		fmt.Fprintf(c, "1 0 0 1 %s %s Tm %s Tj\n", num(x), num(base), s.font.Encode(line))
	}
	c.WriteString("ET\n")
}

// fit sets lines in a box width×height: at the largest size from
// maxSize down to minSize (in quarter points) at which they fit wrapped
// at spaces, no word broken; else at minSize with long words broken
// between characters (but not a number, nor words joined by no-break
// spaces, such as "NIP\u00a0197001011990031001"), lines too wide cut
// and the lines beyond the box's height left out, the last line kept
// ending in an ellipsis. The text never leaves the box.
func (s *stampLayout) fit(lines []string, width, height, maxSize, minSize float64) ([]string, float64) {
	for size := maxSize; size >= minSize; size -= 0.25 {
		wrapped, clean := s.wrap(lines, width, size, false)
		if clean && float64(len(wrapped))*size*lineSpacing <= height {
			return wrapped, size
		}
	}
	size := minSize
	n := max(int(height/(size*lineSpacing)+1e-9), 0)
	// Each line wrapped apart; the longest loses its last lines first,
	// so that the short ones (the NIP, the date) stay.
	groups := make([][]string, len(lines))
	cut := make([]bool, len(lines))
	total := 0
	for i, l := range lines {
		groups[i], _ = s.wrap([]string{l}, width, size, true)
		total += len(groups[i])
	}
	for total > n {
		longest := -1
		for i, g := range groups {
			if len(g) > 1 && (longest < 0 || len(g) > len(groups[longest])) {
				longest = i
			}
		}
		if longest < 0 {
			break
		}
		groups[longest] = groups[longest][:len(groups[longest])-1]
		cut[longest] = true
		total--
	}
	var wrapped []string
	for i, g := range groups {
		for j, l := range g {
			if len(wrapped) == n {
				// One line a group: the lines beyond the box are left out.
				if len(wrapped) > 0 {
					wrapped[n-1] = s.ellipsize(wrapped[n-1], width, size, true)
				}
				return wrapped, size
			}
			last := cut[i] && j == len(g)-1
			if last || s.font.Width(l, size) > width {
				l = s.ellipsize(l, width, size, last)
			}
			wrapped = append(wrapped, l)
		}
	}
	return wrapped, size
}

// ellipsis ends a line that was cut.
const ellipsis = "\u2026"

// ellipsize cuts line to fit width at size with an ellipsis at its end;
// force adds the ellipsis even when the line fits (lines left out after
// it).
func (s *stampLayout) ellipsize(line string, width, size float64, force bool) string {
	if !force && s.font.Width(line, size) <= width {
		return line
	}
	rs := []rune(line)
	for n := len(rs); n >= 0; n-- {
		try := strings.TrimRightFunc(string(rs[:n]), unicode.IsSpace) + ellipsis
		if s.font.Width(try, size) <= width {
			return try
		}
	}
	return ""
}

// isBreak reports whether r separates words: white space other than the
// no-break spaces.
func isBreak(r rune) bool {
	return unicode.IsSpace(r) && r != '\u00a0' && r != '\u202f' && r != '\u2007'
}

// unbreakable reports whether word must not be broken between characters:
// it holds a digit (a NIP, a number) or a no-break space.
func unbreakable(word string) bool {
	return strings.ContainsFunc(word, func(r rune) bool {
		return unicode.IsDigit(r) || (unicode.IsSpace(r) && !isBreak(r))
	})
}

// wrap breaks lines at spaces so that each fits width at size points.
// clean reports that no word was wider than width. With breakWords, a
// word wider than width is broken between characters unless it is
// unbreakable (it is then left whole, for the caller to cut).
func (s *stampLayout) wrap(lines []string, width, size float64, breakWords bool) (out []string, clean bool) {
	clean = true
	for _, line := range lines {
		words := strings.FieldsFunc(line, isBreak)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		cur := ""
		for _, word := range words {
			try := word
			if cur != "" {
				try = cur + " " + word
			}
			if s.font.Width(try, size) <= width {
				cur = try
				continue
			}
			if cur != "" {
				out = append(out, cur)
			}
			cur = word
			if s.font.Width(cur, size) > width {
				clean = false
				if !breakWords || unbreakable(cur) {
					continue
				}
				// Break the word between characters, in one pass.
				rs := []rune(cur)
				start, w := 0, 0.0
				for i, r := range rs {
					cw := s.font.Width(string(r), size)
					if w+cw > width && i > start {
						out = append(out, string(rs[start:i]))
						start, w = i, 0
					}
					w += cw
				}
				cur = string(rs[start:])
			}
		}
		out = append(out, cur)
	}
	return out, clean
}

// stampImage is an image XObject: its dictionary and (encoded) data, and
// the soft mask of a PNG with transparency.
type stampImage struct {
	w, h  int
	dict  pdf.Dict
	data  []byte
	smask *stampImage
}

// loadImage reads a PNG (converted to a Flate-compressed RGB or gray
// image, its alpha channel to a soft mask) or a JPEG (kept as it is,
// DCTDecode).
func loadImage(data []byte) (*stampImage, error) {
	if len(data) > maxImageBytes {
		return nil, fmt.Errorf("%w: Appearance.Image is %d bytes (at most %d)", ErrOptions, len(data), maxImageBytes)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: Appearance.Image is not a PNG or JPEG image: %w", ErrOptions, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxImagePixels {
		return nil, fmt.Errorf("%w: Appearance.Image is %dx%d pixels (at most %d pixels)", ErrOptions, cfg.Width, cfg.Height, maxImagePixels)
	}
	img := &stampImage{w: cfg.Width, h: cfg.Height, dict: imageDict(cfg.Width, cfg.Height)}
	switch format {
	case "jpeg":
		img.data = data
		img.dict.Set("Filter", pdf.Name("DCTDecode"))
		switch cfg.ColorModel {
		case color.GrayModel:
			img.dict.Set("ColorSpace", pdf.Name("DeviceGray"))
		case color.CMYKModel:
			img.dict.Set("ColorSpace", pdf.Name("DeviceCMYK"))
			if bytes.Contains(data[:min(len(data), 64<<10)], []byte("Adobe")) {
				// Adobe's CMYK JPEGs store inverted values.
				img.dict.Set("Decode", pdf.Array{int64(1), int64(0), int64(1), int64(0), int64(1), int64(0), int64(1), int64(0)})
			}
		default:
			img.dict.Set("ColorSpace", pdf.Name("DeviceRGB"))
		}
		return img, nil
	case "png":
	default:
		return nil, fmt.Errorf("%w: Appearance.Image is a %s image (want PNG or JPEG)", ErrOptions, format)
	}
	src, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: Appearance.Image: %w", ErrOptions, err)
	}
	b := src.Bounds()
	gray := false
	switch src.ColorModel() {
	case color.GrayModel, color.Gray16Model:
		gray = true
	}
	comps := 3
	if gray {
		comps = 1
	}
	pix := make([]byte, 0, b.Dx()*b.Dy()*comps)
	alpha := make([]byte, 0, b.Dx()*b.Dy())
	opaque := true
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(src.At(x, y)).(color.NRGBA)
			if gray {
				pix = append(pix, c.R)
			} else {
				pix = append(pix, c.R, c.G, c.B)
			}
			alpha = append(alpha, c.A)
			if c.A != 0xff {
				opaque = false
			}
		}
	}
	if gray {
		img.dict.Set("ColorSpace", pdf.Name("DeviceGray"))
	} else {
		img.dict.Set("ColorSpace", pdf.Name("DeviceRGB"))
	}
	img.dict.Set("Filter", pdf.Name("FlateDecode"))
	if img.data, err = deflate(pix); err != nil {
		return nil, err
	}
	if !opaque {
		mask := &stampImage{w: img.w, h: img.h, dict: imageDict(img.w, img.h)}
		mask.dict.Set("ColorSpace", pdf.Name("DeviceGray"))
		mask.dict.Set("Filter", pdf.Name("FlateDecode"))
		if mask.data, err = deflate(alpha); err != nil {
			return nil, err
		}
		img.smask = mask
	}
	return img, nil
}

func imageDict(w, h int) pdf.Dict {
	d := pdf.NewDict()
	d.Set("Type", pdf.Name("XObject"))
	d.Set("Subtype", pdf.Name("Image"))
	d.Set("Width", int64(w))
	d.Set("Height", int64(h))
	d.Set("BitsPerComponent", int64(8))
	return d
}

// write writes the image (and its soft mask) and returns its reference.
func (img *stampImage) write(u *pdf.Update) pdf.Ref {
	ref := u.Alloc()
	d := img.dict.Clone()
	if img.smask != nil {
		d.Set("SMask", img.smask.write(u))
	}
	u.SetStream(ref, d, img.data)
	return ref
}
