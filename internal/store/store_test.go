package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/pgtest"
	"github.com/segel-id/segel/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// backends opens a fresh store of each kind; the same suite runs on both.
var backends = map[string]func(t *testing.T) (store.Store, string){
	"sqlite": func(t *testing.T) (store.Store, string) {
		p := filepath.Join(t.TempDir(), "segel.db")
		return open(t, p, nil), p
	},
	"postgres": func(t *testing.T) (store.Store, string) {
		dsn := pgtest.DSN(t)
		return open(t, dsn, nil), dsn
	},
}

func open(t *testing.T, dsn string, opts *store.Options) store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func each(t *testing.T, fn func(t *testing.T, s store.Store, dsn string)) {
	for name, mk := range backends {
		t.Run(name, func(t *testing.T) {
			s, dsn := mk(t)
			fn(t, s, dsn)
		})
	}
}

func entry(i int) *store.AuditEntry {
	return &store.AuditEntry{RequestID: fmt.Sprintf("req-%d", i), Client: "sekda", Profile: "bupati",
		Operation: "sign", Level: "B-LTA", InputSHA256: strings.Repeat("a", 64), Outcome: "ok"}
}

func TestAuditChainUnderConcurrency(t *testing.T) {
	each(t, func(t *testing.T, s store.Store, dsn string) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 4 {
					if err := s.AppendAudit(ctx, entry(g*10+i)); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		c, err := s.VerifyAudit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.Entries != 64 || c.FirstBroken != 0 {
			t.Fatalf("check %+v, want 64 entries and an unbroken chain", c)
		}
		got, err := s.AuditEntries(ctx, 1, 100)
		if err != nil || len(got) != 64 || got[0].Seq != 1 || got[63].Seq != 64 || got[1].PrevHash != got[0].Hash {
			t.Fatalf("entries: %d, %v", len(got), err)
		}
	})
}

