package pdf

import (
	"fmt"
	"strings"
	"time"
)

// DateString writes t as a PDF date (ISO 32000-2, 7.9.4),
// D:YYYYMMDDHHmmSS+HH'mm', keeping t's zone offset (Z for UTC).
func DateString(t time.Time) String {
	s := t.Format("D:20060102150405")
	_, off := t.Zone()
	switch {
	case off == 0:
		s += "Z"
	default:
		sign := '+'
		if off < 0 {
			sign, off = '-', -off
		}
		s += fmt.Sprintf("%c%02d'%02d'", sign, off/3600, off/60%60)
	}
	return String{Bytes: []byte(s)}
}

// ParseDate reads a PDF date (D:YYYYMMDDHHmmSSOHH'mm', every part after
// the year optional; the "D:" prefix too, as many writers omit it). It
// reports false for anything else.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimPrefix(s, "D:")
	if len(s) < 4 {
		return time.Time{}, false
	}
	digits := s
	zone := ""
	if i := strings.IndexAny(s, "Z+-"); i >= 0 {
		digits, zone = s[:i], s[i:]
	}
	layout := "20060102150405"
	if len(digits) > len(layout) || len(digits)%2 != 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(layout[:len(digits)], digits)
	if err != nil {
		return time.Time{}, false
	}
	if len(zone) >= 3 && zone[0] != 'Z' {
		z := strings.ReplaceAll(zone[1:], "'", "")
		var hh, mm int
		if _, err := fmt.Sscanf(z+"00", "%02d%02d", &hh, &mm); err != nil {
			return time.Time{}, false
		}
		off := hh*3600 + mm*60
		if zone[0] == '-' {
			off = -off
		}
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.FixedZone("", off))
	}
	return t, true
}
