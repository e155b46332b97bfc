package store

import (
	"context"
	"strings"
	"time"
)

// OpenVersion opens the store of dsn with its schema migrated only up to
// migration n, as an older Segel left it.
func OpenVersion(ctx context.Context, dsn string, n int) (Store, error) {
	if strings.HasPrefix(dsn, "postgres") {
		return openPostgres(ctx, dsn, &Options{}, n)
	}
	return openSQLite(ctx, dsn, &Options{}, n)
}

// Migrations is the number of migrations.
var Migrations = len(migrations)

// Commits returns the number of transactions the group committer of s
// has run.
func Commits(s Store) int64 { return s.(*sqlStore).gc.commits.Load() }

// Delays returns the number of batches the group committer of s made
// wait for companions.
func Delays(s Store) int64 { return s.(*sqlStore).gc.delays.Load() }

// checkpointerOf returns the WAL checkpointer of the SQLite store s.
func checkpointerOf(s Store) *checkpointer { return s.(*sqlStore).db.(*sqliteDB).ck }

// PauseCheckpoints stops (true) or lets go on (false) the background
// checkpoints of the SQLite store s.
func PauseCheckpoints(s Store, paused bool) { checkpointerOf(s).paused.Store(paused) }

// Checkpoints returns the checkpoints the SQLite store s has run: the
// checkpointer's PASSIVE ones, the committer's catch-ups, TRUNCATE.
func Checkpoints(s Store) (passive, caught, truncate int64) {
	c := checkpointerOf(s)
	return c.passive.Load(), c.caught.Load(), c.truncate.Load()
}

// SetWALRestart sets the WAL size, in frames, beyond which the committer
// of the SQLite store s catches up with the checkpoints (walRestartFrames).
func SetWALRestart(s Store, frames int64) { checkpointerOf(s).restartFrames.Store(frames) }

// SetCheckpointInterval sets the least time between two PASSIVE
// checkpoints of the SQLite store s (ckptInterval).
func SetCheckpointInterval(s Store, d time.Duration) { checkpointerOf(s).interval.Store(int64(d)) }

// CommitBatch records the signatures of docs and entries (one of each a
// signature) in one transaction of the group committer of s, as one
// batch of that size: for BenchmarkCommitBatch, which measures the
// commit of a batch without the timing of the committer's goroutine.
func CommitBatch(s Store, docs []*Document, entries []*AuditEntry) error {
	ss := s.(*sqlStore)
	batch := make([]*writeOp, len(docs))
	for i, d := range docs {
		if err := cleanDocument(d); err != nil {
			return err
		}
		cleanAudit(entries[i])
		batch[i] = &writeOp{doc: d, audit: entries[i]}
	}
	return ss.commit(batch)
}

// Anonymous is anonymous, for its test.
var Anonymous = anonymous
