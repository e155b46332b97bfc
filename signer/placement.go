package signer

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/pdftext"
)

// Placement says where a visible signature's stamp goes: a rectangle on a
// page (Rect), an existing empty signature field (Field), or the place
// where a text is shown on a page (Anchor). Exactly one of Rect, Field and
// Anchor is set.
//
// Coordinates are in points (1/72 inch), with the origin at the lower left
// corner of the page as the reader sees it: after the CropBox (the origin
// is the CropBox's lower left corner, not the MediaBox's) and after the
// page's /Rotate, x to the right and y up. The stamp is always drawn
// upright to the reader, on rotated pages too.
type Placement struct {
	// Page is the page: 1-based, -1 for the last page (-2 the one before).
	// Zero means Options.Page (by default page 1) for Rect; for Anchor it
	// means the first page on which the text is found. It must be zero
	// for Field, whose widget names its page.
	Page int
	// Rect is the stamp's rectangle: lower left x, y and upper right x, y.
	// It must lie on the page (ErrPlacement otherwise) and be at least 8
	// points wide and tall.
	Rect [4]float64
	// Field names an existing empty signature field whose widget
	// rectangle receives the stamp. It is the field that is signed, so
	// Options.Field must be empty or name the same field.
	Field string
	// Anchor is a text (such as "${ttd}" or "#") that the page's content
	// streams show: the stamp's upper left corner is put at the upper left
	// corner of its first occurrence (a little above the text, so as to
	// cover it), and the stamp is moved left or down as needed to stay on
	// the page. White space is ignored when searching. The stamp has a
	// white background (unless Appearance.Transparent), which hides the
	// anchor text under it; when the text below the anchor (the typed
	// name) leaves less than 36 points of room, so that the stamp covers
	// it, the stamp is drawn transparent instead, with a white patch over
	// the anchor text only (see Position).
	//
	// Text is read from simple fonts with a standard encoding or
	// /Differences and from Type0 fonts with a /ToUnicode CMap, as office
	// suites, browsers, ghostscript and cairo write them; text in form
	// fields and other annotations is not searched.
	Anchor string
	// Size is the width and height of a stamp placed at an Anchor;
	// DefaultStampWidth × DefaultStampHeight when zero.
	Size [2]float64
	// Align places a stamp at an Anchor across: "left" (the default) puts
	// its left edge at the anchor's, "center" centres it on the anchor,
	// "right" puts its right edge at the anchor's.
	Align string
	// Position places a stamp at an Anchor: "" (over the anchor, its top
	// at the anchor's), "below" (its top under the anchor's line) or
	// "beside" (right of the anchor, centred on its line). Whichever,
	// the stamp is made shorter, down to minAnchorHeight, so as not to
	// cover the text under the anchor (the official's typed name and
	// NIP below "${ttd}"); with less room than that it is drawn
	// transparent, so that the text shows through; see docs/decisions.md,
	// "The stamp (issue 14)" and "Branding and the anchor stamp (issue
	// 14)".
	Position string
}

// minAnchorHeight is the least height to which a stamp at an anchor is
// shortened to keep off the text below: a QR code still readable in
// print and three lines of small type.
const minAnchorHeight = 36

// The size, in points, of a stamp placed at an anchor text without a
// Size: room for a QR code and five lines of text.
const (
	DefaultStampWidth  = 180
	DefaultStampHeight = 80
)

// minStampSide is the smallest width or height of a stamp, in points.
const minStampSide = 8

// Errors of visible signatures.
var (
	// ErrAnchorNotFound reports a Placement.Anchor text that the pages
	// searched do not show.
	ErrAnchorNotFound = errors.New("anchor text not found")
	// ErrPlacement reports a stamp that does not fit: a rectangle outside
	// the page, or of zero size.
	ErrPlacement = errors.New("invalid stamp placement")
)

// RectFromXYWH returns the rectangle of a stamp given as BSrE's signing
// API gives it (xAxis, yAxis, width, height): the lower left corner and
// the size, in points from the lower left corner of the page.
func RectFromXYWH(x, y, width, height float64) [4]float64 {
	return [4]float64{x, y, x + width, y + height}
}

