// Package keyref opens a signing key named the way the segel command and
// the service configuration name one (a KEYREF): an RFC 7512 PKCS#11 URI,
// a PEM file holding a private key (and possibly certificates), or a
// PKCS#12 file.
package keyref

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/segel-id/segel/internal/certpath"
	"github.com/segel-id/segel/pkcs11"
)

// ErrNoCertificate reports a key for which no certificate was found.
var ErrNoCertificate = errors.New("no certificate for the key")

// Key is an opened signing key with its certificate and chain.
type Key struct {
	// Signer is the private key.
	Signer crypto.Signer
	// Certificate is the signer's certificate.
	Certificate *x509.Certificate
	// Chain holds the CA certificates above Certificate, nearest first.
	Chain []*x509.Certificate
	// PKCS11 is the token key when the KEYREF is a PKCS#11 URI.
	PKCS11 *pkcs11.Key
}

// Close releases the key (the PKCS#11 sessions).
func (k *Key) Close() error {
	if k.PKCS11 != nil {
		return k.PKCS11.Close()
	}
	return nil
}

// Options configure Open.
type Options struct {
	// CertFile is a PEM file with the signer's certificate and its chain.
	// When set, it replaces the certificates found with the key.
	CertFile string
	// Password returns the password of an encrypted PKCS#12 file. It is
	// called only when one is needed.
	Password func() (string, error)
	// PKCS11 configures PKCS#11 keys.
	PKCS11 *pkcs11.Options
}

// Open opens the key named by ref.
func Open(ctx context.Context, ref string, opts *Options) (*Key, error) {
	if opts == nil {
		opts = &Options{}
	}
	var extra []*x509.Certificate
	if opts.CertFile != "" {
		data, err := os.ReadFile(opts.CertFile)
		if err != nil {
			return nil, fmt.Errorf("certificate file: %w", err)
		}
		if extra, err = parseCertificates(data); err != nil {
			return nil, fmt.Errorf("certificate file %s: %w", opts.CertFile, err)
		}
		if len(extra) == 0 {
			return nil, fmt.Errorf("certificate file %s: no certificate in it", opts.CertFile)
		}
	}
	if strings.HasPrefix(ref, "pkcs11:") {
		return openPKCS11(ctx, ref, opts, extra)
	}
	data, err := os.ReadFile(ref)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	var signer crypto.Signer
	var certs []*x509.Certificate
	if bytes.Contains(data, []byte("-----BEGIN")) {
		signer, certs, err = parsePEM(data)
	} else {
		signer, certs, err = parsePKCS12(data, opts.Password)
	}
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", ref, err)
	}
	if len(extra) > 0 {
		certs = extra
	}
	return assemble(signer, certs)
}

func openPKCS11(ctx context.Context, ref string, opts *Options, extra []*x509.Certificate) (*Key, error) {
	p11opts := pkcs11.Options{}
	if opts.PKCS11 != nil {
		p11opts = *opts.PKCS11
	}
	if len(extra) > 0 {
		p11opts.AllowMissingCertificate = true
	}
	k, err := pkcs11.Open(ctx, ref, &p11opts)
	if err != nil {
		return nil, err
	}
	certs := extra
	if len(certs) == 0 {
		certs = k.Chain()
	}
	key, err := assemble(k, certs)
	if err != nil {
		k.Close()
		return nil, err
	}
	key.PKCS11 = k
	return key, nil
}

// assemble picks the certificate of signer among certs and orders the
// rest as its chain.
func assemble(signer crypto.Signer, certs []*x509.Certificate) (*Key, error) {
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok {
		return nil, fmt.Errorf("unsupported public key type %T", signer.Public())
	}
	var leaf *x509.Certificate
	var rest []*x509.Certificate
	for _, c := range certs {
		if leaf == nil && pub.Equal(c.PublicKey) {
			leaf = c
			continue
		}
		rest = append(rest, c)
	}
	if leaf == nil {
		if len(certs) > 0 {
			return nil, fmt.Errorf("%w: none of the %d certificates given matches the key", ErrNoCertificate, len(certs))
		}
		return nil, fmt.Errorf("%w: give the certificate chain (--cert)", ErrNoCertificate)
	}
	return &Key{Signer: signer, Certificate: leaf, Chain: certpath.Order(leaf, rest)}, nil
}

func parseCertificates(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for n := 1; ; n++ {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d: %w", n, err)
		}
		certs = append(certs, c)
	}
	return certs, nil
}

func parsePEM(data []byte) (crypto.Signer, []*x509.Certificate, error) {
	var signer crypto.Signer
	var certs []*x509.Certificate
	rest := data
	for n := 1; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, nil, fmt.Errorf("PEM block %d: %w", n, err)
			}
			certs = append(certs, c)
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			if signer != nil {
				return nil, nil, fmt.Errorf("PEM block %d: a second private key", n)
			}
			if _, enc := block.Headers["DEK-Info"]; enc {
				return nil, nil, fmt.Errorf("PEM block %d: encrypted PEM keys are not supported (use PKCS#12)", n)
			}
			k, err := parseKey(block)
			if err != nil {
				return nil, nil, fmt.Errorf("PEM block %d: %w", n, err)
			}
			signer = k
		case "ENCRYPTED PRIVATE KEY":
			return nil, nil, fmt.Errorf("PEM block %d: encrypted PKCS #8 keys are not supported (use PKCS#12)", n)
		}
	}
	if signer == nil {
		return nil, nil, errors.New("no private key in the PEM file")
	}
	return signer, certs, nil
}

func parseKey(block *pem.Block) (crypto.Signer, error) {
	var k any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	}
	if err != nil {
		return nil, err
	}
	return asSigner(k)
}

func asSigner(k any) (crypto.Signer, error) {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("unsupported private key type %T", k)
}

func parsePKCS12(data []byte, password func() (string, error)) (crypto.Signer, []*x509.Certificate, error) {
	k, leaf, cas, err := pkcs12.DecodeChain(data, "")
	if err != nil && password != nil && errors.Is(err, pkcs12.ErrIncorrectPassword) {
		var pw string
		if pw, err = password(); err != nil {
			return nil, nil, err
		}
		k, leaf, cas, err = pkcs12.DecodeChain(data, pw)
	}
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, nil, errors.New("PKCS#12: wrong or missing password")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("neither PEM nor a readable PKCS#12 file: %w", err)
	}
	signer, err := asSigner(k)
	if err != nil {
		return nil, nil, err
	}
	return signer, append([]*x509.Certificate{leaf}, cas...), nil
}
