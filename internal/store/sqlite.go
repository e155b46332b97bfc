package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

const (
	// sqliteBusyTimeout is how long, in milliseconds, a connection waits
	// for another process's write lock before giving up: far longer than
	// any append or migration holds it.
	sqliteBusyTimeout = 10000
	// sqliteReaders bounds the read connections. WAL lets them read while
	// the one writer writes.
	sqliteReaders = 4
)

// openSQLite opens (creating it if need be) the SQLite database at path.
func openSQLite(ctx context.Context, path string, opts *Options, version int) (*sqlStore, error) {
	if path == "" {
		return nil, errors.New("store: no SQLite database path")
	}
	path = filepath.Clean(path)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: SQLite database directory: %w", err)
	}
	// Create the file ourselves, so that it (and the -wal and -shm files
	// SQLite creates with the same mode) is not readable by others.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: SQLite database: %w", err)
	}
	f.Close()

	uri := sqliteURI(path)
	common := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)", sqliteBusyTimeout)
	// One writing connection: writers queue in the pool rather than on
	// the file lock, and _txlock=immediate makes every transaction take
	// the write lock at BEGIN (so that an append reads the chain head
	// under the lock that keeps other processes out). wal_autocheckpoint(0):
	// no commit copies the WAL into the database; the checkpointer does,
	// on its own connection (checkpoint.go).
	w, err := sql.Open("sqlite", uri+"?"+common+"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=wal_autocheckpoint(0)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: SQLite database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", uri+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: SQLite database %s: %w", path, err)
	}
	r.SetMaxOpenConns(sqliteReaders)
	db := &sqliteDB{w: w, r: r}
	if err := w.PingContext(ctx); err != nil {
		db.close()
		return nil, fmt.Errorf("store: SQLite database %s: %w", path, err)
	}
	if err := migrateTo(ctx, db, version); err != nil {
		db.close()
		return nil, err
	}
	if err := db.prepare(ctx); err != nil {
		db.close()
		return nil, fmt.Errorf("store: SQLite database %s: %w", path, err)
	}
	if db.ck, err = newCheckpointer(uri); err != nil {
		db.close()
		return nil, fmt.Errorf("store: SQLite database %s: %w", path, err)
	}
	blobs, err := sqliteBlobs(ctx, path, opts.BlobDir, db)
	if err != nil {
		db.close()
		return nil, err
	}
	return &sqlStore{db: db, blobs: blobs, key: opts.AuditKey}, nil
}

