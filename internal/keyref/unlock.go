package keyref

import (
	"context"
	"crypto"
	"errors"
)

// ErrNotPersonal is Unlock's error for a key that no passphrase unlocks
// (a PEM or PKCS#12 key opened with its password, a token key of a
// normal profile).
var ErrNotPersonal = errors.New("the key cannot be unlocked by a passphrase")

// passphraseSigner is a key unlocked per signature by its holder's
// passphrase: pkcs11.Key, the keys of Locked, or any key that can be
// unlocked so.
type passphraseSigner interface {
	WithPassphrase(ctx context.Context, passphrase []byte) crypto.Signer
}

// Personal reports whether the key signs only when its holder's
// passphrase unlocks it: a personal token key, or a Locked PKCS#12 file.
func (k *Key) Personal() bool {
	if k.PKCS11 != nil && k.PKCS11.Personal() {
		return true
	}
	_, ok := k.Signer.(*lockedKey)
	return ok
}

// Unlock returns the signer of one request made with the holder's
// passphrase: each signature it makes presents the passphrase to the key
// (the token's login, the decryption of the PKCS#12 file), and one that
// is wrong fails with pkcs11.ErrPassphraseRejected. The signer refers to
// passphrase without copying it: clear it only after signing. A key that
// no passphrase unlocks is ErrNotPersonal.
//
// This is the one place where Segel unlocks a personal key; the signing
// service (internal/service) and the segel command call it.
func (k *Key) Unlock(ctx context.Context, passphrase []byte) (crypto.Signer, error) {
	if p, ok := k.Signer.(passphraseSigner); ok {
		return p.WithPassphrase(ctx, passphrase), nil
	}
	if k.PKCS11 != nil {
		return k.PKCS11.WithPassphrase(ctx, passphrase), nil
	}
	return nil, ErrNotPersonal
}
