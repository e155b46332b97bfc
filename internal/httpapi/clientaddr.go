package httpapi

import (
	"net/http"

	"github.com/segel-id/segel/internal/clientaddr"
)

// clientAddress returns the address r is counted under: the host of
// RemoteAddr or, when that is one of Options.TrustedProxies, the last
// address of X-Forwarded-For that is not a trusted proxy (clientaddr.Of).
func (s *Server) clientAddress(r *http.Request) string {
	return clientaddr.Of(r, s.opts.TrustedProxies)
}
