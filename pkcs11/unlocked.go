package pkcs11

import (
	"context"
	"crypto"
	"io"
)

// WithPassphrase returns a crypto.Signer that signs with k through
// SignWithPassphrase, unlocking a personal key with its holder's
// passphrase for each signature. The Signer refers to passphrase without
// copying it: zero it after the last signature. Sign uses ctx;
// SignContext uses its own context.
func (k *Key) WithPassphrase(ctx context.Context, passphrase []byte) crypto.Signer {
	return &unlocked{ctx: ctx, k: k, pass: passphrase}
}

// unlocked is the Signer of WithPassphrase.
type unlocked struct {
	ctx  context.Context
	k    *Key
	pass []byte
}

func (u *unlocked) Public() crypto.PublicKey { return u.k.Public() }

func (u *unlocked) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return u.k.SignWithPassphrase(u.ctx, u.pass, digest, opts)
}

// SignContext signs like Sign with the given context.
func (u *unlocked) SignContext(ctx context.Context, _ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return u.k.SignWithPassphrase(ctx, u.pass, digest, opts)
}
