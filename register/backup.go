package register

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	_ "modernc.org/sqlite"             // the "sqlite" driver
)

// A backup is a directory (docs/register-archive.md, "Backup and restore"):
//
//	manifest.json   what it holds, with the SHA-256 of each part
//	register.db     SQLite: a consistent copy made by VACUUM INTO
//	register.pgdump PostgreSQL: pg_dump --format=custom
//	files/<sha256>  the letters' files, each checked against its name
//
// The database is copied first and the files after it: a file is written
// before the row that names it is committed and files are never changed
// (they are named by their content), so every file the copied database
// names is in the copy.
const (
	backupManifest = "manifest.json"
	backupSQLite   = "register.db"
	backupPGDump   = "register.pgdump"
	backupFiles    = "files"
	// backupFormat is the version of the backup layout.
	backupFormat = 1
)

// BackupOptions say what to back up and where.
type BackupOptions struct {
	// DB is the register's database: a SQLite path (or "sqlite:PATH"), or
	// a postgres:// or postgresql:// DSN.
	DB string
	// DataDir is the register's data directory; its files/ directory
	// holds the letters' files.
	DataDir string
	// Out is the backup directory: it must not exist, or be empty.
	Out string
	// PGDump and PGRestore are the paths of pg_dump and pg_restore;
	// empty: looked up in PATH.
	PGDump, PGRestore string
}

