package register

import (
	"errors"
	"testing"
	"time"
)

func TestFormatNumber(t *testing.T) {
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		pattern string
		f       NumberFields
		want    string
	}{
		{DefaultNumberPattern, NumberFields{"005", 17, "DPMPTSP", at}, "005/17/DPMPTSP/2026"},
		{"{klasifikasi}/{urut}/{kode_unit}/{bulan}/{tahun}", NumberFields{"800", 3, "BKPSDM", at}, "800/3/BKPSDM/XII/2026"},
		// 31 December 20:00 UTC is 1 January 03:00 in Serang: the new year.
		{DefaultNumberPattern, NumberFields{"005", 1, "X", time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC)}, "005/1/X/2027"},
		{"B-{urut}/{kode_unit}/{tahun}", NumberFields{"", 9, "DISKOMINFOSATPER", at}, "B-9/DISKOMINFOSATPER/2026"},
	} {
		got, err := FormatNumber(c.pattern, c.f)
		if err != nil || got != c.want {
			t.Errorf("FormatNumber(%q) = %q, %v; want %q", c.pattern, got, err, c.want)
		}
	}
}

func TestValidateNumberPattern(t *testing.T) {
	for _, bad := range []string{
		"", "{klasifikasi}/{kode_unit}/{tahun}", "{urut}/{tahun}", "{urut}/{kode_unit}",
		"{urut}/{kode_unit}/{tahun}/{hari}", "{urut}/{kode_unit}/{tahun", "{urut}/{kode_unit}/tahun}",
	} {
		if err := ValidateNumberPattern(bad); !errors.Is(err, ErrNumberPattern) {
			t.Errorf("ValidateNumberPattern(%q) = %v, want ErrNumberPattern", bad, err)
		}
	}
	if err := ValidateNumberPattern(DefaultNumberPattern); err != nil {
		t.Errorf("default pattern: %v", err)
	}
	if _, err := FormatNumber(DefaultNumberPattern, NumberFields{Urut: 0}); !errors.Is(err, ErrNumberPattern) {
		t.Errorf("sequence 0: %v", err)
	}
}
