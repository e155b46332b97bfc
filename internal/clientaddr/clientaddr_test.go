package clientaddr

import (
	"net/http"
	"net/netip"
	"testing"
)

func TestOf(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	cases := []struct {
		name    string
		remote  string
		xff     []string
		trusted []netip.Prefix
		want    string
	}{
		{"no proxies: the peer, the header ignored", "10.1.1.1:4000", []string{"203.0.113.9"}, nil, "10.1.1.1"},
		{"untrusted peer: its header ignored", "198.51.100.7:4000", []string{"203.0.113.9"}, trusted, "198.51.100.7"},
		{"trusted peer: the forwarded client", "10.1.1.1:4000", []string{"203.0.113.9"}, trusted, "203.0.113.9"},
		{"the last untrusted hop, not a made-up first", "10.1.1.1:4000", []string{"1.2.3.4, 203.0.113.9, 10.2.2.2"}, trusted, "203.0.113.9"},
		{"several header lines", "10.1.1.1:4000", []string{"1.2.3.4", "203.0.113.9", "10.2.2.2"}, trusted, "203.0.113.9"},
		{"only proxies forwarded: the peer", "10.1.1.1:4000", []string{"10.2.2.2"}, trusted, "10.1.1.1"},
		{"no header: the peer", "10.1.1.1:4000", nil, trusted, "10.1.1.1"},
		{"a malformed hop: the peer", "10.1.1.1:4000", []string{"1.2.3.4, evil.example"}, trusted, "10.1.1.1"},
		{"IPv4-mapped hop unmapped", "10.1.1.1:4000", []string{"::ffff:203.0.113.9"}, trusted, "203.0.113.9"},
		{"IPv6 trusted peer", "[fd00::1]:4000", []string{"2001:db8::5"}, trusted, "2001:db8::5"},
		{"IPv4-mapped trusted peer", "[::ffff:10.1.1.1]:4000", []string{"203.0.113.9"}, trusted, "203.0.113.9"},
		{"RemoteAddr without a port", "10.1.1.1", []string{"203.0.113.9"}, trusted, "203.0.113.9"},
		{"RemoteAddr not an address", "pipe", []string{"203.0.113.9"}, trusted, "pipe"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: c.remote, Header: http.Header{}}
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := Of(r, c.trusted); got != c.want {
				t.Errorf("Of = %q, want %q", got, c.want)
			}
		})
	}
}

func FuzzOf(f *testing.F) {
	f.Add("10.1.1.1:1", "1.2.3.4, 10.2.2.2")
	f.Add("[fd00::1]:1", "::ffff:1.2.3.4,,")
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := &http.Request{RemoteAddr: remote, Header: http.Header{"X-Forwarded-For": {xff}}}
		got := Of(r, trusted)
		if a, err := netip.ParseAddr(got); err == nil && Trusted(a, trusted) && got != Of(r, nil) {
			t.Errorf("a trusted proxy %q returned for a forwarded hop", got)
		}
	})
}
