package cms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// rsaCheckKeys are generated once per test binary: 2048 and 3072 bits
// with e = 65537, and 2048 bits with e = 3.
func rsaCheckKeys(t testing.TB) []*rsa.PrivateKey {
	t.Helper()
	var keys []*rsa.PrivateKey
	for _, bits := range []int{2048, 3072} {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	// e = 3: crypto/rsa generates only 65537; build one by hand.
	for {
		p, _ := rand.Prime(rand.Reader, 1024)
		q, _ := rand.Prime(rand.Reader, 1024)
		one := big.NewInt(1)
		phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
		d := new(big.Int).ModInverse(big.NewInt(3), phi)
		if d == nil || p.Cmp(q) == 0 {
			continue
		}
		k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: 3}, D: d, Primes: []*big.Int{p, q}}
		if k.Validate() != nil || k.N.BitLen() != 2048 {
			continue
		}
		k.Precompute()
		keys = append(keys, k)
		return keys
	}
}

// hashOf is the digest of msg with h.
func hashOf(h crypto.Hash, msg []byte) []byte {
	d := h.New()
	d.Write(msg)
	return d.Sum(nil)
}

// TestVerifyPKCS1v15MatchesCryptoRSA checks verifyPKCS1v15 against
// rsa.VerifyPKCS1v15 on valid signatures and on malformed ones (bits
// flipped, truncated, extended, at and above the modulus, zero, another
// key's, another hash's, another digest's, random bytes), with the
// modulus constants recycled between keys: both must accept the same
// signatures.
func TestVerifyPKCS1v15MatchesCryptoRSA(t *testing.T) {
	keys := rsaCheckKeys(t)
	rng := mrand.New(mrand.NewPCG(1, 2))
	accepted, rejected := 0, 0
	compare := func(name string, pub *rsa.PublicKey, h crypto.Hash, d, sig []byte) {
		t.Helper()
		want := rsa.VerifyPKCS1v15(pub, h, d, sig)
		got := verifyPKCS1v15(pub, h, d, sig)
		if (want == nil) != (got == nil) {
			t.Fatalf("%s (%d bits, e=%d, %v): crypto/rsa says %v, verifyPKCS1v15 %v", name, pub.N.BitLen(), pub.E, h, want, got)
		}
		if got == nil {
			accepted++
		} else {
			rejected++
		}
	}
	for round := range 40 {
		for ki, k := range keys {
			pub := &k.PublicKey
			other := &keys[(ki+1)%len(keys)].PublicKey
			for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
				msg := make([]byte, rng.IntN(64))
				for i := range msg {
					msg[i] = byte(rng.Uint32())
				}
				d := hashOf(h, msg)
				sig, err := rsa.SignPKCS1v15(rand.Reader, k, h, d)
				if err != nil {
					t.Fatal(err)
				}
				compare("valid", pub, h, d, sig)
				compare("another key", other, h, d, sig)
				compare("another digest", pub, h, hashOf(h, append(msg, 1)), sig)
				if h != crypto.SHA256 {
					compare("another hash", pub, crypto.SHA256, d[:32], sig)
				}
				compare("short digest", pub, h, d[:len(d)-1], sig)

				flipped := bytes.Clone(sig)
				flipped[rng.IntN(len(sig))] ^= 1 << rng.IntN(8)
				compare("bit flipped", pub, h, d, flipped)
				compare("truncated", pub, h, d, sig[:len(sig)-1])
				compare("leading zero", pub, h, d, append([]byte{0}, sig...))
				compare("empty", pub, h, d, nil)
				compare("zero", pub, h, d, make([]byte, len(sig)))
				compare("modulus", pub, h, d, pub.N.FillBytes(make([]byte, len(sig))))
				above := new(big.Int).Add(pub.N, big.NewInt(int64(round+1)))
				if above.BitLen() <= 8*len(sig) {
					compare("above modulus", pub, h, d, above.FillBytes(make([]byte, len(sig))))
				}
				plus := new(big.Int).Add(new(big.Int).SetBytes(sig), pub.N)
				if plus.BitLen() <= 8*len(sig) {
					compare("signature plus modulus", pub, h, d, plus.FillBytes(make([]byte, len(sig))))
				}
				noise := make([]byte, len(sig))
				for i := range noise {
					noise[i] = byte(rng.Uint32())
				}
				compare("random", pub, h, d, noise)
			}
		}
	}
	// Encodings that are almost EMSA-PKCS1-v1_5, made with the private
	// key's raw operation: each must be rejected by both.
	k := keys[0]
	kLen := k.Size()
	d := hashOf(crypto.SHA256, []byte("almost"))
	good := append(append([]byte{}, pkcs1Prefix[crypto.SHA256]...), d...)
	mk := func(em []byte) []byte {
		c := new(big.Int).Exp(new(big.Int).SetBytes(em), k.D, k.N)
		return c.FillBytes(make([]byte, kLen))
	}
	encode := func(first, bt byte, pad byte, sep byte, t []byte) []byte {
		em := make([]byte, kLen)
		em[0], em[1] = first, bt
		ps := kLen - len(t) - 3
		for i := range ps {
			em[2+i] = pad
		}
		em[2+ps] = sep
		copy(em[3+ps:], t)
		return em
	}
	compare("well formed", &k.PublicKey, crypto.SHA256, d, mk(encode(0, 1, 0xff, 0, good)))
	for name, em := range map[string][]byte{
		"block type 2":       encode(0, 2, 0xff, 0, good),
		"padding not 0xff":   encode(0, 1, 0xfe, 0, good),
		"no separator":       encode(0, 1, 0xff, 1, good),
		"SHA-1 DigestInfo":   encode(0, 1, 0xff, 0, append([]byte{0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14}, d[:20]...)),
		"no DigestInfo":      encode(0, 1, 0xff, 0, d),
		"DigestInfo no NULL": encode(0, 1, 0xff, 0, append([]byte{0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x20}, d...)),
	} {
		compare(name, &k.PublicKey, crypto.SHA256, d, mk(em))
	}
	t.Logf("%d accepted, %d rejected by both", accepted, rejected)
	if accepted < 40*len(keys)*3 {
		t.Fatalf("only %d valid signatures accepted", accepted)
	}
}

