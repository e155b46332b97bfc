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
//	trust            national: bool, paths: [PEM file/dir]  national: true
//	tsa              urls, username, password, token, timeout (10s)
//	revocation       timeout (10s), offline (false), prefer_crl (false),
//	                 allowed_hosts ([]: any host)
//	limits           max_body (64MiB), read_header_timeout (10s), read_timeout (5m),
//	                 write_timeout (5m), idle_timeout (2m), shutdown_timeout (2m),
//	                 max_connections (0: no bound), max_verifications (2×CPUs),
//	                 verify_queue_timeout (5s), page_rate_limit (20/min per address),
//	                 page_max_upload (max_body),
//	trusted_proxies  [IP or CIDR]: whose X-Forwarded-For names the client   none
//	                 passphrase_attempts (5), passphrase_window (15m): per profile and address,
//	                 passphrase_profile_attempts, passphrase_profile_window: per profile
//	                 (the hard limit; default: the two above)
//	log              level: debug|info|warn|error           info
//	bsre             user, password: the BSrE-compatible API off
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
//	SEGEL_PROFILES_<NAME>_KEY           profiles[name=NAME].key (may hold pin-value)
//	SEGEL_PROFILES_<NAME>_KEY_PASSWORD  the password of that profile's PKCS#12 file
//
// where <NAME> is the profile's name in upper case with '-' written '_'
// (profile kepala-dinas: SEGEL_PROFILES_KEPALA_DINAS_KEY).
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/signer"
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
	Trust         Trust      `yaml:"trust"`
	TSA           TSA        `yaml:"tsa"`
	Revocation    Revocation `yaml:"revocation"`
	Limits        Limits     `yaml:"limits"`
	Log           Log        `yaml:"log"`
	BSrE          BSrE       `yaml:"bsre"`
	// Profiles are the signing identities.
	Profiles []*Profile `yaml:"profiles"`

	// lines maps key paths to the line they were given on.
	lines map[string]int
	// env maps key paths to the environment variable that set them.
	env map[string]string
}

// TLS configures HTTPS. Without Cert and Key the service speaks plain HTTP
// (behind a reverse proxy that terminates TLS, say).
type TLS struct {
	// Cert and Key are PEM files: the server certificate (with its chain)
	// and its private key.
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
	// ClientCA, when set, is a PEM file of the CAs whose client
	// certificates are accepted: client-certificate authentication in
	// front of the API keys.
	ClientCA string `yaml:"client_ca"`
	// ClientAuth is "require" (the default with ClientCA: every
	// connection presents a valid client certificate) or "request"
	// (a certificate, when given, must be valid; citizens without one
	// still reach the public pages).
	ClientAuth string `yaml:"client_auth"`
}

// Enabled reports whether HTTPS is configured.
func (t TLS) Enabled() bool { return t.Cert != "" }

// Store says where the audit log, the register, the clients and the
// signed files are kept.
type Store struct {
	// SQLite is the path of the SQLite database (the default,
	// segel-data/segel.db). Exclusive with Postgres.
	SQLite string `yaml:"sqlite"`
	// Postgres is a postgres:// DSN, for several replicas sharing one
	// database. Better given as $SEGEL_STORE_DSN (it holds a password).
	Postgres string `yaml:"postgres"`
	// BlobDir is where signed files are kept. Default: "blobs" beside the
	// SQLite database; for PostgreSQL, a table in the database, so that
	// replicas share the files.
	BlobDir string `yaml:"blob_dir"`
}

// Audit configures the audit log.
type Audit struct {
	// KeyFile is a file holding the audit key: at least 32 random bytes
	// (its whole content, as is), kept outside the database, with which
	// each head of the audit chain is keyed (an HMAC-SHA256), so that
	// someone who can write the database cannot rewrite the chain unseen.
	// Empty: the chain is not keyed (docs/decisions.md, "Keyed audit
	// chain").
	KeyFile string `yaml:"key_file"`
	// Checkpoints: see limits_keys.go.
	CheckpointInterval Duration `yaml:"checkpoint_interval"`
	CheckpointKey      string   `yaml:"checkpoint_key"`
	CheckpointFile     string   `yaml:"checkpoint_file"`
}

