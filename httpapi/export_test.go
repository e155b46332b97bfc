package httpapi

import "testing"

// UseNamedTempFiles makes the servers of test t spool to named temporary
// files, as on systems without O_TMPFILE, until t ends.
func UseNamedTempFiles(t testing.TB) {
	namedTempFiles = true
	t.Cleanup(func() { namedTempFiles = false })
}
