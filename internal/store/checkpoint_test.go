package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/store"
)

// The WAL checkpoints of a SQLite store run in the background, not in
// its commits (internal/store/checkpoint.go; docs/decisions.md,
// "Checkpoints off the commit path").

// keepLetters records n kept letters of size bytes each from workers
// goroutines and returns their ids.
func keepLetters(t *testing.T, s store.Store, n, size, workers int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = docID()
	}
	var wg sync.WaitGroup
	next := make(chan int)
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for i := range next {
				d, e := signed(ids[i], "eoffice")
				if err := s.RecordKept(context.Background(), d, e, bytes.NewReader(letterOf(ids[i], size))); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for i := range ids {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return ids
}

// letterOf is the file of letter id: its id, repeated to size bytes.
func letterOf(id string, size int) []byte {
	return bytes.Repeat([]byte(id), size/len(id)+1)[:size]
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: not %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCheckpointNotInCommit: commits that take the WAL far past SQLite's
// default autocheckpoint (1000 pages) copy nothing into the database file
// while the background checkpointer is held: no checkpoint runs inside a
// commit. Let go, the checkpointer copies the WAL into the database on
// its own. With SQLite's default, the commit that passes 1000 pages
// checkpoints, and the database file grows under the writes.
func TestCheckpointNotInCommit(t *testing.T) {
	dsn := sqliteBackend.newDSN(t)
	s := open(t, dsn, nil)
	store.PauseCheckpoints(s, true)
	keepLetters(t, s, 1, 100, 1)
	dbSize := fileSize(t, dsn)
	// 96 letters of 64 KiB: over 1500 pages of 4 KiB in the WAL.
	ids := keepLetters(t, s, 96, 64<<10, 8)
	if got := fileSize(t, dsn); got != dbSize {
		t.Fatalf("the database file went from %d to %d bytes during the commits: a checkpoint ran in a commit", dbSize, got)
	}
	if wal := fileSize(t, dsn+"-wal"); wal < 96*64<<10 {
		t.Fatalf("the WAL holds %d bytes, less than the %d written", wal, 96*64<<10)
	}
	if p, r, tr := store.Checkpoints(s); p+r+tr != 0 {
		t.Fatalf("checkpoints while held: %d passive, %d restart, %d truncate", p, r, tr)
	}
	store.PauseCheckpoints(s, false)
	keepLetters(t, s, 1, 100, 1) // a write tells the checkpointer
	waitFor(t, "checkpointed in the background", func() bool {
		p, _, _ := store.Checkpoints(s)
		return p > 0 && fileSize(t, dsn) >= 96*64<<10
	})
	for _, id := range ids[:4] {
		checkBlob(t, s, id, letterOf(id, 64<<10))
	}
}

// TestCheckpointBounded: under steady writes a PASSIVE checkpoint never
// reaches the WAL's end, so the WAL would never start over and grow with
// every letter; once it holds the bound the committer catches up between
// two batches, and the WAL file stays a fraction of what was written. (The
// bound and the interval are lowered so that a second of writes shows
// what minutes would with the defaults.)
func TestCheckpointBounded(t *testing.T) {
	dsn := sqliteBackend.newDSN(t)
	s := open(t, dsn, nil)
	store.SetWALRestart(s, 256) // 1 MiB
	store.SetCheckpointInterval(s, 5*time.Millisecond)
	const n, size = 1500, 16 << 10
	ids := keepLetters(t, s, n, size, 16)
	_, caught, _ := store.Checkpoints(s)
	wal := fileSize(t, dsn+"-wal")
	t.Logf("WAL %d bytes after %d bytes of letters, %d catch-ups", wal, n*size, caught)
	if wal > n*size/4 {
		t.Fatalf("the WAL grew to %d bytes for %d bytes of letters: not bounded", wal, n*size)
	}
	if caught == 0 {
		t.Fatal("no catch-up under steady writes past the bound")
	}
	checkBlob(t, s, ids[n-1], letterOf(ids[n-1], size))
	checkChain(t, s, n)
}

// TestCheckpointIdle: once writes stop, the WAL is emptied into the
// database (TRUNCATE) within about a second.
func TestCheckpointIdle(t *testing.T) {
	dsn := sqliteBackend.newDSN(t)
	s := open(t, dsn, nil)
	keepLetters(t, s, 32, 32<<10, 4)
	if fileSize(t, dsn+"-wal") == 0 {
		t.Fatal("nothing in the WAL after the writes")
	}
	waitFor(t, "the WAL emptied at idle", func() bool {
		_, _, tr := store.Checkpoints(s)
		return tr > 0 && fileSize(t, dsn+"-wal") == 0
	})
}

// TestCheckpointClose: Close leaves every write in the database file
// itself: a copy of that file alone, without its WAL, holds every letter
// and the whole chain, though nothing was checkpointed before Close.
func TestCheckpointClose(t *testing.T) {
	dsn := sqliteBackend.newDSN(t)
	s, err := store.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	store.PauseCheckpoints(s, true)
	ids := keepLetters(t, s, 40, 32<<10, 4)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if wal := fileSize(t, dsn+"-wal"); wal != 0 {
		t.Fatalf("the WAL holds %d bytes after Close", wal)
	}
	data, err := os.ReadFile(dsn)
	if err != nil {
		t.Fatal(err)
	}
	copyDSN := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(copyDSN, data, 0o600); err != nil {
		t.Fatal(err)
	}
	c := open(t, copyDSN, nil)
	for _, id := range ids {
		if _, err := c.GetDocument(context.Background(), id); err != nil {
			t.Fatalf("letter %s not in the database file after Close: %v", id, err)
		}
	}
	checkBlob(t, c, ids[0], letterOf(ids[0], 32<<10))
	checkChain(t, c, len(ids))
}
