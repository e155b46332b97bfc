package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"
)

// Options configure Open.
type Options struct {
	// BlobDir is where signed files are kept. Empty: for SQLite, a "blobs"
	// directory next to the database file; for PostgreSQL, a table in the
	// database, so that several replicas share the files.
	BlobDir string
}

// Open opens the store named by dsn: "postgres://…" or "postgresql://…"
// for PostgreSQL, anything else (a path, or "sqlite:PATH") for SQLite.
// The schema is created or migrated on open.
func Open(ctx context.Context, dsn string, opts *Options) (Store, error) {
	if opts == nil {
		opts = &Options{}
	}
	s := &sqlStore{blobDir: opts.BlobDir}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s.pg = true
		s.db, err = sql.Open("pgx", dsn)
	default:
		path := strings.TrimPrefix(dsn, "sqlite:")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		if s.blobDir == "" {
			s.blobDir = filepath.Join(filepath.Dir(path), "blobs")
		}
		s.db, err = sql.Open("sqlite", "file:"+path+
			"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_txlock=immediate")
		if err == nil {
			// One writer at a time is what SQLite does anyway; a single
			// connection keeps BEGIN IMMEDIATE from queueing on busy errors.
			s.db.SetMaxOpenConns(1)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	if s.blobDir != "" {
		if err := os.MkdirAll(s.blobDir, 0o700); err != nil {
			s.db.Close()
			return nil, fmt.Errorf("store: blob directory: %w", err)
		}
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// sqlStore implements Store on database/sql for SQLite and PostgreSQL.
type sqlStore struct {
	db      *sql.DB
	pg      bool
	blobDir string
}

// q rewrites ? placeholders to $n for PostgreSQL.
func (s *sqlStore) q(query string) string {
	if !s.pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// migrations are applied in order; schema_version records how many ran.
var migrations = []struct{ sqlite, pg string }{
	{
		sqlite: `
CREATE TABLE audit (
	seq INTEGER PRIMARY KEY,
	time TEXT NOT NULL, request_id TEXT NOT NULL, client TEXT NOT NULL, profile TEXT NOT NULL,
	operation TEXT NOT NULL, signer_subject TEXT NOT NULL, signer_serial TEXT NOT NULL,
	signer_sha256 TEXT NOT NULL, level TEXT NOT NULL, input_sha256 TEXT NOT NULL,
	output_sha256 TEXT NOT NULL, document_id TEXT NOT NULL, outcome TEXT NOT NULL,
	detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE documents (
	id TEXT PRIMARY KEY, profile TEXT NOT NULL, client TEXT NOT NULL, level TEXT NOT NULL,
	signed_at TEXT NOT NULL, signer_name TEXT NOT NULL, signer_subject TEXT NOT NULL,
	signer_issuer TEXT NOT NULL, signer_serial TEXT NOT NULL, input_sha256 TEXT NOT NULL,
	output_sha256 TEXT NOT NULL, size INTEGER NOT NULL, number TEXT NOT NULL, subject TEXT NOT NULL,
	title TEXT NOT NULL, nip TEXT NOT NULL, confidential INTEGER NOT NULL, downloadable INTEGER NOT NULL,
	stored INTEGER NOT NULL, retain_until TEXT NOT NULL);
CREATE TABLE clients (
	name TEXT PRIMARY KEY, key_hash BLOB NOT NULL UNIQUE, profiles TEXT NOT NULL,
	operations TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE failures (key TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX failures_key_at ON failures (key, at);
CREATE TABLE blobs (id TEXT NOT NULL, chunk INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (id, chunk));`,
		pg: `
CREATE TABLE audit (
	seq BIGINT PRIMARY KEY,
	time TEXT NOT NULL, request_id TEXT NOT NULL, client TEXT NOT NULL, profile TEXT NOT NULL,
	operation TEXT NOT NULL, signer_subject TEXT NOT NULL, signer_serial TEXT NOT NULL,
	signer_sha256 TEXT NOT NULL, level TEXT NOT NULL, input_sha256 TEXT NOT NULL,
	output_sha256 TEXT NOT NULL, document_id TEXT NOT NULL, outcome TEXT NOT NULL,
	detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
	$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TABLE documents (
	id TEXT PRIMARY KEY, profile TEXT NOT NULL, client TEXT NOT NULL, level TEXT NOT NULL,
	signed_at TEXT NOT NULL, signer_name TEXT NOT NULL, signer_subject TEXT NOT NULL,
	signer_issuer TEXT NOT NULL, signer_serial TEXT NOT NULL, input_sha256 TEXT NOT NULL,
	output_sha256 TEXT NOT NULL, size BIGINT NOT NULL, number TEXT NOT NULL, subject TEXT NOT NULL,
	title TEXT NOT NULL, nip TEXT NOT NULL, confidential BOOLEAN NOT NULL, downloadable BOOLEAN NOT NULL,
	stored BOOLEAN NOT NULL, retain_until TEXT NOT NULL);
CREATE TABLE clients (
	name TEXT PRIMARY KEY, key_hash BYTEA NOT NULL UNIQUE, profiles TEXT NOT NULL,
	operations TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE failures (key TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX failures_key_at ON failures (key, at);
CREATE TABLE blobs (id TEXT NOT NULL, chunk INTEGER NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (id, chunk));`,
	},
}

func (s *sqlStore) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback()
	if s.pg {
		// One migrator at a time when several replicas start together.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7331001)`); err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for i := v; i < len(migrations); i++ {
		m := migrations[i].sqlite
		if s.pg {
			m = migrations[i].pg
		}
		if _, err := tx.ExecContext(ctx, m); err != nil {
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_version (version) VALUES (?)`), i+1); err != nil {
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
	}
	return tx.Commit()
}

func (s *sqlStore) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }
func (s *sqlStore) Close() error                   { return s.db.Close() }

func isUnique(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "UNIQUE constraint") || strings.Contains(m, "duplicate key") || strings.Contains(m, "23505")
}

// timeFormat is fixed-width UTC with nanoseconds, so that times compare
// correctly as strings in SQL.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// ----- audit log -----

// auditHash is the hash of an entry: hex SHA-256 over each field
// (sequence number, time in RFC 3339 with nanoseconds in UTC, then every
// other field in the order of AuditEntry, then PrevHash), each written as
// a 4-byte big-endian length followed by its UTF-8 bytes. An auditor can
// recompute the chain from a database dump with a dozen lines of script.
func auditHash(e *AuditEntry) string {
	h := sha256.New()
	for _, f := range []string{strconv.FormatInt(e.Seq, 10), fmtTime(e.Time), e.RequestID, e.Client, e.Profile,
		e.Operation, e.SignerSubject, e.SignerSerial, e.SignerSHA256, e.Level, e.InputSHA256, e.OutputSHA256,
		e.DocumentID, e.Outcome, e.Detail, e.PrevHash} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (s *sqlStore) AppendAudit(ctx context.Context, e *AuditEntry) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	defer tx.Rollback()
	if s.pg {
		// Appends from every replica queue here: the chain stays in order.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7331002)`); err != nil {
			return fmt.Errorf("store: audit: %w", err)
		}
	}
	var seq int64
	var prev string
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: audit: %w", err)
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC()
	e.Seq, e.PrevHash = seq+1, prev
	e.Hash = auditHash(e)
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO audit (seq, time, request_id, client, profile, operation,
		signer_subject, signer_serial, signer_sha256, level, input_sha256, output_sha256, document_id,
		outcome, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`),
		e.Seq, fmtTime(e.Time), e.RequestID, e.Client, e.Profile, e.Operation, e.SignerSubject, e.SignerSerial,
		e.SignerSHA256, e.Level, e.InputSHA256, e.OutputSHA256, e.DocumentID, e.Outcome, e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

const auditColumns = `seq, time, request_id, client, profile, operation, signer_subject, signer_serial,
	signer_sha256, level, input_sha256, output_sha256, document_id, outcome, detail, prev_hash, hash`

func scanAudit(rows *sql.Rows) (*AuditEntry, error) {
	e := &AuditEntry{}
	var t string
	err := rows.Scan(&e.Seq, &t, &e.RequestID, &e.Client, &e.Profile, &e.Operation, &e.SignerSubject,
		&e.SignerSerial, &e.SignerSHA256, &e.Level, &e.InputSHA256, &e.OutputSHA256, &e.DocumentID,
		&e.Outcome, &e.Detail, &e.PrevHash, &e.Hash)
	e.Time = parseTime(t)
	return e, err
}

func (s *sqlStore) AuditEntries(ctx context.Context, from int64, limit int) ([]*AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+auditColumns+` FROM audit WHERE seq >= ? ORDER BY seq LIMIT ?`), from, limit)
	if err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	defer rows.Close()
	var out []*AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("store: audit: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *sqlStore) VerifyAudit(ctx context.Context) (*AuditCheck, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	defer rows.Close()
	c := &AuditCheck{}
	prev := ""
	var want int64 = 1
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("store: audit: %w", err)
		}
		c.Entries++
		if c.FirstBroken != 0 {
			continue
		}
		switch {
		case e.Seq != want:
			c.FirstBroken, c.Reason = e.Seq, fmt.Sprintf("sequence number %d follows %d", e.Seq, want-1)
		case e.PrevHash != prev:
			c.FirstBroken, c.Reason = e.Seq, "its link to the previous entry does not match that entry's hash"
		case auditHash(e) != e.Hash:
			c.FirstBroken, c.Reason = e.Seq, "its content does not match its hash"
		}
		prev = e.Hash
		want = e.Seq + 1
	}
	return c, rows.Err()
}

// ----- documents -----

func (s *sqlStore) PutDocument(ctx context.Context, d *Document) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO documents (id, profile, client, level, signed_at,
		signer_name, signer_subject, signer_issuer, signer_serial, input_sha256, output_sha256, size,
		number, subject, title, nip, confidential, downloadable, stored, retain_until)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`),
		d.ID, d.Profile, d.Client, d.Level, fmtTime(d.SignedAt), d.SignerName, d.SignerSubject, d.SignerIssuer,
		d.SignerSerial, d.InputSHA256, d.OutputSHA256, d.Size, d.Number, d.Subject, d.Title, d.NIP,
		d.Confidential, d.Downloadable, d.Stored, fmtTime(d.RetainUntil))
	if isUnique(err) {
		return fmt.Errorf("%w: document %s", ErrExists, d.ID)
	}
	if err != nil {
		return fmt.Errorf("store: document: %w", err)
	}
	return nil
}

func (s *sqlStore) GetDocument(ctx context.Context, id string) (*Document, error) {
	d := &Document{}
	var signed, retain string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, profile, client, level, signed_at, signer_name,
		signer_subject, signer_issuer, signer_serial, input_sha256, output_sha256, size, number, subject,
		title, nip, confidential, downloadable, stored, retain_until FROM documents WHERE id = ?`), id).Scan(
		&d.ID, &d.Profile, &d.Client, &d.Level, &signed, &d.SignerName, &d.SignerSubject, &d.SignerIssuer,
		&d.SignerSerial, &d.InputSHA256, &d.OutputSHA256, &d.Size, &d.Number, &d.Subject, &d.Title, &d.NIP,
		&d.Confidential, &d.Downloadable, &d.Stored, &retain)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: document %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: document: %w", err)
	}
	d.SignedAt, d.RetainUntil = parseTime(signed), parseTime(retain)
	return d, nil
}

// ----- blobs -----

var validID = regexp.MustCompile(`^[a-z2-7]{8,64}$`)

func checkID(id string) error {
	if !validID.MatchString(id) {
		return fmt.Errorf("store: invalid document id %q", id)
	}
	return nil
}

const blobChunk = 1 << 20

func (s *sqlStore) PutBlob(ctx context.Context, id string, r io.Reader) (int64, error) {
	if err := checkID(id); err != nil {
		return 0, err
	}
	if s.blobDir != "" {
		f, err := os.CreateTemp(s.blobDir, ".put-*")
		if err != nil {
			return 0, fmt.Errorf("store: blob: %w", err)
		}
		n, err := io.Copy(f, r)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(f.Name(), filepath.Join(s.blobDir, id))
		}
		if err != nil {
			os.Remove(f.Name())
			return 0, fmt.Errorf("store: blob %s: %w", id, err)
		}
		return n, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: blob: %w", err)
	}
	defer tx.Rollback()
	buf := make([]byte, blobChunk)
	var total int64
	for chunk := 0; ; chunk++ {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO blobs (id, chunk, data) VALUES (?, ?, ?)`), id, chunk, buf[:n]); err != nil {
				if isUnique(err) {
					return 0, fmt.Errorf("%w: blob %s", ErrExists, id)
				}
				return 0, fmt.Errorf("store: blob %s: %w", id, err)
			}
			total += int64(n)
		}
		if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
			break
		}
		if rerr != nil {
			return 0, fmt.Errorf("store: blob %s: %w", id, rerr)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: blob %s: %w", id, err)
	}
	return total, nil
}

