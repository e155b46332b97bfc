// Package config reads the configuration file of `segel serve` (YAML,
// usually segel.yaml) and checks it before the service starts.
//
// A wrong configuration never starts a half-working service: Load returns
// an *Error listing every problem with the file, the line, the key path
// (such as profiles[2].level) and what is wrong. Unknown keys are errors,
// so a misspelt key is not silently ignored.
//
// # Keys and defaults
//
// examples/segel.yaml documents every key. In short:
//
//	listen           host:port to listen on                 127.0.0.1:8080
//	ops_listen       host:port for /metrics, /readyz, /healthz only  (none: on listen)
//	public_base_url  how clients and citizens reach Segel   http://LISTEN
//	tls              cert, key, client_ca, client_auth      plain HTTP
//	store            sqlite: PATH | postgres: DSN, blob_dir sqlite: segel-data/segel.db
//	audit            key_file: the audit chain's key (32+ bytes)  none: not keyed
//	totp             key_file: the KEK of officials' TOTP enrolments (32 bytes)  none: no TOTP
//	trust            national: bool, paths: [PEM file/dir]  national: true
//	tsa              urls, username, password, token, timeout (10s)
//	revocation       timeout (10s), offline (false), prefer_crl (false),
//	                 allowed_hosts ([]: any host)
//	limits           max_body (64MiB), read_header_timeout (10s), read_timeout (5m),
//	                 write_timeout (5m), idle_timeout (2m), shutdown_timeout (2m),
//	                 max_connections (0: no bound), max_verifications (2×CPUs),
//	                 verify_queue_timeout (5s), page_rate_limit (20/min per address),
//	                 page_max_upload (max_body), spool_memory (256KiB per request),
//	                 spool_memory_total (32MiB for all requests),
//	trusted_proxies  [IP or CIDR]: whose X-Forwarded-For names the client   none
//	                 passphrase_attempts (5), passphrase_window (15m): per profile and address,
//	                 passphrase_profile_attempts, passphrase_profile_window: per profile
//	                 (the hard limit; default: the two above)
//	log              level: debug|info|warn|error           info
//	bsre             user, password: the BSrE-compatible API off
//	branding         name, short_name, logo (PNG/JPEG file), address, website:
//	                 the page's header and footer, the stamp's logo   none: "Segel"
//	profiles         the signing identities (see Profile)
//
// Relative paths are relative to the directory of the configuration file.
// Durations are Go durations ("90s", "1h30m") or whole days and years
// ("30d", "10y"); sizes are bytes or a number with KB, MB, GB (powers of
// 1000) or KiB, MiB, GiB (powers of 1024).
//
// API clients are not configured here: they live in the store, added with
// `segel clients add NAME --profiles P,...`, which prints the key once.
//
// # Secrets and the environment
//
// Secrets should not be written in the file. PINs come from the key URI's
// pin-source (file:PATH or env:NAME); a pin-value in the file is an error.
// These environment variables override the file (and name themselves in
// any error about the value they gave):
//
//	SEGEL_LISTEN                        listen
//	SEGEL_OPS_LISTEN                    ops_listen
//	SEGEL_PUBLIC_BASE_URL               public_base_url
//	SEGEL_STORE_DSN                     store: a postgres:// DSN, or an SQLite path
//	SEGEL_TSA_USERNAME                  tsa.username
//	SEGEL_TSA_PASSWORD                  tsa.password
//	SEGEL_TSA_TOKEN                     tsa.token
//	SEGEL_BSRE_USER                     bsre.user
//	SEGEL_BSRE_PASSWORD                 bsre.password
//	SEGEL_TOTP_KEY_FILE                 totp.key_file
//	SEGEL_BRANDING_NAME                 branding.name
//	SEGEL_BRANDING_LOGO                 branding.logo
//	SEGEL_PROFILES_<NAME>_KEY           profiles[name=NAME].key (may hold pin-value)
//	SEGEL_PROFILES_<NAME>_KEY_PASSWORD  the password of that profile's PKCS#12 file
//
// where <NAME> is the profile's name in upper case with '-' written '_'
// (profile kepala-dinas: SEGEL_PROFILES_KEPALA_DINAS_KEY).
package config

import (
	"time"
)

// Defaults of the keys that are not given.
const (
	DefaultListen            = "127.0.0.1:8080"
	DefaultSQLite            = "segel-data/segel.db"
	DefaultTSATimeout        = 10 * time.Second
	DefaultRevocationTimeout = 10 * time.Second
	DefaultMaxBody           = 64 << 20
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 5 * time.Minute
	DefaultWriteTimeout      = 5 * time.Minute
	DefaultIdleTimeout       = 2 * time.Minute
	DefaultShutdownTimeout   = 2 * time.Minute
	DefaultPassphraseTries   = 5
	DefaultPassphraseWindow  = 15 * time.Minute
	DefaultLevel             = "B-B"
)

// Config is the configuration of the service.
type Config struct {
	// File is the file the configuration was read from; empty for one
	// built in code (such as the development mode's).
	File string `yaml:"-"`

	// Listen is the address to listen on, host:port.
	Listen string `yaml:"listen"`
	// OpsListen, when set, is a second address (host:port, plain HTTP)
	// that serves /metrics, /readyz and /healthz; /metrics and /readyz are
	// then no longer served on Listen. Empty: all on Listen.
	OpsListen string `yaml:"ops_listen"`
	// TrustedProxies are the reverse proxies (IP addresses or CIDR
	// prefixes) whose X-Forwarded-For gives the client's address, for the
	// passphrase lock-out and the citizens' page's rate limit. Empty: the
	// connection's address is the client's.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// PublicBaseURL is how clients and citizens reach the service (the
	// links of the register and the QR codes), without a trailing slash.
	PublicBaseURL string     `yaml:"public_base_url"`
	TLS           TLS        `yaml:"tls"`
	Store         Store      `yaml:"store"`
	Audit         Audit      `yaml:"audit"`
	TOTP          TOTP       `yaml:"totp"`
	Trust         Trust      `yaml:"trust"`
	TSA           TSA        `yaml:"tsa"`
	Revocation    Revocation `yaml:"revocation"`
	Limits        Limits     `yaml:"limits"`
	Log           Log        `yaml:"log"`
	BSrE          BSrE       `yaml:"bsre"`
	// Branding is the regency's name and logo on the citizens' page and
	// the stamp.
	Branding Branding `yaml:"branding"`
	// Timezone is the zone of the stamp's time and the CLI's report:
	// WIB, WITA, WIT or an IANA name of one of them; default WIB.
	Timezone string `yaml:"timezone"`
	// Profiles are the signing identities.
	Profiles []*Profile `yaml:"profiles"`

	// lines maps key paths to the line they were given on.
	lines map[string]int
	// env maps key paths to the environment variable that set them.
	env map[string]string
}

// Log configures the JSON log on stderr.
type Log struct {
	// Level is debug, info (default), warn or error.
	Level string `yaml:"level"`
}

// BSrE enables the BSrE-compatible API (/api/sign/pdf, /api/v2/sign/pdf,
// …), with which apps written for BSrE's Esign Client Service sign
// through Segel unchanged: HTTP Basic authentication with User and
// Password, and the "nik" of a request naming a personal profile.
type BSrE struct {
	User string `yaml:"user"`
	// Password is better given as $SEGEL_BSRE_PASSWORD.
	Password string `yaml:"password"`
}

// New returns a configuration built in code with the defaults of every key
// not set; fill it in and call Validate.
func New() *Config {
	c := &Config{lines: map[string]int{}, env: map[string]string{}}
	c.applyDefaults(map[string]bool{})
	return c
}
