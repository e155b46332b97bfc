package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/store"
)

// Kept letters (RecordKept, docs/decisions.md "Kept letters in the
// database"), on both stores with their blobs in the database.
func TestKeptSQLite(t *testing.T)   { runKept(t, sqliteBackend) }
func TestKeptPostgres(t *testing.T) { runKept(t, postgresBackend) }

func runKept(t *testing.T, b backend) {
	t.Run("Inline", func(t *testing.T) { testKeptInline(t, b) })
	t.Run("SameTransaction", func(t *testing.T) { testKeptSameTx(t, b) })
	t.Run("FailedBatch", func(t *testing.T) { testKeptFailedBatch(t, b) })
	t.Run("Large", func(t *testing.T) { testKeptLarge(t, b) })
	t.Run("TakenID", func(t *testing.T) { testKeptTaken(t, b) })
}

// letter returns n random bytes: a signed file.
func letter(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// checkBlob checks that the stored file of id is data.
func checkBlob(t *testing.T, s store.Store, id string, data []byte) {
	t.Helper()
	rc, n, err := s.OpenBlob(context.Background(), id)
	if err != nil {
		t.Fatalf("blob %s: %v", id, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || n != int64(len(data)) || !bytes.Equal(got, data) {
		t.Fatalf("blob %s: %d bytes of %d (%v), not the file", id, len(got), n, err)
	}
}

// chunks counts the rows of id in the blobs table.
func chunks(t *testing.T, b backend, dsn, id string) int {
	t.Helper()
	var n int
	if err := b.raw(t, dsn).QueryRow(`SELECT COUNT(*) FROM blobs WHERE id = $1`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// testKeptInline: concurrent kept letters are each stored whole, with
// their record (Stored set) and entry, in far fewer transactions than
// letters: the files are written in the transactions of the group
// commit, not one each before it.
func testKeptInline(t *testing.T, b backend) {
	s, dsn := b.fresh(t)
	ctx := context.Background()
	const n = 48
	files := map[string][]byte{}
	got := map[string]*store.AuditEntry{}
	var mu sync.Mutex
	start := make(chan struct{})
	var wg sync.WaitGroup
	before := store.Commits(s)
	for i := range n {
		d, e := signed(docID(), fmt.Sprintf("client-%d", i))
		data := letter(1000 + i*1500) // up to 71 kB: a one-page letter
		files[d.ID] = data
		wg.Go(func() {
			<-start
			if err := s.RecordKept(ctx, d, e, bytes.NewReader(data)); err != nil {
				t.Error(err)
				return
			}
			if !d.Stored {
				t.Errorf("RecordKept left %s not Stored", d.ID)
			}
			mu.Lock()
			got[d.ID] = e
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	c := store.Commits(s) - before
	checkChain(t, s, n)
	checkRecorded(t, s, got)
	for id, data := range files {
		checkBlob(t, s, id, data)
		if d, err := s.GetDocument(ctx, id); err != nil || !d.Stored {
			t.Errorf("record of %s: %+v, %v", id, d, err)
		}
	}
	if c >= n {
		t.Errorf("%d kept letters took %d transactions: each file had its own", n, c)
	}
	t.Logf("%d kept letters in %d transactions", n, c)
	o, err := s.Reconcile(ctx, time.Now().Add(time.Minute), false)
	if err != nil || len(o.Records)+len(o.Blobs) != 0 {
		t.Errorf("Reconcile after kept letters: %+v, %v", o, err)
	}
	if b.name == "sqlite" {
		if _, err := os.Stat(filepath.Join(filepath.Dir(dsn), "blobs")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a new SQLite store made a blob directory: %v", err)
		}
	}
}

// testKeptSameTx: a small letter's file is written in the transaction of
// its record, after it: with a trigger that refuses a blob row whose
// document is not recorded (yet, in the writing transaction), small
// letters are still kept, and a large one (streamed before its record)
// is refused, its record not made.
func testKeptSameTx(t *testing.T, b backend) {
	s, dsn := b.fresh(t)
	ctx := context.Background()
	db := b.raw(t, dsn)
	stmts := []string{`CREATE TRIGGER blob_needs_record BEFORE INSERT ON blobs
		WHEN NOT EXISTS (SELECT 1 FROM documents WHERE id = NEW.id)
		BEGIN SELECT RAISE(ABORT, 'a blob without its record'); END`}
	if b.name == "postgres" {
		stmts = []string{
			`CREATE FUNCTION blob_needs_record() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
				IF NOT EXISTS (SELECT 1 FROM documents WHERE id = NEW.id) THEN RAISE EXCEPTION 'a blob without its record'; END IF;
				RETURN NEW; END $$`,
			`CREATE TRIGGER blob_needs_record BEFORE INSERT ON blobs FOR EACH ROW EXECUTE FUNCTION blob_needs_record()`,
		}
	}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for _, size := range []int{0, 70000, 256 << 10} {
		d, e := signed(docID(), "eoffice")
		data := letter(size)
		if err := s.RecordKept(ctx, d, e, bytes.NewReader(data)); err != nil {
			t.Fatalf("%d bytes: %v: the file is not written after its record in one transaction", size, err)
		}
		checkBlob(t, s, d.ID, data)
	}
	d, e := signed(docID(), "eoffice")
	if err := s.RecordKept(ctx, d, e, bytes.NewReader(letter(1<<20))); !errors.Is(err, store.ErrBlob) {
		t.Errorf("a large letter streamed before its record: %v, want the trigger's refusal (ErrBlob)", err)
	}
	if _, err := s.GetDocument(ctx, d.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the large letter whose file failed was recorded: %v", err)
	}
	checkChain(t, s, 3)
}

// testKeptFailedBatch: when the database refuses the records, no file of
// the failed letters is left: small ones were in the record's
// transaction, large ones are removed after it failed.
func testKeptFailedBatch(t *testing.T, b backend) {
	s, dsn := b.fresh(t)
	ctx := context.Background()
	undo := refuseDocuments(t, b, dsn)
	var wg sync.WaitGroup
	ids := make(chan string, 16)
	for i := range 16 {
		size := 2000
		if i%4 == 0 {
			size = 1<<20 + 7 // streamed before the record
		}
		wg.Go(func() {
			d, e := signed(docID(), "eoffice")
			ids <- d.ID
			err := s.RecordKept(ctx, d, e, bytes.NewReader(letter(size)))
			if err == nil || errors.Is(err, store.ErrExists) || e.Seq != 0 {
				t.Errorf("RecordKept on a refusing database: %v, entry %d", err, e.Seq)
			}
		})
	}
	wg.Wait()
	close(ids)
	for id := range ids {
		if _, _, err := s.OpenBlob(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("file %s of a failed record: %v, want ErrNotFound", id, err)
		}
		if _, err := s.GetDocument(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("record %s of a failed batch: %v", id, err)
		}
	}
	checkChain(t, s, 0)
	undo()
	d, e := signed(docID(), "eoffice")
	data := letter(5000)
	if err := s.RecordKept(ctx, d, e, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	checkBlob(t, s, d.ID, data)
}

// testKeptLarge: a letter larger than what is written inline is streamed
// in chunks (1 MiB rows) and read back whole; one of exactly the inline
// bound is one row; an empty one is stored too.
func testKeptLarge(t *testing.T, b backend) {
	s, dsn := b.fresh(t)
	ctx := context.Background()
	for _, tc := range []struct {
		size, chunks int
	}{{3<<20 + 5, 4}, {256 << 10, 1}, {256<<10 + 1, 1}, {0, 1}} {
		d, e := signed(docID(), "eoffice")
		data := letter(tc.size)
		if err := s.RecordKept(ctx, d, e, bytes.NewReader(data)); err != nil {
			t.Fatalf("%d bytes: %v", tc.size, err)
		}
		checkBlob(t, s, d.ID, data)
		if n := chunks(t, b, dsn, d.ID); n != tc.chunks {
			t.Errorf("%d bytes in %d rows, want %d", tc.size, n, tc.chunks)
		}
	}
	checkChain(t, s, 4)
	// A file that cannot be read fails alone and leaves nothing.
	d, e := signed(docID(), "eoffice")
	err := s.RecordKept(ctx, d, e, &failingReader{n: 2<<20 + 3})
	if !errors.Is(err, store.ErrBlob) {
		t.Errorf("RecordKept of a failing reader: %v, want ErrBlob", err)
	}
	if _, _, err := s.OpenBlob(ctx, d.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a failed file left %v", err)
	}
	if n := chunks(t, b, dsn, d.ID); n != 0 {
		t.Errorf("a failed file left %d rows", n)
	}
	checkChain(t, s, 4)
}

// testKeptTaken: a kept letter whose id is taken fails with ErrExists
// and leaves the first letter's file and record as they were.
func testKeptTaken(t *testing.T, b backend) {
	s, _ := b.fresh(t)
	ctx := context.Background()
	for _, size := range []int{3000, 2<<20 + 1} {
		id := docID()
		d, e := signed(id, "eoffice")
		first := letter(size)
		if err := s.RecordKept(ctx, d, e, bytes.NewReader(first)); err != nil {
			t.Fatal(err)
		}
		d2, e2 := signed(id, "again")
		err := s.RecordKept(ctx, d2, e2, bytes.NewReader(letter(size)))
		if !errors.Is(err, store.ErrExists) {
			t.Errorf("%d bytes, taken id: %v, want ErrExists", size, err)
		}
		checkBlob(t, s, id, first)
		if d, err := s.GetDocument(ctx, id); err != nil || d.Client != "eoffice" {
			t.Errorf("the first record: %+v, %v", d, err)
		}
	}
}

// TestSQLiteBlobChoice: where a SQLite store keeps its files. A store
// whose "blobs" directory beside the database holds files (every store
// made before blobs went into the database) keeps using it: old files are
// read, new ones join them, none goes to the table. An explicit BlobDir
// is used as given. A new store without one uses the table.
func TestSQLiteBlobChoice(t *testing.T) {
	ctx := context.Background()
	dsn := sqliteBackend.newDSN(t)
	def := filepath.Join(filepath.Dir(dsn), "blobs")
	// An older store: its blobs in the default directory.
	s := open(t, dsn, &store.Options{BlobDir: def})
	old := letter(4000)
	d, e := signed(docID(), "eoffice")
	if err := s.RecordKept(ctx, d, e, bytes.NewReader(old)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(def, d.ID)); err != nil {
		t.Fatalf("the letter of a store with a blob directory is not a file there: %v", err)
	}

	s = open(t, dsn, nil)
	checkBlob(t, s, d.ID, old)
	d2, e2 := signed(docID(), "eoffice")
	data := letter(5000)
	if err := s.RecordKept(ctx, d2, e2, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	checkBlob(t, s, d2.ID, data)
	if _, err := os.Stat(filepath.Join(def, d2.ID)); err != nil {
		t.Errorf("a new letter of a store with files in its blob directory is not a file there: %v", err)
	}
	if n := chunks(t, sqliteBackend, dsn, d2.ID); n != 0 {
		t.Errorf("a new letter of a store with a blob directory is in the table too (%d rows)", n)
	}

	// A new store: the table, no directory.
	dsn2 := sqliteBackend.newDSN(t)
	s2 := open(t, dsn2, nil)
	d3, e3 := signed(docID(), "eoffice")
	if err := s2.RecordKept(ctx, d3, e3, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if n := chunks(t, sqliteBackend, dsn2, d3.ID); n != 1 {
		t.Errorf("the letter of a new store is in %d rows of the table, want 1", n)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dsn2), "blobs")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a new store made a blob directory: %v", err)
	}
	// A stray file in that directory later does not make the store look
	// there: its files stay found, new ones go to the table.
	s2.Close()
	def2 := filepath.Join(filepath.Dir(dsn2), "blobs")
	if err := os.Mkdir(def2, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(def2, "stray"), []byte("%PDF"), 0o600); err != nil {
		t.Fatal(err)
	}
	s2 = open(t, dsn2, nil)
	checkBlob(t, s2, d3.ID, data)
	d4, e4 := signed(docID(), "eoffice")
	if err := s2.RecordKept(ctx, d4, e4, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if n := chunks(t, sqliteBackend, dsn2, d4.ID); n != 1 {
		t.Errorf("a stray file in the blob directory sent a new letter of a table store elsewhere (%d rows)", n)
	}
}

// TestSQLiteBlobDir keeps the blobs of a SQLite store in a directory, as
// an explicit blob_dir does.
func TestSQLiteBlobDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "blobs")
	blobTests(t, open(t, sqliteBackend.newDSN(t), &store.Options{BlobDir: dir}), dir)
}

// TestKeptBlobDirFailure: a store whose blob directory cannot take the
// file fails RecordKept with ErrBlob and records nothing.
func TestKeptBlobDirFailure(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "blobs")
	s := open(t, sqliteBackend.newDSN(t), &store.Options{BlobDir: dir})
	// The directory gone and a file in its place: no file can be made
	// there (also as root, which permissions would not stop).
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	d, e := signed(docID(), "eoffice")
	err := s.RecordKept(ctx, d, e, bytes.NewReader(letter(3000)))
	if !errors.Is(err, store.ErrBlob) || e.Seq != 0 {
		t.Errorf("RecordKept into a broken blob directory: %v, entry %d; want ErrBlob", err, e.Seq)
	}
	if _, err := s.GetDocument(ctx, d.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a letter whose file failed was recorded: %v", err)
	}
	checkChain(t, s, 0)
}
