package signer

import (
	"crypto"
	"crypto/ed25519"
	"crypto/x509"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/segel-id/segel/revocation"
)

// Level is a PAdES baseline level (ETSI EN 319 142-1).
type Level int

// The PAdES baseline levels.
const (
	// LevelB is PAdES-BASELINE-B: the signature alone.
	LevelB Level = iota
	// LevelT adds a signature timestamp (RFC 3161) over the signature value.
	LevelT
	// LevelLT adds the validation data (certificates, OCSP responses, CRLs)
	// in the document security store.
	LevelLT
	// LevelLTA adds a document timestamp over the whole file.
	LevelLTA
)

// String returns the level's name as the CLI and the HTTP API spell it:
// "B-B", "B-T", "B-LT" or "B-LTA".
func (l Level) String() string {
	switch l {
	case LevelB:
		return "B-B"
	case LevelT:
		return "B-T"
	case LevelLT:
		return "B-LT"
	case LevelLTA:
		return "B-LTA"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// ParseLevel parses a level name: "B-B", "B-T", "B-LT" or "B-LTA" (case
// insensitive; the prefix "PAdES-BASELINE-" is accepted too).
func ParseLevel(s string) (Level, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	u = strings.TrimPrefix(u, "PADES-BASELINE-")
	u = strings.TrimPrefix(u, "PADES-")
	switch u {
	case "B-B", "B":
		return LevelB, nil
	case "B-T", "T":
		return LevelT, nil
	case "B-LT", "LT":
		return LevelLT, nil
	case "B-LTA", "LTA":
		return LevelLTA, nil
	}
	return 0, fmt.Errorf("%w: unknown level %q (want B-B, B-T, B-LT or B-LTA)", ErrOptions, s)
}

// Permission is the DocMDP access permission of a certification signature
// (ISO 32000-2, 12.8.2.2): which changes the certifier allows afterwards.
type Permission int

// DocMDP permissions. The zero value makes an ordinary approval signature.
const (
	// NotCertified makes an approval signature (no DocMDP).
	NotCertified Permission = 0
	// NoChanges (P=1) allows no change at all; later signatures break the
	// certification.
	NoChanges Permission = 1
	// FormFilling (P=2) allows filling forms, instantiating page templates
	// and signing.
	FormFilling Permission = 2
	// Annotations (P=3) allows what P=2 allows and annotations.
	Annotations Permission = 3
)

// Options configures Sign. Signer and Certificate are required; the zero
// value of every other field selects the default documented on it.
type Options struct {
	// Signer is the private key. A key that also implements
	// SignContext(ctx, rand, digest, opts) (as pkcs11.Key does) gets the
	// context of Sign. The key signs exactly once per call of Sign.
	Signer crypto.Signer
	// Certificate is the signer's certificate; its public key must be the
	// Signer's.
	Certificate *x509.Certificate
	// Chain holds the CA certificates to embed after the signer's
	// (intermediates, optionally the root), in order.
	Chain []*x509.Certificate

	// Hash is the digest algorithm: crypto.SHA256 (default; SHA512 for
	// Ed25519 keys, as RFC 8419 requires), SHA384 or SHA512.
	Hash crypto.Hash
	// PSS selects RSASSA-PSS for RSA keys instead of PKCS #1 v1.5.
	PSS bool
	// Level is the PAdES level to produce; LevelB by default. Levels above
	// LevelB need a timestamp source (see Timestamper).
	Level Level
	// Timestamper obtains the signature timestamp for LevelT and above,
	// and the document timestamp of LevelLTA.
	Timestamper Timestamper
	// Revocation fetches the OCSP responses and CRLs embedded for LevelLT
	// and above; a new Checker by default.
	Revocation *revocation.Checker
	// Certificates are further CA certificates from which the chains of
	// the signer and of the TSA are completed up to their roots for
	// LevelLT and above (typically the trust anchors).
	Certificates []*x509.Certificate

	// Field names an existing empty signature field to sign. When it is
	// empty, a new invisible signature field is added (named NewField).
	Field string
	// NewField is the name of the new signature field; by default the
	// first free name among Signature1, Signature2, …
	NewField string
	// Page is the page (1-based; -1 for the last) that the new field's
	// widget annotation belongs to; 1 by default.
	Page int

	// Appearance makes the signature visible: a stamp with a QR code,
	// text and an image, placed by Appearance.Placement (see
	// appearance.go). When nil the signature is invisible.
	Appearance *Appearance

	// Name, Reason, Location and ContactInfo fill the signature
	// dictionary's entries of the same names. Text that is not ASCII is
	// written in UTF-16BE with a byte order mark.
	Name, Reason, Location, ContactInfo string
	// Time is the claimed signing time written in /M; the current time by
	// default. It is also the time at which the certificate must be valid.
	Time time.Time

	// Certify makes this a certification signature with the given DocMDP
	// permission. Only the first signature of a document may certify.
	Certify Permission

	// Reserve is extra space, in bytes, reserved in /Contents beyond the
	// computed size of the signature (and of the timestamp, see
	// Timestamper).
	Reserve int
	// Rand is the source of randomness for the signature (RSA-PSS,
	// ECDSA); crypto/rand by default.
	Rand io.Reader
}

func (o *Options) hash() crypto.Hash {
	if o.Hash == 0 {
		if o.Signer != nil {
			if _, ok := o.Signer.Public().(ed25519.PublicKey); ok {
				return crypto.SHA512 // RFC 8419
			}
		}
		return crypto.SHA256
	}
	return o.Hash
}

func (o *Options) revocation() *revocation.Checker {
	if o.Revocation == nil {
		o.Revocation = revocation.New(revocation.Options{})
	}
	return o.Revocation
}

func (o *Options) time() time.Time {
	if o.Time.IsZero() {
		return time.Now()
	}
	return o.Time
}