// ParseVisibleSpec parses the placement of a visible signature as the
// segel command's --visible flag and the HTTP API's visible= parameter
// give it, items separated by ';':
//
//	page=N;rect=X1,Y1,X2,Y2    a rectangle in points on page N (-1: the last)
//	field=NAME                 an existing empty signature field
//	anchor=TEXT[;page=N][;size=W,H]
//	                           where TEXT is shown (on page N, or the first
//	                           page that shows it), W×H points (default 180×80)
//
// rect without page means page 1. TEXT cannot contain ';'. Errors wrap
// ErrOptions and say which item is wrong.
func ParseVisibleSpec(spec string) (*Placement, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: visible spec %q: %s", ErrOptions, spec, fmt.Sprintf(format, a...))
	}
	if strings.TrimSpace(spec) == "" {
		return nil, bad("empty (want page=N;rect=X1,Y1,X2,Y2, field=NAME or anchor=TEXT)")
	}
	p := &Placement{}
	seen := map[string]bool{}
	for item := range strings.SplitSeq(spec, ";") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		key, val, ok := strings.Cut(item, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		if !ok {
			return nil, bad("item %q is not KEY=VALUE", item)
		}
		if seen[key] {
			return nil, bad("%s given twice", key)
		}
		seen[key] = true
		switch key {
		case "page":
			n, err := strconv.Atoi(strings.TrimSpace(val))
			if err != nil || n == 0 {
				return nil, bad("page %q is not a page number (1, 2, …, or -1 for the last)", val)
			}
			p.Page = n
		case "rect":
			v, err := parseNumbers(val, 4)
			if err != nil {
				return nil, bad("rect: %v (want X1,Y1,X2,Y2 in points)", err)
			}
			p.Rect = [4]float64{v[0], v[1], v[2], v[3]}
			if p.Rect[2] <= p.Rect[0] || p.Rect[3] <= p.Rect[1] {
				return nil, bad("rect: X2 must be greater than X1 and Y2 greater than Y1")
			}
		case "field":
			p.Field = strings.TrimSpace(val)
			if p.Field == "" {
				return nil, bad("field: empty name")
			}
		case "anchor":
			p.Anchor = strings.TrimSpace(val)
			if p.Anchor == "" {
				return nil, bad("anchor: empty text")
			}
		case "size":
			v, err := parseNumbers(val, 2)
			if err != nil {
				return nil, bad("size: %v (want W,H in points)", err)
			}
			if v[0] < minStampSide || v[1] < minStampSide {
				return nil, bad("size: %gx%g is too small (at least %d points each)", v[0], v[1], minStampSide)
			}
			p.Size = [2]float64{v[0], v[1]}
		case "align":
			p.Align = strings.ToLower(strings.TrimSpace(val))
			if !validAlign(p.Align) {
				return nil, bad("align %q: want left, center or right", val)
			}
		case "position":
			p.Position = strings.ToLower(strings.TrimSpace(val))
			if !validPosition(p.Position) {
				return nil, bad("position %q: want over, below or beside", val)
			}
		default:
			return nil, bad("unknown item %q (want page, rect, field, anchor, size, align or position)", key)
		}
	}
	switch {
	case seen["field"] && len(seen) > 1:
		return nil, bad("field=NAME takes no other item (the field's widget gives page and rectangle)")
	case seen["rect"] && (seen["anchor"] || seen["size"]):
		return nil, bad("rect cannot be combined with anchor or size")
	case seen["size"] && !seen["anchor"]:
		return nil, bad("size needs anchor")
	case !seen["rect"] && !seen["field"] && !seen["anchor"]:
		return nil, bad("missing rect, field or anchor")
	}
	return p, nil
}

func parseNumbers(s string, n int) ([]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, fmt.Errorf("%q has %d numbers, want %d", s, len(parts), n)
	}
	out := make([]float64, n)
	for i, part := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e6 {
			return nil, fmt.Errorf("%q is not a number", strings.TrimSpace(part))
		}
		out[i] = v
	}
	return out, nil
}