// BackupManifest describes a backup.
type BackupManifest struct {
	Format    int       `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	// Database is "sqlite" or "postgres"; DatabaseFile its file in the
	// backup and DatabaseSHA256 that file's digest.
	Database       string `json:"database"`
	DatabaseFile   string `json:"database_file"`
	DatabaseSHA256 string `json:"database_sha256"`
	// Files and FileBytes count the letters' files.
	Files     int   `json:"files"`
	FileBytes int64 `json:"file_bytes"`
	// Letters is how many letters the copied database holds.
	Letters int64 `json:"letters"`
}

// BackupError is a backup or restore that could not be made; Op says
// which step failed.
type BackupError struct {
	Op  string
	Err error
}

func (e *BackupError) Error() string { return "register backup: " + e.Op + ": " + e.Err.Error() }

func (e *BackupError) Unwrap() error { return e.Err }

// ErrBackupTarget is a backup directory, or a restore target, that is not
// empty: nothing is overwritten.
var ErrBackupTarget = errors.New("the target is not empty")

func isPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func sqlitePath(dsn string) string { return filepath.Clean(strings.TrimPrefix(dsn, "sqlite:")) }

// Backup copies the register's database and files into opts.Out while the
// register runs: VACUUM INTO (SQLite) and pg_dump (PostgreSQL) both read
// one consistent snapshot. The manifest is written last, so a directory
// without one is not a backup.
func Backup(ctx context.Context, opts BackupOptions) (*BackupManifest, error) {
	if opts.Out == "" || opts.DB == "" {
		return nil, &BackupError{"options", errors.New("the database and the backup directory are needed")}
	}
	if err := emptyDir(opts.Out); err != nil {
		return nil, &BackupError{"backup directory", err}
	}
	m := &BackupManifest{Format: backupFormat, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	if isPostgresDSN(opts.DB) {
		m.Database, m.DatabaseFile = "postgres", backupPGDump
		if err := pgDump(ctx, opts, filepath.Join(opts.Out, backupPGDump)); err != nil {
			return nil, &BackupError{"pg_dump", err}
		}
		n, err := countLetters(ctx, "pgx", opts.DB)
		if err != nil {
			return nil, &BackupError{"counting letters", err}
		}
		m.Letters = n
	} else {
		m.Database, m.DatabaseFile = "sqlite", backupSQLite
		dst := filepath.Join(opts.Out, backupSQLite)
		if err := vacuumInto(ctx, sqlitePath(opts.DB), dst); err != nil {
			return nil, &BackupError{"VACUUM INTO", err}
		}
		n, err := countLetters(ctx, "sqlite", sqliteURIOf(dst, true))
		if err != nil {
			return nil, &BackupError{"counting letters", err}
		}
		m.Letters = n
	}
	sum, err := fileSHA256(filepath.Join(opts.Out, m.DatabaseFile))
	if err != nil {
		return nil, &BackupError{"database copy", err}
	}
	m.DatabaseSHA256 = sum
	if opts.DataDir != "" {
		n, size, err := copyFiles(filepath.Join(opts.DataDir, backupFiles), filepath.Join(opts.Out, backupFiles))
		if err != nil {
			return nil, &BackupError{"files", err}
		}
		m.Files, m.FileBytes = n, size
	}
	if err := writeManifest(filepath.Join(opts.Out, backupManifest), m); err != nil {
		return nil, &BackupError{"manifest", err}
	}
	return m, nil
}

// RestoreOptions say which backup to restore and where.
type RestoreOptions struct {
	// From is the backup directory.
	From string
	// DB is the database to restore into: a SQLite path that does not
	// exist yet, or an empty PostgreSQL database. DataDir receives the
	// files.
	DB, DataDir string
	// PGRestore is the path of pg_restore; empty: looked up in PATH.
	PGRestore string
}

// Restore checks the backup against its manifest and restores it into a
// new SQLite file or an empty PostgreSQL database, and the files into
// DataDir/files. A SQLite backup restores into SQLite and a PostgreSQL
// one into PostgreSQL (no conversion). It never overwrites a database.
func Restore(ctx context.Context, opts RestoreOptions) (*BackupManifest, error) {
	m, err := readManifest(filepath.Join(opts.From, backupManifest))
	if err != nil {
		return nil, &BackupError{"manifest", err}
	}
	src := filepath.Join(opts.From, m.DatabaseFile)
	if sum, err := fileSHA256(src); err != nil {
		return nil, &BackupError{"database copy", err}
	} else if sum != m.DatabaseSHA256 {
		return nil, &BackupError{"database copy", fmt.Errorf("%s has SHA-256 %s, the manifest says %s", m.DatabaseFile, sum, m.DatabaseSHA256)}
	}
	switch {
	case m.Database == "postgres" && isPostgresDSN(opts.DB):
		if err := pgRestore(ctx, opts, src); err != nil {
			return nil, &BackupError{"pg_restore", err}
		}
	case m.Database == "sqlite" && opts.DB != "" && !isPostgresDSN(opts.DB):
		if err := restoreSQLite(ctx, src, sqlitePath(opts.DB)); err != nil {
			return nil, &BackupError{"SQLite", err}
		}
	default:
		return nil, &BackupError{"database", fmt.Errorf("a %s backup cannot be restored into %s", m.Database, dbKind(opts.DB))}
	}
	if opts.DataDir != "" {
		n, _, err := copyFiles(filepath.Join(opts.From, backupFiles), filepath.Join(opts.DataDir, backupFiles))
		if err != nil {
			return nil, &BackupError{"files", err}
		}
		if n != m.Files {
			return nil, &BackupError{"files", fmt.Errorf("the backup holds %d files, the manifest says %d", n, m.Files)}
		}
	}
	return m, nil
}

func dbKind(dsn string) string {
	switch {
	case dsn == "":
		return "no database"
	case isPostgresDSN(dsn):
		return "PostgreSQL"
	}
	return "SQLite"
}

// emptyDir makes dir, or accepts it when it is empty.
func emptyDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return err
	}
	if len(ents) > 0 {
		return fmt.Errorf("%s: %w", dir, ErrBackupTarget)
	}
	return nil
}

// sqliteURIOf is the file: URI of path; readOnly opens it read-only.
func sqliteURIOf(path string, readOnly bool) string {
	u := sqliteFileURI(path) + "?_pragma=busy_timeout(10000)"
	if readOnly {
		u += "&mode=ro"
	}
	return u
}

// vacuumInto writes a consistent, compacted copy of the SQLite database
// at src to dst, while other connections read and write src.
func vacuumInto(ctx context.Context, src, dst string) error {
	if _, err := os.Stat(src); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", sqliteURIOf(src, false))
	if err != nil {
		return err
	}
	defer db.Close()
	// The target is a bound parameter, as every value in the register's SQL.
	if _, err := db.ExecContext(ctx, `VACUUM INTO $1`, dst); err != nil {
		return err
	}
	return os.Chmod(dst, 0o600)
}

// restoreSQLite copies src to dst through a temporary file, checks its
// integrity and then gives it its name; dst must not exist.
func restoreSQLite(ctx context.Context, src, dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("%s exists: %w", dst, ErrBackupTarget)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	tmp, err := copyToTemp(src, filepath.Dir(dst))
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	db, err := sql.Open("sqlite", sqliteURIOf(tmp, true))
	if err != nil {
		return err
	}
	var ok string
	err = db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok)
	db.Close()
	if err != nil {
		return err
	}
	if ok != "ok" {
		return fmt.Errorf("integrity check: %s", ok)
	}
	// A link never replaces a file that appeared meanwhile.
	if err := os.Link(tmp, dst); err != nil {
		return err
	}
	return nil
}

// countLetters counts the letters of the database at dsn.
func countLetters(ctx context.Context, driver, dsn string) (int64, error) {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM letters`).Scan(&n)
	return n, err
}

