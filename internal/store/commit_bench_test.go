package store_test

import (
	"context"
	"fmt"
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
