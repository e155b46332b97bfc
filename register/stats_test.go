package register

import (
	"strings"
	"testing"
	"time"
)

func TestSummarise(t *testing.T) {
	h := time.Hour
	for _, c := range []struct {
		in          []time.Duration
		median, p90 time.Duration
	}{
		{nil, 0, 0},
		{[]time.Duration{5 * h}, 5 * h, 5 * h},
		{[]time.Duration{4 * h, 1 * h}, 2*h + 30*time.Minute, 4 * h},
		{[]time.Duration{3 * h, 1 * h, 2 * h}, 2 * h, 3 * h},
		// 10 values: nearest rank ceil(9) = the 9th.
		{[]time.Duration{10 * h, 9 * h, 8 * h, 7 * h, 6 * h, 5 * h, 4 * h, 3 * h, 2 * h, 1 * h}, 5*h + 30*time.Minute, 9 * h},
		// 11 values: ceil(9.9) = the 10th.
		{[]time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 6, 10},
	} {
		s := summarise(c.in)
		if s.N != len(c.in) || s.Median != c.median || s.P90 != c.p90 {
			t.Errorf("summarise(%v) = %+v, want median %v p90 %v", c.in, s, c.median, c.p90)
		}
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second:               "< 1 m",
		45 * time.Minute:               "45 m",
		3*time.Hour + 20*time.Minute:   "3 h 20 m",
		52*time.Hour + 10*time.Minute:  "2 d 4 h",
		240*time.Hour + 59*time.Minute: "10 d 0 h",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestJRALookup(t *testing.T) {
	tab := jraTable{
		"000":   {Code: "000", ActiveYears: 2, InactYears: 3, Final: "musnah"},
		"000.1": {Code: "000.1", ActiveYears: 1, InactYears: 1, Final: "permanen"},
	}
	for code, want := range map[string]string{"000.1.2.3": "000.1", "000.1": "000.1", "000.2": "000", " 000 ": "000", "100": "", "": "", "000.": "000"} {
		e, ok := tab.lookup(code)
		if ok != (want != "") || e.Code != want {
			t.Errorf("lookup(%q) = %q, %v; want %q", code, e.Code, ok, want)
		}
	}
	d := retentionOf(time.Date(2024, 2, 29, 15, 0, 0, 0, time.UTC), tab["000"])
	if d.Inactive.Format(time.DateOnly) != "2026-03-01" || d.Due.Format(time.DateOnly) != "2029-03-01" {
		t.Errorf("29 February 2024 + 2 + 3 years: %v", d)
	}
}

func TestLibpqDSN(t *testing.T) {
	dsn, env, err := libpqDSN("postgres://reg:s3cr%3Ft@db.local:5433/register?sslmode=require&pool_max_conns=10&password=other")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dsn, "s3cr") || strings.Contains(dsn, "other") || strings.Contains(dsn, "pool_max_conns") {
		t.Errorf("dsn %q keeps a password or a pgx parameter", dsn)
	}
	if !strings.Contains(dsn, "sslmode=require") || !strings.HasPrefix(dsn, "postgres://reg@db.local:5433/register") {
		t.Errorf("dsn %q", dsn)
	}
	if strings.Join(env, ",") != "PGPASSWORD=s3cr?t,PGPASSWORD=other" {
		t.Errorf("env %q", env)
	}
	if _, _, err := libpqDSN("postgres://u:pw@[::1"); err == nil || strings.Contains(err.Error(), "pw") {
		t.Errorf("a bad DSN: %v", err)
	}
}
