package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Checkpoints of a SQLite store's WAL, off the commit path.
//
// SQLite's default (wal_autocheckpoint 1000 pages) makes the connection
// whose commit takes the WAL past 1000 pages copy the whole WAL into the
// database and fsync it, inside that commit: one group-commit batch in a
// hundred or so then took several times as long as the others, and every
// request in it waited for the copy (docs/decisions.md, "Checkpoints off
// the commit path"). The writing connection now has wal_autocheckpoint(0)
// and a checkpointer of its own connection copies the WAL in the
// background, as mature SQLite servers do:
//
//   - PASSIVE, at most every ckptInterval while writes come: copies what
//     no reader needs without taking the write lock, so commits go on;
//   - a catch-up by the committer once the WAL holds walRestartFrames or
//     more after such a pass: under steady writes a PASSIVE pass never
//     reaches the WAL's end (commits add frames while it copies), and
//     SQLite starts the WAL over only when a write transaction begins
//     with every frame copied, so without it the WAL would grow with
//     every letter. Between two batches, when no write is under way, the
//     committer runs one more PASSIVE pass on the writing connection: it
//     copies only the frames the background pass missed, and the next
//     batch writes the WAL from its start again. That is the bound: the
//     WAL holds about walRestartFrames plus what one interval writes,
//     unless a reader keeps an old snapshot meanwhile (then the next
//     round tries again). (A RESTART from the checkpointer's connection
//     was tried: it waits for the write lock with the busy handler, races
//     the committer's next BEGIN, and once it has the lock copies
//     thousands of frames with every commit held back.)
//   - TRUNCATE once no write came for ckptIdle, and at Close: the WAL file
//     is emptied and the database file holds everything.
//
// Durability is unchanged: commits still fsync the WAL (synchronous
// FULL), the checkpoint fsyncs the database file before the WAL is
// reused, and a crash at any point leaves a WAL that SQLite replays.
const (
	// ckptInterval: passes of about 1.8 MB each for kept letters at
	// 1800 a second; at 100 ms (7 MB a pass) sekda's p99 in `make
	// bench-http` was 2 ms higher (52.3 against 50.2 ms, five runs each),
	// bupati's CPU and rate the same (docs/decisions.md, "The CPU gate").
	ckptInterval     = 25 * time.Millisecond
	ckptIdle         = time.Second
	walRestartFrames = 4096 // 16 MiB of 4 KiB pages
	// ckptBusy is the checkpointer connection's busy_timeout in
	// milliseconds: how long a TRUNCATE waits for the writer and the
	// readers before it gives up until the next round. A pending one
	// holds new writers back, so it is short.
	ckptBusy = 100
)

// checkpointer runs the checkpoints of a SQLite database on its own
// connection.
type checkpointer struct {
	db     *sql.DB
	nudge  chan struct{}
	quit   chan struct{}
	done   chan struct{}
	paused atomic.Bool // tests: no checkpoint while set
	// restartFrames is walRestartFrames and interval ckptInterval, in
	// nanoseconds (tests lower them).
	restartFrames, interval atomic.Int64
	// catchUp is set when the WAL is past restartFrames: the committer
	// then checkpoints between two batches (sqliteDB.beforeBatch).
	catchUp atomic.Bool
	// passive, caught and truncate count the checkpoints run: PASSIVE
	// by the checkpointer, catch-ups by the committer, TRUNCATE; frames
	// is the WAL's size in frames after the last one.
	passive, caught, truncate atomic.Int64
	frames                    atomic.Int64
	stopOnce                  sync.Once
}

// newCheckpointer opens the checkpointer's connection to the database at
// uri and starts it.
func newCheckpointer(uri string) (*checkpointer, error) {
	// synchronous(FULL): the checkpoint fsyncs the database file before
	// the WAL may be reused.
	db, err := sql.Open("sqlite", uri+fmt.Sprintf("?_pragma=busy_timeout(%d)&_pragma=synchronous(FULL)", ckptBusy))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(0)
	c := &checkpointer{
		db:    db,
		nudge: make(chan struct{}, 1),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	c.restartFrames.Store(walRestartFrames)
	c.interval.Store(int64(ckptInterval))
	go c.loop()
	return c, nil
}

// wrote tells the checkpointer that a transaction wrote to the WAL. It
// never blocks.
func (c *checkpointer) wrote() {
	select {
	case c.nudge <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	idle := time.NewTimer(ckptIdle)
	defer idle.Stop()
	dirty := false // written since the last TRUNCATE
	var last time.Time
	for {
		select {
		case <-c.quit:
			return
		case <-c.nudge:
			dirty = true
			// At most one pass an interval: the pages written several
			// times meanwhile are copied once.
			if wait := time.Duration(c.interval.Load()) - time.Since(last); wait > 0 {
				select {
				case <-time.After(wait):
				case <-c.quit:
					return
				}
			}
			if !c.paused.Load() {
				if c.run(c.db, "PASSIVE") >= c.restartFrames.Load() {
					c.catchUp.Store(true)
				}
			}
			last = time.Now()
			if !idle.Stop() {
				select {
				case <-idle.C:
				default:
				}
			}
			idle.Reset(ckptIdle)
		case <-idle.C:
			if dirty && !c.paused.Load() {
				c.run(c.db, "TRUNCATE")
				dirty = c.frames.Load() != 0
			}
			idle.Reset(ckptIdle)
		}
	}
}

// caughtUp runs the committer's catch-up (see above) on w, the writing
// connection, if one is due; the committer calls it between batches.
func (c *checkpointer) caughtUp(w *sql.DB) {
	if c.catchUp.CompareAndSwap(true, false) {
		c.run(w, "CATCHUP")
	}
}

// run runs a checkpoint of mode (CATCHUP: a PASSIVE one by the
// committer) on db and returns the frames in the WAL after it (-1 if it
// failed). A checkpoint that cannot get its locks in time reports busy
// and is tried again in a later round.
func (c *checkpointer) run(db *sql.DB, mode string) int64 {
	sqlMode := mode
	if mode == "CATCHUP" {
		sqlMode = "PASSIVE"
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var busy, frames, done int64
	err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+sqlMode+")").Scan(&busy, &frames, &done)
	if err != nil {
		return -1
	}
	switch mode {
	case "PASSIVE":
		c.passive.Add(1)
	case "CATCHUP":
		c.caught.Add(1)
	case "TRUNCATE":
		c.truncate.Add(1)
		if busy == 0 {
			frames = 0
		}
	}
	c.frames.Store(frames)
	return frames
}

// close stops the checkpointer, empties the WAL into the database
// (TRUNCATE) and closes its connection. The store's writes have ended.
func (c *checkpointer) close() error {
	var err error
	c.stopOnce.Do(func() {
		close(c.quit)
		<-c.done
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var busy, frames, done int64
		if e := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &frames, &done); e != nil {
			err = fmt.Errorf("checkpointing: %w", e)
		} else {
			c.truncate.Add(1)
			c.frames.Store(frames)
		}
		if e := c.db.Close(); e != nil && err == nil {
			err = e
		}
	})
	return err
}
