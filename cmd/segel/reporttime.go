package main

import (
	"os"
	"time"

	"github.com/segel-id/segel/internal/config"
)

// reportZone returns the zone of the text report's times: the --timezone
// flag, else $SEGEL_TIMEZONE, else WIB (config.ParseTimezone: WIB, WITA,
// WIT or an IANA name of one of them). The JSON report keeps RFC 3339 in
// UTC whatever the zone.
func reportZone(flag string) (*time.Location, error) {
	if flag == "" {
		flag = os.Getenv("SEGEL_TIMEZONE")
	}
	return config.ParseTimezone(flag)
}

// localTime shows a time of the report in the zone loc with its
// abbreviation, "2026-12-02 23:05:01 WITA"; "" for the zero time (no
// such time). A nil loc is WIB.
func localTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.FixedZone("WIB", 7*3600)
	}
	return t.In(loc).Format("2006-01-02 15:04:05 MST")
}
