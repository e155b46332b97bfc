package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segel-id/segel/register"
)

func registerBackupCLI(t *testing.T, cmd string, args ...string) (int, string, string) {
	t.Helper()
	r := segel(t, nil, append([]string{"register", cmd}, args...)...)
	return r.code, string(r.stdout), r.stderr
}

// TestRegisterBackupCLI backs a register up with "segel register backup",
// restores it with "restore" into a fresh directory, and reads the same
// letter and file there.
func TestRegisterBackupCLI(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	db, err := register.OpenDB(ctx, filepath.Join(data, "register.db"))
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.7 surat")
	sum := sha256.Sum256(pdf)
	name := hex.EncodeToString(sum[:])
	os.MkdirAll(filepath.Join(data, "files"), 0o700)
	if err := os.WriteFile(filepath.Join(data, "files", name), pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO units (code, name, kind) VALUES ('SRG', 'Kabupaten Serang', 'kabupaten')`,
		`INSERT INTO letters (direction, unit_id, year, agenda_no, subject, status, created_at, updated_at) VALUES ('in', 1, 2026, 1, 'Undangan', 'baru', 'x', 'x')`,
		`INSERT INTO letter_files (letter_id, version, kind, sha256, size, pages, created_at) VALUES (1, 1, 'scan', '` + name + `', 14, 1, 'x')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	out := filepath.Join(t.TempDir(), "cadangan")
	code, stdout, stderr := registerBackupCLI(t, "backup", "--data", data, "--out", out)
	if code != exitOK || !strings.Contains(stdout, "backup of 1 letters and 1 files (14 bytes)") {
		t.Fatalf("backup: %d %q %q", code, stdout, stderr)
	}
	fresh := filepath.Join(t.TempDir(), "baru")
	code, stdout, stderr = registerBackupCLI(t, "restore", "--data", fresh, "--from", out)
	if code != exitOK || !strings.Contains(stdout, "restored 1 letters and 1 files") {
		t.Fatalf("restore: %d %q %q", code, stdout, stderr)
	}
	rdb, err := register.OpenDB(ctx, filepath.Join(fresh, "register.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	var subject, file string
	if err := rdb.QueryRowContext(ctx, `SELECT l.subject, f.sha256 FROM letters l JOIN letter_files f ON f.letter_id = l.id`).Scan(&subject, &file); err != nil ||
		subject != "Undangan" || file != name {
		t.Errorf("restored: %q %q %v", subject, file, err)
	}
	if b, err := os.ReadFile(filepath.Join(fresh, "files", name)); err != nil || !bytes.Equal(b, pdf) {
		t.Errorf("restored file: %v", err)
	}

	// Restoring over the restored register fails (1); bad arguments are 3.
	if code, _, stderr := registerBackupCLI(t, "restore", "--data", fresh, "--from", out); code != exitFailure || !strings.Contains(stderr, "not empty") {
		t.Errorf("restore over a register: %d %q", code, stderr)
	}
	for _, c := range [][]string{
		{"backup", "--data", data},
		{"backup", "--data", data, "--out", out, "extra"},
		{"restore", "--data", fresh},
		{"backup", "--bogus"},
	} {
		if code, _, _ := registerBackupCLI(t, c[0], c[1:]...); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", c, code, exitUsage)
		}
	}
}
