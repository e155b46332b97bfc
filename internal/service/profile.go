package service

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/signer"
)

// Profile is a signing identity (SignServer calls it a worker). New fills
// in its zero limits with the defaults; a Profile belongs to one Service.
type Profile struct {
	// Name is the profile's name in URLs (?profile=NAME).
	Name string
	// Key is the key with its certificate and chain.
	Key *keyref.Key
	// Personal profiles sign with an official's own key, unlocked by the
	// passphrase in the Segel-Passphrase header of each request.
	Personal bool
	// NIK, for a personal profile, is the official's national identity
	// number (the BSrE-compatible API's "nik").
	NIK string
	// Email, for a personal profile, is the official's e-mail address
	// (the BSrE-compatible API's "email", matched without regard to case).
	Email string
	// TOTP lets the official of a personal profile sign with a code of
	// an authenticator app once enrolled (EnrolTOTP); it needs
	// Options.TOTPKey.
	TOTP bool
	// Seal marks an institutional seal (an organisation's certificate):
	// its key is unlocked by the configured PIN, and every signature
	// needs a seal code (Request.SealCode) given by IssueSealCode for a
	// code of the seal's activation (see seal.go). Not Personal.
	Seal bool
	// IDSubscriber names a seal in the BSrE API ("idSubscriber").
	IDSubscriber string
	// APIActivation lets the first activation of a seal be made over the
	// API (ActivateSeal answers the secret to the caller); without it the
	// operator activates the seal (ActivateSealOperator). See seal.go.
	APIActivation bool
	// DefaultLevel is used when a request names none; AllowedLevels bounds
	// what requests may ask (all levels when empty).
	DefaultLevel  signer.Level
	AllowedLevels []signer.Level
	// Reason and Location are the defaults of the signature dictionary.
	Reason, Location string
	// Keep stores the signed file in the register; Retention is how long
	// (zero: forever); Downloadable lets /v/{id} offer it.
	Keep         bool
	Retention    time.Duration
	Downloadable bool
	// MaxConcurrent bounds the signatures in progress (default twice the
	// CPUs, at least 4: Options.CPUSlots, or GOMAXPROCS without it) and Queue the requests waiting (default
	// 128) for at most QueueTimeout (default 30 s); beyond that: 429.
	// The signatures made and not yet recorded (blob, register record,
	// audit entry) are bounded too, by 8×MaxConcurrent: beyond that a
	// signature keeps its slot until one is recorded, so that a store
	// slower than the signing makes requests wait in the queue, in their
	// order, rather than in ever larger batches of the group commit
	// (docs/decisions.md, "The latency tail at 64 clients").
	MaxConcurrent int
	Queue         int
	QueueTimeout  time.Duration
	// Footer is the text under a visible stamp.
	Footer string
	// StampName is the body the stamp names under the signer's position
	// (branding.name, such as "Pemerintah Kabupaten Serang"); none when
	// empty. StampImage is the stamp's image (PNG or JPEG: the regency's
	// logo) when a request brings none; none when nil.
	StampName  string
	StampImage []byte

	// cert is what the register and the audit log say of Key's
	// certificate, worked out once (init) rather than per signature.
	cert certInfo

	sem   chan struct{}
	queue chan struct{}
	// recording holds a place for each signature made and not yet
	// recorded (handOver).
	recording chan struct{}
	// attempt admits one passphrase attempt at a time (Personal).
	attempt chan struct{}
	// prep is the key prepared for signing (prepared, sign.go).
	prepOnce sync.Once
	prep     *signer.Prepared
}

// recordingPerSlot is how many signatures per signing slot may wait to
// be recorded: enough that signing goes on while the store commits a
// batch (a batch of up to 8×MaxConcurrent), few enough that the wait of
// a slow store shows in the queue, which is first come first served.
// Measured in docs/decisions.md ("The latency tail at 64 clients").
const recordingPerSlot = 8

// Allows reports whether the profile signs at level l.
func (p *Profile) Allows(l signer.Level) bool {
	return len(p.AllowedLevels) == 0 || slices.Contains(p.AllowedLevels, l)
}

// init checks p and fills in its zero limits.
func (p *Profile) init(cpus int) error {
	if p.Name == "" || p.Key == nil {
		return fmt.Errorf("profile %q has no name or no key", p.Name)
	}
	if p.Seal && (p.Personal || p.IDSubscriber == "" || p.NIK != "" || p.Email != "") {
		return fmt.Errorf("profile %q: a seal is not personal, has an idSubscriber and no NIK or e-mail address", p.Name)
	}
	if p.MaxConcurrent <= 0 {
		p.MaxConcurrent = max(4, 2*cpus)
	}
	if p.Queue <= 0 {
		p.Queue = 128
	}
	if p.QueueTimeout <= 0 {
		p.QueueTimeout = 30 * time.Second
	}
	if c := p.Key.Certificate; c != nil {
		sum := sha256.Sum256(c.Raw)
		p.cert = certInfo{name: c.Subject.CommonName, subject: c.Subject.String(), issuer: c.Issuer.String(),
			serial: c.SerialNumber.Text(16), sha256: hex.EncodeToString(sum[:])}
	}
	p.sem = make(chan struct{}, p.MaxConcurrent)
	p.queue = make(chan struct{}, p.MaxConcurrent+p.Queue)
	p.recording = make(chan struct{}, recordingPerSlot*p.MaxConcurrent)
	p.attempt = make(chan struct{}, 1)
	return nil
}

// certInfo is a profile certificate's fields as recorded: the common
// name, subject, issuer, serial (hex) and SHA-256 (hex) of the DER.
type certInfo struct {
	name, subject, issuer, serial, sha256 string
}