// check reports placement fields that contradict each other.
func (p *Placement) check() error {
	n := 0
	if p.Rect != [4]float64{} {
		n++
		if p.Rect[2]-p.Rect[0] < minStampSide || p.Rect[3]-p.Rect[1] < minStampSide {
			return fmt.Errorf("%w: rectangle %v: want X1<X2 and Y1<Y2, at least %d points apart", ErrPlacement, p.Rect, minStampSide)
		}
	}
	if p.Field != "" {
		n++
		if p.Page != 0 {
			return fmt.Errorf("%w: Placement.Page must be zero with Placement.Field (the widget names its page)", ErrOptions)
		}
	}
	if p.Anchor != "" {
		n++
		if p.Size != [2]float64{} && (p.Size[0] < minStampSide || p.Size[1] < minStampSide) {
			return fmt.Errorf("%w: stamp size %v: at least %d points each", ErrPlacement, p.Size, minStampSide)
		}
	}
	if !validAlign(p.Align) || !validPosition(p.Position) {
		return fmt.Errorf("%w: Placement.Align %q / Position %q: want left, center or right / over, below or beside", ErrOptions, p.Align, p.Position)
	}
	if (p.Align != "" || p.Position != "") && p.Anchor == "" {
		return fmt.Errorf("%w: Placement.Align and Placement.Position apply to an Anchor", ErrOptions)
	}
	if n > 1 {
		return fmt.Errorf("%w: set one of Placement.Rect, Placement.Field and Placement.Anchor", ErrOptions)
	}
	return nil
}

// pageGeom is the geometry of a page as the reader sees it: its visible
// box (CropBox within MediaBox) in default user space and its rotation.
type pageGeom struct {
	box    [4]float64
	rotate int // 0, 90, 180 or 270, clockwise
}

func readPageGeom(r *pdf.Reader, page pdf.Ref) (pageGeom, error) {
	var g pageGeom
	media, ok := pageBox(r, page, "MediaBox")
	if !ok {
		media = [4]float64{0, 0, 612, 792} // US Letter, as viewers assume
	}
	g.box = media
	if crop, ok := pageBox(r, page, "CropBox"); ok {
		g.box = [4]float64{max(crop[0], media[0]), max(crop[1], media[1]), min(crop[2], media[2]), min(crop[3], media[3])}
		if g.box[2] <= g.box[0] || g.box[3] <= g.box[1] {
			g.box = media
		}
	}
	rot, err := r.PageAttr(page, "Rotate")
	if err != nil {
		return g, fmt.Errorf("%w: /Rotate of page %v: %w", ErrInvalidPDF, page, err)
	}
	if v, err := r.Resolve(rot); err == nil {
		if n, ok := v.(int64); ok {
			g.rotate = int(((n%360)+360)%360) / 90 * 90
		}
	}
	return g, nil
}

// pageBox returns a page's box attribute, normalised.
func pageBox(r *pdf.Reader, page pdf.Ref, key pdf.Name) ([4]float64, bool) {
	o, err := r.PageAttr(page, key)
	if err != nil || o == nil {
		return [4]float64{}, false
	}
	arr, err := r.GetArray(o)
	if err != nil || len(arr) != 4 {
		return [4]float64{}, false
	}
	var b [4]float64
	for i, v := range arr {
		f, ok := number(r, v)
		if !ok {
			return [4]float64{}, false
		}
		b[i] = f
	}
	return normRect(b), b[0] != b[2] && b[1] != b[3]
}

