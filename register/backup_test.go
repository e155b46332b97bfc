package register

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// putTestFile stores b in dir/files under its SHA-256, as the register does.
func putTestFile(t *testing.T, dataDir string, b []byte) string {
	t.Helper()
	sum := sha256.Sum256(b)
	name := hex.EncodeToString(sum[:])
	dir := filepath.Join(dataDir, "files")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

// archiveSnapshot is what the register shows: every letter the Bupati
// finds, in order, with its fields.
func archiveSnapshot(t *testing.T, db *sql.DB, v archiveViewer) []archiveRow {
	t.Helper()
	var all []archiveRow
	for page := 1; ; page++ {
		rows, _, err := searchArchive(context.Background(), db, v, archiveFilter{Page: page})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			return all
		}
		all = append(all, rows...)
	}
}

func TestBackupRestoreSQLite(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	dbPath := filepath.Join(data, "register.db")
	rdb0, err := OpenDB(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb0.Close()
	db := rdb0.DB
	fx := seedArchive(t, db)
	scan := putTestFile(t, data, []byte("%PDF-1.7 scan"))
	signed := putTestFile(t, data, []byte("%PDF-1.7 signed"))
	mustExec(t, db, `INSERT INTO letter_files (letter_id, version, kind, name, sha256, size, pages, uploaded_by, created_at) VALUES
($1, 1, 'scan', 's.pdf', $2, 13, 1, 4, '2026-02-03T02:00:00.000000000Z'), ($3, 1, 'signed', 'k.pdf', $4, 15, 1, 6, '2026-04-10T03:00:00.000000000Z')`,
		fx.L["undangan"], scan, fx.L["keluar"], signed)
	// A temporary file of an upload in progress is not copied.
	os.WriteFile(filepath.Join(data, "files", ".put-123"), []byte("half"), 0o600)

	out := filepath.Join(t.TempDir(), "backup")
	m, err := Backup(ctx, BackupOptions{DB: dbPath, DataDir: data, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	if m.Database != "sqlite" || m.Files != 2 || m.FileBytes != 28 || m.Letters != int64(len(fx.L)) {
		t.Errorf("manifest %+v", m)
	}
	// A second backup into the same directory is refused.
	if _, err := Backup(ctx, BackupOptions{DB: dbPath, DataDir: data, Out: out}); !errors.Is(err, ErrBackupTarget) {
		t.Errorf("a backup over a backup: %v", err)
	}

	// The register changes after the backup; the restore shows it as it was.
	before := archiveSnapshot(t, db, fx.viewer(uBupati))
	mustExec(t, db, `DELETE FROM dispositions`)
	mustExec(t, db, `UPDATE letters SET subject = 'diubah' WHERE id = $1`, fx.L["undangan"])
	if slices.Equal(before, archiveSnapshot(t, db, fx.viewer(uBupati))) {
		t.Fatal("the change after the backup does not show")
	}

	fresh := t.TempDir()
	restored := filepath.Join(fresh, "register.db")
	if _, err := Restore(ctx, RestoreOptions{From: out, DB: restored, DataDir: fresh}); err != nil {
		t.Fatal(err)
	}
	rdb, err := sql.Open("sqlite", sqliteURIOf(restored, true))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	after := archiveSnapshot(t, rdb, fx.viewer(uBupati))
	if len(before) != len(fx.L) || !slices.Equal(before, after) {
		t.Errorf("restored register differs:\nbefore %+v\nafter  %+v", before, after)
	}
	for _, name := range []string{scan, signed} {
		if b, err := os.ReadFile(filepath.Join(fresh, "files", name)); err != nil || sha256.Sum256(b) != mustHex(t, name) {
			t.Errorf("file %s: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(fresh, "files", ".put-123")); err == nil {
		t.Error("a temporary file was restored")
	}

	// Restore never overwrites a database.
	if _, err := Restore(ctx, RestoreOptions{From: out, DB: restored, DataDir: fresh}); !errors.Is(err, ErrBackupTarget) {
		t.Errorf("a restore over a database: %v", err)
	}
	// A damaged backup is refused: a changed file, a changed database.
	bad := filepath.Join(out, "files", signed)
	os.WriteFile(bad, []byte("%PDF-1.7 forged"), 0o600)
	if _, err := Restore(ctx, RestoreOptions{From: out, DB: filepath.Join(t.TempDir(), "r.db"), DataDir: t.TempDir()}); err == nil {
		t.Error("a backup with a changed file restored")
	}
	os.WriteFile(bad, []byte("%PDF-1.7 signed"), 0o600)
	f, _ := os.OpenFile(filepath.Join(out, backupSQLite), os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte("x"))
	f.Close()
	if _, err := Restore(ctx, RestoreOptions{From: out, DB: filepath.Join(t.TempDir(), "r.db")}); err == nil {
		t.Error("a backup with a changed database restored")
	}
	// A SQLite backup does not go into PostgreSQL.
	if _, err := Restore(ctx, RestoreOptions{From: out, DB: "postgres://x@/y"}); err == nil {
		t.Error("a SQLite backup restored into PostgreSQL")
	}
}

func mustHex(t *testing.T, s string) [32]byte {
	t.Helper()
	var a [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("%q", s)
	}
	copy(a[:], b)
	return a
}
