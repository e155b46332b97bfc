package store_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/store"
)

// The group commit of RecordSigned (docs/decisions.md, "Gateway
// performance (issue 12)"), on both stores.
func TestGroupCommitSQLite(t *testing.T)   { runGroupCommit(t, sqliteBackend) }
func TestGroupCommitPostgres(t *testing.T) { runGroupCommit(t, postgresBackend) }

func runGroupCommit(t *testing.T, b backend) {
	t.Run("Concurrent", func(t *testing.T) { testRecordConcurrent(t, b) })
	t.Run("TwoStores", func(t *testing.T) { testRecordTwoStores(t, b) })
	t.Run("FailedBatch", func(t *testing.T) { testRecordFailedBatch(t, b) })
	t.Run("DuplicateFailsAlone", func(t *testing.T) { testRecordDuplicate(t, b) })
	t.Run("Kill", func(t *testing.T) { testRecordKill(t, b) })
	t.Run("Staggered", func(t *testing.T) { testRecordStaggered(t, b) })
	t.Run("LoneWrite", func(t *testing.T) { testRecordLone(t, b) })
	t.Run("HeadOncePerBatch", func(t *testing.T) { testRecordHeadOnce(t, b) })
}

// testRecordHeadOnce: a batch of the group commit moves the chain head
// once, to its last entry, however many entries it appends (migration 7;
// before, once per entry). A trigger counts the head's updates.
func testRecordHeadOnce(t *testing.T, b backend) {
	s, dsn := b.fresh(t)
	db := b.raw(t, dsn)
	stmts := []string{`CREATE TABLE head_moves (n INTEGER NOT NULL)`, `INSERT INTO head_moves VALUES (0)`,
		`CREATE TRIGGER count_head_moves AFTER UPDATE ON audit_head BEGIN UPDATE head_moves SET n = n + 1; END`}
	if b.name == "postgres" {
		stmts = append(stmts[:2],
			`CREATE FUNCTION count_head_moves() RETURNS trigger LANGUAGE plpgsql AS
				$$ BEGIN UPDATE head_moves SET n = n + 1; RETURN NEW; END $$`,
			`CREATE TRIGGER count_head_moves AFTER UPDATE ON audit_head FOR EACH ROW EXECUTE FUNCTION count_head_moves()`)
	}
	for _, q := range stmts {
		mustExec(t, db, q)
	}
	const n = 128
	before := store.Commits(s)
	got := recordAll(t, n, s)
	checkChain(t, s, n)
	checkRecorded(t, s, got)
	var moves int64
	if err := db.QueryRow(`SELECT n FROM head_moves`).Scan(&moves); err != nil {
		t.Fatal(err)
	}
	commits := store.Commits(s) - before
	t.Logf("%d signatures, %d transactions, %d head moves", n, commits, moves)
	if moves != commits || commits >= n {
		t.Errorf("%d signatures in %d transactions moved the chain head %d times, want once a transaction", n, commits, moves)
	}
}

// testRecordStaggered: a signature that reaches the store while another
// is still being made (announced with ExpectRecord) waits for it, and the
// two are committed in one transaction, as under load, where without the
// wait each commit ends before the next signature is done and every
// signature pays its own transaction. Without the wait, the first write
// is committed alone before the second is sent: two transactions.
func testRecordStaggered(t *testing.T, b backend) {
	s, _ := b.fresh(t)
	ctx := context.Background()
	const rounds = 20
	grouped := 0
	for range rounds {
		first, second := s.ExpectRecord(), s.ExpectRecord()
		before := store.Commits(s)
		d1, e1 := signed(docID(), "eoffice")
		d2, e2 := signed(docID(), "eoffice")
		errs := make(chan error, 2)
		first()
		go func() { errs <- s.RecordSigned(ctx, d1, e1) }()
		// The second signature is done a little later: well within the
		// wait, and after the first write was handed over. (A spin: on
		// some machines a sleep this short lasts a millisecond or more.)
		for t0 := time.Now(); time.Since(t0) < 200*time.Microsecond; {
			runtime.Gosched()
		}
		second()
		go func() { errs <- s.RecordSigned(ctx, d2, e2) }()
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if store.Commits(s)-before == 1 {
			grouped++
		}
		checkRecorded(t, s, map[string]*store.AuditEntry{d1.ID: e1, d2.ID: e2})
	}
	checkChain(t, s, 2*rounds)
	t.Logf("%d of %d pairs in one transaction", grouped, rounds)
	// The machine may stall a goroutine beyond the wait now and then; a
	// store that does not wait groups (almost) none.
	if grouped < rounds/2 {
		t.Errorf("%d of %d staggered pairs were committed together: the first write does not wait for the announced second", grouped, rounds)
	}
}

