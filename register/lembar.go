package register

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/segel-id/segel/internal/pdfgen"
	"github.com/segel-id/segel/verify/explain"
)

// Lembar is the content of a printable lembar disposisi (disposition
// sheet) of one incoming letter: the letter's registration fields and the
// trail of its dispositions. [WriteLembar] renders it.
type Lembar struct {
	// Kabupaten is the regency's name, with or without "Kabupaten" (e.g.
	// "Serang"); Unit the receiving unit's name (e.g. "Dinas Pendidikan").
	Kabupaten, Unit string
	// From is the sender (surat dari), Number the sender's number (nomor
	// surat), Subject the perihal, Sifat one of biasa, penting, segera,
	// rahasia, Klasifikasi the archive classification code, AgendaNo the
	// register's agenda number.
	From, Number, Subject, Sifat, Klasifikasi, AgendaNo string
	// LetterDate is the letter's date (tanggal surat), ReceivedDate the
	// day it was received (diterima tanggal).
	LetterDate, ReceivedDate time.Time
	// Entries are the dispositions, in the order they were given.
	Entries []LembarEntry
	// PrintedAt is when the sheet was printed (the footer).
	PrintedAt time.Time
}

// LembarEntry is one disposition on a lembar disposisi.
type LembarEntry struct {
	From, To, ActingAs string   // position titles (with holder names), "Plh." etc.
	Instructions       []string // the chosen ones, e.g. "Tindak lanjuti"
	Note               string
	Due, At            time.Time // Due zero: none
}

// LembarInstructions are the standard instructions, in order.
var LembarInstructions = []string{"Untuk diketahui", "Tindak lanjuti", "Hadiri/wakili",
	"Siapkan jawaban", "Koordinasikan", "Pelajari", "Arsipkan", "Edarkan"}

// lembarSifat are the sifat check boxes, in order.
var lembarSifat = []string{"Biasa", "Penting", "Segera", "Rahasia"}

// Limits of WriteLembar's input, against a trail that would never end.
const (
	// lembarMaxEntries bounds the dispositions printed.
	lembarMaxEntries = 1000
	// lembarMaxText bounds each text field, in bytes (longer ones are cut
	// with "…").
	lembarMaxText = 2000
	// lembarMaxNoteLines bounds the printed lines of one note.
	lembarMaxNoteLines = 30
)

// ErrLembar reports a lembar that cannot be rendered.
var ErrLembar = errors.New("register: invalid lembar disposisi")

// The page layout, in points from the top left corner of an A4 page.
const (
	lembarMargin  = 42.0
	lembarWidth   = pdfgen.PageWidth - 2*lembarMargin
	lembarBottom  = pdfgen.PageHeight - 48 // content ends above the footer
	lembarLine    = 12.0                   // leading of 9-point text
	lembarLabelW  = 90.0                   // label column of the letter's fields
	lembarPad     = 5.0
	lembarTextPt  = 9.0
	lembarSmallPt = 7.0
)

// WriteLembar renders l as a PDF lembar disposisi on A4 pages and writes
// it to w: the kop (Pemerintah Kabupaten …, the unit), the letter's
// fields (surat dari, nomor and tanggal surat, diterima tanggal, nomor
// agenda, sifat as check boxes, perihal, klasifikasi), one block per
// disposition (dari, kepada with the Plh./Plt. mark, tanggal, batas
// waktu, the standard instructions as check boxes, catatan) and a footer
// "Dicetak dari register … pada …" with the page number. A long trail
// continues on further pages; a letter without dispositions gets two
// empty blocks to fill in by hand. An entry's ActingAs ("Plh.", "Plt.")
// is printed before its From, unless From already starts with it. Check boxes are the characters ☐ and
// ☒, so the printed choices also extract as text. The whole document is
// built before anything is written to w.
func WriteLembar(w io.Writer, l *Lembar) error {
	if l == nil {
		return fmt.Errorf("%w: nil", ErrLembar)
	}
	if len(l.Entries) > lembarMaxEntries {
		return fmt.Errorf("%w: %d dispositions (at most %d)", ErrLembar, len(l.Entries), lembarMaxEntries)
	}
	doc, err := pdfgen.New()
	if err != nil {
		return fmt.Errorf("register: lembar disposisi: %w", err)
	}
	doc.Info = pdfgen.Info{
		Title:   "Lembar Disposisi " + lembarText(l.AgendaNo),
		Subject: lembarText(l.Subject),
		Creator: "Segel register",
		Created: l.PrintedAt,
	}
	lw := &lembarWriter{doc: doc, l: l}
	lw.page = doc.AddPage()
	lw.header()
	lw.fields()
	lw.entries()
	lw.footers()
	if _, err := doc.WriteTo(w); err != nil {
		return fmt.Errorf("register: writing the lembar disposisi: %w", err)
	}
	return nil
}

