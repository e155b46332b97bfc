package explain

import (
	"fmt"
	"time"
)

// months are the month names of both languages, January first.
var months = [12]text{
	{"Januari", "January"}, {"Februari", "February"}, {"Maret", "March"}, {"April", "April"},
	{"Mei", "May"}, {"Juni", "June"}, {"Juli", "July"}, {"Agustus", "August"},
	{"September", "September"}, {"Oktober", "October"}, {"November", "November"}, {"Desember", "December"},
}

// Month names a month in l: "Desember" / "December".
func Month(l Lang, m time.Month) string {
	if m < time.January || m > time.December {
		return ""
	}
	return months[m-1].in(l)
}

// Date writes t's day in its own zone: "2 Desember 2026" / "2 December
// 2026"; "" for the zero time.
func Date(l Lang, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d %s %d", t.Day(), Month(l, t.Month()), t.Year())
}

// Clock writes t's time of day as a reader of l expects: "14.05" in
// Indonesian, "14:05" in English.
func Clock(l Lang, t time.Time) string {
	if l == EN {
		return t.Format("15:04")
	}
	return t.Format("15.04")
}

// Zone names t's zone: WIB, WITA or WIT for Indonesia's zones (UTC+7,
// +8, +9), UTC, or else the offset (+05:30).
func Zone(t time.Time) string {
	switch _, off := t.Zone(); off {
	case 7 * 3600:
		return "WIB"
	case 8 * 3600:
		return "WITA"
	case 9 * 3600:
		return "WIT"
	case 0:
		return "UTC"
	}
	return t.Format("-07:00")
}

// DateTime writes t in its own zone: "2 Desember 2026 14.05 WIB" /
// "2 December 2026 14:05 WIB"; "" for the zero time.
func DateTime(l Lang, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return Date(l, t) + " " + Clock(l, t) + " " + Zone(t)
}
