package pkcs11_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/pkcs11"
)

func checkMsg(t *testing.T, err error, secret string, words ...string) {
	t.Helper()
	msg := err.Error()
	if !strings.HasPrefix(msg, "pkcs11: ") {
		t.Errorf("error %q lacks the pkcs11: prefix", msg)
	}
	if secret != "" && strings.Contains(msg, secret) {
		t.Errorf("error shows the PIN: %q", msg)
	}
	for _, w := range words {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not mention %q", msg, w)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	tok := softhsmtest.New(t, "errs", "1234")
	tok.GenerateKey(t, "nocert", pkcs11.ECP256)
	const secret = "Zx9-SECRET-pin-777"
	mod := "?module-path=" + tok.Module

	for name, c := range map[string]struct {
		uri   string
		kind  error
		words []string
	}{
		"missing module": {"pkcs11:token=errs;object=k?module-path=/nonexistent/libnope.so&pin-value=" + secret, pkcs11.ErrNotFound, []string{"module", "/nonexistent/libnope.so"}},
		"no module":      {"pkcs11:token=errs;object=k?pin-value=" + secret, pkcs11.ErrNotFound, []string{"module"}},
		"no token":       {"pkcs11:token=nosuch;object=k" + mod + "&pin-value=" + secret, pkcs11.ErrNotFound, []string{"token", "nosuch"}},
		"no key":         {"pkcs11:token=errs;object=nosuchkey" + mod + "&pin-value=1234", pkcs11.ErrNotFound, []string{"key", "nosuchkey"}},
		"wrong PIN":      {"pkcs11:token=errs;object=nocert" + mod + "&pin-value=" + secret, pkcs11.ErrPINIncorrect, []string{"CKR_PIN_INCORRECT"}},
		"no certificate": {"pkcs11:token=errs;object=nocert" + mod + "&pin-value=1234", pkcs11.ErrNoCertificate, []string{"certificate", "nocert"}},
		"bad URI":        {"pkcs11:token=errs;object=nocert" + mod + "&pin-value=" + secret + "&pin-value=" + secret, nil, []string{"twice"}},
		"no object":      {"pkcs11:token=errs" + mod + "&pin-value=" + secret, nil, []string{"object="}},
		"cert type":      {"pkcs11:token=errs;object=x;type=cert" + mod, nil, []string{"cert"}},
	} {
		t.Run(name, func(t *testing.T) {
			k, err := pkcs11.Open(ctx, c.uri, nil)
			if err == nil {
				k.Close()
				t.Fatal("Open succeeded")
			}
			if c.kind != nil && !errors.Is(err, c.kind) {
				t.Errorf("error %q does not match %v", err, c.kind)
			}
			t.Log(err)
			checkMsg(t, err, secret, c.words...)
		})
	}

	// A key without a certificate opens when allowed.
	k, err := pkcs11.Open(ctx, tok.KeyURI("nocert"), &pkcs11.Options{AllowMissingCertificate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if k.Certificate() != nil || k.Chain() != nil {
		t.Fatal("certificate for a key without one")
	}
	if _, err := k.CertificateOrErr(); !errors.Is(err, pkcs11.ErrNoCertificate) {
		t.Fatalf("CertificateOrErr: %v", err)
	}
	d := digest(crypto.SHA256, []byte("x"))
	sig, err := k.Sign(rand.Reader, d, crypto.SHA256)
	if err != nil || verify(k.Public(), d, sig, crypto.SHA256) != nil {
		t.Fatalf("sign without certificate: %v", err)
	}
}

// TestUnsupportedKeyType opens a P-521 key made with pkcs11-tool.
func TestUnsupportedKeyType(t *testing.T) {
	tok := softhsmtest.New(t, "p521", "1234")
	tool := testenv.Tool(t, "pkcs11-tool")
	run(t, tool, "--module", tok.Module, "--token-label", "p521", "--login", "--pin", "1234",
		"--keypairgen", "--key-type", "EC:secp521r1", "--id", "05", "--label", "big")
	_, err := pkcs11.Open(context.Background(), tok.KeyURI("big"), &pkcs11.Options{AllowMissingCertificate: true})
	if !errors.Is(err, pkcs11.ErrUnsupported) {
		t.Fatalf("Open P-521: %v, want ErrUnsupported", err)
	}
	checkMsg(t, err, "", "unsupported key type")
}
