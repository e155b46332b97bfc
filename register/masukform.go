package register

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// The sifat (classification of urgency and secrecy) of a letter, in the
// order the forms and the lembar show them.
var sifatValues = []string{"biasa", "penting", "segera", "rahasia"}

// validSifat reports whether s is one of sifatValues.
func validSifat(s string) bool {
	for _, v := range sifatValues {
		if s == v {
			return true
		}
	}
	return false
}

// dateLayout is how the forms send a calendar date (<input type="date">).
const dateLayout = "2006-01-02"

// A calendar date (tanggal surat, diterima, batas waktu) is kept as the
// midnight UTC of that date: the same text in every time zone, and
// compared as text in SQL. See docs/decisions.md, "Surat masuk".
func calendarDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// parseDate reads a form's date; ok is false when s is not a date.
func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(dateLayout, strings.TrimSpace(s))
	if err != nil || t.Year() < 1900 || t.Year() > 9999 {
		return time.Time{}, false
	}
	return t, true
}

// fieldErrors maps a form field to the word (i18n key) of what is wrong
// with it.
type fieldErrors map[string]string

// masukInput is the form of an incoming letter, read and checked.
type masukInput struct {
	Sender, SenderNumber, Subject, Sifat, Klasifikasi string
	LetterDate, ReceivedDate                          time.Time
}

// The bounds of the text fields of an incoming letter, in characters.
const (
	maxSenderLen  = 200
	maxNumberLen  = 100
	maxSubjectLen = 1000
	maxNoteLen    = 2000
)

// cleanText trims s and says whether it is valid text of at most max
// characters; control characters other than newlines are refused.
func cleanText(s string, max int) (string, bool) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return s, false
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f {
			return s, false
		}
	}
	return s, true
}

// parseMasuk reads the form of an incoming letter. today is the clerk's
// calendar date; isKlasifikasi tells the codes of the JRA table. The
// errors name the fields (keys of the words in masukWords).
func parseMasuk(v url.Values, today time.Time, isKlasifikasi func(string) bool) (*masukInput, fieldErrors) {
	in := &masukInput{}
	errs := fieldErrors{}
	var ok bool
	if in.Sender, ok = cleanText(v.Get("pengirim"), maxSenderLen); !ok || in.Sender == "" {
		errs["pengirim"] = "masuk.err.sender"
	}
	if in.SenderNumber, ok = cleanText(v.Get("nomor"), maxNumberLen); !ok || in.SenderNumber == "" || strings.ContainsAny(in.SenderNumber, "\r\n") {
		errs["nomor"] = "masuk.err.number"
	}
	if in.Subject, ok = cleanText(v.Get("perihal"), maxSubjectLen); !ok || in.Subject == "" {
		errs["perihal"] = "masuk.err.subject"
	}
	if in.Sifat = v.Get("sifat"); !validSifat(in.Sifat) {
		errs["sifat"] = "masuk.err.sifat"
	}
	if in.Klasifikasi = strings.TrimSpace(v.Get("klasifikasi")); in.Klasifikasi == "" || !isKlasifikasi(in.Klasifikasi) {
		errs["klasifikasi"] = "masuk.err.klasifikasi"
	}
	today = calendarDate(today)
	if in.LetterDate, ok = parseDate(v.Get("tanggal")); !ok {
		errs["tanggal"] = "masuk.err.date"
	} else if in.LetterDate.After(today) {
		errs["tanggal"] = "masuk.err.future"
	}
	if in.ReceivedDate, ok = parseDate(v.Get("diterima")); !ok {
		errs["diterima"] = "masuk.err.date"
	} else if in.ReceivedDate.After(today) {
		errs["diterima"] = "masuk.err.future"
	} else if errs["tanggal"] == "" && in.ReceivedDate.Before(in.LetterDate) {
		errs["diterima"] = "masuk.err.before"
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return in, nil
}