// lembarWriter lays out one lembar disposisi.
type lembarWriter struct {
	doc  *pdfgen.Doc
	l    *Lembar
	page *pdfgen.Page
	y    float64 // the top of the free space on the page
}

var (
	lembarText9  = pdfgen.Style{Size: lembarTextPt}
	lembarBold9  = pdfgen.Style{Size: lembarTextPt, Bold: true}
	lembarSmall  = pdfgen.Style{Size: lembarSmallPt}
	lembarTitle  = pdfgen.Style{Size: 13, Bold: true, Align: pdfgen.Center}
	lembarKop    = pdfgen.Style{Size: 14, Bold: true, Align: pdfgen.Center}
	lembarKopSub = pdfgen.Style{Size: 12, Bold: true, Align: pdfgen.Center}
)

// header draws the kop and the title on the first page.
func (lw *lembarWriter) header() {
	p := lw.page
	mid := pdfgen.PageWidth / 2
	p.Text(mid, 58, lembarKop, strings.ToUpper("Pemerintah "+lembarKabupaten(lw.l.Kabupaten)))
	y := 58.0
	if unit := lembarText(lw.l.Unit); unit != "" {
		for _, line := range lw.doc.Wrap(strings.ToUpper(unit), lembarKopSub, lembarWidth) {
			y += 16
			p.Text(mid, y, lembarKopSub, line)
		}
	}
	y += 9
	p.Line(lembarMargin, y, pdfgen.PageWidth-lembarMargin, y, 1.8)
	p.Line(lembarMargin, y+2.5, pdfgen.PageWidth-lembarMargin, y+2.5, 0.5)
	p.Text(mid, y+24, lembarTitle, "LEMBAR DISPOSISI")
	lw.y = y + 34
}

// fields draws the letter's registration fields as a bordered table.
func (lw *lembarWriter) fields() {
	l := lw.l
	half := lembarWidth / 2
	rows := []struct{ l1, v1, l2, v2 string }{
		{"Surat dari", l.From, "Diterima tanggal", lembarDate(l.ReceivedDate)},
		{"Nomor surat", l.Number, "Nomor agenda", l.AgendaNo},
		{"Tanggal surat", lembarDate(l.LetterDate), "Klasifikasi", l.Klasifikasi},
	}
	top := lw.y
	p := lw.page
	for _, r := range rows {
		a := lw.field(lembarMargin, lw.y, half, r.l1, r.v1)
		b := lw.field(lembarMargin+half, lw.y, half, r.l2, r.v2)
		lw.y += max(a, b)
		p.Line(lembarMargin, lw.y, pdfgen.PageWidth-lembarMargin, lw.y, 0.5)
	}
	p.Line(lembarMargin+half, top, lembarMargin+half, lw.y, 0.5)

	// Sifat: one check box each.
	base := lw.y + lembarPad + lembarTextPt
	p.Text(lembarMargin+lembarPad, base, lembarText9, "Sifat")
	p.Text(lembarMargin+lembarLabelW, base, lembarText9, ":")
	x := lembarMargin + lembarLabelW + 8
	for _, s := range lembarSifat {
		label := lembarBox(strings.EqualFold(strings.TrimSpace(l.Sifat), s)) + " " + s
		p.Text(x, base, lembarText9, label)
		x += lw.doc.Width(label, lembarText9) + 18
	}
	lw.y += lembarLine + 2*lembarPad - 3
	p.Line(lembarMargin, lw.y, pdfgen.PageWidth-lembarMargin, lw.y, 0.5)
	lw.y += lw.field(lembarMargin, lw.y, lembarWidth, "Perihal", l.Subject)
	p.Rect(lembarMargin, top, lembarWidth, lw.y-top, 0.8)
	lw.y += 16
}

