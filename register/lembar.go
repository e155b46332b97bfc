package register

import (
	"errors"
	"io"
	"time"
)

// Lembar is the content of a printable lembar disposisi (disposition
// sheet) of one incoming letter: the letter's registration fields and the
// trail of its dispositions. [WriteLembar] renders it.
type Lembar struct {
	// Kabupaten is the regency's name without "Kabupaten" (e.g. "Serang");
	// Unit the receiving unit's name (e.g. "Dinas Pendidikan").
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

// WriteLembar renders l as a PDF lembar disposisi on A4 pages (one page,
// more when the trail is long) and writes it to w.
func WriteLembar(w io.Writer, l *Lembar) error {
	_ = w
	_ = l
	return errors.New("register: WriteLembar not implemented yet")
}
