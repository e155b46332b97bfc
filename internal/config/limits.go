package config

import (
	"time"

	"github.com/segel-id/segel/internal/spool"
)

// Limits bound what one request may cost.
type Limits struct {
	// MaxBody is the largest request body (413 beyond); default 64MiB.
	MaxBody Size `yaml:"max_body"`
	// Timeouts of the HTTP server (see net/http.Server); zero means the
	// default, not "none".
	ReadHeaderTimeout Duration `yaml:"read_header_timeout"`
	ReadTimeout       Duration `yaml:"read_timeout"`
	WriteTimeout      Duration `yaml:"write_timeout"`
	IdleTimeout       Duration `yaml:"idle_timeout"`
	// PageRateLimit is the uploads per minute one client address may make
	// on the citizens' page (default 0: 20; negative: no limit).
	PageRateLimit int `yaml:"page_rate_limit"`
	// PageMaxUpload is the largest upload on the citizens' page (default
	// 0: max_body, so that every letter Segel signs can be checked).
	PageMaxUpload Size `yaml:"page_max_upload"`
	// SpoolMemory is how much of one request's body, with what is made
	// from it (the signed PDF), is held in memory rather than in a
	// temporary file (default 0: 256KiB, at most 16MiB);
	// SpoolMemoryTotal bounds what all requests in flight hold so
	// (default 0: 32MiB). Beyond either, the rest goes to a temporary
	// file.
	SpoolMemory      Size `yaml:"spool_memory"`
	SpoolMemoryTotal Size `yaml:"spool_memory_total"`
	// MaxVerifications bounds the verifications in progress at once (API,
	// BSrE API and citizens' page together; default 0: 2×CPUs, at least
	// 4); one waits up to VerifyQueueTimeout (default 0: 5s) for a place,
	// then is answered 429 with Retry-After.
	MaxVerifications   int      `yaml:"max_verifications"`
	VerifyQueueTimeout Duration `yaml:"verify_queue_timeout"`
	// MaxConnections bounds the connections served at once on Listen;
	// further ones wait to be accepted. Zero: no bound.
	MaxConnections int `yaml:"max_connections"`
	// ShutdownTimeout bounds how long a stopping service waits for the
	// requests in flight; default 2m.
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// PassphraseAttempts wrong passphrases within PassphraseWindow from
	// one client address lock that address out of that personal profile
	// (other officials behind the same proxy are not affected).
	PassphraseAttempts int      `yaml:"passphrase_attempts"`
	PassphraseWindow   Duration `yaml:"passphrase_window"`
	// ProfileAttempts wrong passphrases within ProfileWindow, from any
	// address, lock a personal profile out: the hard limit that keeps
	// guesses from reaching the official's token. Default: the same as
	// PassphraseAttempts and PassphraseWindow.
	ProfileAttempts int      `yaml:"passphrase_profile_attempts"`
	ProfileWindow   Duration `yaml:"passphrase_profile_window"`
	// APIKeyCache is how long a known API key is remembered (see
	// limits_keys.go).
	APIKeyCache Duration `yaml:"api_key_cache"`
}

// applyDefaults fills in the limits that were not set; the per-profile
// passphrase bounds default to the per-address ones.
func (l *Limits) applyDefaults() {
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
}

// MaxSpoolMemory bounds limits.spool_memory: the most a spool takes
// (spool.MaxMemoryPerSpool); larger bodies belong in temporary files.
const MaxSpoolMemory = spool.MaxMemoryPerSpool
