package pkcs11_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/pkcs11"
)

// TestWrongPINWhileLoggedIn: login state is per token, so once one key is
// open a second Open with a wrong PIN would pass unnoticed; the package
// remembers the PIN that logged the token in and refuses another.
func TestWrongPINWhileLoggedIn(t *testing.T) {
	tok := softhsmtest.New(t, "shared", "1234")
	tok.GenerateKey(t, "a", "ec-p256")
	tok.GenerateKey(t, "b", "ec-p256")
	ctx := context.Background()
	a, err := pkcs11.Open(ctx, tok.KeyURI("a"), &pkcs11.Options{AllowMissingCertificate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	wrong := strings.Replace(tok.KeyURI("b"), "pin-value=1234", "pin-value=9999", 1)
	if wrong == tok.KeyURI("b") {
		t.Fatalf("cannot make a wrong-PIN URI from %s", tok.KeyURI("b"))
	}
	b, err := pkcs11.Open(ctx, wrong, &pkcs11.Options{AllowMissingCertificate: true})
	if err == nil {
		b.Close()
		t.Fatal("a wrong PIN was accepted because the token was already logged in")
	}
	if !errors.Is(err, pkcs11.ErrPINIncorrect) || strings.Contains(err.Error(), "9999") {
		t.Errorf("err = %v, want pkcs11.ErrPINIncorrect without the PIN", err)
	}
	c, err := pkcs11.Open(ctx, tok.KeyURI("b"), &pkcs11.Options{AllowMissingCertificate: true})
	if err != nil {
		t.Fatalf("the right PIN: %v", err)
	}
	c.Close()
}
