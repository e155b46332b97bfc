package cputime_test

import (
	"crypto/sha256"
	"runtime"
	"testing"

	"github.com/segel-id/segel/internal/cputime"
)

// TestProcessCounts checks that work on the CPU shows in Process.
func TestProcessCounts(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no getrusage here")
	}
	before := cputime.Process()
	buf := make([]byte, 1<<20)
	for range 200 {
		sha256.Sum256(buf)
	}
	if after := cputime.Process(); after <= before {
		t.Fatalf("CPU time did not grow over 200 MiB of hashing: %v then %v", before, after)
	}
}
