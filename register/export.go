package register

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"
)

// The columns of the buku agenda, in Indonesian and English.
var (
	agendaHeaderID = []string{"No. Agenda", "Tanggal Diterima", "Pengirim", "Nomor Surat", "Tanggal Surat",
		"Perihal", "Sifat", "Klasifikasi", "Disposisi", "Status", "Unit", "Arah"}
	agendaHeaderEN = []string{"Agenda No.", "Received", "Sender", "Letter Number", "Letter Date",
		"Subject", "Classification (sifat)", "Filing Code", "Dispositions", "Status", "Unit", "Direction"}
	agendaWidths = []float64{10, 14, 30, 26, 14, 50, 10, 12, 60, 14, 14, 8}
)

func agendaHeader(lang string) []string {
	if lang == "en" {
		return agendaHeaderEN
	}
	return agendaHeaderID
}

// agendaCells are the cells of one entry as text, the dates as
// YYYY-MM-DD. An outgoing letter has no agenda number or received date:
// its number goes in "Nomor Surat", its signing day in "Tanggal
// Diterima", and the sender is our unit.
func agendaCells(e agendaEntry) []string {
	subject := e.Subject
	if e.Hidden {
		subject = hiddenSubject
	}
	received, sender, number := firstN(e.ReceivedDate, 10), e.Sender, e.SenderNumber
	if e.Direction == "out" {
		received, sender, number = firstN(e.SignedAt, 10), e.UnitName, e.Number
	}
	return []string{e.AgendaNo, received, sender, number, firstN(e.LetterDate, 10), subject,
		e.Sifat, e.Klasifikasi, e.Dispositions, e.Status, e.UnitCode, e.Direction}
}

// writeAgendaCSV writes the buku agenda as CSV with a UTF-8 BOM, each
// cell neutralised against formula injection (csvSafe).
func writeAgendaCSV(ctx context.Context, w io.Writer, db *sql.DB, v archiveViewer, f archiveFilter, lang string, sep rune) error {
	c := newCSVSheet(w, sep)
	if err := c.Row(agendaHeader(lang)...); err != nil {
		return err
	}
	err := agendaEntries(ctx, db, v, f, func(e agendaEntry) error { return c.Row(agendaCells(e)...) })
	if err != nil {
		return err
	}
	return c.Flush()
}

// writeAgendaXLSX writes the buku agenda as a workbook: numbers and dates
// as such (so that Excel sorts and filters them), the rest as text.
func writeAgendaXLSX(ctx context.Context, w io.Writer, db *sql.DB, v archiveViewer, f archiveFilter, lang string) error {
	x, err := newXLSX(w, sheetTitle(f, lang), agendaWidths)
	if err != nil {
		return err
	}
	if err := x.Header(agendaHeader(lang)...); err != nil {
		return err
	}
	err = agendaEntries(ctx, db, v, f, func(e agendaEntry) error {
		s := agendaCells(e)
		row := make([]xlsxCell, len(s))
		for i, c := range s {
			row[i] = c
		}
		if n, ok := atoiStrict(s[0]); ok {
			row[0] = n
		}
		for _, i := range []int{1, 4} {
			if d, err := time.Parse(time.DateOnly, s[i]); err == nil {
				row[i] = d
			}
		}
		return x.Row(row...)
	})
	if err != nil {
		x.Close()
		return err
	}
	return x.Close()
}

func sheetTitle(f archiveFilter, lang string) string {
	t := "Buku Agenda"
	if lang == "en" {
		t = "Agenda Book"
	}
	if f.Year > 0 {
		t += fmt.Sprintf(" %04d", f.Year)
	}
	return t
}

// atoiStrict reads s as a whole number of at most 15 digits (what a
// spreadsheet holds exactly), with no sign or leading zero.
func atoiStrict(s string) (int64, bool) {
	if s == "" || len(s) > 15 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	var n int64
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