func (s *sqlStore) OpenBlob(ctx context.Context, id string) (io.ReadCloser, int64, error) {
	if err := checkID(id); err != nil {
		return nil, 0, err
	}
	if s.blobDir != "" {
		f, err := os.Open(filepath.Join(s.blobDir, id))
		if errors.Is(err, os.ErrNotExist) {
			return nil, 0, fmt.Errorf("%w: blob %s", ErrNotFound, id)
		}
		if err != nil {
			return nil, 0, fmt.Errorf("store: blob %s: %w", id, err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, err
		}
		return f, st.Size(), nil
	}
	var size int64
	var chunks int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(LENGTH(data)), 0), COUNT(*) FROM blobs WHERE id = ?`), id).Scan(&size, &chunks); err != nil {
		return nil, 0, fmt.Errorf("store: blob %s: %w", id, err)
	}
	if chunks == 0 {
		return nil, 0, fmt.Errorf("%w: blob %s", ErrNotFound, id)
	}
	return &chunkReader{ctx: ctx, s: s, id: id, chunks: chunks}, size, nil
}

// chunkReader reads a blob kept in the database one chunk at a time.
type chunkReader struct {
	ctx    context.Context
	s      *sqlStore
	id     string
	chunks int
	next   int
	buf    []byte
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.next >= c.chunks {
			return 0, io.EOF
		}
		if err := c.s.db.QueryRowContext(c.ctx, c.s.q(`SELECT data FROM blobs WHERE id = ? AND chunk = ?`), c.id, c.next).Scan(&c.buf); err != nil {
			return 0, fmt.Errorf("store: blob %s: %w", c.id, err)
		}
		c.next++
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

func (c *chunkReader) Close() error { return nil }

func (s *sqlStore) DeleteBlob(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	if s.blobDir != "" {
		if err := os.Remove(filepath.Join(s.blobDir, id)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("store: blob %s: %w", id, err)
		}
		return nil
	}
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM blobs WHERE id = ?`), id)
	return err
}

