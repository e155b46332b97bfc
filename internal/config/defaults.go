package config

import (
	"fmt"
)

// applyDefaults fills in what was not set (set holds the key paths given).
func (c *Config) applyDefaults(set map[string]bool) {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if !set["trust.national"] {
		c.Trust.National = true
	}
	if c.Store.SQLite == "" && c.Store.Postgres == "" {
		c.Store.SQLite = DefaultSQLite
	}
	if c.TSA.Timeout == 0 {
		c.TSA.Timeout = Duration(DefaultTSATimeout)
	}
	if c.Revocation.Timeout == 0 {
		c.Revocation.Timeout = Duration(DefaultRevocationTimeout)
	}
	c.Limits.applyDefaults()
	c.applyOpsDefaults()
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	c.applyProfileDefaults(set)
}

// applyProfileDefaults gives each profile the default level and keep
// when the file does not set them.
func (c *Config) applyProfileDefaults(set map[string]bool) {
	for i, p := range c.Profiles {
		if p == nil {
			continue
		}
		k := fmt.Sprintf("profiles[%d]", i)
		if p.Level == "" {
			p.Level = DefaultLevel
		}
		if !set[k+".keep"] {
			p.Keep = true
		}
		defaultFooter(set, k, p)
	}
}
