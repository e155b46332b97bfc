package service

import (
	"testing"

	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/testpki"
)

// TestProfilePrepared: a profile's key is prepared once, at its first
// signature, and the same Prepared serves the next ones; a personal
// profile (its key is unlocked per request) and a key that does not
// belong to its certificate have none, so that signer.Sign signs or
// refuses as before.
func TestProfilePrepared(t *testing.T) {
	pki := testpki.MustNew(t, testpki.Options{})
	a := pki.MustIssueSigner(t, testpki.SignerOptions{NonRepudiation: true})
	b := pki.MustIssueSigner(t, testpki.SignerOptions{NonRepudiation: true})
	p := &Profile{Name: "dinas", Key: &keyref.Key{Signer: a.Key, Certificate: a.Cert, Chain: a.Chain}}
	first := p.prepared()
	if first == nil {
		t.Fatal("no prepared signer for a profile with a software key")
	}
	if again := p.prepared(); again != first {
		t.Error("the profile's key was prepared twice")
	}
	personal := &Profile{Name: "kepala", Personal: true, Key: &keyref.Key{Signer: a.Key, Certificate: a.Cert, Chain: a.Chain}}
	if personal.prepared() != nil {
		t.Error("a personal profile has a prepared signer")
	}
	mismatch := &Profile{Name: "bad", Key: &keyref.Key{Signer: b.Key, Certificate: a.Cert}}
	if mismatch.prepared() != nil {
		t.Error("a key of another certificate was prepared")
	}
}
