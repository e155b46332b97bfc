package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
)

// KeyType names a kind of key pair. The zero value means the default of the
// option that holds it (ECDSA P-256 everywhere).
type KeyType string

// The key types testpki generates.
const (
	ECDSAP256 KeyType = "ecdsa-p256"
	ECDSAP384 KeyType = "ecdsa-p384"
	RSA2048   KeyType = "rsa-2048"
	RSA3072   KeyType = "rsa-3072"
	Ed25519   KeyType = "ed25519"
)

// orDefault returns k, or ECDSAP256 when k is empty.
func (k KeyType) orDefault() KeyType {
	if k == "" {
		return ECDSAP256
	}
	return k
}

// GenerateKey returns a fresh private key of type k (ECDSA P-256 when k is
// empty).
func GenerateKey(k KeyType) (crypto.Signer, error) {
	switch k.orDefault() {
	case ECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case RSA2048:
		return rsa.GenerateKey(rand.Reader, 2048)
	case RSA3072:
		return rsa.GenerateKey(rand.Reader, 3072)
	case Ed25519:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	}
	return nil, fmt.Errorf("testpki: unknown key type %q", k)
}

// checkPublicKey reports an error when pub is not a key type that X.509
// certificates can carry.
func checkPublicKey(pub crypto.PublicKey) error {
	switch pub.(type) {
	case *ecdsa.PublicKey, *rsa.PublicKey, ed25519.PublicKey:
		return nil
	case nil:
		return fmt.Errorf("testpki: public key is nil")
	}
	return fmt.Errorf("testpki: unsupported public key type %T", pub)
}
