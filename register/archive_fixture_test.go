package register

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// archiveFixture is a small regency: the units, positions, users and
// letters the archive tests search.
//
//	Kabupaten Serang (1)           Bupati (p1, u1 bupati)
//	├── DPMPTSP (2)                Kepala Dinas (p2, u2 kadis), TU (p4, u4 clerk)
//	│   └── Bidang Perizinan (3)   Kabid (p3, u3 kabid), Staf (p6, u6 staf)
//	└── Dinas Kesehatan (4)        Kepala Dinas (p5, u5 kadiskes)
type archiveFixture struct {
	t   testing.TB
	db  *sql.DB
	now time.Time
	// letters by name
	L map[string]int64
}

const (
	uBupati   = 1
	uKadis    = 2
	uKabid    = 3
	uClerk    = 4
	uKadiskes = 5
	uStaf     = 6
)

// viewer is the user as the access rules see them at fx.now.
func (fx *archiveFixture) viewer(user int64) archiveViewer {
	fx.t.Helper()
	ctx := context.Background()
	u, err := loadUser(ctx, fx.db, user, fx.now)
	if err != nil {
		fx.t.Fatal(err)
	}
	v, err := viewerOf(ctx, fx.db, u)
	if err != nil {
		fx.t.Fatal(err)
	}
	return archiveViewer{v: v}
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// seedArchive fills db (with the register's schema) with the fixture.
func seedArchive(t *testing.T, db *sql.DB) *archiveFixture {
	t.Helper()
	fx := &archiveFixture{t: t, db: db, now: time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC), L: map[string]int64{}}
	ts := func(s string) string {
		d, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return d.UTC().Format(timeFormat)
	}
	created := ts("2026-01-01T00:00:00Z")
	for _, u := range []struct {
		id     int64
		parent any
		code   string
		name   string
		kind   string
	}{
		{1, nil, "SRG", "Kabupaten Serang", "kabupaten"},
		{2, 1, "DPMPTSP", "Dinas Penanaman Modal dan PTSP", "opd"},
		{3, 2, "PRZ", "Bidang Perizinan", "bidang"},
		{4, 1, "DINKES", "Dinas Kesehatan", "opd"},
	} {
		mustExec(t, db, `INSERT INTO units (id, parent_id, code, name, kind) VALUES ($1, $2, $3, $4, $5)`, u.id, u.parent, u.code, u.name, u.kind)
	}
	for _, p := range []struct {
		id, unit int64
		parent   any
		title    string
		kind     string
	}{
		{1, 1, nil, "Bupati Serang", "bupati"},
		{2, 2, 1, "Kepala DPMPTSP", "eselon2"},
		{3, 3, 2, "Kepala Bidang Perizinan", "eselon3"},
		{4, 2, 2, "TU DPMPTSP", "clerk"},
		{5, 4, 1, "Kepala Dinas Kesehatan", "eselon2"},
		{6, 3, 3, "Staf Perizinan", "staf"},
	} {
		mustExec(t, db, `INSERT INTO positions (id, unit_id, parent_id, title, kind) VALUES ($1, $2, $3, $4, $5)`, p.id, p.unit, p.parent, p.title, p.kind)
	}
	for i, name := range []string{"bupati", "kadis", "kabid", "clerk", "kadiskes", "staf"} {
		mustExec(t, db, `INSERT INTO users (id, username, name, nip, password_hash, position_id, is_admin, profile, lang, disabled, created_at)
VALUES ($1, $2, $3, '', 'x', $4, FALSE, '', 'id', FALSE, $5)`, i+1, name, name, i+1, created)
	}
	mustExec(t, db, `INSERT INTO klasifikasi (code, name, active_years, inactive_years, final) VALUES
('000', 'Umum', 2, 3, 'musnah'), ('500', 'Perekonomian', 1, 1, 'dinilai_kembali'), ('500.16', 'Perizinan', 3, 5, 'permanen')`)

	letter := func(name, dir string, unit int64, agenda int, number, sender, senderNo, date, recv, subject, sifat, klas, status string, by int64, createdAt, signedAt string) int64 {
		var id int64
		signed, year := "", 0
		if signedAt != "" {
			signed = ts(signedAt)
		}
		if agenda > 0 {
			year, _ = strconv.Atoi(recv[:4])
		} else if number != "" {
			year, _ = strconv.Atoi(signedAt[:4])
		}
		err := db.QueryRow(`INSERT INTO letters (direction, unit_id, year, agenda_no, number, kind, sender, sender_number, letter_date, received_date,
 subject, sifat, klasifikasi, status, created_by, created_at, updated_at, signed_at, pages)
VALUES ($1, $2, $3, $4, $5, 'surat_dinas', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 2) RETURNING id`,
			dir, unit, year, agenda, number, sender, senderNo, date, recv, subject, sifat, klas, status, by, ts(createdAt), ts(createdAt), signed).Scan(&id)
		if err != nil {
			t.Fatalf("letter %s: %v", name, err)
		}
		fx.L[name] = id
		return id
	}
	letter("undangan", "in", 2, 1, "", "PT Maju_Jaya", "005/ABC'; DROP TABLE letters;--", "2026-02-01", "2026-02-03",
		"Undangan rapat koordinasi 100% hadir", "biasa", "000.1", "didisposisi", uClerk, "2026-02-03T02:00:00Z", "")
	letter("rahasia", "in", 2, 2, "", "Inspektorat", "700/12/INSP", "2026-02-10", "2026-02-11",
		"Laporan pemeriksaan khusus", "rahasia", "000", "baru", uClerk, "2026-02-11T02:00:00Z", "")
	letter("mirip", "in", 2, 3, "", "PT MajuXJaya", "=HYPERLINK(\"http://evil\")", "2026-03-01", "2026-03-02",
		"+Permohonan izin usaha", "segera", "500.16.1", "baru", uClerk, "2026-03-02T02:00:00Z", "")
	letter("dinkes", "in", 4, 1, "", "Kemenkes", "PR.01/123", "2026-03-05", "2026-03-05",
		"Edaran vaksinasi", "penting", "000", "baru", uKadiskes, "2026-03-05T02:00:00Z", "")
	letter("keluar", "out", 3, 0, "500.16/1/PRZ/2026", "", "", "2026-04-10", "",
		"Izin usaha PT Maju", "biasa", "500.16", "ditandatangani", uStaf, "2026-04-01T01:00:00Z", "2026-04-10T03:00:00Z")
	letter("draf", "out", 3, 0, "", "", "", "", "",
		"Draf balasan", "biasa", "500", "draf", uStaf, "2026-05-01T01:00:00Z", "")
	// An old record: its retention has ended (000: 2 + 3 years).
	letter("lama", "in", 2, 7, "", "Setda", "000/1/2019", "2021-01-04", "2021-01-05",
		"Surat lama", "biasa", "000.9", "selesai", uClerk, "2021-01-05T02:00:00Z", "")
	// A record due within 90 days: 500 is 1 + 1 years, dated 2024-08-01.
	letter("segera_jatuh", "in", 2, 8, "", "Bappeda", "500/2", "2024-08-01", "2024-08-02",
		"Rencana kerja", "biasa", "500", "selesai", uClerk, "2024-08-02T02:00:00Z", "")
	// A record whose klasifikasi is not in the JRA.
	letter("tanpa_jra", "in", 2, 9, "", "Dishub", "900/1", "2026-01-20", "2026-01-20",
		"Tanpa klasifikasi", "biasa", "999", "baru", uClerk, "2026-01-20T02:00:00Z", "")

	mustExec(t, db, `INSERT INTO dispositions (letter_id, parent_id, from_position_id, from_user_id, to_position_id, instructions, note, due, created_at)
VALUES ($1, NULL, 2, $2, 3, $3, 'segera', '2026-02-10', $4)`, fx.L["undangan"], uKadis, joinInstructions([]string{"Tindak lanjuti", "Hadiri/wakili"}), ts("2026-02-04T01:00:00Z"))
	// The clerk passes the rahasia letter to the head, as registering does.
	mustExec(t, db, `INSERT INTO dispositions (letter_id, parent_id, from_position_id, from_user_id, to_position_id, created_at)
VALUES ($1, NULL, 4, $2, 2, $3)`, fx.L["rahasia"], uClerk, ts("2026-02-11T02:00:00Z"))
	mustExec(t, db, `INSERT INTO recipients (letter_id, unit_id, external, tembusan) VALUES ($1, NULL, 'PT Maju', FALSE), ($2, 4, '', TRUE)`, fx.L["keluar"], fx.L["keluar"])
	return fx
}

// openArchiveDB opens a fresh register database (SQLite, migrated) in a
// temporary directory.
func openArchiveDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := OpenDB(context.Background(), filepath.Join(t.TempDir(), "register.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db.DB
}
