package config

import (
	"fmt"
	"strings"
	"time"
)

// DefaultFooter is the footer of a visible stamp when a profile sets
// none: BSrE's current sentence, followed by the document's verification
// address ("{url}" is replaced by PublicBaseURL/v/{id} when signing).
// A profile's `footer: ""` shows no footer.
const DefaultFooter = "Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat elektronik " +
	"yang diterbitkan oleh Balai Besar Sertifikasi Elektronik (BSrE), BSSN. Verifikasi: {url}"

// DefaultTimezone is the zone of the stamp's time and the CLI's report
// when `timezone:` is not set.
const DefaultTimezone = "WIB"

// indonesianZones are Indonesia's three zones (none keeps daylight saving
// time) and the IANA names that fall in each.
var indonesianZones = []struct {
	abbr   string
	offset int
	iana   []string
}{
	{"WIB", 7 * 3600, []string{"Asia/Jakarta", "Asia/Pontianak"}},
	{"WITA", 8 * 3600, []string{"Asia/Makassar", "Asia/Ujung_Pandang"}},
	{"WIT", 9 * 3600, []string{"Asia/Jayapura"}},
}

// ParseTimezone returns the zone named s: WIB (UTC+7), WITA (UTC+8) or
// WIT (UTC+9), or an IANA name of one of Indonesia's zones (Asia/Jakarta,
// Asia/Pontianak, Asia/Makassar, Asia/Jayapura), as a fixed zone named
// by its abbreviation; "" is DefaultTimezone. No tz database is needed.
func ParseTimezone(s string) (*time.Location, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = DefaultTimezone
	}
	for _, z := range indonesianZones {
		if strings.EqualFold(s, z.abbr) {
			return time.FixedZone(z.abbr, z.offset), nil
		}
		for _, n := range z.iana {
			if strings.EqualFold(s, n) {
				return time.FixedZone(z.abbr, z.offset), nil
			}
		}
	}
	return nil, fmt.Errorf("%q is not WIB, WITA, WIT or an IANA name of one of them (Asia/Jakarta, Asia/Makassar, Asia/Jayapura)", s)
}

// Location returns the parsed Timezone (WIB when it is not valid: Load
// and Validate refuse that).
func (c *Config) Location() *time.Location {
	if loc, err := ParseTimezone(c.Timezone); err == nil {
		return loc
	}
	return time.FixedZone("WIB", 7*3600)
}

// validateStamp checks the settings of the stamp.
func (c *Config) validateStamp(ps *problems) {
	if _, err := ParseTimezone(c.Timezone); err != nil {
		ps.add("timezone", "%v", err)
	}
}

// defaultFooter gives the profile p (at key path k) the DefaultFooter
// unless its footer was set, even to "".
func defaultFooter(set map[string]bool, k string, p *Profile) {
	if !set[k+".footer"] {
		p.Footer = DefaultFooter
	}
}
