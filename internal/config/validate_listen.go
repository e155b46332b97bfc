package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// validateListen checks listen and ops_listen.
func (c *Config) validateListen(ps *problems) {
	if host, port, err := net.SplitHostPort(c.Listen); err != nil {
		ps.add("listen", "%q is not host:port (e.g. 127.0.0.1:8080 or :8443)", c.Listen)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		ps.add("listen", "port %q is not a number from 0 to 65535", port)
	} else if host != "" && net.ParseIP(host) == nil && !validHostname(host) {
		ps.add("listen", "host %q is neither an IP address nor a host name", host)
	}
	c.validateOpsListen(ps)
}

// validateOpsListen checks ops_listen, when given: host:port, not listen.
func (c *Config) validateOpsListen(ps *problems) {
	if c.OpsListen == "" {
		return
	}
	if _, port, err := net.SplitHostPort(c.OpsListen); err != nil {
		ps.add("ops_listen", "%q is not host:port (e.g. 127.0.0.1:9090)", c.OpsListen)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		ps.add("ops_listen", "port %q is not a number from 0 to 65535", port)
	} else if c.OpsListen == c.Listen && n != 0 {
		ps.add("ops_listen", "is the same address as listen")
	}
}

// validateFront checks what the listener does before a handler runs:
// the connection bound, the trusted proxies, and the bounds of the
// citizens' page and of verification.
func (c *Config) validateFront(ps *problems) {
	if c.Limits.MaxConnections < 0 {
		ps.add("limits.max_connections", "must not be negative")
	}
	c.validateOps(ps)
	for i, p := range c.TrustedProxies {
		if _, err := ParseProxy(p); err != nil {
			ps.add(fmt.Sprintf("trusted_proxies[%d]", i), "%q is not an IP address or CIDR prefix (10.0.0.0/8)", p)
		}
	}
	if c.Limits.SpoolMemory > MaxSpoolMemory {
		ps.add("limits.spool_memory", "must be at most 16MiB (larger bodies go to temporary files)")
	}
	if c.Limits.PageMaxUpload < 0 {
		ps.add("limits.page_max_upload", "must not be negative")
	}
	if c.Limits.MaxVerifications < 0 {
		ps.add("limits.max_verifications", "must not be negative")
	}
	if c.Limits.VerifyQueueTimeout < 0 {
		ps.add("limits.verify_queue_timeout", "must not be negative")
	}
}

// validatePublicBaseURL checks public_base_url and drops its final '/'.
func (c *Config) validatePublicBaseURL(ps *problems) {
	if c.PublicBaseURL == "" {
		return
	}
	u, err := url.Parse(c.PublicBaseURL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		ps.add("public_base_url", "%q is not an http(s) URL such as https://segel.example.go.id", c.PublicBaseURL)
	case u.RawQuery != "" || u.Fragment != "":
		ps.add("public_base_url", "%q has a query or fragment; give the base URL only", c.PublicBaseURL)
	default:
		c.PublicBaseURL = strings.TrimSuffix(c.PublicBaseURL, "/")
	}
}

// validateTLS checks tls: the certificate and key go together, and client
// certificates need TLS and their CAs.
func (c *Config) validateTLS(ps *problems) {
	t := &c.TLS
	switch {
	case t.Cert != "" && t.Key == "":
		ps.add("tls.key", "missing: tls.cert is set, so the private key file is needed too")
	case t.Key != "" && t.Cert == "":
		ps.add("tls.cert", "missing: tls.key is set, so the certificate file is needed too")
	}
	c.checkFile(ps, "tls.cert", t.Cert)
	c.checkFile(ps, "tls.key", t.Key)
	c.checkFile(ps, "tls.client_ca", t.ClientCA)
	switch t.ClientAuth {
	case "", "require", "request":
	default:
		ps.add("tls.client_auth", "%q is not require or request", t.ClientAuth)
	}
	if t.ClientAuth != "" && t.ClientCA == "" {
		ps.add("tls.client_auth", "needs tls.client_ca, the CAs of the client certificates")
	}
	if t.ClientCA != "" && t.Cert == "" {
		ps.add("tls.client_ca", "client certificates need TLS: set tls.cert and tls.key")
	}
}
