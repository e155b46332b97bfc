package pkcs11_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os/exec"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/pkcs11"
)

// pki is a root, an intermediate and a leaf for a given public key.
type pki struct {
	root, inter, leaf *x509.Certificate
}

func newPKI(t testing.TB, pub crypto.PublicKey, cn string) pki {
	t.Helper()
	rootKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	interKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	mk := func(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ca := func(serial int64, name string) *x509.Certificate {
		return &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name, Organization: []string{"Segel Test"}},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		}
	}
	root := mk(ca(1, "Test Root CA"), ca(1, "Test Root CA"), rootKey.Public(), rootKey)
	inter := mk(ca(2, "Test Intermediate CA"), root, interKey.Public(), rootKey)
	leaf := mk(&x509.Certificate{
		SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: cn, Country: []string{"ID"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}, inter, pub, interKey)
	return pki{root: root, inter: inter, leaf: leaf}
}

// tokenWithKey makes a token holding a key of keyType with its certificate
// and chain, and opens it.
func tokenWithKey(t testing.TB, keyType string) (*softhsmtest.Token, *pkcs11.Key, pki) {
	t.Helper()
	tok := softhsmtest.New(t, "test", "1234")
	pub := tok.GenerateKey(t, "signer", keyType)
	p := newPKI(t, pub, "Signer "+keyType)
	tok.ImportCert(t, "signer", p.leaf, p.inter, p.root)
	k, err := pkcs11.Open(context.Background(), tok.KeyURI("signer"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return tok, k, p
}

func digest(h crypto.Hash, msg []byte) []byte {
	switch h {
	case crypto.SHA384:
		d := sha512.Sum384(msg)
		return d[:]
	case crypto.SHA512:
		d := sha512.Sum512(msg)
		return d[:]
	}
	d := sha256.Sum256(msg)
	return d[:]
}

// verify checks sig over digest d with pub.
func verify(pub crypto.PublicKey, d, sig []byte, opts crypto.SignerOpts) error {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		if pss, ok := opts.(*rsa.PSSOptions); ok {
			return rsa.VerifyPSS(p, opts.HashFunc(), d, sig, pss)
		}
		return rsa.VerifyPKCS1v15(p, opts.HashFunc(), d, sig)
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(p, d, sig) {
			return errBadSig
		}
		return nil
	}
	return errBadSig
}

type sigError string

func (e sigError) Error() string { return string(e) }

const errBadSig = sigError("signature does not verify")

func run(t testing.TB, path string, args ...string) string {
	t.Helper()
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", path, args, err, out)
	}
	return string(out)
}
