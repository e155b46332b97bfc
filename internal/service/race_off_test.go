//go:build !race

package service

// raceEnabled: the allocation counts of the tests hold without the race
// detector, whose instrumentation allocates.
const raceEnabled = false
