package config

import (
	"fmt"
	"net/url"
	"strings"
)

// validateTSA checks tsa: http(s) URLs, a password only with a user name.
func (c *Config) validateTSA(ps *problems) {
	for i, u := range c.TSA.URLs {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			ps.add(fmt.Sprintf("tsa.urls[%d]", i), "%q is not an http(s) URL", u)
		}
	}
	if c.TSA.Password != "" && c.TSA.Username == "" {
		ps.add("tsa.password", "a password without tsa.username")
	}
	if c.TSA.Timeout < 0 {
		ps.add("tsa.timeout", "must not be negative")
	}
}

// validateRevocation checks revocation: the timeout and the allowed hosts
// (host names or *.domain).
func (c *Config) validateRevocation(ps *problems) {
	if c.Revocation.Timeout < 0 {
		ps.add("revocation.timeout", "must not be negative")
	}
	for i, h := range c.Revocation.AllowedHosts {
		if h == "" || strings.ContainsAny(h, "/:@ ") || strings.Contains(strings.TrimPrefix(h, "*."), "*") {
			ps.add(fmt.Sprintf("revocation.allowed_hosts[%d]", i), "%q is not a host name or *.domain (no scheme, port or path)", h)
		}
	}
}

// validateBSrE checks bsre: user and password together, no ':' in the
// user name.
func (c *Config) validateBSrE(ps *problems) {
	switch {
	case c.BSrE.User != "" && c.BSrE.Password == "":
		ps.add("bsre.password", "missing: bsre.user is set (give the password as $SEGEL_BSRE_PASSWORD)")
	case c.BSrE.Password != "" && c.BSrE.User == "":
		ps.add("bsre.user", "missing: bsre.password is set")
	case c.BSrE.User != "" && strings.Contains(c.BSrE.User, ":"):
		ps.add("bsre.user", "a Basic-auth user name cannot hold ':'")
	}
}

// validateLog checks log.level.
func (c *Config) validateLog(ps *problems) {
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		ps.add("log.level", "%q is not debug, info, warn or error", c.Log.Level)
	}
}
