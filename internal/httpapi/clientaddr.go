package httpapi

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddress returns the address r is counted under: the host of
// RemoteAddr or, when that is one of Options.TrustedProxies, the last
// address of X-Forwarded-For that is not a trusted proxy (the one the
// nearest untrusted hop connected from: what comes before it could be
// made up by the client).
func (s *Server) clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if len(s.opts.TrustedProxies) == 0 {
		return host
	}
	if a, err := netip.ParseAddr(host); err != nil || !s.trustedProxy(a) {
		return host
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hops = append(hops, h)
			}
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			return host // a malformed hop: count the proxy, not a made-up name
		}
		if !s.trustedProxy(a) {
			return a.Unmap().String()
		}
	}
	return host
}

// trustedProxy reports whether a is in Options.TrustedProxies.
func (s *Server) trustedProxy(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
