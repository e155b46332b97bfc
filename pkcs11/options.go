package pkcs11

import (
	"crypto"
	"time"
)

// Options configure [Open]. A nil *Options is the same as the zero value.
type Options struct {
	// ModulePath is the PKCS#11 module used when the URI has no
	// module-path. Zero: the URI must give one.
	ModulePath string

	// PoolSize bounds the number of sessions the key keeps open on the
	// token, which bounds the signatures in flight. Zero: twice GOMAXPROCS
	// (at least 4), limited by the token's maximum session count.
	PoolSize int

	// AllowMissingCertificate lets Open succeed for a key without a
	// certificate on the token (to make a CSR for it); Certificate then
	// returns nil. Zero: Open fails with ErrNoCertificate.
	AllowMissingCertificate bool

	// Personal opens the key as a personal key whose holder's passphrase
	// is the token's user PIN: any PIN in the URI is ignored and each
	// signature is made with SignWithPassphrase. Keys with
	// CKA_ALWAYS_AUTHENTICATE and keys opened from a URI without a PIN are
	// personal keys too. Zero: decided by the URI and the key.
	Personal bool
}

func (o *Options) orZero() Options {
	if o == nil {
		return Options{}
	}
	return *o
}

// Stats are the counters of a [Key], for monitoring.
type Stats struct {
	Signatures uint64            // signatures returned
	Errors     map[string]uint64 // failed calls by kind (Kind* constants)
	PoolWaits  uint64            // calls that waited for a free session
	Recoveries uint64            // times the token was found again or the module re-initialised
	Sessions   int               // sessions open now
	PoolSize   int               // maximum number of sessions
}

// Key types accepted by [GenerateKey].
const (
	RSA2048 = "rsa-2048"
	RSA3072 = "rsa-3072"
	ECP256  = "ec-p256"
	ECP384  = "ec-p384"
)

// GenerateOptions configure [GenerateKey]. A nil *GenerateOptions is the
// same as the zero value.
type GenerateOptions struct {
	// ModulePath is used when the URI has no module-path.
	ModulePath string

	// AlwaysAuthenticate sets CKA_ALWAYS_AUTHENTICATE on the private key,
	// so each signature needs a context-specific login (a personal key).
	// Zero: not set.
	AlwaysAuthenticate bool
}

// GeneratedKey describes a key pair made by [GenerateKey].
type GeneratedKey struct {
	Public crypto.PublicKey
	Label  string // CKA_LABEL of both halves
	ID     []byte // CKA_ID of both halves
	URI    string // URI of the new key, without the PIN
}

// TokenInfo describes a token found by [ListTokens].
type TokenInfo struct {
	SlotID       uint
	Label        string
	Manufacturer string
	Model        string
	Serial       string
	LoggedIn     bool         // the listing logged in, so private objects are included
	Objects      []ObjectInfo // keys and certificates on the token
}

// ObjectInfo describes a key or certificate on a token.
type ObjectInfo struct {
	Class              string // "private-key", "public-key", "certificate", "secret-key" or "data"
	Label              string
	ID                 []byte
	KeyType            string // "RSA", "EC" or "" for certificates
	Bits               int    // key size in bits (RSA modulus or curve size)
	AlwaysAuthenticate bool   // private keys with CKA_ALWAYS_AUTHENTICATE

	// For certificates.
	Subject  string
	Issuer   string
	NotAfter time.Time
}
