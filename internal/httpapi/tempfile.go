package httpapi

import (
	"net/http"

	"github.com/segel-id/segel/internal/spool"
)

// namedTempFiles makes newSpool use named files only, nothing in memory
// (for tests of the fallback).
var namedTempFiles = false

// newSpool returns the spool of one request's body: in memory within
// Options.SpoolMemory and SpoolMemoryTotal, else a temporary file in
// TempDir (see spool.Pool.Create: anonymous and reused where the system
// allows).
func (s *Server) newSpool() *spool.Spool {
	if namedTempFiles {
		return s.temps.NewNamed(s.opts.TempDir)
	}
	return s.temps.New(s.opts.TempDir)
}

// clientAddress returns the address r is counted under (see
// spool.ClientAddress) with Options.TrustedProxies.
func (s *Server) clientAddress(r *http.Request) string {
	return spool.ClientAddress(r, s.opts.TrustedProxies)
}