// ReadAuditKey reads the audit key from path. Errors name the file and
// its length, never its content.
func ReadAuditKey(path string) ([]byte, error) {
	k, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit key: %s: %s", path, unwrapPath(err))
	}
	if len(k) < store.MinAuditKeyLen {
		return nil, fmt.Errorf("audit key: %s has %d bytes; it needs at least %d random bytes "+
			"(head -c 32 /dev/urandom > %s)", path, len(k), store.MinAuditKeyLen, path)
	}
	return k, nil
}

// AuditKey returns the audit key of the configuration, nil when none is
// configured.
func (c *Config) AuditKey() ([]byte, error) {
	if c.Audit.KeyFile == "" {
		return nil, nil
	}
	return ReadAuditKey(c.Audit.KeyFile)
}

// DSN returns the store's data source name for store.Open.
func (s Store) DSN() string {
	if s.Postgres != "" {
		return s.Postgres
	}
	return s.SQLite
}

// Trust lists the trust anchors for verification and for TSA
// certificates.
type Trust struct {
	// National trusts the national bundle shipped with Segel (Root CA
	// Indonesia DS G1). Default true.
	National bool `yaml:"national"`
	// Paths are PEM/DER files or directories of further anchors.
	Paths []string `yaml:"paths"`
}

// TSA configures the RFC 3161 time-stamp authorities (needed for B-T and
// above).
type TSA struct {
	// URLs are tried in order.
	URLs []string `yaml:"urls"`
	// Username and Password are sent with HTTP Basic authentication;
	// Token as a bearer token. Prefer $SEGEL_TSA_PASSWORD and
	// $SEGEL_TSA_TOKEN to writing them here.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	Token    string `yaml:"token"`
	// Timeout bounds each attempt; default 10s.
	Timeout Duration `yaml:"timeout"`
}

// Revocation configures OCSP and CRL fetching.
type Revocation struct {
	// Timeout bounds each request; default 10s.
	Timeout Duration `yaml:"timeout"`
	// Offline forbids fetching: verification uses only what documents
	// embed, and B-LT signing fails.
	Offline bool `yaml:"offline"`
	// PreferCRL asks CRL distribution points before OCSP responders.
	PreferCRL bool `yaml:"prefer_crl"`
	// AllowedHosts, when not empty, are the only hosts OCSP responses and
	// CRLs are fetched from (and redirected to): host names, or
	// "*.example.go.id" for every name under example.go.id. Empty: any
	// host. Redirects never lead to another host in any case.
	AllowedHosts []string `yaml:"allowed_hosts"`
}

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

// Profile is a signing identity: a key, its certificate chain and what
// may be done with it.
type Profile struct {
	// Name is the profile's name in requests (?profile=NAME): lower-case
	// letters, digits, '-' and '_'.
	Name string `yaml:"name"`
	// Key is the KEYREF: an RFC 7512 PKCS#11 URI (PIN from pin-source),
	// a PEM file or a PKCS#12 file. Required.
	Key string `yaml:"key"`
	// KeyPassword is the password of a PKCS#12 key file, from
	// $SEGEL_PROFILES_<NAME>_KEY_PASSWORD only.
	KeyPassword string `yaml:"-"`
	// Cert is a PEM file with the signer's certificate and chain; default:
	// the certificates on the token or in the key file.
	Cert string `yaml:"cert"`
	// Level is the level of requests that name none; default B-B.
	Level string `yaml:"level"`
	// AllowedLevels are the levels requests may ask; default all.
	AllowedLevels []string `yaml:"allowed_levels"`
	// Personal marks an official's own key: every request needs the
	// official's passphrase (Segel-Passphrase), which is the token's user
	// PIN (a URI without PIN) or the password of a PKCS#12 file.
	Personal bool `yaml:"personal"`
	// NIK is the official's national identity number (16 digits), which
	// the BSrE-compatible API maps to this personal profile.
	NIK string `yaml:"nik"`
	// Reason and Location are the defaults of the signature dictionary.
	Reason   string `yaml:"reason"`
	Location string `yaml:"location"`
	// Keep stores the signed files in the register (default true);
	// Retention is how long (default forever); Downloadable lets the
	// citizens' page offer them (default false).
	Keep         bool     `yaml:"keep"`
	Retention    Duration `yaml:"retention"`
	Downloadable bool     `yaml:"downloadable"`
	// MaxConcurrent bounds the signatures in progress, Queue the requests
	// waiting for at most QueueTimeout; beyond them: 429. Zero: the
	// service's defaults (2×CPUs, at least 4; 128; 30s).
	MaxConcurrent int      `yaml:"max_concurrent"`
	Queue         int      `yaml:"queue"`
	QueueTimeout  Duration `yaml:"queue_timeout"`
	// Footer is the text under a visible stamp.
	Footer string `yaml:"footer"`
}

