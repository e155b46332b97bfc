package signer

import (
	"fmt"
	"math"
	"time"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/verify/explain"
)

// Appearance is the visible stamp of a signature: a QR code that leads to
// the document's verification page, an optional image (a scanned
// signature, a seal or a logo), lines of text and a footer, in a rectangle
// on a page (see Placement).
//
// The text is set in DejaVu Sans (or Font), embedded in the PDF as a
// subset, so that any reader shows the same stamp and the text (names
// with accents too) can be searched and copied. The QR code is drawn as
// vector paths and stays sharp at any zoom and in print.
type Appearance struct {
	// Placement says where the stamp goes.
	Placement Placement

	// Lines are the lines of text, top down, each wrapped at word
	// boundaries when it is too long; for instance
	//
	//	"Ditandatangani secara elektronik oleh"
	//	"Dr. H. Ahmad Fauzi, M.Si."
	//	"Sekretaris Daerah"
	//	"NIP 197001011990031001"
	//	"28 November 2026"
	//
	// When Lines is nil, three lines are shown: "Ditandatangani secara
	// elektronik oleh", Options.Name (or the certificate's common name)
	// and the signing date. An empty non-nil slice shows no text.
	Lines []string
	// QR is the text of the QR code, typically the verification URL
	// "{public base URL}/v/{document id}"; no QR code when empty.
	QR string
	// Image is a PNG (transparency is kept) or JPEG image drawn next to
	// the QR code, scaled to fit with its aspect ratio kept; none when
	// nil.
	Image []byte
	// Footer is small type at the bottom of the stamp, under the text
	// and beside the QR code, wrapped as needed, such as "Dokumen ini telah ditandatangani secara elektronik
	// menggunakan sertifikat elektronik yang diterbitkan oleh BSrE,
	// BSSN"; none when empty.
	Footer string

	// Font is a TrueType font (glyf outlines: a .ttf file) to set the
	// text in instead of the embedded DejaVu Sans. It is embedded as a
	// subset: its licence must allow embedding.
	Font []byte
	// Transparent leaves out the stamp's white background, so that the
	// page shows through between the QR code's modules and the letters.
	Transparent bool
}

// signedField returns the name of the existing field that the signature
// goes into, from Options.Field or Placement.Field ("" for a new field).
func signedField(opts *Options, docTS bool) (string, error) {
	if docTS || opts.Appearance == nil || opts.Appearance.Placement.Field == "" {
		return opts.Field, nil
	}
	pf := opts.Appearance.Placement.Field
	switch {
	case opts.Field != "" && opts.Field != pf:
		return "", fmt.Errorf("%w: Options.Field %q and Placement.Field %q name different fields", ErrOptions, opts.Field, pf)
	case opts.NewField != "":
		return "", fmt.Errorf("%w: Placement.Field %q signs an existing field: NewField must be empty", ErrOptions, pf)
	}
	return pf, nil
}

// drawAppearance draws the stamp of opts.Appearance for a new signature
// field into the new form XObject apRef and returns the widget's page and
// rectangle. A Rect placement without its own page goes on Options.Page.
func drawAppearance(s *docState, u *pdf.Update, opts *Options, now time.Time, apRef pdf.Ref) (pdf.Ref, pdf.Array, error) {
	a := opts.Appearance
	pl := &a.Placement
	if err := pl.check(); err != nil {
		return pdf.Ref{}, nil, err
	}
	var p placed
	var err error
	switch {
	case pl.Anchor != "":
		p, err = placeAnchor(s.r, pl.Page, pl.Anchor, pl.Size, pl.Align, pl.Position)
	case pl.Rect != [4]float64{}:
		n := pl.Page
		if n == 0 {
			n = opts.Page
		}
		p, err = placeRect(s.r, n, pl.Rect)
	default:
		err = fmt.Errorf("%w: Appearance.Placement: set Rect, Field or Anchor", ErrOptions)
	}
	if err != nil {
		return pdf.Ref{}, nil, err
	}
	rect := make(pdf.Array, 4)
	for i, v := range p.rect {
		p.rect[i] = math.Round(v*1000) / 1000
		rect[i] = p.rect[i]
	}
	if err := writeStamp(u, opts, now, p, apRef); err != nil {
		return pdf.Ref{}, nil, err
	}
	return p.page, rect, nil
}

