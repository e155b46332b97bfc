package register

import (
	"context"
	"net/url"
	"slices"
	"sort"
	"testing"
	"time"
)

// found runs the search and returns the names of the letters found.
func (fx *archiveFixture) found(t *testing.T, user int64, f archiveFilter) ([]string, []archiveRow) {
	t.Helper()
	rows, total, err := searchArchive(context.Background(), fx.db, fx.viewer(user), f)
	if err != nil {
		t.Fatal(err)
	}
	if f.Page <= 1 && len(rows) < archivePageSize && total != len(rows) {
		t.Errorf("total %d, but %d rows on the only page", total, len(rows))
	}
	var names []string
	for _, r := range rows {
		for n, id := range fx.L {
			if id == r.ID {
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	return names, rows
}

func TestArchiveAccess(t *testing.T) {
	fx := seedArchive(t, openArchiveDB(t))
	all := archiveFilter{}
	for _, c := range []struct {
		user int64
		want []string
	}{
		// The Bupati sees the whole regency.
		{uBupati, []string{"dinkes", "draf", "keluar", "lama", "mirip", "rahasia", "segera_jatuh", "tanpa_jra", "undangan"}},
		// The Kepala Dinas sees the DPMPTSP subtree only.
		{uKadis, []string{"draf", "keluar", "lama", "mirip", "rahasia", "segera_jatuh", "tanpa_jra", "undangan"}},
		// The Kabid sees the bidang's own letters, the one disposed to
		// him, and nothing else of the dinas.
		{uKabid, []string{"draf", "keluar", "undangan"}},
		// The other dinas: its own letter, and the one addressed to it
		// in tembusan.
		{uKadiskes, []string{"dinkes", "keluar"}},
	} {
		got, _ := fx.found(t, c.user, all)
		if !slices.Equal(got, c.want) {
			t.Errorf("user %d finds %q, want %q", c.user, got, c.want)
		}
	}
}

func TestArchiveRahasia(t *testing.T) {
	fx := seedArchive(t, openArchiveDB(t))
	// The Kepala Dinas (the unit's head, whose inbox the letter lands in)
	// and the clerk who registered it read its perihal.
	for _, u := range []int64{uKadis, uClerk} {
		got, rows := fx.found(t, u, archiveFilter{Subject: "pemeriksaan"})
		if !slices.Equal(got, []string{"rahasia"}) || rows[0].Hidden || rows[0].Subject != "Laporan pemeriksaan khusus" {
			t.Errorf("user %d: %q %+v", u, got, rows)
		}
	}
	// The Bupati lists it (his regency) but does not read the perihal,
	// and cannot find it by its perihal either.
	if got, _ := fx.found(t, uBupati, archiveFilter{Subject: "pemeriksaan"}); len(got) != 0 {
		t.Errorf("the Bupati finds %q by a hidden perihal", got)
	}
	_, rows := fx.found(t, uBupati, archiveFilter{Sifat: "rahasia"})
	if len(rows) != 1 || !rows[0].Hidden || rows[0].Subject != "" {
		t.Errorf("the Bupati's view of the rahasia letter: %+v", rows)
	}
	// A Plh for the Kepala Dinas reads it while the delegation runs.
	mustExec(t, fx.db, `INSERT INTO delegations (position_id, user_id, kind, starts, ends, created_by, created_at) VALUES (2, $1, 'plh', $2, $3, 1, $4)`,
		uKabid, fx.now.Add(-time.Hour).Format(timeFormat), fx.now.Add(time.Hour).Format(timeFormat), fx.now.Format(timeFormat))
	if got, _ := fx.found(t, uKabid, archiveFilter{Subject: "pemeriksaan"}); !slices.Equal(got, []string{"rahasia"}) {
		t.Errorf("the Plh finds %q", got)
	}
	fx.now = fx.now.Add(2 * time.Hour)
	if got, _ := fx.found(t, uKabid, archiveFilter{Sifat: "rahasia"}); len(got) != 0 {
		t.Errorf("after the delegation ended the Kabid still finds %q", got)
	}
}

func TestArchiveFilters(t *testing.T) {
	fx := seedArchive(t, openArchiveDB(t))
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for _, c := range []struct {
		name string
		f    archiveFilter
		want []string
	}{
		{"number, ours", archiveFilter{Number: "500.16/1"}, []string{"keluar"}},
		{"number, theirs", archiveFilter{Number: "700/12"}, []string{"rahasia"}},
		{"sender", archiveFilter{Sender: "inspektorat"}, []string{"rahasia"}},
		{"date range", archiveFilter{From: day("2026-02-01"), To: day("2026-03-02")}, []string{"mirip", "rahasia", "undangan"}},
		{"year", archiveFilter{Year: 2021}, []string{"lama"}},
		{"sifat", archiveFilter{Sifat: "segera"}, []string{"mirip"}},
		{"status", archiveFilter{Status: "draf"}, []string{"draf"}},
		{"direction", archiveFilter{Direction: "out"}, []string{"draf", "keluar"}},
		{"klasifikasi and below", archiveFilter{Klasifikasi: "500.16"}, []string{"keluar", "mirip"}},
		{"unit", archiveFilter{UnitID: 3}, []string{"draf", "keluar"}},
		{"combined", archiveFilter{Direction: "in", Sifat: "biasa", Year: 2026}, []string{"tanpa_jra", "undangan"}},
	} {
		if got, _ := fx.found(t, uKadis, c.f); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestArchiveMetacharacters: LIKE wildcards, quotes and SQL in the query
// are matched as text, never read as SQL or as patterns.
func TestArchiveMetacharacters(t *testing.T) {
	fx := seedArchive(t, openArchiveDB(t))
	for _, c := range []struct {
		f    archiveFilter
		want []string
	}{
		{archiveFilter{Subject: "100%"}, []string{"undangan"}},
		{archiveFilter{Subject: "%"}, []string{"undangan"}},
		{archiveFilter{Sender: "Maju_Jaya"}, []string{"undangan"}}, // not PT MajuXJaya
		{archiveFilter{Sender: "_"}, []string{"undangan"}},
		{archiveFilter{Number: "ABC'; DROP TABLE letters;--"}, []string{"undangan"}},
		{archiveFilter{Number: `'`}, []string{"undangan"}},
		{archiveFilter{Sender: `" OR 1=1 --`}, nil},
		{archiveFilter{Subject: `\`}, nil},
		{archiveFilter{Klasifikasi: "5%"}, nil},
		{archiveFilter{Klasifikasi: "500_16"}, nil},
		{archiveFilter{Number: "=HYPERLINK"}, []string{"mirip"}},
	} {
		if got, _ := fx.found(t, uKadis, c.f); !slices.Equal(got, c.want) {
			t.Errorf("%+v: %q, want %q", c.f, got, c.want)
		}
	}
	var n int
	if err := fx.db.QueryRow(`SELECT COUNT(*) FROM letters`).Scan(&n); err != nil || n != len(fx.L) {
		t.Fatalf("letters after the search: %d, %v", n, err)
	}
}

func TestArchivePaging(t *testing.T) {
	fx := seedArchive(t, openArchiveDB(t))
	for i := range 2*archivePageSize + 3 {
		mustExec(t, fx.db, `INSERT INTO letters (direction, unit_id, agenda_no, subject, sifat, status, created_by, created_at, updated_at, received_date)
VALUES ('in', 3, $1, 'Nota massal', 'biasa', 'baru', $2, $3, $3, '2026-05-05')`, 100+i, uClerk, fx.now.Format(timeFormat))
	}
	seen := map[int64]bool{}
	for page := 1; page <= 4; page++ {
		rows, total, err := searchArchive(context.Background(), fx.db, fx.viewer(uKabid), archiveFilter{Subject: "massal", Page: page})
		if err != nil {
			t.Fatal(err)
		}
		if total != 2*archivePageSize+3 {
			t.Fatalf("total %d", total)
		}
		want := map[int]int{1: archivePageSize, 2: archivePageSize, 3: 3, 4: 0}[page]
		if len(rows) != want {
			t.Errorf("page %d has %d rows, want %d", page, len(rows), want)
		}
		for _, r := range rows {
			if seen[r.ID] {
				t.Errorf("letter %d on two pages", r.ID)
			}
			seen[r.ID] = true
		}
	}
}

func TestParseArchiveFilter(t *testing.T) {
	q := url.Values{"nomor": {" 800/1 "}, "dari": {"2026-01-01"}, "sampai": {"kemarin"}, "sifat": {"rahasia"},
		"status": {"'; DROP"}, "arah": {"in"}, "unit": {"-3"}, "tahun": {"2026"}, "hal": {"2"}}
	f, bad := parseArchiveFilter(q)
	if f.Number != "800/1" || f.From.Format(time.DateOnly) != "2026-01-01" || !f.To.IsZero() || f.Sifat != "rahasia" ||
		f.Status != "" || f.Direction != "in" || f.UnitID != 0 || f.Year != 2026 || f.Page != 2 {
		t.Errorf("%+v", f)
	}
	if !slices.Equal(bad, []string{"sampai", "status", "unit"}) {
		t.Errorf("bad %q", bad)
	}
	back := f.query()
	if back.Get("nomor") != "800/1" || back.Get("hal") != "" || back.Get("tahun") != "2026" {
		t.Errorf("query %v", back)
	}
	f, _ = parseArchiveFilter(url.Values{"perihal": {string(make([]rune, 500))}})
	if len([]rune(f.Subject)) > maxSearchText || f.Page != 1 {
		t.Errorf("a long query: %d runes, page %d", len([]rune(f.Subject)), f.Page)
	}
}
