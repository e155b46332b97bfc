package config

import (
	"fmt"
	"net/url"
	"strings"
)

// validateStore checks store (one database, a well-formed DSN that is
// never shown) and the audit key.
func (c *Config) validateStore(ps *problems) {
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
}

// validateTrust checks that the trust paths exist.
func (c *Config) validateTrust(ps *problems) {
	for i, p := range c.Trust.Paths {
		c.checkFile(ps, fmt.Sprintf("trust.paths[%d]", i), p)
	}
}
