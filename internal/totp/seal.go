package totp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// KeySize is the size of a key-encryption key (AES-256).
const KeySize = 32

// sealVersion is the first byte of a sealed blob: the format (AES-256-GCM,
// a 12-byte random nonce, then the ciphertext with its tag).
const sealVersion = 1

// ErrOpen reports a sealed blob that does not open under the key and
// additional data given: another key, another owner's row, or tampered
// bytes. It says nothing about which.
var ErrOpen = errors.New("totp: the sealed data does not open under this key")

// Seal encrypts plaintext under kek (KeySize bytes) with AES-256-GCM,
// binding aad (such as the owner of the row) to it: Open with any other
// aad fails. The result is opaque: a version byte, the nonce and the
// ciphertext.
func Seal(kek, aad, plaintext []byte) ([]byte, error) {
	g, err := gcm(kek)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+g.NonceSize(), 1+g.NonceSize()+len(plaintext)+g.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("totp: sealing: %w", err)
	}
	return g.Seal(out, out[1:], plaintext, aad), nil
}

// Open decrypts what Seal sealed under kek with aad; ErrOpen when it does
// not open. The caller zeroes the plaintext after use.
func Open(kek, aad, sealed []byte) ([]byte, error) {
	g, err := gcm(kek)
	if err != nil {
		return nil, err
	}
	if len(sealed) < 1+g.NonceSize()+g.Overhead() || sealed[0] != sealVersion {
		return nil, ErrOpen
	}
	nonce, ct := sealed[1:1+g.NonceSize()], sealed[1+g.NonceSize():]
	pt, err := g.Open(nil, nonce, ct, aad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

func gcm(kek []byte) (cipher.AEAD, error) {
	if len(kek) != KeySize {
		return nil, fmt.Errorf("totp: the key-encryption key has %d bytes, want %d", len(kek), KeySize)
	}
	b, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("totp: %w", err)
	}
	return cipher.NewGCM(b)
}
