//go:build !race

package store

// raceEnabled: the allocation counts of the tests hold without the race
// detector, whose instrumentation allocates.
const raceEnabled = false
