package config

// validateLimits checks the server's limits: sizes, timeouts, and the
// passphrase lock-out, none negative. (The bounds of the front, such as
// max_connections, are checked by validateFront.)
func (c *Config) validateLimits(ps *problems) {
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
}
