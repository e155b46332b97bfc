package register

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
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

// TestParafChain walks the test tree: staf's letter signed by kadis goes
// by kasi and kabid; signed by the Kasi it needs no paraf; a signer that
// is not above the drafter is refused.
func TestParafChain(t *testing.T) {
	ta := newTestApp(t)
	ctx := t.Context()
	chain, err := parafChain(ctx, ta.db, ta.Pos["staf"].ID, ta.Pos["kadis"].ID)
	if err != nil || len(chain) != 2 || chain[0] != ta.Pos["kasi"].ID || chain[1] != ta.Pos["kabid"].ID {
		t.Errorf("staf → kadis: %v %v", chain, err)
	}
	if chain, err := parafChain(ctx, ta.db, ta.Pos["staf"].ID, ta.Pos["kasi"].ID); err != nil || len(chain) != 0 {
		t.Errorf("staf → kasi: %v %v", chain, err)
	}
	if chain, err := parafChain(ctx, ta.db, ta.Pos["kadis"].ID, ta.Pos["kadis"].ID); err != nil || len(chain) != 0 {
		t.Errorf("kadis → kadis: %v %v", chain, err)
	}
	for _, bad := range [][2]string{{"staf", "kadis2"}, {"kadis", "staf"}, {"kasi", "tu"}} {
		if _, err := parafChain(ctx, ta.db, ta.Pos[bad[0]].ID, ta.Pos[bad[1]].ID); !errors.Is(err, ErrSignerNotAbove) {
			t.Errorf("%s → %s: %v", bad[0], bad[1], err)
		}
	}
}

// TestAdminPenomoran: the administrator sets the number pattern (a bad
// one is refused with the form kept), the next signing uses it, the
// sequences show; others may not.
func TestAdminPenomoran(t *testing.T) {
	e := newKeluarEnv(t, false)
	admin := e.login("admin")
	wantCode(t, "page", admin.get("/admin/penomoran"), 200, DefaultNumberPattern, "005/17/DPMPTSP/2026")
	wantCode(t, "not admin", e.login("kadis").get("/admin/penomoran"), http.StatusForbidden)
	wantCode(t, "bad pattern", admin.post("/admin/penomoran", url.Values{"pattern": {"{klasifikasi}/{urut}"}}),
		http.StatusUnprocessableEntity, "tidak dapat dipakai", "{klasifikasi}/{urut}")
	wantCode(t, "save", admin.post("/admin/penomoran", url.Values{"pattern": {"B-{urut}/{kode_unit}/{bulan}/{tahun}"}}), http.StatusSeeOther)
	ids := e.readyLetters(1)
	wantCode(t, "sign", e.login("kadis").post(fmt.Sprintf("/surat/%d/ttd", ids[0]),
		url.Values{"passphrase": {e.gw.Official("dev-kadis").Passphrase}}), http.StatusSeeOther)
	if _, num := e.status(ids[0]); num != "B-1/DPMPTSP/III/2026" {
		t.Fatalf("number %q", num)
	}
	wantCode(t, "sequences", admin.get("/admin/penomoran"), 200, "DPMPTSP", "<td>2026</td><td>1</td>")
	wantCode(t, "admin index", admin.get("/admin"), 200, `href="/admin/penomoran"`, "admin.penomoran")
}
