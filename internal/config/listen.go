package config

import (
	"net/netip"
	"regexp"
	"strings"
)

// TLS configures HTTPS. Without Cert and Key the service speaks plain HTTP
// (behind a reverse proxy that terminates TLS, say).
type TLS struct {
	// Cert and Key are PEM files: the server certificate (with its chain)
	// and its private key.
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
	// ClientCA, when set, is a PEM file of the CAs whose client
	// certificates are accepted: client-certificate authentication in
	// front of the API keys.
	ClientCA string `yaml:"client_ca"`
	// ClientAuth is "require" (the default with ClientCA: every
	// connection presents a valid client certificate) or "request"
	// (a certificate, when given, must be valid; citizens without one
	// still reach the public pages).
	ClientAuth string `yaml:"client_auth"`
}

// Enabled reports whether HTTPS is configured.
func (t TLS) Enabled() bool { return t.Cert != "" }

// ParseProxy reads an entry of trusted_proxies: an IP address (a prefix of
// its full length) or a CIDR prefix.
func ParseProxy(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

var hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$`)

func validHostname(h string) bool { return hostnameRE.MatchString(h) }
