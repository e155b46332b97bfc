package keyref

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/segel-id/segel/pkcs11"
)

// ErrPassphraseNeeded is what a locked personal key says when asked to
// sign without its holder's passphrase (through Sign, not
// WithPassphrase). It does not match pkcs11.ErrPassphraseRejected: no
// passphrase was tried, so it must not count as a wrong one.
var ErrPassphraseNeeded = errors.New("this personal key signs only through WithPassphrase, with its holder's passphrase")

// Locked returns a personal software key: p12 is a PKCS#12 file whose
// password is its holder's passphrase, cert the certificate of its key
// and chain the CA certificates above it. The key stays locked: its
// Signer refuses to sign (ErrPassphraseNeeded), and each signature made
// through its WithPassphrase method (or Key.Unlock) decrypts the file
// with the passphrase of that request; a wrong one is
// pkcs11.ErrPassphraseRejected, as a token's would be.
func Locked(p12 []byte, cert *x509.Certificate, chain []*x509.Certificate) *Key {
	return &Key{Signer: &lockedKey{p12: p12, pub: cert.PublicKey}, Certificate: cert, Chain: chain}
}

// lockedKey is a personal software key: a PKCS#12 file that each
// signature decrypts with the passphrase its request brought. Like
// pkcs11.Key, it signs through WithPassphrase.
type lockedKey struct {
	p12 []byte
	pub crypto.PublicKey
}

func (k *lockedKey) Public() crypto.PublicKey { return k.pub }

// Sign refuses: the key is locked.
func (k *lockedKey) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, ErrPassphraseNeeded
}

// WithPassphrase returns a Signer that unlocks the key with passphrase
// for each signature. It refers to passphrase without copying it.
func (k *lockedKey) WithPassphrase(_ context.Context, passphrase []byte) crypto.Signer {
	return &unlockedKey{k: k, pass: passphrase}
}

type unlockedKey struct {
	k    *lockedKey
	pass []byte
}

func (u *unlockedKey) Public() crypto.PublicKey { return u.k.pub }

func (u *unlockedKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	priv, _, _, err := pkcs12.DecodeChain(u.k.p12, string(u.pass))
	if err != nil {
		return nil, fmt.Errorf("%w", pkcs11.ErrPassphraseRejected)
	}
	s, ok := priv.(crypto.Signer)
	if !ok {
		return nil, errors.New("the PKCS#12 key cannot sign")
	}
	if pub, ok := s.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(u.k.pub) {
		return nil, errors.New("the PKCS#12 key does not match the profile's certificate")
	}
	return s.Sign(rand, digest, opts)
}
