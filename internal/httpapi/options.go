package httpapi

import (
	"log/slog"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/segel-id/segel/internal/citizen"
	"github.com/segel-id/segel/internal/service"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/revocation"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/tsa"
)

// Options configure a Server. Store is required; the zero value of every
// other field selects the default documented on it.
type Options struct {
	// Store keeps the audit log, the register, signed files and clients.
	Store store.Store
	// Profiles are the signing identities.
	Profiles []*Profile
	// Trust holds the anchors for verification (and TSA certificates).
	Trust *trust.Pool
	// Timestamper is the TSA client; without one, levels above B-B are
	// refused (tsa-unavailable).
	Timestamper *tsa.Client
	// Revocation fetches OCSP responses and CRLs, shared by signing (B-LT)
	// and verification so they share its cache.
	Revocation *revocation.Checker
	// PublicBaseURL is the service's public address (for /v/{id} links).
	PublicBaseURL string
	// MaxBodySize bounds a request body; 64 MiB by default.
	MaxBodySize int64
	// TempDir is where bodies are spooled; os.TempDir() by default.
	TempDir string
	// SpoolMemory is how much of one request's body and of what is made
	// from it (the signed PDF) is held in memory instead of TempDir
	// (spool.DefaultMemoryPerSpool, 256 KiB, when zero; at most
	// spool.MaxMemoryPerSpool; none when negative); SpoolMemoryTotal
	// bounds what all requests hold so together (spool.DefaultMemoryTotal,
	// 32 MiB, when zero; none when negative). Beyond either, the rest goes
	// to a temporary file (docs/decisions.md, "Small letters in memory").
	SpoolMemory, SpoolMemoryTotal int64
	// ReadTimeout bounds the reading of a request body, from when the
	// handler starts reading it: a client slower than that gets 408
	// request-timeout. Zero leaves it to the http.Server's ReadTimeout.
	ReadTimeout time.Duration
	// WriteTimeout bounds the sending of a signed or augmented PDF, from
	// when its first byte is sent. Zero leaves it to the http.Server's
	// WriteTimeout.
	WriteTimeout time.Duration
	// KeyCache is how long a known API key is remembered without asking
	// the store (DefaultKeyCache when zero): a client disabled, removed or
	// re-keyed in the store keeps working with its old key at most this
	// long.
	KeyCache time.Duration
	// Logger receives one line per request; slog.Default() by default.
	Logger *slog.Logger
	// Registerer receives the metrics; a new registry by default (see
	// Server.Registry).
	Registerer prometheus.Registerer
	// Gatherer is what /metrics serves when Registerer is set:
	// prometheus.DefaultGatherer when it is nil. When Registerer is nil,
	// /metrics serves the server's own registry and Gatherer is ignored.
	Gatherer prometheus.Gatherer
	// PassphraseAttempts wrong passphrases within PassphraseWindow from
	// one client address lock that address out of that personal profile;
	// 5 in 15 minutes by default. The count is per profile and address,
	// so that guesses at one official do not lock out every official
	// behind the same proxy. The token is not touched while locked out,
	// so guessing can neither find a passphrase nor lock the official's
	// token. The counters live in the Store, shared by replicas.
	PassphraseAttempts int
	// PassphraseWindow is the period over which wrong passphrases count.
	PassphraseWindow time.Duration
	// ProfileAttempts wrong passphrases within ProfileWindow from any
	// address lock the profile out: the hard limit per official. By
	// default the same as PassphraseAttempts and PassphraseWindow.
	ProfileAttempts int
	// ProfileWindow is the period of ProfileAttempts.
	ProfileWindow time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed: for a request from one of them, the client's address (of
	// the lock-out counters and the page's rate limit) is the last address
	// in X-Forwarded-For that is not itself a trusted proxy. Requests from
	// anywhere else are counted under their own address, whatever they
	// send.
	TrustedProxies []netip.Prefix
	// PageRateLimit is the uploads per minute one address may make on the
	// citizens' page (citizen.DefaultRateLimit when zero, none when
	// negative); PageMaxUpload the largest upload there (MaxBodySize when
	// zero, so that every letter Segel signs can be checked).
	PageRateLimit int
	PageMaxUpload int64
	// MaxVerifications bounds the verifications in progress at once, on
	// the API, the BSrE API and the citizens' page together (default
	// twice the CPUs, at least 4: CPUSlots, or GOMAXPROCS without it); a
	// verification waits up to
	// VerifyQueueTimeout (default 5 s) for a place, then is refused with
	// 429 busy and Retry-After.
	MaxVerifications   int
	VerifyQueueTimeout time.Duration
	// CPUSlots bounds the signatures at B-B and B-T doing Segel's own
	// work at a time, across all profiles (service.Options.CPUSlots, the
	// CPU gate); 0: no bound beyond each profile's MaxConcurrent.
	CPUSlots int
	// SeparateOps leaves /metrics and /readyz out of Handler: they are
	// served by OpsHandler only, on an address of their own.
	SeparateOps bool
	// Now is the clock; time.Now by default.
	Now func() time.Time
	// Location is the zone of the stamp's time (config.ParseTimezone);
	// WIB by default.
	Location *time.Location
	// Branding is the regency's name and logo on the citizens' page
	// (config's branding:); the page reads "Segel" without it.
	Branding citizen.Branding
	// BSrEUser and BSrEPassword, when set, enable the BSrE-compatible API
	// (/api/sign/pdf, /api/v2/sign/pdf, …) with HTTP Basic authentication:
	// apps written for BSrE's Esign Client Service point at Segel
	// unchanged, and "nik" names a personal profile (Profile.NIK).
	BSrEUser, BSrEPassword string
	// TOTPKey is the key-encryption key (32 bytes) of officials' TOTP
	// enrolments and of the seal's state (config totp.key_file); nil: no
	// profile signs with a TOTP code, and a seal profile is refused
	// (docs/decisions.md, "TOTP for officials (issue 14)" and
	// "Institutional seal and user registration (issue 14)").
	TOTPKey []byte
	// TOTPWrongCodes wrong codes for one enrolment within a week disable
	// it until the official enrols again, and as many for a seal's
	// activation stop the seal until the operator activates it again
	// (service.Options.TOTPWrongCodes); 10 by default.
	TOTPWrongCodes int
}

// Profile is a signing identity (SignServer calls it a worker): the
// signing service's profile (internal/service), under the name the API
// has always given it. New fills in its zero limits with the defaults; a
// Profile belongs to one Server.
type Profile = service.Profile
