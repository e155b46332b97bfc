package config

import "time"

// DefaultAPIKeyCache is how long the server remembers a known API key by
// default: a disabled, removed or re-keyed client's old key is refused at
// most this long after the change (docs/decisions.md, "Audit checkpoints
// and client keys").
const DefaultAPIKeyCache = 10 * time.Second

// MaxAPIKeyCache bounds limits.api_key_cache: a leaked key must die soon.
const MaxAPIKeyCache = 10 * time.Minute

// DefaultCheckpointInterval is how often the service writes a checkpoint
// of the audit chain (and once more at shutdown): audit.checkpoint_interval.
// audit.checkpoint_key (a KEYREF: a PEM file or a pkcs11: URI, so the
// profile's HSM can sign) signs them, else the audit key MACs them;
// audit.checkpoint_file, when set, is the file they are appended to
// besides the log (internal/auditcp documents the format).
const DefaultCheckpointInterval = time.Hour

// applyOpsDefaults sets the defaults of the client-key and audit
// checkpoint settings.
func (c *Config) applyOpsDefaults() {
	if c.Limits.APIKeyCache == 0 {
		c.Limits.APIKeyCache = Duration(DefaultAPIKeyCache)
	}
	if c.Audit.CheckpointInterval == 0 {
		c.Audit.CheckpointInterval = Duration(DefaultCheckpointInterval)
	}
}

// validateOps checks the client-key and audit checkpoint settings.
func (c *Config) validateOps(ps *problems) {
	if d := c.Limits.APIKeyCache.D(); d < 0 || d > MaxAPIKeyCache {
		ps.add("limits.api_key_cache", "%s: must be at most %s (a disabled key must die soon)", d, MaxAPIKeyCache)
	}
	if d := c.Audit.CheckpointInterval.D(); d < time.Second {
		ps.add("audit.checkpoint_interval", "%s: must be at least 1s", d)
	}
}
