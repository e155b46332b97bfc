package store_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/store"
)

// BenchmarkRecordSigned: signers (4, 16) each make a signature (a
// sleep standing for the signer's work) and record it, as the service
// does (announcing it with ExpectRecord), on SQLite. It reports the CPU
// time per signature (cpu-ms/op: the sleeps cost none, so it is the
// store's) and the writes per transaction (writes/commit): the group
// commit of docs/decisions.md, "Group commit that groups".
func BenchmarkRecordSigned(b *testing.B) {
	for _, signers := range []int{4, 16} {
		b.Run(fmt.Sprintf("signers=%d", signers), func(b *testing.B) {
			s := open(b, sqliteBackend.newDSN(b), nil)
			expect, _ := s.(interface{ ExpectRecord() func() })
			var next atomic.Int64
			var ru0 syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
			c0 := store.Commits(s)
			b.ResetTimer()
			var wg sync.WaitGroup
			for range signers {
				wg.Go(func() {
					for next.Add(1) <= int64(b.N) {
						arrived := func() {}
						if expect != nil {
							arrived = expect.ExpectRecord()
						}
						time.Sleep(time.Millisecond)
						d, e := signed(docID(), "eoffice")
						arrived()
						if err := s.RecordSigned(context.Background(), d, e); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			var ru syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
			cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(b.N)/float64(store.Commits(s)-c0), "writes/commit")
		})
	}
}

// BenchmarkCommitBatch: the group commit's transaction alone, on SQLite,
// for batches of 1 and 16 signatures (a register record and its "ok"
// entry each) on a register that holds 20 000 of them already (so that
// the random document ids land on leaf pages all over its index, as in
// a store in use). It reports the CPU time per signature (cpu-ms/op,
// the fsync's wait costs none) and the WAL pages written per signature
// (wal-pages/op), so that a change of the commit path is judged by what
// it costs, not by the timing of the committer's goroutine.
func BenchmarkCommitBatch(b *testing.B) {
	for _, size := range []int{1, 16} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			dsn := sqliteBackend.newDSN(b)
			s := open(b, dsn, nil)
			store.PauseCheckpoints(s, true)
			batch := func(n int) ([]*store.Document, []*store.AuditEntry) {
				docs, entries := make([]*store.Document, n), make([]*store.AuditEntry, n)
				for i := range n {
					docs[i], entries[i] = signed(docID(), "eoffice")
				}
				return docs, entries
			}
			for range 20000 / 100 {
				docs, entries := batch(100)
				if err := store.CommitBatch(s, docs, entries); err != nil {
					b.Fatal(err)
				}
			}
			// An empty WAL, and no checkpoint while measuring: the WAL
			// file then grows by what each batch writes.
			db := sqliteBackend.raw(b, dsn)
			if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				b.Fatal(err)
			}
			wal := dsn + "-wal"
			var ru0 syscall.Rusage
			b.ResetTimer()
			var cpu time.Duration
			var walBytes int64
			for done := 0; done < b.N; {
				n := min(size, b.N-done)
				docs, entries := batch(n)
				b.StopTimer()
				fi0, _ := os.Stat(wal)
				syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
				b.StartTimer()
				if err := store.CommitBatch(s, docs, entries); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				var ru syscall.Rusage
				syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
				cpu += time.Duration(ru.Utime.Nano() + ru.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
				if fi, err := os.Stat(wal); err == nil && fi0 != nil && fi.Size() > fi0.Size() {
					walBytes += fi.Size() - fi0.Size()
				}
				b.StartTimer()
				done += n
			}
			b.StopTimer()
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(walBytes)/(4096+24)/float64(b.N), "wal-pages/op")
		})
	}
}

// TestAnonymous: the hot SQLite statements' placeholders $1…$n become
// "?" only when each appears once and in order, which binds the same
// arguments to the same places; any other statement is left as it is.
func TestAnonymous(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`UPDATE audit_head SET seq = $1, hash = $2, mac = $3 WHERE id = 1`, `UPDATE audit_head SET seq = ?, hash = ?, mac = ? WHERE id = 1`},
		{`VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, `VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{`SELECT seq FROM audit_head WHERE id = 1`, `SELECT seq FROM audit_head WHERE id = 1`},
		{`VALUES ($2, $1)`, `VALUES ($2, $1)`},
		{`WHERE a = $1 OR b = $1`, `WHERE a = $1 OR b = $1`},
		{`VALUES ($1, $3)`, `VALUES ($1, $3)`},
		{`VALUES ($1, $)`, `VALUES ($1, $)`},
		{`VALUES ($01)`, `VALUES ($01)`},
	} {
		if got := store.Anonymous(tc.in); got != tc.want {
			t.Errorf("anonymous(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