// testRecordLone: a signature made alone, announced or not, is committed
// without waiting for companions (no batch is delayed), and each takes
// its own transaction.
func testRecordLone(t *testing.T, b backend) {
	s, _ := b.fresh(t)
	ctx := context.Background()
	before := store.Commits(s)
	const n = 20
	for i := range n {
		d, e := signed(docID(), "eoffice")
		if i%2 == 0 {
			arrived := s.ExpectRecord()
			arrived()
			arrived() // twice: the second does nothing
		}
		if err := s.RecordSigned(ctx, d, e); err != nil {
			t.Fatal(err)
		}
	}
	if c := store.Commits(s) - before; c != n {
		t.Errorf("%d lone signatures in %d transactions, want %d", n, c, n)
	}
	if d := store.Delays(s); d != 0 {
		t.Errorf("%d lone writes waited for companions, want none", d)
	}
	// A signature abandoned (arrived called without a record) leaves
	// nothing expected: the next lone write does not wait either.
	s.ExpectRecord()()
	d, e := signed(docID(), "eoffice")
	if err := s.RecordSigned(ctx, d, e); err != nil {
		t.Fatal(err)
	}
	if d := store.Delays(s); d != 0 {
		t.Errorf("a write after an abandoned signature waited for companions")
	}
	checkChain(t, s, n+1)
}

