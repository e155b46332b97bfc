package pkcs11_test

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/pkcs11"
)

// TestPersonalTokenPIN: the passphrase is the user PIN of a token holding
// one official's key.
func TestPersonalTokenPIN(t *testing.T) {
	const pass = "Bupati-Passphrase-2024"
	const wrong = "Wrong-Passphrase-9999"
	ctx := context.Background()
	tok := softhsmtest.New(t, "tte", pass)
	for _, kt := range []string{pkcs11.RSA2048, pkcs11.ECP256} {
		t.Run(kt, func(t *testing.T) {
			label := "official-" + kt
			pub := tok.GenerateKey(t, label, kt)
			p := newPKI(t, pub, "Official")
			tok.ImportCert(t, label, p.leaf, p.inter, p.root)
			uri := "pkcs11:token=tte;object=" + label + "?module-path=" + tok.Module // no PIN
			k, err := pkcs11.Open(ctx, uri, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			if !k.Personal() || !k.Certificate().Equal(p.leaf) || len(k.Chain()) != 3 {
				t.Fatalf("personal %v, chain %d", k.Personal(), len(k.Chain()))
			}
			d := digest(crypto.SHA256, []byte("surat keputusan"))
			if _, err := k.Sign(nil, d, crypto.SHA256); !errors.Is(err, pkcs11.ErrPassphraseRequired) {
				t.Fatalf("Sign without passphrase: %v", err)
			}
			sig, err := k.SignWithPassphrase(ctx, []byte(pass), d, crypto.SHA256)
			if err != nil || verify(pub, d, sig, crypto.SHA256) != nil {
				t.Fatalf("right passphrase: %v", err)
			}
			_, err = k.SignWithPassphrase(ctx, []byte(wrong), d, crypto.SHA256)
			if !errors.Is(err, pkcs11.ErrPassphraseRejected) {
				t.Fatalf("wrong passphrase: %v", err)
			}
			if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), pass) {
				t.Fatalf("error shows a passphrase: %v", err)
			}

			// Mixed right and wrong passphrases at once.
			var wg sync.WaitGroup
			for w := range 12 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 6 {
						d := digest(crypto.SHA256, fmt.Appendf(nil, "%d/%d", w, i))
						good := (w+i)%2 == 0
						pp := []byte(wrong)
						if good {
							pp = []byte(pass)
						}
						sig, err := k.SignWithPassphrase(ctx, pp, d, crypto.SHA256)
						switch {
						case good && err != nil:
							t.Errorf("right passphrase failed: %v", err)
						case good && verify(pub, d, sig, crypto.SHA256) != nil:
							t.Error("bad signature")
						case !good && err == nil:
							t.Error("a wrong passphrase produced a signature")
						case !good && !errors.Is(err, pkcs11.ErrPassphraseRejected):
							t.Errorf("wrong passphrase: %v", err)
						}
					}
				}()
			}
			wg.Wait()

			// The token is logged out: a listing without PIN sees no private key.
			toks, err := pkcs11.ListTokens(ctx, "pkcs11:token=tte?module-path="+tok.Module, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range toks[0].Objects {
				if o.Class == "private-key" {
					t.Fatal("token still logged in after personal signatures")
				}
			}
			st := k.Stats()
			if st.Errors[pkcs11.KindPassphraseRejected] == 0 || st.Signatures == 0 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

// TestPersonalAlwaysAuthenticate: a CKA_ALWAYS_AUTHENTICATE key, token PIN
// stored, passphrase given as a context-specific login for each signature.
func TestPersonalAlwaysAuthenticate(t *testing.T) {
	ctx := context.Background()
	const pin = "5678-pin"
	tok := softhsmtest.New(t, "aa", pin)
	g, err := pkcs11.GenerateKey(ctx, tok.KeyURI("camat"), pkcs11.ECP384, &pkcs11.GenerateOptions{AlwaysAuthenticate: true})
	if err != nil {
		t.Fatal(err)
	}
	toks, err := pkcs11.ListTokens(ctx, tok.URI(), nil)
	if err != nil {
		t.Fatal(err)
	}
	aa := false
	for _, o := range toks[0].Objects {
		aa = aa || o.Class == "private-key" && o.AlwaysAuthenticate
	}
	if !aa {
		t.Fatalf("no CKA_ALWAYS_AUTHENTICATE key listed: %+v", toks)
	}
	k, err := pkcs11.Open(ctx, tok.KeyURI("camat"), &pkcs11.Options{AllowMissingCertificate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if !k.Personal() {
		t.Fatal("CKA_ALWAYS_AUTHENTICATE key is not personal")
	}
	d := digest(crypto.SHA384, []byte("x"))
	if _, err := k.Sign(nil, d, crypto.SHA384); !errors.Is(err, pkcs11.ErrPassphraseRequired) {
		t.Fatalf("Sign: %v", err)
	}
	// SoftHSM checks a context-specific login against the user PIN.
	for i := range 3 {
		sig, err := k.SignWithPassphrase(ctx, []byte(pin), d, crypto.SHA384)
		if err != nil || verify(g.Public, d, sig, crypto.SHA384) != nil {
			t.Fatalf("signature %d: %v", i, err)
		}
		if _, err := k.SignWithPassphrase(ctx, []byte("nope-nope"), d, crypto.SHA384); !errors.Is(err, pkcs11.ErrPassphraseRejected) {
			t.Fatalf("wrong passphrase %d: %v", i, err)
		}
	}
}
