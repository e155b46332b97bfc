//go:build race

package testenv

// Race reports whether the race detector is on: its instrumentation
// allocates, so tests that count allocations skip under it.
const Race = true