// drawInField draws the stamp of opts.Appearance into the widget of the
// existing signature field (fieldRef, field: the copy about to be
// written). Nothing is done without an Appearance or for a document
// timestamp.
func drawInField(s *docState, u *pdf.Update, opts *Options, now time.Time, docTS bool, fieldRef pdf.Ref, field pdf.Dict) error {
	a := opts.Appearance
	if a == nil || docTS {
		return nil
	}
	pl := &a.Placement
	if err := pl.check(); err != nil {
		return err
	}
	if pl.Rect != [4]float64{} || pl.Anchor != "" {
		return fmt.Errorf("%w: a stamp in an existing field takes the field's rectangle: leave Placement.Rect and Placement.Anchor empty", ErrOptions)
	}
	widgetRef, widget, err := widgetOf(s.r, field)
	if err != nil {
		return err
	}
	p, err := placeWidget(s.r, widgetRef, fieldRef, widget)
	if err != nil {
		return err
	}
	apRef := u.Alloc()
	if err := writeStamp(u, opts, now, p, apRef); err != nil {
		return err
	}
	if !widgetRef.IsZero() {
		widget = widget.Clone()
	}
	ap := pdf.NewDict()
	ap.Set("N", apRef)
	widget.Set("AP", ap)
	flags, _ := widget.Int("F")
	widget.Set("F", flags&^(1|2|32)|4|128) // not Invisible, Hidden or NoView; Print, Locked
	if !widgetRef.IsZero() {
		u.Set(widgetRef, widget)
	}
	return nil
}

// writeStamp lays out the stamp for the placement p and writes it as the
// form XObject apRef, with its font and image.
func writeStamp(u *pdf.Update, opts *Options, now time.Time, p placed, apRef pdf.Ref) error {
	a := opts.Appearance
	f, err := defaultFont()
	if a.Font != nil {
		f, err = parseTrueType(a.Font)
		if err != nil {
			return fmt.Errorf("%w: Appearance.Font: %w", ErrOptions, err)
		}
	}
	if err != nil {
		return fmt.Errorf("signer: the embedded font: %w", err)
	}
	lines := a.Lines
	if lines == nil {
		lines = defaultLines(opts, now)
	}
	n := len(a.Footer)
	for _, l := range lines {
		n += len(l)
	}
	if n > maxStampText {
		return fmt.Errorf("%w: the stamp's text is %d bytes (at most %d)", ErrOptions, n, maxStampText)
	}
	w, h := p.viewSize()
	if p.seeThrough && !a.Transparent {
		see := *a
		see.Transparent = true
		a = &see
	} else {
		p.cover = [4]float64{}
	}
	layout, err := layoutStamp(a, lines, w, h, f, p.cover)
	if err != nil {
		return err
	}
	res := pdf.NewDict()
	if layout.font.Used() {
		fontRef, err := layout.font.Write(u)
		if err != nil {
			return fmt.Errorf("signer: writing the stamp's font: %w", err)
		}
		fonts := pdf.NewDict()
		fonts.Set("F1", fontRef)
		res.Set("Font", fonts)
	}
	if layout.image != nil {
		xobj := pdf.NewDict()
		xobj.Set("Im1", layout.image.write(u))
		res.Set("XObject", xobj)
	}
	form := pdf.NewDict()
	form.Set("Type", pdf.Name("XObject"))
	form.Set("Subtype", pdf.Name("Form"))
	form.Set("BBox", pdf.Array{int64(0), int64(0), w, h})
	if m := p.geom.matrix(); m != nil {
		form.Set("Matrix", m)
	}
	form.Set("Resources", res)
	form.Set("Filter", pdf.Name("FlateDecode"))
	data, err := deflate([]byte(layout.content.String()))
	if err != nil {
		return err
	}
	u.SetStream(apRef, form, data)
	return nil
}

// defaultLines are the stamp's lines when Appearance.Lines is nil.
func defaultLines(opts *Options, now time.Time) []string {
	name := opts.Name
	if name == "" && opts.Certificate != nil {
		name = opts.Certificate.Subject.CommonName
	}
	return []string{"Ditandatangani secara elektronik oleh", name, indonesianDate(now)}
}

// IndonesianTime formats t as a stamp shows it, "28 November 2026 14:05
// WIB": Indonesian month names and the zone as WIB, WITA or WIT when t is
// in one of Indonesia's zones (UTC+7, +8, +9), else UTC or the offset.
func IndonesianTime(t time.Time) string { return indonesianDate(t) }

// indonesianDate formats t as "28 November 2026 14:05 WIB": Indonesian
// month names, and the zone as WIB, WITA or WIT when t is in one of
// Indonesia's zones (UTC+7, +8, +9), else as a UTC offset.
func indonesianDate(t time.Time) string {
	// The month names and zones are verify/explain's, shared with the
	// register's sheets and the citizens' page; the stamp keeps its
	// colon in the time.
	return explain.Date(explain.ID, t) + " " + t.Format("15:04") + " " + explain.Zone(t)
}
