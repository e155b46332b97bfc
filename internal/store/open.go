package store

import (
	"context"
	"fmt"
	"strings"
)

// Options configure Open. A nil *Options means the defaults.
type Options struct {
	// BlobDir is the directory where signed files are kept. Empty: in a
	// table of the database (PostgreSQL: so that several replicas share
	// the files; SQLite: so that a small kept letter is written with its
	// record, one fsync for both), except that a SQLite store whose
	// "blobs" directory beside the database holds files (made before
	// blobs went into the database) keeps using that directory. Files are
	// never moved between the two.
	BlobDir string
	// AuditKey, when set (at least MinAuditKeyLen bytes, kept outside
	// the database), keys the audit chain: each chain head carries an
	// HMAC-SHA256 under it, so that a chain rewritten by someone who can
	// write the database but does not know the key fails VerifyAudit, and
	// appends refuse a head that does not verify (ErrAuditKey). The key
	// is never stored, logged or quoted in errors. See docs/decisions.md,
	// "Keyed audit chain".
	AuditKey []byte
}

// Open opens the store named by dsn: "postgres://…" or "postgresql://…"
// for PostgreSQL (pgx pool settings such as pool_max_conns may be added
// to it), anything else, a path or "sqlite:PATH", for SQLite, whose
// database file and directory are created if need be. The schema is
// created or migrated on open; a database whose schema is newer than
// this program's is refused.
//
// Errors never quote a PostgreSQL DSN, which may hold a password.
func Open(ctx context.Context, dsn string, opts *Options) (Store, error) {
	if opts == nil {
		opts = &Options{}
	}
	if opts.AuditKey != nil && len(opts.AuditKey) < MinAuditKeyLen {
		return nil, fmt.Errorf("store: the audit key has %d bytes; it needs at least %d", len(opts.AuditKey), MinAuditKeyLen)
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn, opts, len(migrations))
	}
	return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"), opts, len(migrations))
}
