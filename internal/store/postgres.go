package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrationLock is the key of the PostgreSQL advisory lock that keeps
// replicas starting together from migrating at once ("segel" in ASCII).
const migrationLock = 0x7365676c

// openPostgres connects to the PostgreSQL database of dsn.
func openPostgres(ctx context.Context, dsn string, opts *Options, version int) (*sqlStore, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// Not wrapped: the parser's message may quote the DSN, and with
		// it a password.
		return nil, errors.New("store: the PostgreSQL DSN cannot be parsed (it is not shown: it may hold a password)")
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "segel"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: PostgreSQL: %w", err)
	}
	db := &pgDB{pool: pool}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: PostgreSQL: %w", err)
	}
	if err := migrateTo(ctx, db, version); err != nil {
		pool.Close()
		return nil, err
	}
	var blobs blobStore = &pgBlobs{pool: pool}
	if opts.BlobDir != "" {
		if blobs, err = openFSBlobs(opts.BlobDir); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return &sqlStore{db: db, blobs: blobs, key: opts.AuditKey}, nil
}

// pgDB is a PostgreSQL database behind a pgx pool.
type pgDB struct {
	pool *pgxpool.Pool
}

// pgQuerier is what *pgxpool.Pool and pgx.Tx have in common.
type pgQuerier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

type pgq struct{ q pgQuerier }

func (p pgq) exec(ctx context.Context, query string, args ...any) error {
	_, err := p.q.Exec(ctx, query, args...)
	return err
}

func (p pgq) queryRow(ctx context.Context, query string, args ...any) row {
	return p.q.QueryRow(ctx, query, args...)
}

func (p pgq) query(ctx context.Context, query string, args ...any) (rows, error) {
	return p.q.Query(ctx, query, args...)
}

func (d *pgDB) exec(ctx context.Context, query string, args ...any) error {
	return pgq{d.pool}.exec(ctx, query, args...)
}

func (d *pgDB) queryRow(ctx context.Context, query string, args ...any) row {
	return pgq{d.pool}.queryRow(ctx, query, args...)
}

func (d *pgDB) query(ctx context.Context, query string, args ...any) (rows, error) {
	return pgq{d.pool}.query(ctx, query, args...)
}

func (d *pgDB) writeTx(ctx context.Context, fn func(q querier) error) error {
	return d.tx(ctx, pgx.TxOptions{}, fn)
}

func (d *pgDB) readTx(ctx context.Context, fn func(q querier) error) error {
	return d.tx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

func (d *pgDB) tx(ctx context.Context, opts pgx.TxOptions, fn func(q querier) error) error {
	tx, err := d.pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("beginning a transaction: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := fn(pgq{tx}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

func (d *pgDB) lockMigrations(ctx context.Context, q querier) error {
	if err := q.exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
		return fmt.Errorf("taking the migration lock: %w", err)
	}
	return nil
}

func (d *pgDB) migration(m migration) string { return m.postgres }

// lockHeadQuery locks the chain head row: appenders in every process
// queue on it, in order, until the transaction that holds it commits.
func (d *pgDB) lockHeadQuery() string {
	return headSQL + ` FOR UPDATE`
}

func (d *pgDB) isUnique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505" // unique_violation
}

func (d *pgDB) ping(ctx context.Context) error {
	var one int
	return d.pool.QueryRow(ctx, `SELECT 1 FROM audit_head`).Scan(&one)
}

func (d *pgDB) close() error {
	d.pool.Close()
	return nil
}

// ----- blobs in a table -----

// blobChunk is the size of the rows a blob is cut into: large enough that
// a file takes few round trips, small enough that a read holds little
// memory and PostgreSQL stores each row out of line (TOAST) cheaply.
const blobChunk = 1 << 20

// pgBlobs keeps blobs in the blobs table, one row per chunk (each
// blobChunk bytes but the last), so that every replica sees them.
type pgBlobs struct {
	pool *pgxpool.Pool
}

func (b *pgBlobs) put(ctx context.Context, id string, r io.Reader) (int64, error) {
	var total int64
	// One transaction: a failure midway leaves no chunk behind.
	err := pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
		buf := make([]byte, blobChunk)
		created := formatTime(time.Now())
		for chunk := 0; ; chunk++ {
			n, rerr := io.ReadFull(r, buf)
			if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
				return fmt.Errorf("reading the file: %w", rerr)
			}
			// An empty file is one empty chunk: it exists.
			if n > 0 || chunk == 0 {
				if _, err := tx.Exec(ctx, `INSERT INTO blobs (id, chunk, data, created) VALUES ($1, $2, $3, $4)`, id, chunk, buf[:n], created); err != nil {
					return err
				}
				total += int64(n)
			}
			if rerr != nil {
				return nil
			}
		}
	})
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return 0, fmt.Errorf("%w: blob %s", ErrExists, id)
	}
	if err != nil {
		return 0, fmt.Errorf("store: storing blob %s: %w", id, err)
	}
	return total, nil
}

