package config

import (
	"fmt"
	"time"
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
	l := &c.Limits
	if l.MaxBody == 0 {
		l.MaxBody = DefaultMaxBody
	}
	for _, d := range []struct {
		v   *Duration
		def time.Duration
	}{
		{&l.ReadHeaderTimeout, DefaultReadHeaderTimeout}, {&l.ReadTimeout, DefaultReadTimeout},
		{&l.WriteTimeout, DefaultWriteTimeout}, {&l.IdleTimeout, DefaultIdleTimeout},
		{&l.ShutdownTimeout, DefaultShutdownTimeout}, {&l.PassphraseWindow, DefaultPassphraseWindow},
	} {
		if *d.v == 0 {
			*d.v = Duration(d.def)
		}
	}
	if l.PassphraseAttempts == 0 {
		l.PassphraseAttempts = DefaultPassphraseTries
	}
	if l.ProfileAttempts == 0 {
		l.ProfileAttempts = l.PassphraseAttempts
	}
	if l.ProfileWindow == 0 {
		l.ProfileWindow = l.PassphraseWindow
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
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
	}
}
