package httpapi

import "testing"

// UseNamedTempFiles makes the servers of test t spool to named temporary
// files, as on systems without O_TMPFILE, until t ends.
func UseNamedTempFiles(t testing.TB) {
	namedTempFiles = true
	t.Cleanup(func() { namedTempFiles = false })
}

// HoldVerifications takes n of s's places for verifications, as n slow
// verifications would, until release is called.
func HoldVerifications(s *Server, n int) (release func()) {
	for range n {
		s.verifySem <- struct{}{}
	}
	return func() {
		for range n {
			<-s.verifySem
		}
	}
}

// NoReadyCache makes s's /readyz check anew at every request.
func NoReadyCache(s *Server) { s.readyTTL = 0 }