// TestAuditTwoProcesses appends through two separate stores on one
// PostgreSQL database, as two replicas do.
func TestAuditTwoProcesses(t *testing.T) {
	dsn := pgtest.DSN(t)
	a, b := open(t, dsn, nil), open(t, dsn, nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	for _, s := range []store.Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				if err := s.AppendAudit(ctx, entry(i)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	c, err := b.VerifyAudit(ctx)
	if err != nil || c.Entries != 50 || c.FirstBroken != 0 {
		t.Fatalf("check %+v, %v", c, err)
	}
}

func TestAuditTamperingIsFound(t *testing.T) {
	each(t, func(t *testing.T, s store.Store, dsn string) {
		ctx := context.Background()
		for i := range 5 {
			if err := s.AppendAudit(ctx, entry(i)); err != nil {
				t.Fatal(err)
			}
		}
		driver, src := "sqlite", "file:"+dsn
		if strings.HasPrefix(dsn, "postgres") {
			driver, src = "pgx", dsn
		}
		raw, err := sql.Open(driver, src)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		// The log refuses changes…
		if _, err := raw.Exec(`UPDATE audit SET outcome = 'forged' WHERE seq = 3`); err == nil {
			t.Fatal("an UPDATE of the audit log was accepted")
		}
		if _, err := raw.Exec(`DELETE FROM audit WHERE seq = 2`); err == nil {
			t.Fatal("a DELETE from the audit log was accepted")
		}
		// …and when someone removes the guard, the chain tells.
		if driver == "pgx" {
			_, err = raw.Exec(`DROP TRIGGER audit_no_change ON audit`)
		} else {
			_, err = raw.Exec(`DROP TRIGGER audit_no_update`)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`UPDATE audit SET outcome = 'forged' WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		c, err := s.VerifyAudit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.FirstBroken != 3 || !strings.Contains(c.Reason, "hash") {
			t.Fatalf("check %+v, want the break at 3", c)
		}
	})
}

func TestDocuments(t *testing.T) {
	each(t, func(t *testing.T, s store.Store, dsn string) {
		ctx := context.Background()
		d := &store.Document{ID: "abcdefghijklmnopqrstuvwxyz", Profile: "bupati", Client: "eoffice",
			Level: "B-LTA", SignedAt: time.Date(2026, 11, 28, 7, 30, 0, 123, time.UTC), SignerName: "Budi Santoso",
			OutputSHA256: strings.Repeat("b", 64), Size: 1234, Number: "800/123/BKPSDM", Subject: "Undangan Rapat",
			Title: "Sekretaris Daerah", NIP: "197001012000031001", Confidential: true, Downloadable: true, Stored: true}
		if err := s.PutDocument(ctx, d); err != nil {
			t.Fatal(err)
		}
		if err := s.PutDocument(ctx, d); !errors.Is(err, store.ErrExists) {
			t.Errorf("duplicate: %v, want ErrExists", err)
		}
		got, err := s.GetDocument(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(*got) != fmt.Sprint(*d) {
			t.Errorf("round trip:\n got %+v\nwant %+v", *got, *d)
		}
		if _, err := s.GetDocument(ctx, "nonexistent"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing: %v, want ErrNotFound", err)
		}
	})
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset")
	}
	k := min(len(p), f.n)
	f.n -= k
	return k, nil
}

func TestBlobs(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres-table"} {
		t.Run(kind, func(t *testing.T) {
			var s store.Store
			if kind == "sqlite" {
				s = open(t, filepath.Join(t.TempDir(), "segel.db"), nil)
			} else {
				s = open(t, pgtest.DSN(t), nil)
			}
			ctx := context.Background()
			data := make([]byte, 3<<20+17)
			rand.Read(data)
			n, err := s.PutBlob(ctx, "blobidaaaa", bytes.NewReader(data))
			if err != nil || n != int64(len(data)) {
				t.Fatalf("put: %d, %v", n, err)
			}
			rc, size, err := s.OpenBlob(ctx, "blobidaaaa")
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if size != int64(len(data)) || !bytes.Equal(got, data) {
				t.Fatalf("read back %d bytes (size %d), want %d", len(got), size, len(data))
			}
			if _, err := s.PutBlob(ctx, "blobidbbbb", &failingReader{n: 2 << 20}); err == nil {
				t.Fatal("a failed upload was accepted")
			}
			if _, _, err := s.OpenBlob(ctx, "blobidbbbb"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a failed upload left something behind: %v", err)
			}
			for _, bad := range []string{"../etc/passwd", "ABCDEFGHIJ", "a/b"} {
				if _, err := s.PutBlob(ctx, bad, strings.NewReader("x")); err == nil {
					t.Errorf("id %q accepted", bad)
				}
			}
			if err := s.DeleteBlob(ctx, "blobidaaaa"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.OpenBlob(ctx, "blobidaaaa"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("after delete: %v", err)
			}
		})
	}
}

func TestClientsAndFailures(t *testing.T) {
	each(t, func(t *testing.T, s store.Store, dsn string) {
		ctx := context.Background()
		c := &store.Client{Name: "eoffice", KeyHash: bytes.Repeat([]byte{7}, 32), Profiles: []string{"bupati", "sekda"}, Operations: []string{"sign", "verify"}}
		if err := s.PutClient(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := s.PutClient(ctx, c); !errors.Is(err, store.ErrExists) {
			t.Errorf("duplicate: %v", err)
		}
		got, err := s.ClientByKeyHash(ctx, c.KeyHash)
		if err != nil || got.Name != "eoffice" || len(got.Profiles) != 2 || got.Operations[1] != "verify" {
			t.Fatalf("lookup: %+v, %v", got, err)
		}
		if _, err := s.ClientByKeyHash(ctx, []byte("nope")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown key: %v", err)
		}
		now := time.Now()
		for i := range 3 {
			s.AddFailure(ctx, "profile:bupati", now.Add(time.Duration(-i)*10*time.Minute))
		}
		if n, err := s.CountFailures(ctx, "profile:bupati", now.Add(-15*time.Minute)); err != nil || n != 2 {
			t.Errorf("failures in 15 min: %d, %v; want 2", n, err)
		}
		if err := s.Ping(ctx); err != nil {
			t.Error(err)
		}
	})
}

func TestSQLiteReopen(t *testing.T) {
	p := filepath.Join(t.TempDir(), "segel.db")
	ctx := context.Background()
	s, err := store.Open(ctx, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.AppendAudit(ctx, entry(1))
	s.Close()
	s2 := open(t, p, nil)
	if err := s2.AppendAudit(ctx, entry(2)); err != nil {
		t.Fatal(err)
	}
	c, err := s2.VerifyAudit(ctx)
	if err != nil || c.Entries != 2 || c.FirstBroken != 0 {
		t.Fatalf("%+v %v", c, err)
	}
}

func BenchmarkAppendAudit(b *testing.B) {
	for name, dsn := range map[string]func() string{
		"sqlite":   func() string { return filepath.Join(b.TempDir(), "segel.db") },
		"postgres": func() string { return pgtest.DSN(b) },
	} {
		b.Run(name, func(b *testing.B) {
			s, err := store.Open(context.Background(), dsn(), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			for b.Loop() {
				if err := s.AppendAudit(context.Background(), entry(1)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