// EnvName returns the profile's part of environment variable names:
// SEGEL_PROFILES_<EnvName>_KEY.
func (p *Profile) EnvName() string { return envName(p.Name) }

func envName(name string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name))
}

// DefaultLevel returns the parsed Level (valid after Load or Validate).
func (p *Profile) DefaultLevel() signer.Level {
	l, _ := signer.ParseLevel(p.Level)
	return l
}

// Levels returns the parsed AllowedLevels; nil means all.
func (p *Profile) Levels() []signer.Level {
	var out []signer.Level
	for _, s := range p.AllowedLevels {
		if l, err := signer.ParseLevel(s); err == nil {
			out = append(out, l)
		}
	}
	return out
}

// IsPKCS11 reports whether the key is a PKCS#11 URI.
func (p *Profile) IsPKCS11() bool { return strings.HasPrefix(strings.ToLower(p.Key), "pkcs11:") }

// Profile returns the profile named name, or nil.
func (c *Config) Profile(name string) *Profile {
	for _, p := range c.Profiles {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Problem is one thing wrong with a configuration.
type Problem struct {
	File string // the configuration file, "" for one built in code
	Line int    // 0 when unknown
	Key  string // key path, such as profiles[2].level
	Env  string // the environment variable that gave the value, if any
	Msg  string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	}
	if p.Key != "" {
		b.WriteString(p.Key)
		if p.Env != "" {
			fmt.Fprintf(&b, " (from $%s)", p.Env)
		}
		b.WriteString(": ")
	} else if p.Env != "" {
		fmt.Fprintf(&b, "$%s: ", p.Env)
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Error is a configuration that cannot be used: every problem found.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// problems collects the problems of one configuration.
type problems struct {
	c    *Config
	list []Problem
}

func (ps *problems) add(key, format string, args ...any) {
	p := Problem{File: ps.c.File, Key: key, Msg: fmt.Sprintf(format, args...)}
	p.Line = ps.c.line(key)
	p.Env = ps.c.env[key]
	ps.list = append(ps.list, p)
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &Error{Problems: ps.list}
}

// Errorf returns an *Error with one problem about key (a key path such as
// profiles[1].key), naming the file, the line and the environment
// variable that gave the value, as Load's problems do: for what is found
// wrong only when the service starts (a key that does not open, say).
func (c *Config) Errorf(key, format string, args ...any) error {
	ps := &problems{c: c}
	ps.add(key, format, args...)
	return ps.err()
}

// line returns the line of key, or of the nearest enclosing key given.
func (c *Config) line(key string) int {
	for k := key; k != ""; {
		if n, ok := c.lines[k]; ok {
			return n
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}

// Load reads, completes (defaults, environment overrides) and checks the
// configuration file at path. Problems are reported as an *Error.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Problems: []Problem{{File: path, Msg: "cannot read the configuration: " + unwrapPath(err)}}}
	}
	return Parse(data, path, os.LookupEnv)
}

func unwrapPath(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse is Load for a configuration held in data, read from file (used
// in messages and to resolve relative paths), with lookupEnv giving the
// environment (os.LookupEnv; nil for none).
func Parse(data []byte, file string, lookupEnv func(string) (string, bool)) (*Config, error) {
	c := &Config{File: file, lines: map[string]int{}, env: map[string]string{}}
	ps := &problems{c: c}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		ps.list = append(ps.list, Problem{File: file, Line: yamlLine(err), Msg: "not valid YAML: " + yamlMsg(err)})
		return nil, ps.err()
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		ps.list = append(ps.list, Problem{File: file, Line: extra.Line, Msg: "more than one YAML document; put everything in one"})
		return nil, ps.err()
	}
	set := map[string]bool{}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		w := walker{c: c, ps: ps, set: set}
		w.walk(doc.Content[0], reflect.ValueOf(c).Elem(), "")
		if len(ps.list) > 0 {
			return nil, ps.err()
		}
		// Belt and braces: the walker checked every key; yaml's own strict
		// decoding must agree.
		strict := yaml.NewDecoder(bytes.NewReader(data))
		strict.KnownFields(true)
		var check Config
		if err := strict.Decode(&check); err != nil && !errors.Is(err, io.EOF) {
			ps.list = append(ps.list, Problem{File: file, Line: yamlLine(err), Msg: yamlMsg(err)})
			return nil, ps.err()
		}
	}
	c.applyDefaults(set)
	c.applyEnv(lookupEnv, ps)
	if len(ps.list) > 0 {
		return nil, ps.err()
	}
	c.resolvePaths()
	ps.list = append(ps.list, c.validate(true).list...)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return c, nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+):?`)

func yamlLine(err error) int {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

func yamlMsg(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	s = strings.TrimPrefix(s, "unmarshal errors:\n  ")
	return strings.TrimSpace(yamlLineRE.ReplaceAllString(s, ""))
}

// New returns a configuration built in code with the defaults of every key
// not set; fill it in and call Validate.
func New() *Config {
	c := &Config{lines: map[string]int{}, env: map[string]string{}}
	c.applyDefaults(map[string]bool{})
	return c
}

// NewProfile returns a profile with the defaults of a profile's keys.
func NewProfile(name, key string) *Profile {
	return &Profile{Name: name, Key: key, Level: DefaultLevel, Keep: true}
}

// Validate checks a configuration built in code (Load checks its own).
func (c *Config) Validate() error {
	if c.lines == nil {
		c.lines = map[string]int{}
	}
	return c.validate(false).err()
}

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
	c.applyOpsDefaults()
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

// applyEnv applies the environment overrides.
func (c *Config) applyEnv(lookup func(string) (string, bool), ps *problems) {
	if lookup == nil {
		return
	}
	str := func(name, key string, dst *string) {
		if v, ok := lookup(name); ok {
			*dst = v
			c.env[key] = name
		}
	}
	str("SEGEL_LISTEN", "listen", &c.Listen)
	str("SEGEL_OPS_LISTEN", "ops_listen", &c.OpsListen)
	str("SEGEL_PUBLIC_BASE_URL", "public_base_url", &c.PublicBaseURL)
	if v, ok := lookup("SEGEL_STORE_DSN"); ok {
		if strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://") {
			c.Store.Postgres, c.Store.SQLite = v, ""
			c.env["store.postgres"] = "SEGEL_STORE_DSN"
		} else {
			c.Store.SQLite, c.Store.Postgres = strings.TrimPrefix(v, "sqlite:"), ""
			c.env["store.sqlite"] = "SEGEL_STORE_DSN"
		}
	}
	str("SEGEL_TSA_USERNAME", "tsa.username", &c.TSA.Username)
	str("SEGEL_TSA_PASSWORD", "tsa.password", &c.TSA.Password)
	str("SEGEL_TSA_TOKEN", "tsa.token", &c.TSA.Token)
	str("SEGEL_BSRE_USER", "bsre.user", &c.BSrE.User)
	str("SEGEL_BSRE_PASSWORD", "bsre.password", &c.BSrE.Password)
	byEnv := map[string]int{}
	for i, p := range c.Profiles {
		if p != nil && p.Name != "" {
			byEnv[p.EnvName()] = i
		}
	}
	for i, p := range c.Profiles {
		if p == nil || p.Name == "" {
			continue
		}
		k := fmt.Sprintf("profiles[%d]", i)
		str("SEGEL_PROFILES_"+p.EnvName()+"_KEY", k+".key", &p.Key)
		if v, ok := lookup("SEGEL_PROFILES_" + p.EnvName() + "_KEY_PASSWORD"); ok {
			p.KeyPassword = v
		}
	}
	// An override for a profile that does not exist is a mistake (a typo,
	// or a profile renamed in the file but not in the deployment).
	if environ, ok := lookupEnvList(lookup); ok {
		for _, name := range environ {
			rest, ok := strings.CutPrefix(name, "SEGEL_PROFILES_")
			if !ok {
				continue
			}
			prof, found := strings.CutSuffix(rest, "_KEY_PASSWORD")
			if !found {
				prof, found = strings.CutSuffix(rest, "_KEY")
			}
			if !found {
				continue
			}
			if _, ok := byEnv[prof]; !ok {
				ps.list = append(ps.list, Problem{File: c.File, Env: name,
					Msg: fmt.Sprintf("no profile's name gives %s (names: %s)", prof, strings.Join(c.profileNames(), ", "))})
			}
		}
	}
}

// lookupEnvList lists the environment's variable names when lookup is
// os.LookupEnv (an injected lookup cannot be listed).
func lookupEnvList(lookup func(string) (string, bool)) ([]string, bool) {
	if reflect.ValueOf(lookup).Pointer() != reflect.ValueOf(os.LookupEnv).Pointer() {
		return nil, false
	}
	var names []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		names = append(names, name)
	}
	return names, true
}

func (c *Config) profileNames() []string {
	var names []string
	for _, p := range c.Profiles {
		if p != nil {
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 {
		return []string{"none"}
	}
	return names
}

// resolvePaths makes relative paths relative to the file's directory.
func (c *Config) resolvePaths() {
	if c.File == "" {
		return
	}
	dir := filepath.Dir(c.File)
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	abs(&c.TLS.Cert)
	abs(&c.TLS.Key)
	abs(&c.TLS.ClientCA)
	if c.Store.SQLite != "" && c.env["store.sqlite"] == "" {
		abs(&c.Store.SQLite)
	}
	abs(&c.Store.BlobDir)
	abs(&c.Audit.KeyFile)
	abs(&c.Audit.CheckpointFile)
	if !strings.HasPrefix(strings.ToLower(c.Audit.CheckpointKey), "pkcs11:") {
		abs(&c.Audit.CheckpointKey)
	}
	for i := range c.Trust.Paths {
		abs(&c.Trust.Paths[i])
	}
	for _, p := range c.Profiles {
		if p == nil {
			continue
		}
		if !p.IsPKCS11() {
			abs(&p.Key)
		}
		abs(&p.Cert)
	}
}

var (
	nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	nikRE  = regexp.MustCompile(`^[0-9]{16}$`)
)

// ParseProxy reads an entry of trusted_proxies: an IP address (a prefix of
// its full length) or a CIDR prefix.
func ParseProxy(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
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
	c.validateOps(ps)
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

var hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$`)

func validHostname(h string) bool { return hostnameRE.MatchString(h) }

func (c *Config) checkFile(ps *problems, key, path string) {
	if path == "" {
		return
	}
	if _, err := os.Stat(path); err != nil {
		ps.add(key, "%s: %s", path, unwrapPath(err))
	}
}

func (c *Config) validateProfile(ps *problems, k string, p *Profile, fromFile bool) {
	switch {
	case p.Name == "":
		ps.add(k+".name", "missing: every profile needs a name")
	case !nameRE.MatchString(p.Name):
		ps.add(k+".name", "%q: use lower-case letters, digits, '-' and '_' (at most 63)", p.Name)
	}
	switch {
	case p.Key == "":
		ps.add(k+".key", "missing: the KEYREF (a pkcs11: URI, a PEM or a PKCS#12 file; or $SEGEL_PROFILES_%s_KEY)", envOr(p))
	case p.IsPKCS11():
		u, err := pkcs11.ParseURI(p.Key)
		switch {
		case err != nil:
			ps.add(k+".key", "%v", err)
		case u.ModulePath == "":
			ps.add(k+".key", "the URI has no module-path (e.g. module-path=/usr/lib/softhsm/libsofthsm2.so)")
		case u.Object == "" && len(u.ID) == 0:
			ps.add(k+".key", "the URI names no key: add object= or id=")
		case u.PINValue != "" && fromFile && c.env[k+".key"] == "":
			ps.add(k+".key", "pin-value writes the PIN in the configuration; use pin-source=file:PATH or pin-source=env:NAME")
		case p.Personal && u.HasPIN():
			ps.add(k+".key", "a personal profile's key is unlocked by the official's passphrase: remove the PIN from the URI")
		}
		if err == nil && u.ModulePath != "" {
			c.checkFile(ps, k+".key", u.ModulePath)
		}
	default:
		if data, err := os.ReadFile(p.Key); err != nil {
			ps.add(k+".key", "%s: %s", p.Key, unwrapPath(err))
		} else if p.Personal && bytes.Contains(data, []byte("-----BEGIN")) {
			ps.add(k+".key", "a personal profile needs a token key or a PKCS#12 file locked by the passphrase, not a PEM key")
		} else if p.Personal && p.Cert == "" {
			ps.add(k+".cert", "missing: a personal PKCS#12 key is locked until a request brings the passphrase, so give its certificate chain here")
		}
	}
	c.checkFile(ps, k+".cert", p.Cert)

	level, err := signer.ParseLevel(p.Level)
	if err != nil {
		ps.add(k+".level", "%q is not a PAdES level: want B-B, B-T, B-LT or B-LTA", p.Level)
	} else {
		p.Level = level.String()
	}
	var allowed []signer.Level
	for j, s := range p.AllowedLevels {
		l, err := signer.ParseLevel(s)
		if err != nil {
			ps.add(fmt.Sprintf("%s.allowed_levels[%d]", k, j), "%q is not a PAdES level: want B-B, B-T, B-LT or B-LTA", s)
			continue
		}
		p.AllowedLevels[j] = l.String()
		allowed = append(allowed, l)
	}
	if err == nil && len(allowed) > 0 && !slices.Contains(allowed, level) {
		ps.add(k+".level", "%s is not among allowed_levels %v", level, p.AllowedLevels)
	}
	if len(c.TSA.URLs) == 0 {
		if err == nil && level > signer.LevelB {
			ps.add(k+".level", "%s needs a timestamp authority, but tsa.urls is empty", level)
		}
		for j, l := range allowed {
			if l > signer.LevelB {
				ps.add(fmt.Sprintf("%s.allowed_levels[%d]", k, j), "%s needs a timestamp authority, but tsa.urls is empty", l)
			}
		}
	}
	if p.NIK != "" {
		if !nikRE.MatchString(p.NIK) {
			ps.add(k+".nik", "a NIK is 16 digits")
		}
		if !p.Personal {
			ps.add(k+".nik", "only a personal profile (personal: true) belongs to an official")
		}
	}
	if p.Retention < 0 {
		ps.add(k+".retention", "must not be negative")
	}
	if !p.Keep && p.Retention != 0 {
		ps.add(k+".retention", "set, but keep is false: nothing is kept")
	}
	if !p.Keep && p.Downloadable {
		ps.add(k+".downloadable", "true, but keep is false: there is nothing to download")
	}
	if p.MaxConcurrent < 0 {
		ps.add(k+".max_concurrent", "must not be negative")
	}
	if p.Queue < 0 {
		ps.add(k+".queue", "must not be negative")
	}
	if p.QueueTimeout < 0 {
		ps.add(k+".queue_timeout", "must not be negative")
	}
}

func envOr(p *Profile) string {
	if p.Name == "" {
		return "NAME"
	}
	return p.EnvName()
}
