//go:build !cgo

package pkcs11

import (
	"context"
	"crypto"
	"crypto/x509"
	"io"
)

// A Key is a private key on a PKCS#11 token. In this build, made without
// cgo, no Key can be opened.
type Key struct{}

// Open fails with [ErrNotAvailable]: this build has no cgo.
func Open(ctx context.Context, uri string, opts *Options) (*Key, error) {
	if _, err := ParseURI(uri); err != nil {
		return nil, err
	}
	return nil, ErrNotAvailable
}

// Public returns nil.
func (k *Key) Public() crypto.PublicKey { return nil }

// Sign fails with [ErrNotAvailable].
func (k *Key) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return nil, ErrNotAvailable
}

// SignContext fails with [ErrNotAvailable].
func (k *Key) SignContext(ctx context.Context, rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return nil, ErrNotAvailable
}

// SignWithPassphrase fails with [ErrNotAvailable].
func (k *Key) SignWithPassphrase(ctx context.Context, passphrase []byte, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return nil, ErrNotAvailable
}

// Certificate returns nil.
func (k *Key) Certificate() *x509.Certificate { return nil }

// CertificateOrErr fails with [ErrNotAvailable].
func (k *Key) CertificateOrErr() (*x509.Certificate, error) { return nil, ErrNotAvailable }

// Chain returns nil.
func (k *Key) Chain() []*x509.Certificate { return nil }

// ID returns nil.
func (k *Key) ID() []byte { return nil }

// Label returns "".
func (k *Key) Label() string { return "" }

// Personal returns false.
func (k *Key) Personal() bool { return false }

// URI returns "".
func (k *Key) URI() string { return "" }

// Healthy fails with [ErrNotAvailable].
func (k *Key) Healthy(ctx context.Context) error { return ErrNotAvailable }

// Stats returns zero counters.
func (k *Key) Stats() Stats { return Stats{} }

// Close does nothing.
func (k *Key) Close() error { return nil }

// ListTokens fails with [ErrNotAvailable].
func ListTokens(ctx context.Context, uri string, opts *Options) ([]TokenInfo, error) {
	return nil, ErrNotAvailable
}

// GenerateKey fails with [ErrNotAvailable].
func GenerateKey(ctx context.Context, uri, keyType string, opts *GenerateOptions) (*GeneratedKey, error) {
	return nil, ErrNotAvailable
}

// ImportCertificate fails with [ErrNotAvailable].
func ImportCertificate(ctx context.Context, uri string, opts *Options, cert *x509.Certificate, chain ...*x509.Certificate) error {
	return ErrNotAvailable
}

var _ crypto.Signer = (*Key)(nil)
