package signer_test

import (
	"testing"
	"time"

	"github.com/segel-id/segel/internal/cputime"
)

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration { return cputime.Process() }

// reportCPU reports the process's CPU time per operation since start
// (cpu-µs/op): on a shared machine it moves far less than wall time, and
// it counts work on every core, a goroutine's that overlaps others
// included.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op")
}
