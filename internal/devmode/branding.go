package devmode

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
)

// The development service's branding: a regency's name and a logo drawn
// here (never a real emblem), so that the citizens' page and the stamp
// show what a configured regency sees.
const (
	BrandName      = "Pemerintah Kabupaten Serang"
	BrandShortName = "Kab. Serang"
	// LogoFile is the logo, made on the first start and kept: replace it
	// with another PNG or JPEG to try that one.
	LogoFile = "dev-logo.png"
)

// ensureLogo writes DIR/dev-logo.png when it is missing.
func ensureLogo(dir string) error {
	path := filepath.Join(dir, LogoFile)
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("dev: %w", err)
	}
	data, err := DevLogo()
	if err != nil {
		return err
	}
	return writeFile(path, data, 0o644)
}

// DevLogo draws the development logo: a green shield with a gold rim and
// a gold five-pointed star, 96×112 pixels, transparent around it.
func DevLogo() ([]byte, error) {
	const w, h = 96, 112
	green := color.NRGBA{0x1b, 0x5e, 0x20, 0xff}
	gold := color.NRGBA{0xf9, 0xa8, 0x25, 0xff}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	// The shield: straight sides down to 55% of the height, then an arc
	// to the point at the bottom.
	inside := func(x, y, inset float64) bool {
		l, r, top, bottom := 4+inset, w-4-inset, 4+inset, h-4-inset
		if x < l || x > r || y < top || y > bottom {
			return false
		}
		mid := top + (bottom-top)*0.55
		if y <= mid {
			return true
		}
		// Below mid: within the parabola from the sides to the point.
		t := (y - mid) / (bottom - mid)
		half := (r - l) / 2 * math.Sqrt(1-t*t)
		return math.Abs(x-(l+r)/2) <= half
	}
	star := starPolygon(w/2, 50, 30, 12)
	for y := range h {
		for x := range w {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			switch {
			case !inside(fx, fy, 0):
			case !inside(fx, fy, 6) || pointIn(star, fx, fy):
				img.SetNRGBA(x, y, gold)
			default:
				img.SetNRGBA(x, y, green)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("dev: drawing the logo: %w", err)
	}
	return buf.Bytes(), nil
}

// starPolygon returns the ten corners of a five-pointed star centred at
// (cx, cy), pointing up.
func starPolygon(cx, cy, outer, inner float64) [][2]float64 {
	var p [][2]float64
	for i := range 10 {
		r := outer
		if i%2 == 1 {
			r = inner
		}
		a := -math.Pi/2 + float64(i)*math.Pi/5
		p = append(p, [2]float64{cx + r*math.Cos(a), cy + r*math.Sin(a)})
	}
	return p
}

// pointIn reports whether (x, y) is inside polygon p (even-odd rule).
func pointIn(p [][2]float64, x, y float64) bool {
	in := false
	for i, j := 0, len(p)-1; i < len(p); j, i = i, i+1 {
		a, b := p[i], p[j]
		if (a[1] > y) != (b[1] > y) && x < (b[0]-a[0])*(y-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}
