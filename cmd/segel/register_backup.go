package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/segel-id/segel/register"
)

const registerBackupUsage = `usage: segel register backup  --out DIR [--data DIR] [--db DSN]
       segel register restore --from DIR [--data DIR] [--db DSN]

backup copies the letter register while it runs: the database (SQLite
by VACUUM INTO, PostgreSQL by pg_dump --format=custom) and then the
letters' files (DATA/files), each checked against its SHA-256 name, and
writes manifest.json last. DIR must not exist or be empty.

restore checks a backup against its manifest and restores it into a new
SQLite file or an empty PostgreSQL database (pg_restore), and the files
into DATA/files. It never overwrites a database. A SQLite backup restores
into SQLite, a PostgreSQL one into PostgreSQL.

--data and --db default as for 'segel register': ./register-data and
DATA/register.db. The register of 'segel serve --dev' keeps its files in
DEV/register and its database in DEV/register.db: --data segel-dev/register
--db segel-dev/register.db. PostgreSQL needs pg_dump and
pg_restore (postgresql-client) of the server's major version or newer;
the DSN's password goes to them in PGPASSWORD, never on a command line.
See docs/register-archive.md, "Backup and restore".

Exit status: 0 done, 1 failed, 3 bad arguments.
`

// runRegisterBackup runs "segel register backup|restore ARGS" (cmd is
// "backup" or "restore").
func runRegisterBackup(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) int {
	fs := newAdminFlags("register "+cmd, stderr)
	data := fs.String("data", "register-data", "the register's data directory (its files are in DATA/files)")
	db := fs.String("db", "", "the register's database: a SQLite path or a postgres:// DSN (default DATA/register.db)")
	out := fs.String("out", "", "backup: the backup directory to write (must not exist or be empty)")
	from := fs.String("from", "", "restore: the backup directory to read")
	fs.Usage = func() { fmt.Fprint(stderr, registerBackupUsage); fs.PrintDefaults() }
	pos, err := parseArgs(fs, args)
	if err != nil {
		return adminExit(err, stderr, "run 'segel register backup -h'")
	}
	if len(pos) != 0 {
		return adminExit(usagef("register %s takes no arguments", cmd), stderr, "run 'segel register backup -h'")
	}
	dsn := *db
	if dsn == "" {
		dsn = filepath.Join(*data, "register.db")
	}
	switch cmd {
	case "backup":
		if *out == "" || *from != "" {
			return adminExit(usagef("register backup needs --out DIR (and no --from)"), stderr, "run 'segel register backup -h'")
		}
		m, err := register.Backup(ctx, register.BackupOptions{DB: dsn, DataDir: *data, Out: *out})
		if err != nil {
			return adminExit(err, stderr, "")
		}
		fmt.Fprintf(stdout, "backup of %d letters and %d files (%d bytes) written to %s\n", m.Letters, m.Files, m.FileBytes, *out)
	case "restore":
		if *from == "" || *out != "" {
			return adminExit(usagef("register restore needs --from DIR (and no --out)"), stderr, "run 'segel register backup -h'")
		}
		m, err := register.Restore(ctx, register.RestoreOptions{From: *from, DB: dsn, DataDir: *data})
		if err != nil {
			return adminExit(err, stderr, "")
		}
		fmt.Fprintf(stdout, "restored %d letters and %d files of the backup made %s\n", m.Letters, m.Files, m.CreatedAt.Format("2006-01-02 15:04:05 UTC"))
	default:
		return adminExit(usagef("unknown command %q (backup, restore)", "register "+cmd), stderr, "run 'segel register backup -h'")
	}
	return exitOK
}
