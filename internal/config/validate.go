package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Validate checks a configuration built in code (Load checks its own).
func (c *Config) Validate() error {
	if c.lines == nil {
		c.lines = map[string]int{}
	}
	return c.validate(false).err()
}

// validate checks c; fromFile adds the checks that only apply to values a
// file gave (no pin-value in a file).
func (c *Config) validate(fromFile bool) *problems {
	ps := &problems{c: c}
	if host, port, err := net.SplitHostPort(c.Listen); err != nil {
		ps.add("listen", "%q is not host:port (e.g. 127.0.0.1:8080 or :8443)", c.Listen)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		ps.add("listen", "port %q is not a number from 0 to 65535", port)
	} else if host != "" && net.ParseIP(host) == nil && !validHostname(host) {
		ps.add("listen", "host %q is neither an IP address nor a host name", host)
	}
	if c.OpsListen != "" {
		if _, port, err := net.SplitHostPort(c.OpsListen); err != nil {
			ps.add("ops_listen", "%q is not host:port (e.g. 127.0.0.1:9090)", c.OpsListen)
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			ps.add("ops_listen", "port %q is not a number from 0 to 65535", port)
		} else if c.OpsListen == c.Listen && n != 0 {
			ps.add("ops_listen", "is the same address as listen")
		}
	}
	if c.Limits.MaxConnections < 0 {
		ps.add("limits.max_connections", "must not be negative")
	}
	for i, p := range c.TrustedProxies {
		if _, err := ParseProxy(p); err != nil {
			ps.add(fmt.Sprintf("trusted_proxies[%d]", i), "%q is not an IP address or CIDR prefix (10.0.0.0/8)", p)
		}
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
	if c.PublicBaseURL != "" {
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

	s := &c.Store
	switch {
	case s.SQLite != "" && s.Postgres != "":
		ps.add("store", "give sqlite or postgres, not both")
	case s.Postgres != "":
		if !strings.HasPrefix(s.Postgres, "postgres://") && !strings.HasPrefix(s.Postgres, "postgresql://") {
			ps.add("store.postgres", "not a postgres:// DSN")
		} else if _, err := url.Parse(s.Postgres); err != nil {
			ps.add("store.postgres", "not a valid URL (the DSN is not shown: it may hold a password)")
		}
	}

	if c.Audit.KeyFile != "" {
		if _, err := ReadAuditKey(c.Audit.KeyFile); err != nil {
			ps.add("audit.key_file", "%s", strings.TrimPrefix(err.Error(), "audit key: "))
		}
	}

	for i, p := range c.Trust.Paths {
		c.checkFile(ps, fmt.Sprintf("trust.paths[%d]", i), p)
	}

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
	if c.Revocation.Timeout < 0 {
		ps.add("revocation.timeout", "must not be negative")
	}
	for i, h := range c.Revocation.AllowedHosts {
		if h == "" || strings.ContainsAny(h, "/:@ ") || strings.Contains(strings.TrimPrefix(h, "*."), "*") {
			ps.add(fmt.Sprintf("revocation.allowed_hosts[%d]", i), "%q is not a host name or *.domain (no scheme, port or path)", h)
		}
	}

	l := &c.Limits
	if l.MaxBody < 0 {
		ps.add("limits.max_body", "must not be negative")
	}
	for key, d := range map[string]Duration{
		"limits.read_header_timeout": l.ReadHeaderTimeout, "limits.read_timeout": l.ReadTimeout,
		"limits.write_timeout": l.WriteTimeout, "limits.idle_timeout": l.IdleTimeout,
		"limits.shutdown_timeout": l.ShutdownTimeout, "limits.passphrase_window": l.PassphraseWindow,
		"limits.passphrase_profile_window": l.ProfileWindow,
	} {
		if d < 0 {
			ps.add(key, "must not be negative")
		}
	}
	if l.PassphraseAttempts < 0 {
		ps.add("limits.passphrase_attempts", "must not be negative")
	}
	if l.ProfileAttempts < 0 {
		ps.add("limits.passphrase_profile_attempts", "must not be negative")
	}
	switch {
	case c.BSrE.User != "" && c.BSrE.Password == "":
		ps.add("bsre.password", "missing: bsre.user is set (give the password as $SEGEL_BSRE_PASSWORD)")
	case c.BSrE.Password != "" && c.BSrE.User == "":
		ps.add("bsre.user", "missing: bsre.password is set")
	case c.BSrE.User != "" && strings.Contains(c.BSrE.User, ":"):
		ps.add("bsre.user", "a Basic-auth user name cannot hold ':'")
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		ps.add("log.level", "%q is not debug, info, warn or error", c.Log.Level)
	}

	names := map[string]int{}
	envs := map[string]int{}
	niks := map[string]int{}
	for i, p := range c.Profiles {
		k := fmt.Sprintf("profiles[%d]", i)
		if p == nil {
			ps.add(k, "empty profile")
			continue
		}
		c.validateProfile(ps, k, p, fromFile)
		if p.Name != "" {
			if j, dup := names[p.Name]; dup {
				ps.add(k+".name", "%q is already the name of profiles[%d]", p.Name, j)
			} else if j, dup := envs[p.EnvName()]; dup {
				ps.add(k+".name", "%q and profiles[%d] have the same environment name SEGEL_PROFILES_%s_…", p.Name, j, p.EnvName())
			}
			names[p.Name], envs[p.EnvName()] = i, i
		}
		if p.NIK != "" {
			if j, dup := niks[p.NIK]; dup {
				ps.add(k+".nik", "the same NIK as profiles[%d]", j)
			}
			niks[p.NIK] = i
		}
	}
	return ps
}

func (c *Config) checkFile(ps *problems, key, path string) {
	if path == "" {
		return
	}
	if _, err := os.Stat(path); err != nil {
		ps.add(key, "%s: %s", path, unwrapPath(err))
	}
}
