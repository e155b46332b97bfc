package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Group commit: the documents and audit entries of concurrent requests
// are written in one transaction, so that one fsync (SQLite) or one round
// of the chain-head lock (PostgreSQL) serves a whole batch. A signing
// gateway under load writes two rows per signature; without this the
// store, not the HSM, would set the pace.

// writeOp is a document or an audit entry to write, and where to say how
// it went.
type writeOp struct {
	doc   *Document
	audit *AuditEntry
	// blob, when not nil, is doc's signed file, written as its one chunk
	// in the blobs table after doc (RecordKept); may be empty.
	blob *[]byte
	err  chan error
}

// blobBytes returns the bytes of the file op writes.
func (op *writeOp) blobBytes() int {
	if op.blob == nil {
		return 0
	}
	return len(*op.blob)
}

// maxBatch bounds the writes committed together.
const maxBatch = 128

// commitDelay bounds how long a batch waits for companions (see
// commitLoop): about what one SQLite commit costs a request in wall time
// on an ordinary disk, and 2 % of the p99 goal of issue 12.
const commitDelay = time.Millisecond

// committer runs the batches of a store.
type committer struct {
	once sync.Once
	ops  chan *writeOp
	quit chan struct{}
	wg   sync.WaitGroup
	// expected counts the writes announced (ExpectRecord) that have not
	// reached the store yet: signatures being made. A batch waits for
	// companions only while it is not zero (commitLoop).
	expected atomic.Int64
	// commits counts the transactions run (for tests: fewer than the
	// writes when they are grouped); delays counts the batches that
	// waited for companions.
	commits atomic.Int64
	delays  atomic.Int64
}

// ExpectRecord: see Store.
func (s *sqlStore) ExpectRecord() func() {
	s.gc.expected.Add(1)
	var once sync.Once
	return func() { once.Do(func() { s.gc.expected.Add(-1) }) }
}

func (c *committer) start(s *sqlStore) {
	c.once.Do(func() {
		c.ops = make(chan *writeOp, maxBatch)
		c.quit = make(chan struct{})
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			s.commitLoop()
		}()
	})
}

func (c *committer) stop() {
	if c.quit != nil {
		select {
		case <-c.quit:
		default:
			close(c.quit)
		}
		c.wg.Wait()
	}
}

// write hands op to the committer and waits until it is committed.
func (s *sqlStore) write(ctx context.Context, op *writeOp) error {
	s.gc.start(s)
	op.err = make(chan error, 1)
	select {
	case s.gc.ops <- op:
	case <-s.gc.quit:
		return errors.New("store closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the write happens even if ctx ends; waiting for it
	// means a caller never reports as lost what was recorded.
	return <-op.err
}

func (s *sqlStore) commitLoop() {
	for {
		var batch []*writeOp
		select {
		case op := <-s.gc.ops:
			batch = append(batch, op)
		case <-s.gc.quit:
			// Finish what is queued.
			for {
				select {
				case op := <-s.gc.ops:
					op.err <- s.commit([]*writeOp{op})
				default:
					return
				}
			}
		}
		batch = s.gc.fill(batch)
		if b, ok := s.db.(interface{ beforeBatch() }); ok {
			// SQLite: the WAL's bound (checkpoint.go).
			b.beforeBatch()
		}
		if err := s.commit(batch); err != nil && len(batch) > 1 {
			// One bad write (a duplicate id) must fail alone.
			for _, op := range batch {
				op.err <- s.commit([]*writeOp{op})
			}
			continue
		} else if err != nil {
			batch[0].err <- err
			continue
		}
		for _, op := range batch {
			op.err <- nil
		}
	}
}

// fill adds to batch the writes queued already and, while signatures
// that will write soon are being made (expected), those that arrive
// within commitDelay: like PostgreSQL's commit_delay and commit_siblings,
// a batch waits briefly for companions only when there is concurrent
// work, so that under load one transaction (and one fsync) serves
// several signatures instead of each paying its own, while a lone write
// on an idle gateway is committed at once. The wait ends early when the
// batch is full or no announced write is still on its way.
func (c *committer) fill(batch []*writeOp) []*writeOp {
	bytes := 0
	for _, op := range batch {
		bytes += op.blobBytes()
	}
	batch = c.drain(batch, &bytes)
	if full(batch, bytes) || c.expected.Load() <= 0 {
		return batch
	}
	c.delays.Add(1)
	t := time.NewTimer(commitDelay)
	defer t.Stop()
	for !full(batch, bytes) && c.expected.Load() > 0 {
		select {
		case op := <-c.ops:
			bytes += op.blobBytes()
			batch = c.drain(append(batch, op), &bytes)
		case <-t.C:
			return batch
		case <-c.quit:
			return batch
		}
	}
	return batch
}

// full reports whether a batch of the writes batch, whose files have
// bytes bytes, takes no more: maxBatch writes, or maxBatchBlobBytes of
// kept letters (a batch holds its files in memory and the write lock
// while it writes them).
func full(batch []*writeOp, bytes int) bool {
	return len(batch) >= maxBatch || bytes >= maxBatchBlobBytes
}

// drain adds to batch the writes queued, until it is full, without
// waiting; bytes counts the bytes of their files.
func (c *committer) drain(batch []*writeOp, bytes *int) []*writeOp {
	for !full(batch, *bytes) {
		select {
		case op := <-c.ops:
			batch = append(batch, op)
			*bytes += op.blobBytes()
		default:
			return batch
		}
	}
	return batch
}

// commit writes a batch in one transaction.
func (s *sqlStore) commit(batch []*writeOp) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s.gc.commits.Add(1)
	tx, txCtx := s.db.writeTx, ctx
	if g, ok := s.db.(interface {
		groupTx(ctx context.Context, fn func(q querier) error) error
	}); ok {
		// SQLite: the minute bounds the wait for the connection, and
		// the statements run detached from it (sqliteDB.groupTx).
		tx, ctx = g.groupTx, context.WithoutCancel(ctx)
	}
	err := tx(txCtx, func(q querier) error {
		var head *chainHead
		for _, op := range batch {
			if op.doc != nil {
				if err := s.insertDocument(ctx, q, op.doc); err != nil {
					return err
				}
			}
			if op.blob != nil {
				if err := insertInline(ctx, s.db, q, op.doc.ID, *op.blob); err != nil {
					return err
				}
			}
			if op.audit == nil {
				continue
			}
			if head == nil {
				var err error
				if head, err = s.lockHead(ctx, q); err != nil {
					return err
				}
			}
			if err := s.appendEntry(ctx, q, op.audit, head); err != nil {
				return err
			}
		}
		if head == nil {
			return nil
		}
		// The head once, to the batch's last entry: one statement (and
		// one MAC) a batch rather than an entry (migration 7).
		return s.moveHead(ctx, q, head)
	})
	if err != nil {
		for _, op := range batch {
			if op.audit != nil {
				op.audit.Seq, op.audit.PrevHash, op.audit.Hash = 0, "", ""
			}
		}
	}
	return err
}
