package testpki

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"software.sslmate.com/src/go-pkcs12"
)

// Identity is an issued certificate with its key and issuer chain.
type Identity struct {
	// Cert is the certificate.
	Cert *x509.Certificate
	// Key is the private key of Cert, or nil when the certificate was
	// issued for a public key whose private half lives elsewhere (such as
	// an HSM).
	Key crypto.Signer
	// Chain holds the issuers of Cert, nearest first, up to and including
	// the root CA. It is empty for the root CA itself.
	Chain []*x509.Certificate
}

// errNoKey is returned when an Identity without a private key is asked
// for one.
var errNoKey = errors.New("testpki: identity has no private key (issued for a given public key)")

// CertPEM returns Cert as a PEM "CERTIFICATE" block.
func (id *Identity) CertPEM() []byte { return certsPEM(id.Cert) }

// ChainPEM returns the issuer chain (Chain, without Cert) as PEM blocks,
// nearest issuer first.
func (id *Identity) ChainPEM() []byte { return certsPEM(id.Chain...) }

// FullChainPEM returns Cert followed by its issuer chain as PEM blocks: the
// shape of a `segel sign --cert CHAIN.pem` file.
func (id *Identity) FullChainPEM() []byte {
	return append(id.CertPEM(), id.ChainPEM()...)
}

// KeyPEM returns Key as a PKCS #8 "PRIVATE KEY" PEM block.
func (id *Identity) KeyPEM() ([]byte, error) {
	if id.Key == nil {
		return nil, errNoKey
	}
	der, err := x509.MarshalPKCS8PrivateKey(id.Key)
	if err != nil {
		return nil, fmt.Errorf("testpki: marshalling key of %q: %w", id.Cert.Subject.CommonName, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// PKCS12 returns Key, Cert and Chain as a PKCS #12 file protected by
// password, encrypted with modern algorithms (PBES2, AES-256-CBC,
// HMAC-SHA-256) that OpenSSL 1.1.1 and later read.
func (id *Identity) PKCS12(password string) ([]byte, error) {
	return id.pkcs12(pkcs12.Modern2023, password)
}

// PKCS12Legacy is like [Identity.PKCS12] but uses the legacy algorithms
// (RC2 for certificates, 3DES for the key, HMAC-SHA-1) of older software;
// OpenSSL 3 reads such files only with -legacy.
func (id *Identity) PKCS12Legacy(password string) ([]byte, error) {
	return id.pkcs12(pkcs12.LegacyRC2, password)
}

func (id *Identity) pkcs12(enc *pkcs12.Encoder, password string) ([]byte, error) {
	if id.Key == nil {
		return nil, errNoKey
	}
	data, err := enc.Encode(id.Key, id.Cert, id.Chain, password)
	if err != nil {
		return nil, fmt.Errorf("testpki: PKCS #12 of %q: %w", id.Cert.Subject.CommonName, err)
	}
	return data, nil
}

// certsPEM encodes certificates as consecutive PEM blocks.
func certsPEM(certs ...*x509.Certificate) []byte {
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return b
}