func number(r *pdf.Reader, o pdf.Object) (float64, bool) {
	v, err := r.Resolve(o)
	if err != nil {
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func normRect(b [4]float64) [4]float64 {
	return [4]float64{min(b[0], b[2]), min(b[1], b[3]), max(b[0], b[2]), max(b[1], b[3])}
}

// size returns the visible page's width and height as the reader sees it.
func (g pageGeom) size() (w, h float64) {
	w, h = g.box[2]-g.box[0], g.box[3]-g.box[1]
	if g.rotate == 90 || g.rotate == 270 {
		w, h = h, w
	}
	return w, h
}

// toUser maps a point of the reader's view (origin at the lower left of
// the visible page) to default user space.
func (g pageGeom) toUser(u, v float64) (float64, float64) {
	b := g.box
	switch g.rotate {
	case 90:
		return b[2] - v, b[1] + u
	case 180:
		return b[2] - u, b[3] - v
	case 270:
		return b[0] + v, b[3] - u
	}
	return b[0] + u, b[1] + v
}

// toView is the inverse of toUser.
func (g pageGeom) toView(x, y float64) (float64, float64) {
	b := g.box
	switch g.rotate {
	case 90:
		return y - b[1], b[2] - x
	case 180:
		return b[2] - x, b[3] - y
	case 270:
		return b[3] - y, x - b[0]
	}
	return x - b[0], y - b[1]
}

func (g pageGeom) rectToUser(r [4]float64) [4]float64 {
	x1, y1 := g.toUser(r[0], r[1])
	x2, y2 := g.toUser(r[2], r[3])
	return normRect([4]float64{x1, y1, x2, y2})
}

func (g pageGeom) rectToView(r [4]float64) [4]float64 {
	x1, y1 := g.toView(r[0], r[1])
	x2, y2 := g.toView(r[2], r[3])
	return normRect([4]float64{x1, y1, x2, y2})
}

// matrix returns the appearance's /Matrix: the rotation that makes a form
// drawn upright in the reader's view upright on the rotated page.
func (g pageGeom) matrix() pdf.Array {
	switch g.rotate {
	case 90:
		return pdf.Array{int64(0), int64(1), int64(-1), int64(0), int64(0), int64(0)}
	case 180:
		return pdf.Array{int64(-1), int64(0), int64(0), int64(-1), int64(0), int64(0)}
	case 270:
		return pdf.Array{int64(0), int64(-1), int64(1), int64(0), int64(0), int64(0)}
	}
	return nil
}

// placed is a resolved placement: the page, the rectangle in default user
// space (the widget's /Rect) and the page's geometry.
type placed struct {
	page pdf.Ref
	rect [4]float64
	geom pageGeom
	// seeThrough: the stamp at an anchor covers the text below it (less
	// than minAnchorHeight of room), so it is drawn transparent; cover is
	// then the anchor text's box in the stamp's own upright coordinates,
	// kept white (zero when the anchor is not under the stamp).
	seeThrough bool
	cover      [4]float64
}

// viewSize returns the stamp's width and height as the reader sees it.
func (p placed) viewSize() (w, h float64) {
	w, h = p.rect[2]-p.rect[0], p.rect[3]-p.rect[1]
	if p.geom.rotate == 90 || p.geom.rotate == 270 {
		w, h = h, w
	}
	return w, h
}

// tolerance is how far, in points, a rectangle may stick out of the page.
const tolerance = 0.5

// placeRect resolves a Rect placement on the page numbered n (see
// pickPage).
func placeRect(r *pdf.Reader, n int, rect [4]float64) (placed, error) {
	page, err := pickPage(r, n)
	if err != nil {
		return placed{}, err
	}
	g, err := readPageGeom(r, page)
	if err != nil {
		return placed{}, err
	}
	w, h := g.size()
	if rect[0] < -tolerance || rect[1] < -tolerance || rect[2] > w+tolerance || rect[3] > h+tolerance {
		return placed{}, fmt.Errorf("%w: rectangle [%g %g %g %g] is not within page %d (%gx%g points as displayed)",
			ErrPlacement, rect[0], rect[1], rect[2], rect[3], pageNumber(r, page), w, h)
	}
	return placed{page: page, rect: g.rectToUser(rect), geom: g}, nil
}

// placeAnchor finds the anchor text and places a stamp of the given size
// at it: on page n, or on the first page that shows it when n is zero.
func placeAnchor(r *pdf.Reader, n int, text string, size [2]float64, align, position string) (placed, error) {
	if size == [2]float64{} {
		size = [2]float64{DefaultStampWidth, DefaultStampHeight}
	}
	found, err := findAnchor(r, n, text, false)
	if err != nil {
		return placed{}, err
	}
	page, match := found[0].page, found[0].matches[0]
	g, err := readPageGeom(r, page)
	if err != nil {
		return placed{}, err
	}
	box := g.rectToView(match.Box)
	pw, ph := g.size()
	w, h := min(size[0], pw), min(size[1], ph)
	// Across: left, centre or right on the anchor, or right of it.
	var x float64
	switch {
	case position == "beside":
		x = box[2] + 0.25*(box[3]-box[1])
	case align == "center":
		x = (box[0]+box[2])/2 - w/2
	case align == "right":
		x = box[2] - w
	default:
		x = box[0]
	}
	x = min(max(x, 0), pw-w)
	// Down: the top a little above the font's ascent (which some glyphs,
	// $, { and accents, pass), under the anchor's line, or centred on it.
	var top float64
	switch position {
	case "below":
		top = box[1] - 0.1*(box[3]-box[1])
	case "beside":
		top = (box[1]+box[3])/2 + h/2
	default:
		top = box[3] + 0.1*(box[3]-box[1])
	}
	// Keep off the text under the anchor (the typed name): no taller
	// than the room down to the next glyph below that lies across the
	// stamp, if that leaves at least minAnchorHeight.
	below, hasBelow := textBelow(g, found[0].glyphs, match, box, x, x+w)
	if hasBelow {
		room := top - (below + 1)
		if room < h && room >= minAnchorHeight {
			h = room
		}
	}
	top = min(max(top, h), ph)
	p := placed{page: page, rect: g.rectToUser([4]float64{x, top - h, x + w, top}), geom: g}
	// Less room than that: the stamp still covers the text below, so it
	// is drawn without its background (the typed name shows through),
	// but for a white patch over the anchor text itself, which an opaque
	// stamp would have hidden. See docs/decisions.md, "Branding and the
	// anchor stamp (issue 14)".
	if hasBelow && top-h < below+1-tolerance {
		p.seeThrough = true
		lx0, ly0 := max(box[0]-x, 0), max(box[1]-0.1*(box[3]-box[1])-(top-h), 0)
		lx1, ly1 := min(box[2]-x, w), min(box[3]+0.1*(box[3]-box[1])-(top-h), h)
		if lx1 > lx0 && ly1 > ly0 {
			p.cover = [4]float64{lx0, ly0, lx1, ly1}
		}
	}
	return p, nil
}

// textBelow returns the top (in view space, y up) of the highest glyph
// other than the anchor's that lies under the anchor's line (box) and
// across x0..x1, and whether there is one.
func textBelow(g pageGeom, glyphs []pdftext.Glyph, m pdftext.Match, box [4]float64, x0, x1 float64) (float64, bool) {
	best, ok := 0.0, false
	for i, gl := range glyphs {
		if i >= m.First && i <= m.Last || strings.TrimSpace(gl.Text) == "" {
			continue
		}
		b := g.rectToView(gl.Box)
		if b[2] <= x0 || b[0] >= x1 || b[3] > box[1]+0.25*(box[3]-box[1]) {
			continue
		}
		if !ok || b[3] > best {
			best, ok = b[3], true
		}
	}
	return best, ok
}

// validAlign and validPosition report whether Placement.Align and
// Placement.Position name one of theirs.
func validAlign(a string) bool { return a == "" || a == "left" || a == "center" || a == "right" }

func validPosition(p string) bool { return p == "" || p == "over" || p == "below" || p == "beside" }

// anchorPage is a page that shows an anchor text: its glyphs and the
// occurrences of the text among them.
type anchorPage struct {
	page    pdf.Ref
	glyphs  []pdftext.Glyph
	matches []pdftext.Match
}

// findAnchor searches the pages for text: page n, or every page when n is
// zero. It returns the first page that shows it, or every such page when
// all is set, and fails with ErrAnchorNotFound when none does. It is the
// one anchor search of the package: the stamp's Placement.Anchor and
// FillText both use it.
func findAnchor(r *pdf.Reader, n int, text string, all bool) ([]anchorPage, error) {
	pages, err := r.Pages()
	if err != nil {
		return nil, fmt.Errorf("%w: page tree: %w", ErrInvalidPDF, err)
	}
	candidates := pages
	if n != 0 {
		page, err := pickPage(r, n)
		if err != nil {
			return nil, err
		}
		candidates = []pdf.Ref{page}
	}
	var out []anchorPage
	for _, page := range candidates {
		glyphs, err := pdftext.Page(r, page)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
		}
		matches := pdftext.Find(glyphs, text)
		if len(matches) == 0 {
			continue
		}
		out = append(out, anchorPage{page: page, glyphs: glyphs, matches: matches})
		if !all {
			break
		}
	}
	if len(out) == 0 {
		where := "any page"
		if n != 0 {
			where = fmt.Sprintf("page %d", n)
		}
		return nil, fmt.Errorf("%w: %q is not shown on %s", ErrAnchorNotFound, text, where)
	}
	return out, nil
}

// pageNumber returns the 1-based number of page, or 0.
func pageNumber(r *pdf.Reader, page pdf.Ref) int {
	pages, _ := r.Pages()
	for i, p := range pages {
		if p == page {
			return i + 1
		}
	}
	return 0
}

// widgetOf returns the widget annotation of a signature field: the field
// itself when it is merged with its widget, or its first kid. ref is zero
// when the widget is the field.
func widgetOf(r *pdf.Reader, field pdf.Dict) (pdf.Ref, pdf.Dict, error) {
	if field.Has("Rect") {
		return pdf.Ref{}, field, nil
	}
	kids, err := r.GetArray(field.Get("Kids"))
	if err != nil || len(kids) == 0 {
		return pdf.Ref{}, pdf.Dict{}, fmt.Errorf("%w: the signature field has no widget annotation", ErrPlacement)
	}
	ref, ok := kids[0].(pdf.Ref)
	if !ok {
		return pdf.Ref{}, pdf.Dict{}, fmt.Errorf("%w: the signature field's widget is a direct object", ErrPlacement)
	}
	w, err := r.GetDict(ref)
	if err != nil {
		return pdf.Ref{}, pdf.Dict{}, fmt.Errorf("%w: widget %v: %w", ErrInvalidPDF, ref, err)
	}
	return ref, w, nil
}

// placeWidget resolves the placement given by an existing widget: its
// /Rect on its page (/P, or the page whose /Annots lists it).
func placeWidget(r *pdf.Reader, widgetRef, fieldRef pdf.Ref, widget pdf.Dict) (placed, error) {
	arr, err := r.GetArray(widget.Get("Rect"))
	if err != nil || len(arr) != 4 {
		return placed{}, fmt.Errorf("%w: the signature field's widget has no /Rect", ErrPlacement)
	}
	var rect [4]float64
	for i, v := range arr {
		rect[i], _ = number(r, v)
	}
	rect = normRect(rect)
	if rect[2]-rect[0] < 1 || rect[3]-rect[1] < 1 {
		return placed{}, fmt.Errorf("%w: the signature field's widget has an empty /Rect (an invisible field)", ErrPlacement)
	}
	page, _ := widget.Get("P").(pdf.Ref)
	if page.IsZero() {
		self := widgetRef
		if self.IsZero() {
			self = fieldRef
		}
		pages, err := r.Pages()
		if err != nil {
			return placed{}, fmt.Errorf("%w: page tree: %w", ErrInvalidPDF, err)
		}
	search:
		for _, p := range pages {
			annots, _, err := r.PageAnnots(p)
			if err != nil {
				continue
			}
			for _, a := range annots {
				if a == self {
					page = p
					break search
				}
			}
		}
	}
	if page.IsZero() {
		return placed{}, fmt.Errorf("%w: the signature field's widget is on no page", ErrPlacement)
	}
	g, err := readPageGeom(r, page)
	if err != nil {
		return placed{}, err
	}
	return placed{page: page, rect: rect, geom: g}, nil
}
