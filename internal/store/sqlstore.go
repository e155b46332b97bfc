package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"
)

// querier is what the SQL shared by both stores needs from a database, a
// transaction or a pool: database/sql for SQLite and pgx for PostgreSQL
// both offer it. Queries use $1, $2, … placeholders, which both accept.
type querier interface {
	exec(ctx context.Context, query string, args ...any) error
	queryRow(ctx context.Context, query string, args ...any) row
	query(ctx context.Context, query string, args ...any) (rows, error)
}

type row interface {
	Scan(dest ...any) error
}

type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// database is one of the two SQL databases.
type database interface {
	// querier runs single statements, each in its own transaction.
	querier
	// writeTx runs fn in a transaction that will write; on SQLite it
	// begins with BEGIN IMMEDIATE, so it holds the write lock throughout.
	// fn uses q only: on SQLite the transaction holds the one writing
	// connection, which the database's own methods would wait for.
	writeTx(ctx context.Context, fn func(q querier) error) error
	// readTx runs fn in a read-only transaction that sees one snapshot.
	readTx(ctx context.Context, fn func(q querier) error) error
	// lockMigrations serialises the migrations of processes that open
	// the store at once; it is called first in their writeTx.
	lockMigrations(ctx context.Context, q querier) error
	// migration returns this database's version of m.
	migration(m migration) string
	// lockHeadQuery selects the headColumns of the audit chain head and
	// keeps other appenders out until the transaction ends.
	lockHeadQuery() string
	// isUnique reports whether err is a unique-constraint violation.
	isUnique(err error) bool
	ping(ctx context.Context) error
	close() error
}

// sqlStore implements Store over a database and a blob store.
type sqlStore struct {
	db    database
	blobs blobStore
	gc    committer
	// key is the audit key (Options.AuditKey); nil: the chain is not keyed.
	key []byte
}

var _ Store = (*sqlStore)(nil)