// copyFiles copies the files of src into dst (made if need be), checking
// that a file named by a SHA-256 has that digest; a file dst holds
// already is checked and kept. It returns how many files src holds and
// their bytes. A missing src holds none.
func copyFiles(src, dst string) (int, int64, error) {
	ents, err := os.ReadDir(src)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return 0, 0, err
	}
	var n int
	var size int64
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") {
			continue // a temporary file being written, or not ours
		}
		s, err := copyChecked(filepath.Join(src, name), filepath.Join(dst, name), name)
		if err != nil {
			return 0, 0, err
		}
		n++
		size += s
	}
	return n, size, nil
}

// copyChecked copies src to dst through a temporary file and renames it;
// when name is a hex SHA-256 the content must have it.
func copyChecked(src, dst, name string) (int64, error) {
	want := ""
	if len(name) == 64 {
		if _, err := hex.DecodeString(name); err == nil {
			want = strings.ToLower(name)
		}
	}
	if fi, err := os.Stat(dst); err == nil {
		if want != "" {
			if sum, err := fileSHA256(dst); err != nil || sum != want {
				return 0, fmt.Errorf("%s exists with other content", dst)
			}
		}
		return fi.Size(), nil
	}
	tmp, err := copyToTemp(src, filepath.Dir(dst))
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp)
	fi, err := os.Stat(tmp)
	if err != nil {
		return 0, err
	}
	if want != "" {
		sum, err := fileSHA256(tmp)
		if err != nil {
			return 0, err
		}
		if sum != want {
			return 0, fmt.Errorf("%s does not have the SHA-256 its name says (%s)", src, sum)
		}
	}
	return fi.Size(), os.Rename(tmp, dst)
}

// copyToTemp copies src to a synced temporary file in dir and returns its
// name; the caller removes or renames it.
func copyToTemp(src, dir string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.CreateTemp(dir, ".restore-*")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return "", err
	}
	return out.Name(), nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func writeManifest(path string, m *BackupManifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

func readManifest(path string) (*BackupManifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m BackupManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m.Format != backupFormat {
		return nil, fmt.Errorf("backup format %d; this program reads %d", m.Format, backupFormat)
	}
	if m.DatabaseFile != backupSQLite && m.DatabaseFile != backupPGDump {
		return nil, fmt.Errorf("unknown database file %q", m.DatabaseFile)
	}
	return &m, nil
}

// libpqParams are the DSN parameters pg_dump and pg_restore understand;
// pgx's own (pool_max_conns, …) are dropped.
var libpqParams = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true,
	"sslmode": true, "sslrootcert": true, "sslcert": true, "sslkey": true, "sslcrl": true,
	"connect_timeout": true, "application_name": true, "options": true,
	"target_session_attrs": true, "service": true, "passfile": true,
}

// libpqDSN turns a pgx DSN into one for libpq's tools and the environment
// that carries the password (PGPASSWORD), so that the password never
// appears on a command line, where any local user can read it.
func libpqDSN(dsn string) (string, []string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, errors.New("the PostgreSQL DSN does not parse") // never quote it: it may hold a password
	}
	var env []string
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+p)
			u.User = url.User(u.User.Username())
		}
	}
	q := u.Query()
	for k, vs := range q {
		if k == "password" && len(vs) > 0 {
			env = append(env, "PGPASSWORD="+vs[0])
		}
		if !libpqParams[k] {
			delete(q, k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), env, nil
}

func pgTool(path, name string) (string, error) {
	if path != "" {
		return path, nil
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s is not installed (apt-get install postgresql-client): %w", name, err)
	}
	return p, nil
}

func pgDump(ctx context.Context, opts BackupOptions, out string) error {
	bin, err := pgTool(opts.PGDump, "pg_dump")
	if err != nil {
		return err
	}
	dsn, env, err := libpqDSN(opts.DB)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "--format=custom", "--no-owner", "--no-privileges", "--file="+out, "--dbname="+dsn)
	return runPG(cmd, env)
}

func pgRestore(ctx context.Context, opts RestoreOptions, dump string) error {
	bin, err := pgTool(opts.PGRestore, "pg_restore")
	if err != nil {
		return err
	}
	var tables int
	db, err := sql.Open("pgx", opts.DB)
	if err != nil {
		return errors.New("the PostgreSQL DSN does not parse")
	}
	err = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&tables)
	db.Close()
	if err != nil {
		return err
	}
	if tables > 0 {
		return fmt.Errorf("the database has %d tables: %w", tables, ErrBackupTarget)
	}
	dsn, env, err := libpqDSN(opts.DB)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname="+dsn, dump)
	return runPG(cmd, env)
}

// runPG runs a PostgreSQL tool with env added; its error output, which
// never holds the password, is in the error.
func runPG(cmd *exec.Cmd, env []string) error {
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(cmd.Path), err, strings.TrimSpace(string(out)))
	}
	return nil
}