// field draws "label : value" in a cell of width w whose top is y, the
// value wrapped, and returns the cell's height.
func (lw *lembarWriter) field(x, y, w float64, label, value string) float64 {
	value = lembarDash(lembarText(value))
	st := lembarText9
	base := y + lembarPad + lembarTextPt
	lw.page.Text(x+lembarPad, base, lembarText9, label)
	lw.page.Text(x+lembarLabelW, base, lembarText9, ":")
	end := lw.page.Paragraph(x+lembarLabelW+8, base, w-lembarLabelW-8-lembarPad, lembarLine, st, value)
	return end - lembarLine - base + lembarTextPt + 2*lembarPad
}

// entries draws the dispositions, one block each, on as many pages as
// they need.
func (lw *lembarWriter) entries() {
	lw.page.Text(lembarMargin, lw.y, pdfgen.Style{Size: 10.5, Bold: true}, "DISPOSISI")
	lw.y += 8
	entries := lw.l.Entries
	blank := len(entries) == 0
	if blank {
		entries = []LembarEntry{{}, {}}
	}
	for i, e := range entries {
		h := lw.entryHeight(e, blank)
		if lw.y+h > lembarBottom {
			lw.continuation()
		}
		lw.entry(i+1, e, blank)
	}
}

// continuation starts a new page for the rest of the trail.
func (lw *lembarWriter) continuation() {
	lw.page = lw.doc.AddPage()
	head := "LEMBAR DISPOSISI (lanjutan)"
	if no := lembarText(lw.l.AgendaNo); no != "" {
		head += " · Nomor agenda " + no
	}
	lw.page.Text(lembarMargin, 52, lembarBold9, head)
	lw.page.Line(lembarMargin, 58, pdfgen.PageWidth-lembarMargin, 58, 0.5)
	lw.y = 68
}

// lembarInstrCols is the number of instruction check boxes per line.
const lembarInstrCols = 4

// entryLines returns what an entry block shows, wrapped: the dari and
// kepada lines, the instructions outside the standard list, the note.
func (lw *lembarWriter) entryLines(e LembarEntry) (from, to, other, note []string) {
	// Dari and Kepada leave room for the tanggal and batas waktu on the
	// right ("Tanggal: 30 September 2026 23.59 WITA").
	colW := lembarWidth - 2*lembarPad - 18 - lw.doc.Width("Tanggal: 30 September 2026 23.59 WITA", lembarText9) - 12
	fromText := lembarText(e.From)
	if act := lembarText(e.ActingAs); act != "" && !strings.HasPrefix(fromText, act) {
		fromText = act + " " + fromText
	}
	from = lw.doc.Wrap("Dari: "+lembarDash(fromText), lembarBold9, colW)
	to = lw.doc.Wrap("Kepada: "+lembarDash(lembarText(e.To)), lembarBold9, colW)
	var others []string
	for _, in := range e.Instructions {
		if in = lembarText(in); in != "" && lembarStandard(in) < 0 {
			others = append(others, in)
		}
	}
	if len(others) > 0 {
		other = lw.doc.Wrap("Lainnya: "+strings.Join(others, "; "), lembarText9, lembarWidth-2*lembarPad)
	}
	if n := lembarText(e.Note); n != "" {
		note = lw.doc.Wrap(n, lembarText9, lembarWidth-2*lembarPad-48)
		if len(note) > lembarMaxNoteLines {
			note = append(note[:lembarMaxNoteLines-1], note[lembarMaxNoteLines-1]+" …")
		}
	}
	return from, to, other, note
}

// entryHeight is the height of an entry's block.
func (lw *lembarWriter) entryHeight(e LembarEntry, blank bool) float64 {
	from, to, other, note := lw.entryLines(e)
	rows := (len(LembarInstructions) + lembarInstrCols - 1) / lembarInstrCols
	n := len(note)
	if blank {
		n = 4 // room to write by hand
	}
	return 2*lembarPad + float64(len(from)+len(to)+rows+len(other)+max(n, 1))*lembarLine + 8
}

