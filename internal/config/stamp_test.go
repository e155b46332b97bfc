package config

import (
	"strings"
	"testing"
	"time"
)

// TestStampSettings: the default footer is BSrE's sentence, an explicit
// empty footer stays empty, and timezone takes WIB, WITA, WIT and IANA
// names of them, refusing any other.
func TestStampSettings(t *testing.T) {
	dir, module := setup(t)
	c, err := Load(write(t, dir, module, "timezone: Asia/Makassar\nprofiles:\n  - name: a\n    key: keys/signer.pem\n  - name: b\n    key: keys/signer.pem\n    footer: \"\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.Profiles[0].Footer, "Balai Besar Sertifikasi Elektronik (BSrE), BSSN") || !strings.Contains(c.Profiles[0].Footer, "{url}") {
		t.Errorf("default footer %q", c.Profiles[0].Footer)
	}
	if c.Profiles[1].Footer != "" {
		t.Errorf("footer: \"\" became %q", c.Profiles[1].Footer)
	}
	at := time.Date(2026, 12, 2, 16, 0, 0, 0, time.UTC)
	if got := at.In(c.Location()).Format("15:04 MST"); got != "00:00 WITA" {
		t.Errorf("Asia/Makassar: %s", got)
	}
	for in, want := range map[string]string{"": "07 WIB", "wib": "07 WIB", "WITA": "08 WITA", "WIT": "09 WIT", "Asia/Jayapura": "09 WIT", "Asia/Pontianak": "07 WIB"} {
		loc, err := ParseTimezone(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).In(loc).Format("15 MST"); got != want {
			t.Errorf("%q: %s, want %s", in, got, want)
		}
	}
	if _, err := Load(write(t, dir, module, "timezone: CET\n")); err == nil || !strings.Contains(err.Error(), "timezone") {
		t.Errorf("timezone: CET: %v", err)
	}
}
