package register

import (
	"strings"
	"time"
)

// jraEntry is one row of the Jadwal Retensi Arsip (table klasifikasi):
// how many years a letter of that klasifikasi stays active (in the unit),
// then inactive (in the records centre), and what happens after.
type jraEntry struct {
	Code, Name              string
	ActiveYears, InactYears int
	Final                   string // musnah, permanen, dinilai_kembali
}

// jraTable is the JRA by code.
type jraTable map[string]jraEntry

// lookup finds the entry of a letter's klasifikasi: the code itself or,
// failing that, its nearest parent in the dotted hierarchy of the
// klasifikasi arsip (000.1.2.3 → 000.1.2 → 000.1 → 000), as the JRA
// lists retention at whatever level it fixes it.
func (t jraTable) lookup(code string) (jraEntry, bool) {
	code = strings.TrimSpace(code)
	for code != "" {
		if e, ok := t[code]; ok {
			return e, true
		}
		i := strings.LastIndexByte(code, '.')
		if i < 0 {
			break
		}
		code = code[:i]
	}
	return jraEntry{}, false
}

// retentionDates are the two dates the JRA fixes for one letter, counted
// from the letter's date: when it becomes inactive (moved from the unit to
// the records centre) and when its retention ends (the final action is
// due).
type retentionDates struct {
	Inactive, Due time.Time
}

// retentionOf returns the retention dates of a letter dated d (a day, in
// UTC) under e. A date that does not exist in the target year (29
// February) moves to 1 March, as time.AddDate normalises it.
func retentionOf(d time.Time, e jraEntry) retentionDates {
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	return retentionDates{
		Inactive: d.AddDate(e.ActiveYears, 0, 0),
		Due:      d.AddDate(e.ActiveYears+e.InactYears, 0, 0),
	}
}
