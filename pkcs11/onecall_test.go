//go:build cgo && (linux || darwin || freebsd || netbsd || openbsd)

package pkcs11_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"runtime"
	"testing"

	"github.com/segel-id/segel/pkcs11"
)

// TestSignOneCgoCall: a PKCS #1 v1.5 or ECDSA signature is one call
// from Go into the library (C_SignInit and C_Sign together), so that a
// signing goroutine gives its P up and takes one back once per
// signature, not twice; RSA-PSS, whose mechanism has parameters, keeps
// C_SignInit and C_Sign through miekg/pkcs11 (which makes several cgo
// calls for them). Every signature is checked.
func TestSignOneCgoCall(t *testing.T) {
	for _, kt := range []string{pkcs11.RSA2048, pkcs11.ECP256} {
		t.Run(kt, func(t *testing.T) {
			_, k, _ := tokenWithKey(t, kt)
			d := digest(crypto.SHA256, []byte("one call "+kt))
			if _, err := k.Sign(nil, d, crypto.SHA256); err != nil { // finds the key handle
				t.Fatal(err)
			}
			for range 3 {
				before := runtime.NumCgoCall()
				sig, err := k.Sign(nil, d, crypto.SHA256)
				calls := runtime.NumCgoCall() - before
				if err != nil {
					t.Fatal(err)
				}
				if err := verify(k.Public(), d, sig, crypto.SHA256); err != nil {
					t.Fatal(err)
				}
				if calls != 1 {
					t.Errorf("a signature made %d cgo calls, want 1", calls)
				}
			}
			if kt != pkcs11.RSA2048 {
				return
			}
			pss := &rsa.PSSOptions{Hash: crypto.SHA256, SaltLength: rsa.PSSSaltLengthEqualsHash}
			before := runtime.NumCgoCall()
			sig, err := k.Sign(nil, d, pss)
			calls := runtime.NumCgoCall() - before
			if err != nil {
				t.Fatal(err)
			}
			if err := verify(k.Public(), d, sig, pss); err != nil {
				t.Fatal(err)
			}
			if calls < 2 {
				t.Errorf("an RSA-PSS signature made %d cgo calls, want C_SignInit and C_Sign apart", calls)
			}
		})
	}
}

// TestSignOneCallSmallBuffer: when the one-call path's buffer is too
// small, C_Sign answers CKR_BUFFER_TOO_SMALL with the operation still
// active, and the signature is finished through miekg/pkcs11: it is
// valid, and the session signs normally afterwards (an operation left
// active would fail it with CKR_OPERATION_ACTIVE).
func TestSignOneCallSmallBuffer(t *testing.T) {
	for _, kt := range []string{pkcs11.RSA2048, pkcs11.ECP256} {
		t.Run(kt, func(t *testing.T) {
			_, k, _ := tokenWithKey(t, kt)
			d := digest(crypto.SHA256, []byte("small buffer "+kt))
			for _, size := range []int{0, 1, 31} {
				sig, err := pkcs11.SignInBuffer(context.Background(), k, d, size)
				if err != nil {
					t.Fatalf("buffer of %d bytes: %v", size, err)
				}
				if err := verify(k.Public(), d, sig, crypto.SHA256); err != nil {
					t.Fatalf("buffer of %d bytes: %v", size, err)
				}
				sig, err = k.Sign(nil, d, crypto.SHA256)
				if err != nil {
					t.Fatalf("after a buffer of %d bytes: %v", size, err)
				}
				if err := verify(k.Public(), d, sig, crypto.SHA256); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
