//go:build !race

package verify_test

// raceFactor scales time limits under the race detector.
const raceFactor = 1
