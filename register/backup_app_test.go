package register

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/pgtest"
	"github.com/segel-id/segel/internal/testenv"
)

// reopen starts a second register on the data directory and database
// of a restore, with ta's clock, and no seeding.
func (ta *testApp) reopen(t *testing.T, dataDir, dsn string) *testApp {
	t.Helper()
	a, err := New(context.Background(), Options{DSN: dsn, DataDir: dataDir, Now: ta.clock.Now, Logger: slogDiscard()})
	if err != nil {
		t.Fatalf("register.New on the restored register: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	rt := &testApp{App: a, t: t, clock: ta.clock, Units: ta.Units, Pos: ta.Pos, Users: ta.Users}
	rt.srv = httptest.NewServer(a.Handler())
	t.Cleanup(rt.srv.Close)
	return rt
}

var tokenRE = regexp.MustCompile(`(content|value)="[A-Za-z0-9_\-]{20,}"`)

// shows is what the archive shows each user: /arsip and the CSV book,
// without the session's tokens.
func shows(t *testing.T, ta *testApp) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, u := range []string{"kadis", "bupati", "kadis2", "tu"} {
		c := ta.login(u)
		out[u+" /arsip"] = tokenRE.ReplaceAllString(c.get("/arsip").Body, "token")
		out[u+" csv"] = c.get("/arsip/agenda.csv").Body
	}
	return out
}

func TestBackupRestoreApp(t *testing.T) {
	ta := newTestApp(t)
	testBackupRestoreApp(t, ta, ta.opts.DSN, func(fresh string) string { return filepath.Join(fresh, "register.db") }, BackupOptions{})
}

func TestBackupRestoreAppPostgres(t *testing.T) {
	ta := newTestAppPG(t)
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump")
	if len(bins) == 0 {
		testenv.File(t, "/usr/lib/postgresql/*/bin/pg_dump", "postgresql")
	}
	// pgtest runs the newest server installed: its own pg_dump and
	// pg_restore match it.
	dir := filepath.Dir(bins[len(bins)-1])
	testBackupRestoreApp(t, ta, ta.opts.DSN, func(string) string { return pgtest.DSN(t) },
		BackupOptions{PGDump: filepath.Join(dir, "pg_dump"), PGRestore: filepath.Join(dir, "pg_restore")})
}

func testBackupRestoreApp(t *testing.T, ta *testApp, dsn string, target func(fresh string) string, tools BackupOptions) {
	ctx := context.Background()
	ids := ta.archiveLetters()
	pdf := []byte("%PDF-1.7 pindaian")
	name := putTestFile(t, ta.opts.DataDir, pdf)
	if _, err := ta.db.ExecContext(ctx, `INSERT INTO letter_files (letter_id, version, kind, name, sha256, size, pages, created_at)
VALUES ($1, 1, 'scan', 'scan.pdf', $2, $3, 1, $4)`, ids["undangan"], name, len(pdf), FormatTime(ta.clock.Now())); err != nil {
		t.Fatal(err)
	}
	before := shows(t, ta)

	out := filepath.Join(t.TempDir(), "backup")
	m, err := Backup(ctx, BackupOptions{DB: dsn, DataDir: ta.opts.DataDir, Out: out, PGDump: tools.PGDump})
	if err != nil {
		t.Fatal(err)
	}
	if m.Letters != 4 || m.Files != 1 {
		t.Errorf("manifest %+v", m)
	}
	// The register goes on after the backup.
	if _, err := ta.db.ExecContext(ctx, `UPDATE letters SET subject = 'sesudah cadangan'`); err != nil {
		t.Fatal(err)
	}
	if after := shows(t, ta); after["kadis /arsip"] == before["kadis /arsip"] {
		t.Fatal("the change after the backup does not show")
	}

	fresh := t.TempDir()
	dst := target(fresh)
	if _, err := Restore(ctx, RestoreOptions{From: out, DB: dst, DataDir: fresh, PGRestore: tools.PGRestore}); err != nil {
		t.Fatal(err)
	}
	rt := ta.reopen(t, fresh, dst)
	after := shows(t, rt)
	for k, want := range before {
		if after[k] != want {
			t.Errorf("%s differs after the restore:\nbefore %s\nafter  %s", k, want, after[k])
		}
	}
	if !strings.Contains(after["kadis /arsip"], "Undangan rapat 100% hadir") {
		t.Errorf("the restored archive: %s", after["kadis /arsip"])
	}
	if b, err := os.ReadFile(filepath.Join(fresh, "files", name)); err != nil || string(b) != string(pdf) {
		t.Errorf("the restored file: %v", err)
	}
	// The restored register goes on numbering its rows after the old ones
	// (PostgreSQL's identity sequences come back with the dump).
	if err := insertUnit(ctx, rt.db, &Unit{Code: "BARU", Name: "Unit baru", Kind: "opd", ParentID: ta.Units["SERANG"].ID}); err != nil {
		t.Errorf("a new row in the restored register: %v", err)
	}
	// A second restore into the now full database is refused.
	if _, err := Restore(ctx, RestoreOptions{From: out, DB: dst, DataDir: t.TempDir(), PGRestore: tools.PGRestore}); err == nil {
		t.Error("a restore over a register")
	}
}
