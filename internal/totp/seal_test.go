package totp

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
)

// TestSealOpen seals and opens, and refuses another key, another aad, a
// flipped byte, a cut blob and a short key.
func TestSealOpen(t *testing.T) {
	kek := make([]byte, KeySize)
	rand.Read(kek)
	msg := []byte("secret and passphrase")
	sealed, err := Seal(kek, []byte("bupati|3201"), msg)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, msg) {
		t.Fatal("the sealed blob holds the plaintext")
	}
	got, err := Open(kek, []byte("bupati|3201"), sealed)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	again, _ := Seal(kek, []byte("bupati|3201"), msg)
	if bytes.Equal(again, sealed) {
		t.Error("two seals of one message are equal: the nonce is not random")
	}
	other := make([]byte, KeySize)
	rand.Read(other)
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	for name, tc := range map[string]struct{ kek, aad, sealed []byte }{
		"another key":  {other, []byte("bupati|3201"), sealed},
		"another aad":  {kek, []byte("wakil|3202"), sealed},
		"flipped byte": {kek, []byte("bupati|3201"), flipped},
		"cut":          {kek, []byte("bupati|3201"), sealed[:10]},
		"empty":        {kek, []byte("bupati|3201"), nil},
	} {
		if _, err := Open(tc.kek, tc.aad, tc.sealed); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: Open = %v, want ErrOpen", name, err)
		}
	}
	if _, err := Seal(kek[:16], nil, msg); err == nil {
		t.Error("Seal accepted a 16-byte key")
	}
	if _, err := Open(kek[:16], nil, sealed); err == nil || errors.Is(err, ErrOpen) {
		t.Errorf("Open with a 16-byte key: %v, want a key-size error", err)
	}
}

// FuzzOpen: no sealed input panics, and none but what Seal made under the
// key and aad opens.
func FuzzOpen(f *testing.F) {
	kek := bytes.Repeat([]byte{7}, KeySize)
	good, _ := Seal(kek, []byte("p\x00s"), []byte("secret"))
	f.Add(good, []byte("p\x00s"))
	f.Add([]byte{sealVersion}, []byte(""))
	f.Add([]byte{}, []byte("x"))
	f.Fuzz(func(t *testing.T, sealed, aad []byte) {
		pt, err := Open(kek, aad, sealed)
		if err == nil && (string(aad) != "p\x00s" || string(pt) != "secret") {
			t.Fatalf("Open accepted a blob Seal did not make for this aad: %x", sealed)
		}
		if err != nil && !errors.Is(err, ErrOpen) {
			t.Fatalf("Open: %v, want ErrOpen", err)
		}
	})
}
