package keyref_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/testpki"
)

// TestUnlock: a Locked PKCS#12 key signs only through Unlock with its
// holder's passphrase; a wrong one is ErrPassphraseRejected, signing
// without one ErrPassphraseNeeded (not counted as a wrong one); a key no
// passphrase unlocks is ErrNotPersonal.
func TestUnlock(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	id := p.MustIssueSigner(t, testpki.SignerOptions{})
	p12, err := id.PKCS12("rahasia-pejabat")
	if err != nil {
		t.Fatal(err)
	}
	k := keyref.Locked(p12, id.Cert, id.Chain)
	if !k.Personal() {
		t.Error("a locked key is not personal")
	}
	sum := sha256.Sum256([]byte("surat"))
	if _, err := k.Signer.Sign(rand.Reader, sum[:], crypto.SHA256); !errors.Is(err, keyref.ErrPassphraseNeeded) || errors.Is(err, pkcs11.ErrPassphraseRejected) {
		t.Errorf("signing locked: %v", err)
	}
	wrong, err := k.Unlock(context.Background(), []byte("salah"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.Sign(rand.Reader, sum[:], crypto.SHA256); !errors.Is(err, pkcs11.ErrPassphraseRejected) {
		t.Errorf("a wrong passphrase: %v", err)
	}
	right, err := k.Unlock(context.Background(), []byte("rahasia-pejabat"))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := right.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil || !ecdsa.VerifyASN1(id.Cert.PublicKey.(*ecdsa.PublicKey), sum[:], sig) {
		t.Errorf("the right passphrase: %v", err)
	}
	// The certificate of another key: the file's key does not match.
	other := p.MustIssueSigner(t, testpki.SignerOptions{})
	mismatched, _ := keyref.Locked(p12, other.Cert, other.Chain).Unlock(context.Background(), []byte("rahasia-pejabat"))
	if _, err := mismatched.Sign(rand.Reader, sum[:], crypto.SHA256); err == nil || errors.Is(err, pkcs11.ErrPassphraseRejected) {
		t.Errorf("another key's certificate: %v", err)
	}

	plain := &keyref.Key{Signer: id.Key, Certificate: id.Cert, Chain: id.Chain}
	if plain.Personal() {
		t.Error("a plain key is personal")
	}
	if _, err := plain.Unlock(context.Background(), []byte("x")); !errors.Is(err, keyref.ErrNotPersonal) {
		t.Errorf("unlocking a plain key: %v", err)
	}
}