// sqliteBlobs returns where the SQLite store at path keeps its signed
// files: in the directory dir when one is configured (Options.BlobDir);
// in the database's blobs table when it holds any; in the "blobs"
// directory beside the database when that holds anything, as every store
// made before blobs went into the database does (its files are never
// moved, and new ones join them); else, for a new store, in the table,
// where a small kept letter is written in the transaction of its record
// (RecordKept): docs/decisions.md, "Kept letters in the database". The
// table is asked first so that a stray file in that directory never
// hides the files of a store that keeps them in the table.
func sqliteBlobs(ctx context.Context, path, dir string, db database) (blobStore, error) {
	if dir != "" {
		return openFSBlobs(dir)
	}
	var inTable bool
	if err := db.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM blobs)`).Scan(&inTable); err != nil {
		return nil, fmt.Errorf("store: blobs table: %w", err)
	}
	if inTable {
		return &dbBlobs{db: db}, nil
	}
	def := filepath.Join(filepath.Dir(path), "blobs")
	ents, err := os.ReadDir(def)
	if err == nil && len(ents) > 0 {
		return openFSBlobs(def)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("store: blob directory: %w", err)
	}
	return &dbBlobs{db: db}, nil
}

// sqliteURI returns the file: URI of path, escaping what a URI would
// read otherwise.
func sqliteURI(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(path))
}

// sqliteDB is a SQLite database: a pool of one connection that writes
// and a pool of connections that only read.
type sqliteDB struct {
	w, r *sql.DB
	// stmts are the hot statements of writeTx, prepared once on w (see
	// prepare), by their text; read-only once the store is open.
	stmts map[string]*sql.Stmt
	// ck checkpoints the WAL in the background; nil until the store is
	// open (migrations write without it).
	ck *checkpointer
}

// beforeBatch lets the checkpointer catch up with the WAL if it is past
// its bound (checkpointer.caughtUp); the committer calls it between two
// batches, holding no transaction.
func (d *sqliteDB) beforeBatch() {
	if d.ck != nil {
		d.ck.caughtUp(d.w)
	}
}

// wrote tells the checkpointer that the WAL has grown.
func (d *sqliteDB) wrote() {
	if d.ck != nil {
		d.ck.wrote()
	}
}

// prepare prepares the statements of every signature's commit on the
// writing connection. Without it, SQLite parses and plans each of them
// again in every transaction: about a tenth of a gateway's CPU per
// signature under load (docs/decisions.md, "Gateway performance").
func (d *sqliteDB) prepare(ctx context.Context) error {
	d.stmts = map[string]*sql.Stmt{}
	for _, q := range []string{insertAuditSQL, moveHeadSQL, insertDocumentSQL, headSQL, insertBlobSQL} {
		st, err := d.w.PrepareContext(ctx, anonymous(q))
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			// A schema left at an older version (OpenVersion, in
			// tests) lacks a column: the statement runs unprepared,
			// and fails there if it must.
			continue
		}
		d.stmts[q] = st
	}
	return nil
}

// anonymous returns q with its placeholders $1, $2, … $n, each once and
// in that order, written as SQLite's anonymous "?", which bind the same
// arguments in the same order; q as it is if its placeholders are not
// so. The driver asks SQLite the name of every parameter it binds, at
// every execution, and copies a named one's into a Go string: for the
// 37 parameters of a signature's record and entry, 37 C calls and
// allocations fewer.
func anonymous(q string) string {
	var b strings.Builder
	next := 1
	for i := 0; i < len(q); i++ {
		if q[i] != '$' {
			b.WriteByte(q[i])
			continue
		}
		j := i + 1
		for j < len(q) && q[j] >= '0' && q[j] <= '9' {
			j++
		}
		if q[i+1:j] != strconv.Itoa(next) {
			return q
		}
		b.WriteByte('?')
		next++
		i = j - 1
	}
	return b.String()
}

// sqlQuerier is what *sql.DB and *sql.Tx have in common.
type sqlQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// sqlq runs statements that write on w, and queries on r. In a
// transaction (tx set), the statements found in stmts run prepared.
type sqlq struct {
	w, r  sqlQuerier
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	// txStmts are the transaction's handles of stmts, made on first use:
	// each Tx.StmtContext makes a new one (allocations, locks, a
	// dependency recorded in the pool and removed at the end), so a batch
	// of the group commit makes one per statement rather than one per
	// row. Nil outside a transaction.
	txStmts map[string]*sql.Stmt
}

// prepared returns the transaction's handle of query's prepared
// statement, or nil. database/sql reuses the statement prepared on the
// transaction's connection (the one writing connection) rather than
// preparing it again.
func (q sqlq) prepared(ctx context.Context, query string) *sql.Stmt {
	if q.tx == nil {
		return nil
	}
	if st := q.txStmts[query]; st != nil {
		return st
	}
	if st := q.stmts[query]; st != nil {
		st = q.tx.StmtContext(ctx, st)
		q.txStmts[query] = st
		return st
	}
	return nil
}

// detach returns ctx without its cancellation (ctx itself when it has
// none, as in the group commit, which detaches its statements' context
// once a batch). The prepared statements run so: with a context that can
// end, the driver (modernc.org/sqlite) starts a goroutine per statement
// to watch it and sets and clears a progress handler; with the
// transaction's own watchers (groupTx) that was about a quarter of the
// group commit's CPU per signature in a process with an idle P, a tenth
// with one P (docs/decisions.md, "Store commit CPU per signature"). Their
// transaction still ends with its context: database/sql watches the
// context given to BeginTx, rolls the transaction back once it is done
// (after the statement running, one row's write) and then refuses its
// statements and its Commit; BEGIN and COMMIT, the two that can wait for
// a lock, still see it.
func detach(ctx context.Context) context.Context {
	if ctx.Done() == nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

func (q sqlq) exec(ctx context.Context, query string, args ...any) error {
	if st := q.prepared(ctx, query); st != nil {
		_, err := st.ExecContext(detach(ctx), args...)
		return err
	}
	_, err := q.w.ExecContext(ctx, query, args...)
	return err
}

func (q sqlq) queryRow(ctx context.Context, query string, args ...any) row {
	if st := q.prepared(ctx, query); st != nil {
		return st.QueryRowContext(detach(ctx), args...)
	}
	return q.r.QueryRowContext(ctx, query, args...)
}

func (q sqlq) query(ctx context.Context, query string, args ...any) (rows, error) {
	r, err := q.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

func (d *sqliteDB) exec(ctx context.Context, query string, args ...any) error {
	err := sqlq{w: d.w, r: d.r}.exec(ctx, query, args...)
	d.wrote()
	return err
}

func (d *sqliteDB) queryRow(ctx context.Context, query string, args ...any) row {
	return sqlq{w: d.w, r: d.r}.queryRow(ctx, query, args...)
}

func (d *sqliteDB) query(ctx context.Context, query string, args ...any) (rows, error) {
	return sqlq{w: d.w, r: d.r}.query(ctx, query, args...)
}

func (d *sqliteDB) writeTx(ctx context.Context, fn func(q querier) error) error {
	err := sqlTx(ctx, d.w, nil, d.stmts, fn)
	d.wrote()
	return err
}

// groupTx runs a batch of the group commit (commit.go) as writeTx runs
// fn, but only the wait for the writing connection sees ctx: the
// transaction itself runs with ctx's cancellation detached. With a
// context that can end, database/sql starts a goroutine per transaction
// to watch it and the driver one per BEGIN and COMMIT (about a tenth of
// the commit's CPU per signature with an idle P to wake for them;
// docs/decisions.md, "Store commit CPU per signature"). Nothing in a
// batch waits on ctx anyway
// once it has the connection: BEGIN IMMEDIATE and COMMIT wait for
// another process's lock under busy_timeout (10 s, well under the
// committer's minute), and its statements are one row's write each.
func (d *sqliteDB) groupTx(ctx context.Context, fn func(q querier) error) error {
	c, err := d.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("beginning a transaction: %w", err)
	}
	defer c.Close()
	err = sqlTx(context.WithoutCancel(ctx), c, nil, d.stmts, fn)
	d.wrote()
	return err
}

func (d *sqliteDB) readTx(ctx context.Context, fn func(q querier) error) error {
	// A read transaction in WAL mode reads one snapshot from its first
	// SELECT on.
	return sqlTx(ctx, d.r, &sql.TxOptions{ReadOnly: true}, nil, fn)
}

// txBeginner is what *sql.DB and *sql.Conn have in common.
type txBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

func sqlTx(ctx context.Context, db txBeginner, opts *sql.TxOptions, stmts map[string]*sql.Stmt, fn func(q querier) error) error {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("beginning a transaction: %w", err)
	}
	defer tx.Rollback()
	if err := fn(sqlq{w: tx, r: tx, tx: tx, stmts: stmts, txStmts: map[string]*sql.Stmt{}}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

// lockMigrations has nothing to do: writeTx holds the write lock already.
func (d *sqliteDB) lockMigrations(context.Context, querier) error { return nil }

func (d *sqliteDB) migration(m migration) string { return m.sqlite }

// lockHeadQuery needs no FOR UPDATE: writeTx holds the write lock.
func (d *sqliteDB) lockHeadQuery() string { return headSQL }

func (d *sqliteDB) isUnique(err error) bool {
	if err == nil {
		// Every write of a batch asks: no allocation for the answer.
		return false
	}
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

func (d *sqliteDB) ping(ctx context.Context) error {
	var one int
	return d.r.QueryRowContext(ctx, `SELECT 1 FROM audit_head`).Scan(&one)
}

// close closes the database; its writes have ended. The checkpointer
// empties the WAL into the database file first, so that the file alone
// holds everything (as SQLite's own checkpoint when its last connection
// closes does, but not left to the order in which the pools close).
func (d *sqliteDB) close() error {
	for _, st := range d.stmts {
		st.Close()
	}
	var ckErr error
	if d.ck != nil {
		ckErr = d.ck.close()
	}
	return errors.Join(ckErr, d.r.Close(), d.w.Close())
}
