package service

import (
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/revocation"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/trust"
)

// Options configure a Service. Store is required; the zero value of every
// other field selects the default documented on it.
type Options struct {
	// Store keeps the register, the signed files, the audit log and the
	// lock-out counters.
	Store store.Store
	// Profiles are the signing identities.
	Profiles []*Profile
	// Trust holds the anchors and known intermediates from which signer
	// and TSA chains are completed for B-LT.
	Trust *trust.Pool
	// Timestamper is the TSA; without one, levels above B-B are refused
	// (tsa-unavailable).
	Timestamper signer.Timestamper
	// Revocation fetches OCSP responses and CRLs for B-LT.
	Revocation *revocation.Checker
	// PublicBaseURL is the public address of the citizens' page: the
	// stamp's QR code opens PublicBaseURL/v/{id}.
	PublicBaseURL string
	// PassphraseAttempts wrong passphrases within PassphraseWindow for
	// one official from one client address lock that address out of the
	// official's profile (5 in 15 minutes by default); ProfileAttempts
	// within ProfileWindow from any address lock the profile out (by
	// default the same). The token is never touched while locked out.
	PassphraseAttempts int
	PassphraseWindow   time.Duration
	ProfileAttempts    int
	ProfileWindow      time.Duration
	// TOTPKey is the key-encryption key (32 bytes) under which TOTP
	// enrolments and the seal's state are sealed; nil: no profile signs
	// with a TOTP code, and a seal profile is refused.
	TOTPKey []byte
	// TOTPWrongCodes wrong or replayed codes for one enrolment within a
	// week (counted from the enrolment) disable it, even for the right
	// code, until the official enrols again with the passphrase or the
	// oldest of them is a week old; 10 by default. The passphrase lock-out alone admits
	// 480 guesses a day, too many for a six-digit code (docs/decisions.md,
	// "TOTP for officials (issue 14)"). The same cap holds for a seal's
	// activation codes, until the operator activates the seal again.
	TOTPWrongCodes int
	// Logger receives the failures of the store and the key (never a
	// secret); slog.Default() by default.
	Logger *slog.Logger
	// Observer is told of queue waits, refusals and signatures (the
	// metrics); none by default.
	Observer Observer
	// Now is the clock; time.Now by default.
	Now func() time.Time
	// Location is the zone of the stamp's time (WIB, WITA or WIT, as
	// config.ParseTimezone gives it); WIB by default.
	Location *time.Location
	// CPUSlots bounds the signatures at B-B and B-T doing Segel's own
	// work at a time, across all profiles (the CPU gate, cpugate.go):
	// the processors signing may keep busy. 0 leaves them unbounded
	// beyond each profile's MaxConcurrent; `segel serve` sets the CPUs
	// Go found (procs.Spare).
	CPUSlots int
}

// Observer is told what the service does, for metrics. Its methods must
// be quick and safe for concurrent use.
type Observer interface {
	// QueueWait is the time a request waited for a signing slot.
	QueueWait(profile string, d time.Duration)
	// Busy is a request refused because the profile's queue was full.
	Busy(profile string)
	// Signed is a signature made and recorded, in d.
	Signed(profile string, level signer.Level, d time.Duration)
	// Failed is a request of the profile that failed with kind.
	Failed(profile, kind string)
}

// Service signs. Create it with New.
type Service struct {
	opts     Options
	profiles map[string]*Profile
	// cpu is the CPU gate (nil: none); tsa is opts.Timestamper lending
	// the gate's slot while it is asked.
	cpu cpuGate
	tsa signer.Timestamper

	// mu guards closed and the increments of inflight, so that Wait never
	// races with a signature starting.
	mu       sync.Mutex
	closed   bool
	inflight sync.WaitGroup
}

// New returns a Service for opts. It fills in the profiles' zero limits.
func New(opts Options) (*Service, error) {
	if opts.Store == nil {
		return nil, errors.New("service: no store")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.PassphraseAttempts <= 0 {
		opts.PassphraseAttempts = 5
	}
	if opts.PassphraseWindow <= 0 {
		opts.PassphraseWindow = 15 * time.Minute
	}
	if opts.ProfileAttempts <= 0 {
		opts.ProfileAttempts = opts.PassphraseAttempts
	}
	if opts.ProfileWindow <= 0 {
		opts.ProfileWindow = opts.PassphraseWindow
	}
	if opts.TOTPWrongCodes <= 0 {
		opts.TOTPWrongCodes = DefaultTOTPWrongCodes
	}
	if opts.Location == nil {
		opts.Location = time.FixedZone("WIB", 7*3600)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Observer == nil {
		opts.Observer = noObserver{}
	}
	s := &Service{opts: opts, profiles: map[string]*Profile{}}
	if opts.CPUSlots > 0 {
		s.cpu = make(cpuGate, opts.CPUSlots)
	}
	if opts.Timestamper != nil {
		s.tsa = lendingTimestamper{opts.Timestamper}
	}
	// The CPUs, of which the profiles' default slots are twice.
	cpus := opts.CPUSlots
	if cpus <= 0 {
		cpus = runtime.GOMAXPROCS(0)
	}
	for _, p := range opts.Profiles {
		if err := p.init(cpus); err != nil {
			return nil, fmt.Errorf("service: %w", err)
		}
		if _, dup := s.profiles[p.Name]; dup {
			return nil, fmt.Errorf("service: two profiles named %q", p.Name)
		}
		s.profiles[p.Name] = p
		if p.Seal && len(opts.TOTPKey) != 32 {
			return nil, fmt.Errorf("service: seal profile %q needs the 32-byte TOTP key-encryption key", p.Name)
		}
	}
	return s, nil
}

// Profile returns the profile named name, or nil.
func (s *Service) Profile(name string) *Profile { return s.profiles[name] }

// Profiles returns the profiles, by name.
func (s *Service) Profiles() []*Profile {
	out := make([]*Profile, 0, len(s.profiles))
	for _, p := range s.profiles {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *Profile) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return out
}

// ProfileByNIK returns the personal profile of the official whose NIK is
// nik, or nil.
func (s *Service) ProfileByNIK(nik string) *Profile {
	if nik == "" {
		return nil
	}
	for _, p := range s.profiles {
		if p.NIK == nik {
			return p
		}
	}
	return nil
}

// anchorCerts returns the trust anchors and known intermediates, from
// which signer and TSA chains are completed for B-LT.
func (s *Service) anchorCerts() []*x509.Certificate {
	if s.opts.Trust == nil {
		return nil
	}
	return slices.Concat(s.opts.Trust.Anchors(), s.opts.Trust.Intermediates())
}

// CanTimestamp reports whether a TSA is configured (levels above B-B).
func (s *Service) CanTimestamp() bool { return s.opts.Timestamper != nil }

// Location returns the zone the service shows times in (Options.Location,
// WIB by default).
func (s *Service) Location() *time.Location { return s.opts.Location }

// Close refuses the signatures asked for from now on (shutting-down); it
// does not wait for those in progress (see Wait).
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

// Wait returns when the signatures in progress are done.
func (s *Service) Wait() { s.inflight.Wait() }

// begin registers a signature that Wait must wait for; it returns false
// once Close was called.
func (s *Service) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.inflight.Add(1)
	return true
}

type noObserver struct{}

func (noObserver) QueueWait(string, time.Duration)            {}
func (noObserver) Busy(string)                                {}
func (noObserver) Signed(string, signer.Level, time.Duration) {}
func (noObserver) Failed(string, string)                      {}