// FuzzVerifyPKCS1v15 compares verifyPKCS1v15 with rsa.VerifyPKCS1v15 on
// arbitrary signatures and digests for one key.
func FuzzVerifyPKCS1v15(f *testing.F) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	d := hashOf(crypto.SHA256, []byte("seed"))
	sig, _ := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, d)
	f.Add(d, sig)
	f.Add(d, make([]byte, len(sig)))
	f.Fuzz(func(t *testing.T, d, sig []byte) {
		want := rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, d, sig)
		got := verifyPKCS1v15(&k.PublicKey, crypto.SHA256, d, sig)
		if (want == nil) != (got == nil) {
			t.Fatalf("crypto/rsa says %v, verifyPKCS1v15 %v", want, got)
		}
	})
}

// faultySigner answers with a signature made by another key, or with a
// bit of its own signature flipped.
type faultySigner struct {
	crypto.Signer
	by   crypto.Signer // signs instead, when set
	flip bool
}

func (f *faultySigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	key := f.Signer
	if f.by != nil {
		key = f.by
	}
	sig, err := key.Sign(r, digest, opts)
	if err == nil && f.flip {
		sig[len(sig)/2] ^= 0x10
	}
	return sig, err
}

// TestBuilderChecksSignature checks that a Builder makes no SignedData
// from a signature that does not verify against its certificate, for
// every scheme, also right after the modulus constants of the other key
// (the one that signed) were recycled by a good signature.
func TestBuilderChecksSignature(t *testing.T) {
	for _, c := range []struct {
		kind   string
		scheme SignatureScheme
	}{{"rsa2048", SchemeRSAPKCS1v15}, {"rsa2048", SchemeRSAPSS}, {"p256", SchemeECDSA}} {
		// a's key is generated here, b's is the shared one of its kind.
		var aKey crypto.Signer
		if c.kind == "p256" {
			aKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		} else {
			aKey, _ = rsa.GenerateKey(rand.Reader, 2048)
		}
		b := newPKI(t, c.kind)
		for name, key := range map[string]*faultySigner{
			"another key": {Signer: b.leafKey, by: aKey},
			"bit flipped": {Signer: b.leafKey, flip: true},
		} {
			if rk, ok := aKey.(*rsa.PrivateKey); ok {
				// Recycle a's modulus constants: a good signature by a.
				d := hashOf(crypto.SHA256, nil)
				sig, _ := rsa.SignPKCS1v15(rand.Reader, rk, crypto.SHA256, d)
				if err := verifyPKCS1v15(&rk.PublicKey, crypto.SHA256, d, sig); err != nil {
					t.Fatal(err)
				}
			}
			bad, err := NewBuilder(b.leaf, key, BuildOptions{Scheme: c.scheme})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := bad.Sign(context.Background(), make([]byte, 32)); err == nil || !strings.Contains(err.Error(), "does not verify") {
				t.Errorf("%s %v, %s: %v, want a signature that does not verify", c.kind, c.scheme, name, err)
			}
		}
	}
}

// TestVerifyPKCS1v15Concurrent checks signatures of two keys from several
// goroutines at once, so that the recycled constants are shared and
// swapped between keys (run with -race): each verdict must be crypto/rsa's.
func TestVerifyPKCS1v15Concurrent(t *testing.T) {
	keys := rsaCheckKeys(t)[:2]
	d := hashOf(crypto.SHA256, []byte("concurrent"))
	sigs := make([][]byte, len(keys))
	for i, k := range keys {
		sigs[i], _ = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, d)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				k, s := (g+i)%2, (g+i/2)%2
				got := verifyPKCS1v15(&keys[k].PublicKey, crypto.SHA256, d, sigs[s])
				if (got == nil) != (k == s) {
					t.Errorf("key %d, signature by key %d: %v", k, s, got)
					return
				}
			}
		})
	}
	wg.Wait()
}