func (b *pgBlobs) open(ctx context.Context, id string) (io.ReadCloser, int64, error) {
	var chunks, size, chunkLen int64
	err := b.pool.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0), COALESCE(MAX(LENGTH(data)), 0)
		FROM blobs WHERE id = $1`, id).Scan(&chunks, &size, &chunkLen)
	if err != nil {
		return nil, 0, fmt.Errorf("store: opening blob %s: %w", id, err)
	}
	if chunks == 0 {
		return nil, 0, fmt.Errorf("%w: blob %s", ErrNotFound, id)
	}
	return &pgBlobReader{ctx: ctx, pool: b.pool, id: id, size: size, chunkLen: chunkLen, have: -1}, size, nil
}

func (b *pgBlobs) delete(ctx context.Context, id string) error {
	if _, err := b.pool.Exec(ctx, `DELETE FROM blobs WHERE id = $1`, id); err != nil {
		return fmt.Errorf("store: deleting blob %s: %w", id, err)
	}
	return nil
}

func (b *pgBlobs) list(ctx context.Context) ([]blobInfo, error) {
	rs, err := b.pool.Query(ctx, `SELECT id, MIN(created) FROM blobs GROUP BY id ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: listing blobs: %w", err)
	}
	defer rs.Close()
	var out []blobInfo
	for rs.Next() {
		var id, created string
		if err := rs.Scan(&id, &created); err != nil {
			return nil, fmt.Errorf("store: listing blobs: %w", err)
		}
		bi := blobInfo{id: id}
		if created != "" {
			bi.written, _ = time.Parse(timeFormat, created)
		}
		out = append(out, bi)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("store: listing blobs: %w", err)
	}
	return out, nil
}

// pgBlobReader reads a blob one chunk (one query) at a time, so that a
// slow download holds no connection. It is an io.ReadSeeker. Its queries
// use the context given to OpenBlob: a reader outlives the call that made
// it, as an *os.File does.
type pgBlobReader struct {
	ctx      context.Context
	pool     *pgxpool.Pool
	id       string
	size     int64
	chunkLen int64 // the length of every chunk but the last
	pos      int64
	have     int64 // the chunk in buf, -1 for none
	buf      []byte
}

func (r *pgBlobReader) Read(p []byte) (int, error) {
	if r.pos >= r.size {
		return 0, io.EOF
	}
	chunk := r.pos / r.chunkLen
	if chunk != r.have {
		r.have, r.buf = -1, r.buf[:0]
		err := r.pool.QueryRow(r.ctx, `SELECT data FROM blobs WHERE id = $1 AND chunk = $2`, r.id, chunk).Scan(&r.buf)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, fmt.Errorf("store: reading blob %s: chunk %d is gone (deleted while read?)", r.id, chunk)
		}
		if err != nil {
			return 0, fmt.Errorf("store: reading blob %s: %w", r.id, err)
		}
		r.have = chunk
	}
	off := r.pos - chunk*r.chunkLen
	if off >= int64(len(r.buf)) {
		return 0, fmt.Errorf("store: reading blob %s: chunk %d is shorter than its size says", r.id, chunk)
	}
	n := copy(p, r.buf[off:])
	r.pos += int64(n)
	return n, nil
}

func (r *pgBlobReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, fmt.Errorf("store: blob %s: seek: invalid whence %d", r.id, whence)
	}
	if offset < 0 {
		return 0, fmt.Errorf("store: blob %s: seek to a negative position", r.id)
	}
	r.pos = offset
	return offset, nil
}

func (r *pgBlobReader) Close() error {
	r.buf = nil
	return nil
}
