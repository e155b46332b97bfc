package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// blobChunk is the size of the rows a blob is cut into: large enough that
// a file takes few round trips, small enough that a read holds little
// memory and PostgreSQL stores each row out of line (TOAST) cheaply.
const blobChunk = 1 << 20

// inlineMax is the largest signed file written in the transaction of its
// register record (RecordKept), held in memory until that commits: the
// one-page letters that are most of what a gateway signs. SQLite's own
// measurements find blobs up to about 100 kB read and written faster in
// the database than as files (https://www.sqlite.org/intern-v-extern-blob.html).
// Larger files are streamed in chunks before the record, never held whole.
const inlineMax = 256 << 10

// maxBatchBlobBytes bounds the bytes of files one batch of the group
// commit writes (and holds), so that a batch of kept letters keeps the
// write transaction short.
const maxBatchBlobBytes = 4 << 20

// insertBlobSQL stores one chunk of a blob.
const insertBlobSQL = `INSERT INTO blobs (id, chunk, data, created) VALUES ($1, $2, $3, $4)`

// dbBlobs keeps blobs in the database's blobs table, one row per chunk
// (each blobChunk bytes but the last): on PostgreSQL so that every
// replica sees them, on SQLite so that a kept letter costs no file of its
// own and, when small, no fsync of its own (RecordKept).
type dbBlobs struct {
	db database
	// oneTx writes a large blob in one transaction (PostgreSQL, whose
	// transactions do not keep other writers out). Without it (SQLite,
	// one writer at a time), each chunk is its own short transaction, so
	// that a letter of tens of MB does not hold the write lock, and with
	// it every signature's commit, for its whole upload; a crash midway
	// leaves chunks without a record, which Reconcile removes as a blob
	// without its record.
	oneTx bool
}

// inlineBlobs is a blob store in the database itself: RecordKept writes
// a small file in the transaction of its record.
type inlineBlobs interface{ inline() }

func (*dbBlobs) inline() {}

// blobBufs holds the buffers of chunks being written, blobChunk bytes
// (files written inline use inlineBufs, sqlstore.go).
var blobBufs = sync.Pool{New: func() any { b := make([]byte, blobChunk); return &b }}

func (b *dbBlobs) put(ctx context.Context, id string, r io.Reader) (int64, error) {
	bp := blobBufs.Get().(*[]byte)
	defer blobBufs.Put(bp)
	buf := *bp
	created := formatTime(time.Now())
	var total int64
	chunks := 0
	// next reads the next chunk of r into buf; last reports the end.
	next := func() (n int, last bool, err error) {
		n, err = io.ReadFull(ctxReader{ctx, r}, buf)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return n, true, nil
		}
		if err != nil {
			return 0, false, fmt.Errorf("reading the file: %w", err)
		}
		return n, false, nil
	}
	// insert writes the chunk read, if any: an empty file is one empty
	// chunk, so that it exists.
	insert := func(q querier, n int) error {
		if n == 0 && chunks > 0 {
			return nil
		}
		if err := q.exec(ctx, insertBlobSQL, id, chunks, buf[:n], created); err != nil {
			return err
		}
		chunks++
		total += int64(n)
		return nil
	}
	var err error
	if b.oneTx {
		// One transaction: a failure midway leaves no chunk behind.
		err = b.db.writeTx(ctx, func(q querier) error {
			for {
				n, last, err := next()
				if err == nil {
					err = insert(q, n)
				}
				if err != nil || last {
					return err
				}
			}
		})
	} else {
		// A transaction per chunk, read before it begins: the write lock
		// is never held while the file is read.
		for last := false; !last && err == nil; {
			var n int
			if n, last, err = next(); err == nil {
				err = b.db.writeTx(ctx, func(q querier) error { return insert(q, n) })
			}
		}
		if err != nil && chunks > 0 && !b.db.isUnique(err) {
			// The chunks written before the failure go: nothing is
			// left of a failed put (and of a crash's, Reconcile
			// removes what is left).
			b.delete(context.WithoutCancel(ctx), id)
		}
	}
	if err := storeErr(b.db, id, err); err != nil {
		return 0, err
	}
	return total, nil
}

// insertInline writes data, the signed file of document id, as the one
// chunk of its blob in the transaction q (RecordKept, commit.go).
func insertInline(ctx context.Context, db database, q querier, id string, data []byte) error {
	return storeErr(db, id, q.exec(ctx, insertBlobSQL, id, 0, data, formatTime(time.Now())))
}

// storeErr is the error of storing blob id that failed with err (nil if
// err is): a taken id is ErrExists.
func storeErr(db database, id string, err error) error {
	if db.isUnique(err) {
		return fmt.Errorf("%w: blob %s", ErrExists, id)
	}
	if err != nil {
		return fmt.Errorf("store: storing blob %s: %w", id, err)
	}
	return nil
}

func (b *dbBlobs) open(ctx context.Context, id string) (io.ReadCloser, int64, error) {
	var chunks, size, chunkLen int64
	err := b.db.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0), COALESCE(MAX(LENGTH(data)), 0)
		FROM blobs WHERE id = $1`, id).Scan(&chunks, &size, &chunkLen)
	if err != nil {
		return nil, 0, fmt.Errorf("store: opening blob %s: %w", id, err)
	}
	if chunks == 0 {
		return nil, 0, fmt.Errorf("%w: blob %s", ErrNotFound, id)
	}
	return &dbBlobReader{ctx: ctx, db: b.db, id: id, size: size, chunkLen: chunkLen, have: -1}, size, nil
}

func (b *dbBlobs) delete(ctx context.Context, id string) error {
	if err := b.db.exec(ctx, `DELETE FROM blobs WHERE id = $1`, id); err != nil {
		return fmt.Errorf("store: deleting blob %s: %w", id, err)
	}
	return nil
}

func (b *dbBlobs) list(ctx context.Context) ([]blobInfo, error) {
	rs, err := b.db.query(ctx, `SELECT id, MIN(created) FROM blobs GROUP BY id ORDER BY id`)
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

// dbBlobReader reads a blob one chunk (one query) at a time, so that a
// slow download holds no connection. It is an io.ReadSeeker. Its queries
// use the context given to OpenBlob: a reader outlives the call that made
// it, as an *os.File does.
type dbBlobReader struct {
	ctx      context.Context
	db       database
	id       string
	size     int64
	chunkLen int64 // the length of every chunk but the last
	pos      int64
	have     int64 // the chunk in buf, -1 for none
	buf      []byte
}

func (r *dbBlobReader) Read(p []byte) (int, error) {
	if r.pos >= r.size {
		return 0, io.EOF
	}
	chunk := r.pos / r.chunkLen
	if chunk != r.have {
		r.have, r.buf = -1, r.buf[:0]
		err := r.db.queryRow(r.ctx, `SELECT data FROM blobs WHERE id = $1 AND chunk = $2`, r.id, chunk).Scan(&r.buf)
		if errors.Is(err, sql.ErrNoRows) { // pgx's ErrNoRows is one too
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

func (r *dbBlobReader) Seek(offset int64, whence int) (int64, error) {
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

func (r *dbBlobReader) Close() error {
	r.buf = nil
	return nil
}