func (s *sqlStore) Ping(ctx context.Context) error {
	if err := s.db.ping(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

func (s *sqlStore) Close() error {
	s.gc.stop()
	if err := s.db.close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// ----- audit log -----

const auditColumns = `seq, time, request_id, client, profile, operation, signer_subject,
	signer_serial, signer_sha256, level, input_sha256, output_sha256, document_id, outcome,
	detail, prev_hash, hash`

func (s *sqlStore) AppendAudit(ctx context.Context, e *AuditEntry) error {
	cleanAudit(e)
	if err := s.write(ctx, &writeOp{audit: e}); err != nil {
		e.Seq, e.PrevHash, e.Hash = 0, "", ""
		return fmt.Errorf("store: appending to the audit log: %w", err)
	}
	return nil
}

// lockHead reads the chain head, keeping other appenders out until the
// transaction ends, and checks it under the audit key (checkHead).
func (s *sqlStore) lockHead(ctx context.Context, q querier) (*chainHead, error) {
	h := &chainHead{}
	if err := h.scan(q.queryRow(ctx, s.db.lockHeadQuery())); err != nil {
		return nil, fmt.Errorf("reading the chain head: %w", err)
	}
	if err := s.checkHead(ctx, q, h); err != nil {
		return nil, err
	}
	return h, nil
}

// The statements of every signature's commit (insertDocument,
// insertAudit), kept prepared on SQLite's writing connection
// (sqliteDB.prepare); pgx prepares and caches every statement on each of
// its connections by itself (its default QueryExecModeCacheStatement).
const (
	insertAuditSQL = `INSERT INTO audit (` + auditColumns + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`
	moveHeadSQL       = `UPDATE audit_head SET seq = $1, hash = $2, mac = $3 WHERE id = 1`
	insertDocumentSQL = `INSERT INTO documents (id, profile, client, level, signed_at,
		signer_name, signer_subject, signer_issuer, signer_serial, input_sha256, output_sha256,
		size, number, subject, title, nip, confidential, downloadable, stored, retain_until)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`
	// headSQL reads the chain head; lockHeadQuery adds what locks it.
	headSQL = `SELECT ` + headColumns + ` FROM audit_head WHERE id = 1`
)

// insertAudit appends e after the head h and moves the head (h too).
func (s *sqlStore) insertAudit(ctx context.Context, q querier, e *AuditEntry, h *chainHead) error {
	if err := s.appendEntry(ctx, q, e, h); err != nil {
		return err
	}
	return s.moveHead(ctx, q, h)
}

// appendEntry appends e after h, the last entry of the transaction's
// log (the chain head, or an entry appended after it), and makes h that
// entry; moveHead then writes it to the chain head. A batch of the group
// commit appends all its entries and moves the head once (migration 7).
func (s *sqlStore) appendEntry(ctx context.Context, q querier, e *AuditEntry, h *chainHead) error {
	e.Seq, e.PrevHash = h.seq+1, h.hash
	e.Hash = AuditHash(e)
	err := q.exec(ctx, insertAuditSQL,
		e.Seq, formatTime(e.Time), e.RequestID, e.Client, e.Profile, e.Operation,
		e.SignerSubject, e.SignerSerial, e.SignerSHA256, e.Level, e.InputSHA256,
		e.OutputSHA256, e.DocumentID, e.Outcome, e.Detail, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("inserting entry %d: %w", e.Seq, err)
	}
	h.seq, h.hash = e.Seq, e.Hash
	return nil
}

// moveHead writes h, the last entry appended (appendEntry), to the chain
// head, with its MAC when the chain is keyed.
func (s *sqlStore) moveHead(ctx context.Context, q querier, h *chainHead) error {
	mac := ""
	if h.chainID != "" {
		mac = headMAC(s.key, h.chainID, h.seq, h.hash)
	}
	if err := q.exec(ctx, moveHeadSQL, h.seq, h.hash, mac); err != nil {
		return fmt.Errorf("moving the chain head to entry %d: %w", h.seq, err)
	}
	h.mac = mac
	return nil
}

func scanAudit(r rows) (*AuditEntry, error) {
	e := &AuditEntry{}
	var t string
	err := r.Scan(&e.Seq, &t, &e.RequestID, &e.Client, &e.Profile, &e.Operation,
		&e.SignerSubject, &e.SignerSerial, &e.SignerSHA256, &e.Level, &e.InputSHA256,
		&e.OutputSHA256, &e.DocumentID, &e.Outcome, &e.Detail, &e.PrevHash, &e.Hash)
	if err != nil {
		return nil, err
	}
	if e.Time, err = parseTime(t); err != nil {
		// Keep the entry: VerifyAudit reports it as a hash mismatch.
		e.Time = time.Time{}
	}
	return e, nil
}

func (s *sqlStore) AuditEntries(ctx context.Context, from int64, limit int) ([]*AuditEntry, error) {
	if limit <= 0 {
		return nil, nil
	}
	r, err := s.db.query(ctx, `SELECT `+auditColumns+` FROM audit WHERE seq >= $1 ORDER BY seq LIMIT $2`, from, limit)
	if err != nil {
		return nil, fmt.Errorf("store: reading the audit log: %w", err)
	}
	defer r.Close()
	var out []*AuditEntry
	for r.Next() {
		e, err := scanAudit(r)
		if err != nil {
			return nil, fmt.Errorf("store: reading the audit log: %w", err)
		}
		out = append(out, e)
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("store: reading the audit log: %w", err)
	}
	return out, nil
}

func (s *sqlStore) VerifyAudit(ctx context.Context) (*AuditCheck, error) {
	c := newChainCheck()
	err := s.db.readTx(ctx, func(q querier) error {
		// One snapshot: appends that commit meanwhile are not seen, so
		// the head and the log agree.
		h := &chainHead{}
		if err := h.scan(q.queryRow(ctx, `SELECT `+headColumns+` FROM audit_head WHERE id = 1`)); err != nil {
			return fmt.Errorf("reading the chain head: %w", err)
		}
		c.baseSeq = h.baseSeq
		r, err := q.query(ctx, `SELECT `+auditColumns+` FROM audit ORDER BY seq`)
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			e, err := scanAudit(r)
			if err != nil {
				return fmt.Errorf("after entry %d: %w", c.next-1, err)
			}
			c.add(e)
		}
		if err := r.Err(); err != nil {
			return fmt.Errorf("after entry %d: %w", c.next-1, err)
		}
		c.end(h.seq, h.hash)
		c.checkKeyed(s.key, h)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: verifying the audit log: %w", err)
	}
	return &c.AuditCheck, nil
}

// ----- documents -----

// validKey reports whether s can be a key as given: text that clean
// leaves alone, not empty.
func validKey(s string) bool { return s != "" && clean(s) == s }

func (s *sqlStore) PutDocument(ctx context.Context, d *Document) error {
	if err := cleanDocument(d); err != nil {
		return err
	}
	return s.write(ctx, &writeOp{doc: d})
}

func (s *sqlStore) RecordSigned(ctx context.Context, d *Document, e *AuditEntry) error {
	return s.record(ctx, &writeOp{doc: d, audit: e})
}

// record writes op, a register record with its entry (and perhaps its
// file), as RecordSigned says.
func (s *sqlStore) record(ctx context.Context, op *writeOp) error {
	d, e := op.doc, op.audit
	if err := cleanDocument(d); err != nil {
		return err
	}
	cleanAudit(e)
	// One op: commit writes the record, its file when inline, and then
	// the entry in the same transaction, and a failure undoes them all.
	if err := s.write(ctx, op); err != nil {
		e.Seq, e.PrevHash, e.Hash = 0, "", ""
		if errors.Is(err, ErrExists) {
			return err
		}
		return fmt.Errorf("store: recording a signed document: %w", err)
	}
	return nil
}

// inlineBufs holds the buffers of files written inline (RecordKept):
// inlineMax+1 bytes, one more than fits, to tell a file that does.
var inlineBufs = sync.Pool{New: func() any { b := make([]byte, inlineMax+1); return &b }}

func (s *sqlStore) RecordKept(ctx context.Context, d *Document, e *AuditEntry, file io.Reader) error {
	if err := checkID(d.ID); err != nil {
		return err
	}
	if _, ok := s.blobs.(inlineBlobs); ok {
		bp := inlineBufs.Get().(*[]byte)
		buf := (*bp)[:inlineMax+1]
		n, err := io.ReadFull(ctxReader{ctx, file}, buf)
		// The letter's bytes do not stay in the pool after its request
		// (as the spool's buffers, docs/decisions.md "Small letters in
		// memory").
		defer func() { clear(buf[:n]); inlineBufs.Put(bp) }()
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			// It fits: the file in the record's transaction.
			data := buf[:n]
			d.Stored = true
			return s.record(ctx, &writeOp{doc: d, audit: e, blob: &data})
		case err != nil:
			return fmt.Errorf("%w: reading it: %w", ErrBlob, err)
		}
		// Too large to hold: streamed, what was read first.
		file = io.MultiReader(bytes.NewReader(buf[:n]), file)
	}
	if _, err := s.PutBlob(ctx, d.ID, file); err != nil {
		return fmt.Errorf("%w: %w", ErrBlob, err)
	}
	d.Stored = true
	if err := s.RecordSigned(ctx, d, e); err != nil {
		// The file is this signature's (PutBlob refuses a taken id): it
		// goes with the record that failed.
		s.blobs.delete(context.WithoutCancel(ctx), d.ID)
		return err
	}
	return nil
}

// cleanDocument checks d's id and makes its text storable and its times
// canonical.
func cleanDocument(d *Document) error {
	if !validKey(d.ID) {
		return fmt.Errorf("store: document id %q is empty or not UTF-8 text", d.ID)
	}
	for _, f := range []*string{&d.Profile, &d.Client, &d.Level, &d.SignerName, &d.SignerSubject,
		&d.SignerIssuer, &d.SignerSerial, &d.InputSHA256, &d.OutputSHA256, &d.Number,
		&d.Subject, &d.Title, &d.NIP} {
		*f = clean(*f)
	}
	d.SignedAt, d.RetainUntil = d.SignedAt.UTC().Round(0), d.RetainUntil.UTC().Round(0)
	return nil
}

func (s *sqlStore) insertDocument(ctx context.Context, q querier, d *Document) error {
	err := q.exec(ctx, insertDocumentSQL,
		d.ID, d.Profile, d.Client, d.Level, formatTime(d.SignedAt), d.SignerName, d.SignerSubject,
		d.SignerIssuer, d.SignerSerial, d.InputSHA256, d.OutputSHA256, d.Size, d.Number,
		d.Subject, d.Title, d.NIP, d.Confidential, d.Downloadable, d.Stored, formatTime(d.RetainUntil))
	if s.db.isUnique(err) {
		return fmt.Errorf("%w: document %s", ErrExists, d.ID)
	}
	if err != nil {
		return fmt.Errorf("store: recording document %s: %w", d.ID, err)
	}
	return nil
}

func (s *sqlStore) GetDocument(ctx context.Context, id string) (*Document, error) {
	if !validKey(id) {
		return nil, fmt.Errorf("%w: document %q", ErrNotFound, id)
	}
	d := &Document{}
	var signed, retain string
	err := s.db.queryRow(ctx, `SELECT id, profile, client, level, signed_at, signer_name,
		signer_subject, signer_issuer, signer_serial, input_sha256, output_sha256, size, number,
		subject, title, nip, confidential, downloadable, stored, retain_until
		FROM documents WHERE id = $1`, id).Scan(
		&d.ID, &d.Profile, &d.Client, &d.Level, &signed, &d.SignerName, &d.SignerSubject,
		&d.SignerIssuer, &d.SignerSerial, &d.InputSHA256, &d.OutputSHA256, &d.Size, &d.Number,
		&d.Subject, &d.Title, &d.NIP, &d.Confidential, &d.Downloadable, &d.Stored, &retain)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: document %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: reading document %s: %w", id, err)
	}
	if d.SignedAt, err = parseTime(signed); err != nil {
		return nil, fmt.Errorf("store: document %s: signed_at: %w", id, err)
	}
	if d.RetainUntil, err = parseTime(retain); err != nil {
		return nil, fmt.Errorf("store: document %s: retain_until: %w", id, err)
	}
	return d, nil
}

// ----- blobs -----

// blobStore keeps the signed files: a directory, or a table.
type blobStore interface {
	put(ctx context.Context, id string, r io.Reader) (int64, error)
	open(ctx context.Context, id string) (io.ReadCloser, int64, error)
	delete(ctx context.Context, id string) error
	// list returns every blob's id, and when it was written (zero when
	// not known).
	list(ctx context.Context) ([]blobInfo, error)
}

// blobInfo is a stored blob as list finds it.
type blobInfo struct {
	id      string
	written time.Time
}

// maxIDLen bounds blob ids, which are file names: well under the 255
// bytes of a name on Linux file systems. Document ids are 26 characters.
const maxIDLen = 100

var validID = regexp.MustCompile(`^[a-z2-7]+$`)

// checkID refuses any blob id but lower-case base32: it is a file name,
// and must not climb out of the blob directory.
func checkID(id string) error {
	if len(id) > maxIDLen || !validID.MatchString(id) {
		return fmt.Errorf("store: blob id %q is not lower-case base32 of at most %d characters", id, maxIDLen)
	}
	return nil
}

func (s *sqlStore) PutBlob(ctx context.Context, id string, r io.Reader) (int64, error) {
	if err := checkID(id); err != nil {
		return 0, err
	}
	return s.blobs.put(ctx, id, r)
}

func (s *sqlStore) OpenBlob(ctx context.Context, id string) (io.ReadCloser, int64, error) {
	if err := checkID(id); err != nil {
		return nil, 0, err
	}
	return s.blobs.open(ctx, id)
}

func (s *sqlStore) DeleteBlob(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	return s.blobs.delete(ctx, id)
}

func (s *sqlStore) ExpireBlobs(ctx context.Context, t time.Time, limit int) ([]string, error) {
	r, err := s.db.query(ctx, `SELECT id FROM documents WHERE stored AND retain_until <> '' AND retain_until < $1
		ORDER BY retain_until LIMIT $2`, formatTime(t.UTC()), limit)
	if err != nil {
		return nil, fmt.Errorf("store: expired files: %w", err)
	}
	var ids []string
	for r.Next() {
		var id string
		if err := r.Scan(&id); err != nil {
			r.Close()
			return nil, fmt.Errorf("store: expired files: %w", err)
		}
		ids = append(ids, id)
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("store: expired files: %w", err)
	}
	var done []string
	for _, id := range ids {
		// The record first: a file without a record saying it is stored
		// is never served, and the next sweep deletes nothing twice.
		if err := s.db.exec(ctx, `UPDATE documents SET stored = $1 WHERE id = $2`, false, id); err != nil {
			return done, fmt.Errorf("store: expiring %s: %w", id, err)
		}
		if err := s.blobs.delete(ctx, id); err != nil && !errors.Is(err, ErrNotFound) {
			return done, fmt.Errorf("store: expiring %s: %w", id, err)
		}
		done = append(done, id)
	}
	return done, nil
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// ----- clients -----

func (s *sqlStore) PutClient(ctx context.Context, c *Client) error {
	if !validKey(c.Name) {
		return fmt.Errorf("store: client name %q is empty or not UTF-8 text", c.Name)
	}
	if len(c.KeyHash) == 0 {
		return fmt.Errorf("store: client %s: no key hash", c.Name)
	}
	// The lists are kept comma-separated.
	for _, list := range [][]string{c.Profiles, c.Operations} {
		for _, v := range list {
			if !validKey(v) || strings.Contains(v, ",") {
				return fmt.Errorf("store: client %s: profile or operation %q is empty, not UTF-8 text or holds a comma", c.Name, v)
			}
		}
	}
	if c.Created.IsZero() {
		c.Created = time.Now()
	}
	c.Created = c.Created.UTC().Round(0)
	err := s.db.exec(ctx, `INSERT INTO clients (name, key_hash, profiles, operations, created)
		VALUES ($1, $2, $3, $4, $5)`,
		c.Name, c.KeyHash, strings.Join(c.Profiles, ","), strings.Join(c.Operations, ","), formatTime(c.Created))
	if s.db.isUnique(err) {
		return fmt.Errorf("%w: client %s (its name, or its key)", ErrExists, c.Name)
	}
	if err != nil {
		return fmt.Errorf("store: adding client %s: %w", c.Name, err)
	}
	return nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (s *sqlStore) clients(ctx context.Context, where string, args ...any) ([]*Client, error) {
	r, err := s.db.query(ctx, `SELECT name, key_hash, profiles, operations, created, disabled FROM clients `+where, args...)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []*Client
	for r.Next() {
		c := &Client{}
		var profiles, ops, created string
		var disabled int64
		if err := r.Scan(&c.Name, &c.KeyHash, &profiles, &ops, &created, &disabled); err != nil {
			return nil, err
		}
		c.Disabled = disabled != 0
		if c.Created, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("client %s: created: %w", c.Name, err)
		}
		c.Profiles, c.Operations = splitList(profiles), splitList(ops)
		out = append(out, c)
	}
	return out, r.Err()
}

func (s *sqlStore) ClientByKeyHash(ctx context.Context, h []byte) (*Client, error) {
	// A disabled client's key is not known: it is refused like any other.
	cs, err := s.clients(ctx, `WHERE key_hash = $1 AND disabled = 0`, h)
	if err != nil {
		return nil, fmt.Errorf("store: finding a client by key: %w", err)
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("%w: client with that key", ErrNotFound)
	}
	return cs[0], nil
}

func (s *sqlStore) Clients(ctx context.Context) ([]*Client, error) {
	cs, err := s.clients(ctx, `ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: listing clients: %w", err)
	}
	return cs, nil
}

// ----- failed passphrases -----

// failureRetention is how long failed attempts are kept: far longer than
// any sensible passphrase window (15 minutes by default), so that counts
// are exact, yet short enough that the table stays small. A CountFailures
// since earlier than this counts only what is kept.
const failureRetention = 7 * 24 * time.Hour

func (s *sqlStore) AddFailure(ctx context.Context, key string, t time.Time) error {
	if t.IsZero() {
		t = time.Now()
	}
	err := s.db.writeTx(ctx, func(q querier) error {
		if err := q.exec(ctx, `INSERT INTO failures (key, at) VALUES ($1, $2)`, clean(key), formatTime(t)); err != nil {
			return err
		}
		// Forget what no window looks at any more.
		return q.exec(ctx, `DELETE FROM failures WHERE at < $1`, formatTime(t.Add(-failureRetention)))
	})
	if err != nil {
		return fmt.Errorf("store: recording a failed passphrase: %w", err)
	}
	return nil
}

func (s *sqlStore) CountFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM failures WHERE key = $1 AND at >= $2`,
		clean(key), formatTime(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: counting failed passphrases: %w", err)
	}
	return n, nil
}
