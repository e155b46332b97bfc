// Package softhsmtest makes SoftHSM2 tokens for tests.
//
// [New] gives a test its own SoftHSM configuration and token directory (in
// t.TempDir) and one initialised token. It sets SOFTHSM2_CONF with
// t.Setenv, so tests using it cannot call t.Parallel, and a test should
// make one Token only (a second New points SOFTHSM2_CONF elsewhere).
// When softhsm2 is not installed the test is skipped, or failed when CI=true
// (see internal/testenv).
//
//	tok := softhsmtest.New(t, "sleman", "1234")
//	pub := tok.GenerateKey(t, "signer", "rsa-2048")
//	tok.ImportCert(t, "signer", leaf, intermediate, root)
//	key, err := pkcs11.Open(ctx, tok.KeyURI("signer"), nil)
package softhsmtest

import (
	"context"
	"crypto"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/pkcs11"
)

// ModulePath is where Debian's softhsm2 package installs the module.
const ModulePath = "/usr/lib/softhsm/libsofthsm2.so"

// SOPIN is the security officer PIN of the tokens made by New.
const SOPIN = "87654321"

// A Token is a SoftHSM2 token made for one test.
type Token struct {
	Module string // path of the PKCS#11 module
	Label  string // token label
	PIN    string // user PIN
	Dir    string // directory holding softhsm2.conf and the tokens directory
}

// New writes a SoftHSM2 configuration in a temporary directory, points
// SOFTHSM2_CONF at it and initialises a token with the given label and
// user PIN.
func New(t testing.TB, label, pin string) *Token {
	t.Helper()
	testenv.Tool(t, "softhsm2-util")
	module := testenv.File(t, ModulePath, "softhsm2")
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	content := "directories.tokendir = " + tokens + "\n" +
		"objectstore.backend = file\n" +
		"log.level = ERROR\n" +
		"slots.removable = false\n"
	if err := os.WriteFile(conf, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	tok := &Token{Module: module, Label: label, PIN: pin, Dir: dir}
	tok.Util(t, "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", SOPIN)
	return tok
}

// Util runs softhsm2-util with args and returns its output; the test fails
// if it fails.
func (tok *Token) Util(t testing.TB, args ...string) string {
	t.Helper()
	return run(t, testenv.Tool(t, "softhsm2-util"), args...)
}

func run(t testing.TB, path string, args ...string) string {
	t.Helper()
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", filepath.Base(path), args, err, out)
	}
	return string(out)
}

// URI returns the token's URI (no object) with module-path and pin-value.
func (tok *Token) URI() string {
	u := pkcs11.URI{Token: tok.Label, ModulePath: tok.Module, PINValue: tok.PIN}
	return uriString(&u)
}

// KeyURI returns the URI of the key labelled object on the token, with
// module-path and pin-value.
func (tok *Token) KeyURI(object string) string {
	u := pkcs11.URI{Token: tok.Label, Object: object, ModulePath: tok.Module, PINValue: tok.PIN}
	return uriString(&u)
}

// uriString formats u with its PIN (URI.String redacts it).
func uriString(u *pkcs11.URI) string {
	pin := u.PINValue
	u.PINValue = ""
	s := u.String()
	if pin != "" {
		sep := "?"
		if len(u.ModulePath) > 0 || u.PINSource != "" || u.ModuleName != "" {
			sep = "&"
		}
		s += sep + "pin-value=" + escapeQuery(pin)
	}
	return s
}

func escapeQuery(s string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

// GenerateKey makes a key pair labelled object on the token with
// pkcs11.GenerateKey; keyType is "rsa-2048", "rsa-3072", "ec-p256" or
// "ec-p384".
func (tok *Token) GenerateKey(t testing.TB, object, keyType string) crypto.PublicKey {
	t.Helper()
	k, err := pkcs11.GenerateKey(context.Background(), tok.KeyURI(object), keyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k.Public
}

// ImportCert stores cert as the certificate of the key labelled object,
// and the chain's CA certificates, with pkcs11.ImportCertificate.
func (tok *Token) ImportCert(t testing.TB, object string, cert *x509.Certificate, chain ...*x509.Certificate) {
	t.Helper()
	if err := pkcs11.ImportCertificate(context.Background(), tok.KeyURI(object), nil, cert, chain...); err != nil {
		t.Fatal(err)
	}
}
