package config

import "time"

// DefaultAPIKeyCache is how long the server remembers a known API key by
// default: a disabled, removed or re-keyed client's old key is refused at
// most this long after the change (docs/decisions.md, "Audit checkpoints
// and client keys").
const DefaultAPIKeyCache = 10 * time.Second

// MaxAPIKeyCache bounds limits.api_key_cache: a leaked key must die soon.
const MaxAPIKeyCache = 10 * time.Minute

// applyOpsDefaults sets the defaults of the client-key and audit
// checkpoint settings.
func (c *Config) applyOpsDefaults() {
	if c.Limits.APIKeyCache == 0 {
		c.Limits.APIKeyCache = Duration(DefaultAPIKeyCache)
	}
}

// validateOps checks the client-key and audit checkpoint settings.
func (c *Config) validateOps(ps *problems) {
	if d := c.Limits.APIKeyCache.D(); d < 0 || d > MaxAPIKeyCache {
		ps.add("limits.api_key_cache", "%s: must be at most %s (a disabled key must die soon)", d, MaxAPIKeyCache)
	}
}
