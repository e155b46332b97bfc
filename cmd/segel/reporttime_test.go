package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// TestReportZone: the text report shows times in the zone asked for, with
// its abbreviation.
func TestReportZone(t *testing.T) {
	rep := &verify.Report{Indication: verify.TotalPassed, Signatures: []*verify.SignatureReport{{
		Type: "signature", Field: "Signature1", Indication: verify.TotalPassed, Level: "B-T",
		ClaimedSigningTime: time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC),
		Timestamp:          &verify.Timestamp{Time: time.Date(2026, 3, 2, 7, 5, 0, 0, time.UTC), TSA: "CN=TSA"},
	}}}
	for zone, want := range map[string][]string{
		"WITA":          {"2026-03-02 15:00:00 WITA", "2026-03-02 15:05:00 WITA (CN=TSA)"},
		"Asia/Jayapura": {"2026-03-02 16:00:00 WIT", "2026-03-02 16:05:00 WIT"},
		"":              {"2026-03-02 14:00:00 WIB"},
	} {
		t.Setenv("SEGEL_TIMEZONE", "")
		loc, err := reportZone(zone)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		writeReportIn(&b, rep, "id", loc)
		for _, w := range want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%q: report lacks %q:\n%s", zone, w, b.String())
			}
		}
		if strings.Contains(b.String(), "07:00:00Z") {
			t.Errorf("%q: report shows UTC:\n%s", zone, b.String())
		}
	}
	t.Setenv("SEGEL_TIMEZONE", "WITA")
	if loc, err := reportZone(""); err != nil || loc.String() != "WITA" {
		t.Errorf("$SEGEL_TIMEZONE=WITA: %v %v", loc, err)
	}
	if _, err := reportZone("Europe/Paris"); err == nil {
		t.Error("Europe/Paris accepted as an Indonesian zone")
	}
	if got := localTime(time.Time{}, nil); got != "" {
		t.Errorf("localTime(zero) = %q, want nothing", got)
	}
}

// TestSignVisibleZone: `segel sign --visible --timezone WITA` writes the
// stamp's time in WITA (read back by poppler's pdftotext), and an
// unknown zone is a usage error.
func TestSignVisibleZone(t *testing.T) {
	pdftotext := testenv.Tool(t, "pdftotext")
	f := newFixture(t, testpki.MustNew(t, testpki.Options{}), testpki.SignerOptions{})
	out := filepath.Join(f.dir, "wita.pdf")
	res := segel(t, nil, "sign", "--key", f.key, "--visible", "page=1;rect=330,60,560,150", "--timezone", "WITA", f.in, out)
	if res.code != 0 {
		t.Fatalf("sign: %d %s", res.code, res.stderr)
	}
	text, err := exec.Command(pdftotext, "-f", "1", "-l", "1", out, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, text)
	}
	if !strings.Contains(string(text), " WITA") {
		t.Errorf("the stamp's time is not in WITA:\n%s", text)
	}
	res = segel(t, nil, "sign", "--key", f.key, "--visible", "page=1;rect=330,60,560,150", "--timezone", "CET", f.in, out)
	if res.code == 0 || !strings.Contains(res.stderr, "timezone") {
		t.Errorf("--timezone CET: exit %d, %s", res.code, res.stderr)
	}
}
