package keyref_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/testpki"
)

// write writes the concatenation of parts to a new file in dir.
func write(t *testing.T, dir, name string, parts ...[]byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, bytes.Join(parts, nil), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func certPEM(certs ...*x509.Certificate) []byte {
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return b
}

func pkcs8PEM(t *testing.T, k crypto.Signer) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// open calls keyref.Open with a password callback that fails the test
// when it is called without being expected.
func open(t *testing.T, ref string, opts *keyref.Options) (*keyref.Key, error) {
	t.Helper()
	k, err := keyref.Open(context.Background(), ref, opts)
	if err == nil {
		t.Cleanup(func() { k.Close() })
	}
	return k, err
}

// checkKey checks that k holds id's key, certificate and chain (nearest
// issuer first).
func checkKey(t *testing.T, k *keyref.Key, id *testpki.Identity) {
	t.Helper()
	if !k.Certificate.Equal(id.Cert) {
		t.Errorf("Certificate = %q, want %q", k.Certificate.Subject, id.Cert.Subject)
	}
	pub, ok := k.Signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(id.Cert.PublicKey) {
		t.Errorf("Signer's public key is not the certificate's")
	}
	checkChain(t, k.Chain, id.Chain)
}

func checkChain(t *testing.T, got, want []*x509.Certificate) {
	t.Helper()
	names := func(cs []*x509.Certificate) []string {
		var s []string
		for _, c := range cs {
			s = append(s, c.Subject.CommonName)
		}
		return s
	}
	if len(got) != len(want) {
		t.Fatalf("Chain = %q, want %q", names(got), names(want))
	}
	for i := range got {
		if !got[i].Equal(want[i]) {
			t.Fatalf("Chain = %q, want %q", names(got), names(want))
		}
	}
}

// TestPEM opens PEM files in the three private key encodings, with the
// certificates in the same file (in any order) or in CertFile.
func TestPEM(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	cases := []struct {
		name  string
		kt    testpki.KeyType
		block func(t *testing.T, k crypto.Signer) []byte
	}{
		{"pkcs8-ec", testpki.ECDSAP256, pkcs8PEM},
		{"pkcs8-rsa", testpki.RSA2048, pkcs8PEM},
		{"pkcs8-ed25519", testpki.Ed25519, pkcs8PEM},
		{"pkcs1-rsa", testpki.RSA2048, func(t *testing.T, k crypto.Signer) []byte {
			return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k.(*rsa.PrivateKey))})
		}},
		{"sec1-ec", testpki.ECDSAP384, func(t *testing.T, k crypto.Signer) []byte {
			der, err := x509.MarshalECPrivateKey(k.(*ecdsa.PrivateKey))
			if err != nil {
				t.Fatal(err)
			}
			return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := p.MustIssueSigner(t, testpki.SignerOptions{KeyType: c.kt})
			dir := t.TempDir()
			key := c.block(t, id.Key)

			// Everything in one file, key between the certificates, root first.
			all := write(t, dir, "all.pem", certPEM(id.Chain[1]), key, certPEM(id.Chain[0], id.Cert))
			k, err := open(t, all, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkKey(t, k, id)
			if k.PKCS11 != nil {
				t.Error("PKCS11 set for a PEM key")
			}

			// Key alone, certificates in CertFile.
			keyOnly := write(t, dir, "key.pem", key)
			chain := write(t, dir, "chain.pem", id.FullChainPEM())
			k, err = open(t, keyOnly, &keyref.Options{CertFile: chain})
			if err != nil {
				t.Fatal(err)
			}
			checkKey(t, k, id)

			// The signer signs.
			digest := make([]byte, 32)
			if _, err := k.Signer.Sign(rand.Reader, digest, signOpts(k.Signer)); err != nil {
				t.Fatalf("Sign: %v", err)
			}
		})
	}
}

func signOpts(s crypto.Signer) crypto.SignerOpts {
	if _, ok := s.Public().(ed25519.PublicKey); ok {
		return crypto.Hash(0) // Ed25519 signs the message itself
	}
	return crypto.SHA256
}

// TestCertFileReplaces checks that CertFile replaces the certificates
// found with the key: a file whose own certificate is another one's.
func TestCertFileReplaces(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	id := p.MustIssueSigner(t, testpki.SignerOptions{})
	other := p.MustIssueSigner(t, testpki.SignerOptions{PublicKey: id.Key.Public(), Subject: pkix.Name{CommonName: "Renewed"}})
	dir := t.TempDir()
	keyPEM, err := id.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	file := write(t, dir, "key.pem", keyPEM, id.FullChainPEM())
	certs := write(t, dir, "renewed.pem", other.FullChainPEM())
	k, err := open(t, file, &keyref.Options{CertFile: certs})
	if err != nil {
		t.Fatal(err)
	}
	if k.Certificate.Subject.CommonName != "Renewed" {
		t.Errorf("Certificate %q, want the one of CertFile", k.Certificate.Subject)
	}
}

