package store

import (
	"context"
	"errors"
	"fmt"

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
	var blobs blobStore = &dbBlobs{db: db, oneTx: true}
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
