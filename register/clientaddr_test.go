package register

import (
	"net/http"
	"net/netip"
	"testing"
)

// forwardingTransport adds X-Forwarded-For to every request, as a proxy
// in front of the register would.
type forwardingTransport struct{ xff string }

func (f forwardingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.xff)
	return http.DefaultTransport.RoundTrip(r)
}

// TestClientAddrTrustedProxies: the address of the login throttle and of
// SignRequest.ClientAddr is the forwarded client only for a request from
// a trusted proxy.
func TestClientAddrTrustedProxies(t *testing.T) {
	r := &http.Request{RemoteAddr: "10.0.0.2:5555", Header: http.Header{"X-Forwarded-For": {"1.1.1.1, 203.0.113.9"}}}
	none := &App{}
	if got := none.clientAddr(r); got != "10.0.0.2" {
		t.Errorf("no trusted proxies: %q, want the peer", got)
	}
	trusting := &App{opts: Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")}}}
	if got := trusting.clientAddr(r); got != "203.0.113.9" {
		t.Errorf("from a trusted proxy: %q, want the forwarded client", got)
	}
	r.RemoteAddr = "10.0.1.2:5555"
	if got := trusting.clientAddr(r); got != "10.0.1.2" {
		t.Errorf("from an untrusted peer: %q, want the peer", got)
	}
}

// TestLoginThrottleBehindProxy: behind a trusted proxy the failures of one
// client do not throttle another client of the same username; without
// trusting it, every client behind it is one address (and X-Forwarded-For
// cannot be used to dodge the throttle).
func TestLoginThrottleBehindProxy(t *testing.T) {
	from := func(ta *testApp, xff string) *client {
		c := ta.anon()
		c.hc.Transport = forwardingTransport{xff}
		return c
	}
	fail := func(t *testing.T, c *client) {
		t.Helper()
		for i := 0; i < loginMaxFailures; i++ {
			if r := c.tryLogin("kabid", "salah"); r.Code != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i, r.Code)
			}
		}
	}
	t.Run("trusted", func(t *testing.T) {
		ta := newTestApp(t, func(o *Options) {
			o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
		})
		fail(t, from(ta, "203.0.113.9"))
		if r := from(ta, "203.0.113.9").tryLogin("kabid", "sandi-kabid"); r.Code != http.StatusTooManyRequests {
			t.Errorf("the failing client: %d, want 429", r.Code)
		}
		if r := from(ta, "198.51.100.4").tryLogin("kabid", "sandi-kabid"); r.Code != http.StatusSeeOther {
			t.Errorf("another client behind the proxy: %d, want 303", r.Code)
		}
	})
	t.Run("untrusted", func(t *testing.T) {
		ta := newTestApp(t)
		fail(t, from(ta, "203.0.113.9"))
		if r := from(ta, "198.51.100.4").tryLogin("kabid", "sandi-kabid"); r.Code != http.StatusTooManyRequests {
			t.Errorf("a made-up X-Forwarded-For: %d, want 429 (the peer is throttled)", r.Code)
		}
	})
}