// docID returns a new document id (lower-case base32, as the service's).
func docID() string {
	var b [16]byte
	rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// signed returns a register record and its "ok" entry, as a signature
// makes them.
func signed(id, client string) (*store.Document, *store.AuditEntry) {
	d := &store.Document{ID: id, Profile: "bupati", Client: client, Level: "B-B", SignedAt: time.Now(),
		SignerName: "Bupati", SignerSubject: "CN=Bupati", InputSHA256: strings.Repeat("a", 64),
		OutputSHA256: strings.Repeat("b", 64), Size: 1000}
	e := &store.AuditEntry{RequestID: "req-" + id, Client: client, Profile: "bupati", Operation: "sign",
		Level: "B-B", InputSHA256: d.InputSHA256, OutputSHA256: d.OutputSHA256, DocumentID: id, Outcome: "ok"}
	return d, e
}

// recordAll records n signatures from n goroutines released at once, on
// the stores in turn; it returns the entries by document id.
func recordAll(t *testing.T, n int, stores ...store.Store) map[string]*store.AuditEntry {
	t.Helper()
	var mu sync.Mutex
	got := map[string]*store.AuditEntry{}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			d, e := signed(docID(), fmt.Sprintf("client-%d", i))
			<-start
			if err := stores[i%len(stores)].RecordSigned(context.Background(), d, e); err != nil {
				t.Error(err)
				return
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
	return got
}

// checkRecorded checks that each document of got has its record and, at
// the seq RecordSigned gave, its entry.
func checkRecorded(t *testing.T, s store.Store, got map[string]*store.AuditEntry) {
	t.Helper()
	ctx := context.Background()
	for id, e := range got {
		if _, err := s.GetDocument(ctx, id); err != nil {
			t.Fatalf("document %s: %v", id, err)
		}
		es, err := s.AuditEntries(ctx, e.Seq, 1)
		if err != nil || len(es) != 1 || es[0].DocumentID != id || es[0].Hash != e.Hash || es[0].Outcome != "ok" {
			t.Fatalf("entry %d of document %s: %+v, %v", e.Seq, id, es, err)
		}
	}
}

// testRecordConcurrent: concurrent signatures are recorded in fewer
// transactions than there are of them, each with its entry, and the log
// stays one chain.
func testRecordConcurrent(t *testing.T, b backend) {
	s, _ := b.fresh(t)
	const n = 128
	got := recordAll(t, n, s)
	checkChain(t, s, n)
	checkRecorded(t, s, got)
	seqs := map[int64]bool{}
	for _, e := range got {
		if seqs[e.Seq] {
			t.Fatalf("seq %d given twice", e.Seq)
		}
		seqs[e.Seq] = true
	}
	if c := store.Commits(s); c >= n {
		t.Errorf("%d signatures took %d transactions: none were grouped", n, c)
	}
}

// testRecordTwoStores: two stores on one database (two replicas) record
// at once; the log stays one chain in which both interleave.
func testRecordTwoStores(t *testing.T, b backend) {
	s1, dsn := b.fresh(t)
	s2 := open(t, dsn, nil)
	const n = 96
	got := recordAll(t, n, s1, s2)
	checkChain(t, s1, n)
	checkChain(t, s2, n)
	checkRecorded(t, s2, got)
}

// refuseDocuments makes the database refuse every new register record,
// as a failing disk or a database that refuses writes would: the trigger
// fails the transaction of a whole batch.
func refuseDocuments(t *testing.T, b backend, dsn string) func() {
	db := b.raw(t, dsn)
	stmts := []string{`CREATE TRIGGER refuse BEFORE INSERT ON documents BEGIN SELECT RAISE(ABORT, 'refused'); END`}
	undo := []string{`DROP TRIGGER refuse`}
	if b.name == "postgres" {
		stmts = []string{
			`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`,
			`CREATE TRIGGER refuse BEFORE INSERT ON documents FOR EACH ROW EXECUTE FUNCTION refuse()`,
		}
		undo = []string{`DROP TRIGGER refuse ON documents`, `DROP FUNCTION refuse()`}
	}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		for _, q := range undo {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// testRecordFailedBatch: when the database fails the batch, every
// signature in it fails, none is recorded or audited, and the chain head
// does not move; once the database writes again, so does the store.
func testRecordFailedBatch(t *testing.T, b backend) {
	s, dsn := b.fresh(t)
	ctx := context.Background()
	appendN(t, s, 1)
	undo := refuseDocuments(t, b, dsn)
	const n = 32
	errs := make(chan error, n)
	ids := make(chan string, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			d, e := signed(docID(), fmt.Sprintf("client-%d", i))
			<-start
			err := s.RecordSigned(ctx, d, e)
			if err == nil || errors.Is(err, store.ErrExists) || e.Seq != 0 || e.Hash != "" {
				t.Errorf("RecordSigned on a refusing database: %v, entry %d %q", err, e.Seq, e.Hash)
			}
			errs <- err
			ids <- d.ID
		})
	}
	close(start)
	wg.Wait()
	close(ids)
	for id := range ids {
		if _, err := s.GetDocument(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("document %s of a failed batch: %v", id, err)
		}
	}
	checkChain(t, s, 1)
	if h, err := s.AuditHead(ctx); err != nil || h.Seq != 1 {
		t.Errorf("chain head after the failed batch: %+v, %v", h, err)
	}
	undo()
	got := recordAll(t, 8, s)
	checkChain(t, s, 9)
	checkRecorded(t, s, got)
}

// testRecordDuplicate: a signature whose id is taken fails alone with
// ErrExists; those committed with it are recorded.
func testRecordDuplicate(t *testing.T, b backend) {
	s, _ := b.fresh(t)
	ctx := context.Background()
	taken := docID()
	d0, e0 := signed(taken, "eoffice")
	if err := s.RecordSigned(ctx, d0, e0); err != nil {
		t.Fatal(err)
	}
	const n = 32
	var mu sync.Mutex
	got := map[string]*store.AuditEntry{}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := docID()
			if i == n/2 {
				id = taken
			}
			d, e := signed(id, "again")
			<-start
			err := s.RecordSigned(ctx, d, e)
			if id == taken {
				if !errors.Is(err, store.ErrExists) || e.Seq != 0 {
					t.Errorf("the taken id: %v, entry %d; want ErrExists and no entry", err, e.Seq)
				}
				return
			}
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got[id] = e
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	checkChain(t, s, n) // the first record's entry and the n-1 others
	checkRecorded(t, s, got)
	if d, err := s.GetDocument(ctx, taken); err != nil || d.Client != "eoffice" {
		t.Errorf("the first record of the taken id: %+v, %v", d, err)
	}
}

// helperRecordDSN makes this test binary a recording process for
// testRecordKill.
const helperRecordDSN = "SEGEL_STORE_TEST_RECORD_DSN"

// TestHelperRecord is the child process of testRecordKill: 16
// goroutines record signatures until the process is killed, half of them
// kept letters (RecordKept), printing "ack ID SEQ KEPT" for each once
// RecordSigned or RecordKept returned (acknowledged).
func TestHelperRecord(t *testing.T) {
	dsn := os.Getenv(helperRecordDSN)
	if dsn == "" {
		t.Skip("a child process of testRecordKill")
	}
	s, err := store.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for {
				d, e := signed(docID(), "eoffice")
				var err error
				if i%2 == 1 {
					// A kept letter: its file is its id, repeated.
					err = s.RecordKept(context.Background(), d, e, strings.NewReader(strings.Repeat(d.ID, 400)))
				} else {
					err = s.RecordSigned(context.Background(), d, e)
				}
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %s %d %v\n", d.ID, e.Seq, d.Stored)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// testRecordKill kills (SIGKILL) a process recording signatures from 16
// goroutines: every signature it acknowledged has its record and its
// entry (and a kept letter its file), the chain is whole, no record lacks
// its entry and no file its record.
func testRecordKill(t *testing.T, b backend) {
	dsn := b.newDSN(t)
	open(t, dsn, nil).Close() // create the schema before the child
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperRecord$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperRecordDSN+"="+dsn)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]int64{}
	kept := map[string]bool{}
	ack := func(line string) {
		if f := strings.Fields(line); len(f) == 4 && f[0] == "ack" {
			seq, _ := strconv.ParseInt(f[2], 10, 64)
			acked[f[1]] = seq
			kept[f[1]] = f[3] == "true"
		}
	}
	sc := bufio.NewScanner(out)
	for len(acked) < 300 && sc.Scan() {
		ack(sc.Text())
	}
	cmd.Process.Kill()
	// What the child printed before it died was acknowledged too.
	for sc.Scan() {
		ack(sc.Text())
	}
	cmd.Wait()
	if len(acked) < 300 {
		t.Fatalf("the child acknowledged only %d signatures: %s", len(acked), stderr.String())
	}
	s := open(t, dsn, nil)
	ctx := context.Background()
	c, err := s.VerifyAudit(ctx)
	if err != nil || c.FirstBroken != 0 {
		t.Fatalf("VerifyAudit after kill -9: %+v, %v", c, err)
	}
	for id, seq := range acked {
		if _, err := s.GetDocument(ctx, id); err != nil {
			t.Fatalf("acknowledged document %s lost: %v", id, err)
		}
		es, err := s.AuditEntries(ctx, seq, 1)
		if err != nil || len(es) != 1 || es[0].DocumentID != id {
			t.Fatalf("acknowledged entry %d of %s lost: %+v, %v", seq, id, es, err)
		}
		if kept[id] {
			checkBlob(t, s, id, []byte(strings.Repeat(id, 400)))
		}
	}
	o, err := s.Reconcile(ctx, time.Now().Add(time.Minute), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Records) != 0 {
		t.Errorf("records without their entry after kill -9: %v", o.Records)
	}
	if len(o.Blobs) != 0 {
		// Kept letters' files are written with their records.
		t.Errorf("files without their record after kill -9: %v", o.Blobs)
	}
	t.Logf("%d acknowledged of %d entries in the log", len(acked), c.Entries)
}

// TestBlobDirUnnamedWrites: concurrent PutBlobs of one id in a blob
// directory store one file, whole and readable by its owner only; one
// put wins and the others get ErrExists; no temporary name is left in
// the directory, and on Linux none appears while a blob is written
// (O_TMPFILE).
func TestBlobDirUnnamedWrites(t *testing.T) {
	dsn := sqliteBackend.newDSN(t)
	dir := filepath.Join(filepath.Dir(dsn), "blobs")
	s := open(t, dsn, &store.Options{BlobDir: dir})
	ctx := context.Background()
	id := docID()
	body := strings.Repeat("signed pdf ", 10000)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, exists := 0, 0
	for range 8 {
		wg.Go(func() {
			_, err := s.PutBlob(ctx, id, strings.NewReader(body))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, store.ErrExists):
				exists++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if won != 1 || exists != 7 {
		t.Errorf("%d puts stored the file and %d got ErrExists, want 1 and 7", won, exists)
	}
	rc, n, err := s.OpenBlob(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	if _, err := io.Copy(&got, rc); err != nil || n != int64(len(body)) || got.String() != body {
		t.Errorf("stored %d bytes (%v), not the body", n, err)
	}
	rc.Close()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != id {
		t.Errorf("blob directory holds %v, want only %s", ents, id)
	}
	if info, err := os.Stat(filepath.Join(dir, id)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("blob mode %v (%v), want 0600", info.Mode(), err)
	}
	if runtime.GOOS == "linux" {
		// While a blob is written, the directory shows nothing of it.
		seen := &dirLister{r: strings.NewReader(body), dir: dir}
		if _, err := s.PutBlob(ctx, docID(), seen); err != nil {
			t.Fatal(err)
		}
		if seen.names != 1 {
			t.Errorf("during a put the blob directory held %d names, want 1 (the earlier blob): a temporary name", seen.names)
		}
	}
}

// dirLister counts the names in dir at its first Read.
type dirLister struct {
	r     io.Reader
	dir   string
	names int
	read  bool
}

func (d *dirLister) Read(p []byte) (int, error) {
	if !d.read {
		d.read = true
		ents, _ := os.ReadDir(d.dir)
		d.names = len(ents)
	}
	return d.r.Read(p)
}