// entry draws disposition number n as a bordered block.
func (lw *lembarWriter) entry(n int, e LembarEntry, blank bool) {
	p := lw.page
	top := lw.y
	left := lembarMargin + lembarPad
	right := pdfgen.PageWidth - lembarMargin - lembarPad
	from, to, other, note := lw.entryLines(e)
	y := top + lembarPad + lembarTextPt
	p.Text(left, y, lembarBold9, fmt.Sprintf("%d.", n))
	for i, line := range from {
		p.Text(left+18, y+float64(i)*lembarLine, lembarBold9, line)
	}
	at, due := lembarDateTime(e.At), lembarDate(e.Due)
	if blank {
		at, due = "", ""
	}
	p.Text(right, y, pdfgen.Style{Size: lembarTextPt, Align: pdfgen.Right}, "Tanggal: "+lembarDash(at))
	y += float64(len(from)) * lembarLine
	for i, line := range to {
		p.Text(left+18, y+float64(i)*lembarLine, lembarBold9, line)
	}
	p.Text(right, y, pdfgen.Style{Size: lembarTextPt, Align: pdfgen.Right}, "Batas waktu: "+lembarDash(due))
	y += float64(len(to)) * lembarLine

	// The standard instructions, checked as chosen.
	colW := (lembarWidth - 2*lembarPad) / lembarInstrCols
	for i, in := range LembarInstructions {
		checked := slices.ContainsFunc(e.Instructions, func(s string) bool { return lembarStandard(s) == i })
		p.Text(left+float64(i%lembarInstrCols)*colW, y+float64(i/lembarInstrCols)*lembarLine, lembarText9, lembarBox(checked)+" "+in)
	}
	y += float64((len(LembarInstructions)+lembarInstrCols-1)/lembarInstrCols) * lembarLine
	for _, line := range other {
		p.Text(left, y, lembarText9, line)
		y += lembarLine
	}
	p.Text(left, y, lembarText9, "Catatan:")
	if len(note) == 0 && !blank {
		note = []string{"-"}
	}
	for i, line := range note {
		p.Text(left+48, y+float64(i)*lembarLine, lembarText9, line)
	}
	lw.y = top + lw.entryHeight(e, blank)
	p.Rect(lembarMargin, top, lembarWidth, lw.y-top-4, 0.6)
}

// footers writes "Dicetak dari register … pada …" and the page number on
// every page.
func (lw *lembarWriter) footers() {
	l := lw.l
	where := "register surat"
	if unit := lembarText(l.Unit); unit != "" {
		where += " " + unit
	}
	if kab := lembarText(l.Kabupaten); kab != "" {
		where += ", " + lembarKabupaten(kab)
	}
	text := "Dicetak dari " + where
	if !l.PrintedAt.IsZero() {
		text += " pada " + lembarDateTime(l.PrintedAt)
	}
	lines := lw.doc.Wrap(text, lembarSmall, lembarWidth-90)
	total := lw.doc.Pages()
	for i := range total {
		p := lw.doc.Page(i)
		y := pdfgen.PageHeight - 36
		p.Line(lembarMargin, y-10, pdfgen.PageWidth-lembarMargin, y-10, 0.4)
		for j, line := range lines {
			p.Text(lembarMargin, y+float64(j)*9, lembarSmall, line)
		}
		p.Text(pdfgen.PageWidth-lembarMargin, y, pdfgen.Style{Size: lembarSmallPt, Align: pdfgen.Right},
			fmt.Sprintf("Halaman %d dari %d", i+1, total))
	}
}

// lembarStandard returns the index of a standard instruction (any case,
// surrounding space ignored), or -1.
func lembarStandard(s string) int {
	s = strings.TrimSpace(s)
	return slices.IndexFunc(LembarInstructions, func(in string) bool { return strings.EqualFold(in, s) })
}

// lembarBox is a check box character: ☒ checked, ☐ not.
func lembarBox(checked bool) string {
	if checked {
		return "☒"
	}
	return "☐"
}

// lembarKabupaten returns "Kabupaten X" for "X" or "Kabupaten X".
func lembarKabupaten(k string) string {
	k = lembarText(k)
	if len(k) >= 10 && strings.EqualFold(k[:10], "kabupaten ") {
		k = strings.TrimSpace(k[10:])
	}
	return "Kabupaten " + k
}

// lembarText is s as one printable line: invalid UTF-8 replaced, white
// space runs (line breaks too) made one space, cut at lembarMaxText.
func lembarText(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
	if len(s) > lembarMaxText {
		cut := lembarMaxText
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// lembarDash is s, or "-" when empty.
func lembarDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// lembarDate formats a day as "2 Desember 2026"; "" for the zero time.
func lembarDate(t time.Time) string { return explain.Date(explain.ID, t) }

// lembarDateTime formats a moment as "2 Desember 2026 14.05 WIB" (WIB,
// WITA, WIT for Indonesia's zones, else the UTC offset).
func lembarDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	zone := explain.Zone(t)
	if zone[0] == '+' || zone[0] == '-' {
		zone = "UTC" + zone
	}
	return lembarDate(t) + " " + explain.Clock(explain.ID, t) + " " + zone
}
