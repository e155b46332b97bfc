package pdf

import (
	"testing"
	"time"
)

// TestDate: what DateString writes, ParseDate reads back as the same
// instant; the forms other writers use parse; what is not a date does not.
func TestDate(t *testing.T) {
	wita := time.FixedZone("WITA", 8*3600)
	for _, in := range []time.Time{
		time.Date(2026, 12, 2, 16, 5, 7, 0, time.UTC),
		time.Date(2026, 12, 2, 23, 5, 7, 0, wita),
		time.Date(1999, 1, 31, 1, 2, 3, 0, time.FixedZone("", -(3*3600+30*60))),
	} {
		s := string(DateString(in).Bytes)
		got, ok := ParseDate(s)
		if !ok || !got.Equal(in) {
			t.Errorf("ParseDate(%q) = %v %v, want %v", s, got, ok, in)
		}
	}
	if s := string(DateString(time.Date(2026, 12, 2, 23, 5, 7, 0, wita)).Bytes); s != "D:20261202230507+08'00'" {
		t.Errorf("DateString in WITA = %q", s)
	}
	for s, want := range map[string]time.Time{
		"D:2026":                  time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		"20261202":                time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC),
		"D:20261202160507Z00'00'": time.Date(2026, 12, 2, 16, 5, 7, 0, time.UTC),
		"D:20261202230507+07":     time.Date(2026, 12, 2, 16, 5, 7, 0, time.UTC),
	} {
		if got, ok := ParseDate(s); !ok || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v %v, want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "D:", "D:20", "D:2026120", "kemarin", "D:20261302", "D:2026120216050799"} {
		if got, ok := ParseDate(s); ok {
			t.Errorf("ParseDate(%q) = %v, want no date", s, got)
		}
	}
}
