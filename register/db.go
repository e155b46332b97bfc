package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// timeFormat is how times are stored: UTC RFC 3339 text of fixed width
// (as internal/store does), so that they sort as text on both databases.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

// FormatTime returns t as stored in the database, or "" for the zero time.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

// ParseTime reads a time written by FormatTime ("" is the zero time).
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("register: stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// DB is the register's database: SQLite (the default) or PostgreSQL when
// the DSN starts with postgres:// or postgresql://. Queries use $1, $2, …
// placeholders, which both accept; INSERT … RETURNING id works on both.
type DB struct {
	*sql.DB
	// Postgres is true on PostgreSQL.
	Postgres bool
}

// sqliteBusyTimeout is how long, in milliseconds, a SQLite connection
// waits for the write lock of another connection or process.
const sqliteBusyTimeout = 10000

// OpenDB opens the database named by dsn and brings its schema up to date
// (Migrate). A DSN that is not a postgres:// URL is a SQLite file path
// (created with mode 0600, its directory 0700).
func OpenDB(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("register: no database DSN")
	}
	var db *DB
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		d, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("register: PostgreSQL: %w", err)
		}
		d.SetMaxOpenConns(20)
		db = &DB{DB: d, Postgres: true}
	} else {
		path := filepath.Clean(strings.TrimPrefix(dsn, "sqlite:"))
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("register: SQLite database directory: %w", err)
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("register: SQLite database: %w", err)
		}
		f.Close()
		uri := sqliteFileURI(path) +
			fmt.Sprintf("?_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate", sqliteBusyTimeout)
		d, err := sql.Open("sqlite", uri)
		if err != nil {
			return nil, fmt.Errorf("register: SQLite database %s: %w", path, err)
		}
		// WAL lets readers read while one connection writes; every
		// transaction takes the write lock at BEGIN (_txlock=immediate),
		// so two transactions never deadlock upgrading their locks.
		d.SetMaxOpenConns(4)
		db = &DB{DB: d}
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("register: database: %w", err)
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Tx runs fn in a transaction, committed when fn returns nil and rolled
// back otherwise. On SQLite it holds the write lock from its start.
// Inside fn use tx only: a query on db would need another connection.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("register: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("register: commit: %w", err)
	}
	return nil
}

// Querier is what *sql.DB, *sql.Tx and *DB have in common.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// InsertID runs an INSERT that ends in "RETURNING id" and returns the id.
func InsertID(ctx context.Context, q Querier, query string, args ...any) (int64, error) {
	var id int64
	if err := q.QueryRowContext(ctx, query, args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

// IsUnique reports whether err is a unique-constraint violation, on
// either database.
func IsUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// sqliteFileURI is the file: URI of the SQLite database at path, without
// query: the characters a URI gives a meaning to are escaped.
func sqliteFileURI(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(path))
}