// chain4 makes root → ca1 → ca2 → leaf for key, plus an unrelated
// self-signed certificate.
func chain4(t *testing.T, key crypto.Signer) (leaf, ca2, ca1, root, stray *x509.Certificate) {
	t.Helper()
	now := time.Now()
	mk := func(serial int64, cn string, ca bool, pub crypto.PublicKey, parent *x509.Certificate, parentKey crypto.Signer) *x509.Certificate {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), BasicConstraintsValid: true, IsCA: ca}
		if ca {
			tmpl.KeyUsage = x509.KeyUsageCertSign
		} else {
			tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		}
		if parent == nil {
			parent = tmpl
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	gen := func() crypto.Signer {
		k, err := testpki.GenerateKey(testpki.ECDSAP256)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	rootKey, ca1Key, ca2Key, strayKey := gen(), gen(), gen(), gen()
	root = mk(1, "Root", true, rootKey.Public(), nil, rootKey)
	ca1 = mk(2, "CA 1", true, ca1Key.Public(), root, rootKey)
	ca2 = mk(3, "CA 2", true, ca2Key.Public(), ca1, ca1Key)
	leaf = mk(4, "Leaf", false, key.Public(), ca2, ca2Key)
	stray = mk(5, "Stray", true, strayKey.Public(), nil, strayKey)
	return
}

// TestChainOrder gives the certificates shuffled: Chain comes out nearest
// issuer first, certificates off the path last.
func TestChainOrder(t *testing.T) {
	key, err := testpki.GenerateKey(testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	leaf, ca2, ca1, root, stray := chain4(t, key)
	dir := t.TempDir()
	keyPEM := pkcs8PEM(t, key)
	for name, order := range map[string][]*x509.Certificate{
		"root-first":   {root, ca1, stray, ca2, leaf},
		"leaf-last":    {ca1, root, ca2, leaf},
		"mixed":        {ca2, root, leaf, ca1},
		"stray-middle": {ca1, stray, leaf, root, ca2},
	} {
		t.Run(name, func(t *testing.T) {
			want := []*x509.Certificate{ca2, ca1, root}
			for _, c := range order {
				if c == stray {
					want = append(want, stray)
				}
			}
			// In the key file.
			file := write(t, dir, name+".pem", certPEM(order...), keyPEM)
			k, err := open(t, file, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !k.Certificate.Equal(leaf) {
				t.Fatalf("Certificate %q", k.Certificate.Subject)
			}
			checkChain(t, k.Chain, want)
			// In CertFile.
			keyFile := write(t, dir, name+"-key.pem", keyPEM)
			certs := write(t, dir, name+"-certs.pem", certPEM(order...))
			k, err = open(t, keyFile, &keyref.Options{CertFile: certs})
			if err != nil {
				t.Fatal(err)
			}
			checkChain(t, k.Chain, want)
		})
	}
}

func TestPKCS12(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	const password = "Rahasia-Sekali-42"
	for _, kt := range []testpki.KeyType{testpki.ECDSAP256, testpki.RSA2048} {
		id := p.MustIssueSigner(t, testpki.SignerOptions{KeyType: kt})
		for name, encode := range map[string]func(string) ([]byte, error){"modern": id.PKCS12, "legacy": id.PKCS12Legacy} {
			t.Run(string(kt)+"/"+name, func(t *testing.T) {
				data, err := encode(password)
				if err != nil {
					t.Fatal(err)
				}
				file := write(t, t.TempDir(), "id.p12", data)
				calls := 0
				k, err := open(t, file, &keyref.Options{Password: func() (string, error) { calls++; return password, nil }})
				if err != nil {
					t.Fatal(err)
				}
				checkKey(t, k, id)
				if calls != 1 {
					t.Errorf("Password called %d times, want 1", calls)
				}

				// Wrong password: an error that does not show it.
				const wrong = "Salah-Kata-Sandi-99"
				_, err = open(t, file, &keyref.Options{Password: func() (string, error) { return wrong, nil }})
				if err == nil {
					t.Fatal("wrong password accepted")
				}
				if msg := err.Error(); !strings.Contains(msg, "password") || strings.Contains(msg, wrong) || strings.Contains(msg, password) {
					t.Errorf("wrong password: %v", err)
				}
				// No password callback.
				if _, err = open(t, file, nil); err == nil || !strings.Contains(err.Error(), "password") {
					t.Errorf("no password: %v", err)
				}
				// The callback's error is returned.
				errNoPW := errors.New("set SEGEL_KEY_PASSWORD")
				if _, err = open(t, file, &keyref.Options{Password: func() (string, error) { return "", errNoPW }}); !errors.Is(err, errNoPW) {
					t.Errorf("callback error: %v", err)
				}
			})
		}
	}
	// Without a password the callback is not called.
	id := p.MustIssueSigner(t, testpki.SignerOptions{})
	data, err := id.PKCS12("")
	if err != nil {
		t.Fatal(err)
	}
	file := write(t, t.TempDir(), "nopw.p12", data)
	k, err := open(t, file, &keyref.Options{Password: func() (string, error) {
		t.Error("Password called for a file without password")
		return "", nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	checkKey(t, k, id)
}

func TestErrors(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	id := p.MustIssueSigner(t, testpki.SignerOptions{})
	other := p.MustIssueSigner(t, testpki.SignerOptions{})
	dir := t.TempDir()
	keyPEM, err := id.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	keyOnly := write(t, dir, "key.pem", keyPEM)
	otherChain := write(t, dir, "other.pem", other.FullChainPEM())

	// No certificate at all.
	_, err = open(t, keyOnly, nil)
	if !errors.Is(err, keyref.ErrNoCertificate) {
		t.Errorf("key without certificate: %v, want ErrNoCertificate", err)
	}
	// Certificates of another key, in the key file or in CertFile.
	_, err = open(t, write(t, dir, "mixed.pem", keyPEM, other.FullChainPEM()), nil)
	if !errors.Is(err, keyref.ErrNoCertificate) {
		t.Errorf("key with another's certificate: %v, want ErrNoCertificate", err)
	}
	_, err = open(t, keyOnly, &keyref.Options{CertFile: otherChain})
	if !errors.Is(err, keyref.ErrNoCertificate) {
		t.Errorf("CertFile of another key: %v, want ErrNoCertificate", err)
	}

	for name, c := range map[string]struct {
		ref  string
		opts *keyref.Options
		want string
	}{
		"missing key file":    {filepath.Join(dir, "nope.pem"), nil, "nope.pem"},
		"missing cert file":   {keyOnly, &keyref.Options{CertFile: filepath.Join(dir, "nocert.pem")}, "nocert.pem"},
		"cert file no certs":  {keyOnly, &keyref.Options{CertFile: keyOnly}, "no certificate"},
		"PEM without key":     {write(t, dir, "certs.pem", id.FullChainPEM()), nil, "no private key"},
		"two keys":            {write(t, dir, "two.pem", keyPEM, keyPEM), nil, "second private key"},
		"garbage":             {write(t, dir, "garbage.bin", []byte("this is neither PEM nor PKCS#12")), nil, "PKCS#12"},
		"broken cert in PEM":  {write(t, dir, "broken.pem", keyPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x03, 1, 2, 3}})), nil, "PEM block 2"},
		"broken key in PEM":   {write(t, dir, "brokenkey.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0x03, 1, 2, 3}})), nil, "PEM block 1"},
		"broken cert in file": {keyOnly, &keyref.Options{CertFile: write(t, dir, "brokencert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}))}, "brokencert.pem"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := open(t, c.ref, c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestEncryptedPEM: encrypted PEM keys (traditional with DEK-Info, and
// PKCS #8 ENCRYPTED PRIVATE KEY, both made by openssl) give a clear error.
func TestEncryptedPEM(t *testing.T) {
	openssl := testenv.Tool(t, "openssl")
	p := testpki.MustNew(t, testpki.Options{})
	dir := t.TempDir()
	for _, kt := range []testpki.KeyType{testpki.ECDSAP256, testpki.RSA2048} {
		id := p.MustIssueSigner(t, testpki.SignerOptions{KeyType: kt})
		keyPEM, err := id.KeyPEM()
		if err != nil {
			t.Fatal(err)
		}
		plain := write(t, dir, string(kt)+".pem", keyPEM)
		for name, args := range map[string][]string{
			"pkcs8":       {"pkey", "-in", plain, "-aes256", "-passout", "pass:secret"},
			"traditional": {"pkey", "-in", plain, "-traditional", "-aes256", "-passout", "pass:secret"},
		} {
			t.Run(string(kt)+"/"+name, func(t *testing.T) {
				out, err := exec.Command(openssl, args...).Output()
				if err != nil {
					t.Fatalf("openssl %q: %v", args, err)
				}
				if name == "traditional" && !bytes.Contains(out, []byte("DEK-Info")) {
					t.Fatalf("openssl did not write a traditional encrypted key:\n%s", out)
				}
				if name == "pkcs8" && !bytes.Contains(out, []byte("ENCRYPTED PRIVATE KEY")) {
					t.Fatalf("openssl did not write an encrypted PKCS #8 key:\n%s", out)
				}
				file := write(t, dir, string(kt)+"-"+name+".pem", out, id.FullChainPEM())
				_, err = open(t, file, &keyref.Options{Password: func() (string, error) { return "secret", nil }})
				if err == nil || !strings.Contains(err.Error(), "encrypted") || !strings.Contains(err.Error(), "not supported") {
					t.Errorf("encrypted PEM: %v", err)
				}
			})
		}
	}
}

// TestPKCS11 opens a SoftHSM2 key by URI: the certificate is the one with
// the key's CKA_ID and the CA certificates come from the token; CertFile
// replaces them.
func TestPKCS11(t *testing.T) {
	tok := softhsmtest.New(t, "keyref", "1234")
	p := testpki.MustNew(t, testpki.Options{})
	pub := tok.GenerateKey(t, "signer", "ec-p256")
	id := p.MustIssueSigner(t, testpki.SignerOptions{PublicKey: pub, Subject: pkix.Name{CommonName: "Token Signer"}})
	tok.ImportCert(t, "signer", id.Cert, id.Chain...)

	// A wrong PIN does not show in the error. (Checked first: while another
	// key of the process keeps the token logged in, PKCS#11 accepts any PIN.)
	const pin = "Wrong-PIN-777"
	bad := strings.Replace(tok.KeyURI("signer"), "pin-value=1234", "pin-value="+pin, 1)
	if bad == tok.KeyURI("signer") {
		t.Fatalf("no pin-value in %s", bad)
	}
	if _, err := open(t, bad, nil); err == nil || strings.Contains(err.Error(), pin) || !strings.Contains(err.Error(), "PIN") {
		t.Errorf("wrong PIN: %v", err)
	}

	k, err := open(t, tok.KeyURI("signer"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if k.PKCS11 == nil {
		t.Fatal("PKCS11 not set for a token key")
	}
	if !k.Certificate.Equal(id.Cert) {
		t.Errorf("Certificate %q", k.Certificate.Subject)
	}
	checkChain(t, k.Chain, id.Chain)
	if _, err := k.Signer.Sign(rand.Reader, make([]byte, 32), crypto.SHA256); err != nil {
		t.Errorf("Sign: %v", err)
	}

	// CertFile replaces the token's certificates.
	renewed := p.MustIssueSigner(t, testpki.SignerOptions{PublicKey: pub, Subject: pkix.Name{CommonName: "Renewed"}, Issuer: p.Root})
	file := write(t, t.TempDir(), "renewed.pem", renewed.FullChainPEM())
	k, err = open(t, tok.KeyURI("signer"), &keyref.Options{CertFile: file})
	if err != nil {
		t.Fatal(err)
	}
	if !k.Certificate.Equal(renewed.Cert) {
		t.Errorf("with CertFile: Certificate %q, want Renewed", k.Certificate.Subject)
	}
	checkChain(t, k.Chain, []*x509.Certificate{p.Root.Cert})

	// A key without a certificate on the token: fine with CertFile, an
	// error without.
	pub2 := tok.GenerateKey(t, "bare", "rsa-2048")
	id2 := p.MustIssueSigner(t, testpki.SignerOptions{PublicKey: pub2})
	file2 := write(t, t.TempDir(), "bare.pem", id2.FullChainPEM())
	k, err = open(t, tok.KeyURI("bare"), &keyref.Options{CertFile: file2})
	if err != nil {
		t.Fatal(err)
	}
	if !k.Certificate.Equal(id2.Cert) {
		t.Errorf("bare key with CertFile: Certificate %q", k.Certificate.Subject)
	}
	checkChain(t, k.Chain, id2.Chain)
	if _, err := open(t, tok.KeyURI("bare"), nil); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("bare key without CertFile: %v", err)
	}
	// CertFile for another key.
	if _, err := open(t, tok.KeyURI("bare"), &keyref.Options{CertFile: file}); !errors.Is(err, keyref.ErrNoCertificate) {
		t.Errorf("bare key with another key's CertFile: %v, want ErrNoCertificate", err)
	}

}