// ----- clients -----

func (s *sqlStore) PutClient(ctx context.Context, c *Client) error {
	if c.Created.IsZero() {
		c.Created = time.Now()
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO clients (name, key_hash, profiles, operations, created) VALUES (?,?,?,?,?)`),
		c.Name, c.KeyHash, strings.Join(c.Profiles, ","), strings.Join(c.Operations, ","), fmtTime(c.Created))
	if isUnique(err) {
		return fmt.Errorf("%w: client %s", ErrExists, c.Name)
	}
	if err != nil {
		return fmt.Errorf("store: client: %w", err)
	}
	return nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (s *sqlStore) scanClients(rows *sql.Rows) ([]*Client, error) {
	defer rows.Close()
	var out []*Client
	for rows.Next() {
		c := &Client{}
		var profiles, ops, created string
		if err := rows.Scan(&c.Name, &c.KeyHash, &profiles, &ops, &created); err != nil {
			return nil, fmt.Errorf("store: client: %w", err)
		}
		c.Profiles, c.Operations, c.Created = splitList(profiles), splitList(ops), parseTime(created)
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *sqlStore) ClientByKeyHash(ctx context.Context, h []byte) (*Client, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT name, key_hash, profiles, operations, created FROM clients WHERE key_hash = ?`), h)
	if err != nil {
		return nil, fmt.Errorf("store: client: %w", err)
	}
	cs, err := s.scanClients(rows)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("%w: client", ErrNotFound)
	}
	return cs[0], nil
}

func (s *sqlStore) Clients(ctx context.Context) ([]*Client, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, key_hash, profiles, operations, created FROM clients ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: client: %w", err)
	}
	return s.scanClients(rows)
}

// ----- failures -----

func (s *sqlStore) AddFailure(ctx context.Context, key string, t time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.q(`INSERT INTO failures (key, at) VALUES (?, ?)`), key, fmtTime(t)); err != nil {
		return fmt.Errorf("store: failures: %w", err)
	}
	// Forget what no window looks at any more.
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM failures WHERE at < ?`), fmtTime(t.Add(-24*time.Hour)))
	return err
}

func (s *sqlStore) CountFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM failures WHERE key = ? AND at >= ?`), key, fmtTime(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: failures: %w", err)
	}
	return n, nil
}
