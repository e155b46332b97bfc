package httpapi

import (
	"net/http"

	"github.com/segel-id/segel/internal/spool"
)

// namedTempFiles makes createTemp use named files only (for tests of the
// fallback).
var namedTempFiles = false

// createTemp returns a temporary file in TempDir for one request (see
// spool.Pool.Create: anonymous and reused where the system allows).
func (s *Server) createTemp() (*spool.File, error) {
	if namedTempFiles {
		return spool.CreateNamed(s.opts.TempDir)
	}
	return s.temps.Create(s.opts.TempDir)
}

// clientAddress returns the address r is counted under (see
// spool.ClientAddress) with Options.TrustedProxies.
func (s *Server) clientAddress(r *http.Request) string {
	return spool.ClientAddress(r, s.opts.TrustedProxies)
}
