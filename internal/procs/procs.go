// Package procs sets up the Go runtime's processors for `segel serve`:
// one more than the CPUs, with the signatures bounded to the CPUs (the CPU
// gate of internal/service), so that one processor is always free to
// read the network (docs/decisions.md, "The CPU gate (issue 12)").
package procs

import (
	"os"
	"runtime"
)

// Spare gives the Go runtime one processor more than its default
// (runtime.GOMAXPROCS's: the CPUs, or the container's CPU limit) and
// returns that default, the CPUs the signatures may keep busy, with the
// function that gives the runtime its default back. Calling it again
// does not add another processor. When the environment sets GOMAXPROCS,
// the operator has chosen: the processors are left as they are, and
// their number is returned.
//
// The runtime looks for connections that can be read only when a
// processor runs out of work, or every 10 ms: with every processor busy
// signing, requests wait in the kernel and are answered out of order
// (the p99 of `make bench-http`). With the signatures bounded to the
// CPUs, the spare processor waits on the network, and the kernel wakes it
// as soon as a request arrives.
func Spare() (cpus int, restore func()) {
	if os.Getenv("GOMAXPROCS") != "" {
		return runtime.GOMAXPROCS(0), func() {}
	}
	runtime.SetDefaultGOMAXPROCS()
	n := runtime.GOMAXPROCS(0)
	runtime.GOMAXPROCS(n + 1)
	return n, runtime.SetDefaultGOMAXPROCS
}
