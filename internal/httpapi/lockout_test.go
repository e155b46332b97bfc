package httpapi_test

import (
	"context"
	"crypto"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/pkcs11"
)

// passKey is a personal key unlocked by a fixed passphrase, as a token's
// user PIN unlocks one; it counts the attempts that reach it.
type passKey struct {
	crypto.Signer
	pass     string
	attempts *int
}

func (k passKey) WithPassphrase(_ context.Context, p []byte) crypto.Signer {
	return unlocked{k, string(p)}
}

type unlocked struct {
	k passKey
	p string
}

func (u unlocked) Public() crypto.PublicKey { return u.k.Public() }

func (u unlocked) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	*u.k.attempts++
	if u.p != u.k.pass {
		return nil, pkcs11.ErrPassphraseRejected
	}
	return u.k.Signer.Sign(rand, digest, opts)
}

// TestLockoutPerProfileAndAddress: wrong passphrases for one official
// from an address lock that official out, not the other officials behind
// the same address; the per-profile hard limit holds from any address.
func TestLockoutPerProfileAndAddress(t *testing.T) {
	var attempts int
	e := newEnv(t, nil, func(o *httpapi.Options) {
		o.PassphraseAttempts, o.ProfileAttempts = 3, 4
		k := o.Profiles[0].Key
		for _, name := range []string{"camat-a", "camat-b"} {
			o.Profiles = append(o.Profiles, &httpapi.Profile{Name: name, Personal: true,
				Key: &keyref.Key{Signer: passKey{k.Signer, "benar-" + name, &attempts}, Certificate: k.Certificate, Chain: k.Chain}})
		}
	})
	e.client("kantor", []string{"camat-a", "camat-b"}, []string{"sign"})
	sign := func(profile, pass string) int {
		t.Helper()
		hdr := map[string]string{httpapi.PassphraseHeader: pass}
		resp, _ := e.do("POST", "/v1/sign?profile="+profile, "kantor", e.letter, hdr)
		return resp.StatusCode
	}
	for range 3 {
		if code := sign("camat-a", "salah"); code != http.StatusForbidden {
			t.Fatalf("wrong passphrase: %d", code)
		}
	}
	if code := sign("camat-a", "benar-camat-a"); code != http.StatusTooManyRequests {
		t.Errorf("camat-a after 3 wrong from this address: %d, want 429", code)
	}
	// The other official behind the same address signs.
	if code := sign("camat-b", "benar-camat-b"); code != http.StatusOK {
		t.Errorf("camat-b, same address: %d, want 200", code)
	}
	if attempts != 4 {
		t.Errorf("%d attempts reached the keys, want 4", attempts)
	}
	// The hard limit per profile counts guesses from every address (here
	// recorded as a replica behind another proxy would).
	for range 4 {
		if err := e.st.AddFailure(context.Background(), "profile:camat-b", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if code := sign("camat-b", "benar-camat-b"); code != http.StatusTooManyRequests {
		t.Errorf("camat-b beyond the per-profile limit: %d, want 429", code)
	}
	if attempts != 4 {
		t.Errorf("the key was used while locked out")
	}
}
