// Package clientaddr finds the address a request is counted under (for
// lock-outs and throttles) when reverse proxies may stand in front: the
// rule shared by Segel's HTTP API and the letter register.
package clientaddr

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Of returns the address r is counted under: the host of RemoteAddr or,
// when that is in trusted, the last address of X-Forwarded-For that is
// not in trusted (the one the nearest untrusted hop connected from: what
// comes before it could be made up by the client). A malformed hop, or a
// header of trusted proxies only, leaves the peer's address. With no
// trusted proxies X-Forwarded-For is never read.
func Of(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if len(trusted) == 0 {
		return host
	}
	if a, err := netip.ParseAddr(host); err != nil || !Trusted(a, trusted) {
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
		if !Trusted(a, trusted) {
			return a.Unmap().String()
		}
	}
	return host
}

// Trusted reports whether a (IPv4-mapped IPv6 addresses as IPv4) is in
// one of the prefixes trusted.
func Trusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
