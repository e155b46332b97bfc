package spool

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientAddress returns the address r is counted under: the host of
// RemoteAddr or, when that is one of the trusted proxies, the last
// address of X-Forwarded-For that is not a trusted proxy (the one the
// nearest untrusted hop connected from: what comes before it could be
// made up by the client).
func ClientAddress(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if len(trusted) == 0 {
		return host
	}
	if a, err := netip.ParseAddr(host); err != nil || !trustedProxy(trusted, a) {
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
		if !trustedProxy(trusted, a) {
			return a.Unmap().String()
		}
	}
	return host
}

// trustedProxy reports whether a is in trusted.
func trustedProxy(trusted []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// RemoteHost returns the host of r.RemoteAddr: ClientAddress with no
// trusted proxy.
func RemoteHost(r *http.Request) string { return ClientAddress(r, nil) }

// ClientKey is the key an address is counted under by rate limits: the
// address itself, or its /64 for IPv6, where one client holds a whole /64.
func ClientKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap()
	if ip.Is6() {
		if pfx, err := ip.Prefix(64); err == nil {
			return pfx.String()
		}
	}
	return ip.String()
}
