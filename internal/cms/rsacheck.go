package cms

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"math/big"
	"sync"

	"filippo.io/bigmod"
)

// rsaModuli recycles the Montgomery constants of the RSA moduli that
// Builder.SignWith checked signatures with. crypto/rsa computes them
// anew at every verification (a fifth of the check's cost for RSA-2048)
// and has no way to keep them; a signing key is the same for every
// signature, so the one here is almost always the one needed. Like any
// sync.Pool it may be emptied at any time: an entry whose modulus is not
// the key's is replaced, never used (docs/decisions.md, "Signing through
// SoftHSM: overhead (issue 12)").
var rsaModuli sync.Pool

// rsaModulus is a modulus with its precomputed constants.
type rsaModulus struct {
	n *big.Int
	m *bigmod.Modulus
}

// pkcs1Prefix is the DER DigestInfo header before a digest in a PKCS #1
// v1.5 signature (RFC 8017, section 9.2, note 1).
var pkcs1Prefix = map[crypto.Hash][]byte{
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// verifyPKCS1v15 checks an RSA PKCS #1 v1.5 signature of digest (made
// with h) as rsa.VerifyPKCS1v15 does, with the modulus constants taken
// from rsaModuli: the public operation s^e mod n (filippo.io/bigmod, the
// standard library's own big-number code, exported), then the comparison
// of the result with the encoding EMSA-PKCS1-v1_5 of digest (RFC 8017,
// section 8.2.2). Keys outside the usual shape (even or tiny exponent,
// even modulus, under 1024 or over 8192 bits) and hashes without a
// DigestInfo here are left to crypto/rsa. The inputs are public: nothing
// here needs to be constant-time.
func verifyPKCS1v15(pub *rsa.PublicKey, h crypto.Hash, digest, sig []byte) error {
	prefix, ok := pkcs1Prefix[h]
	if !ok || pub.N == nil || pub.N.Bit(0) == 0 || pub.N.BitLen() < 1024 || pub.N.BitLen() > 8192 ||
		pub.E < 3 || pub.E&1 == 0 || int64(pub.E) >= 1<<31 {
		return rsa.VerifyPKCS1v15(pub, h, digest, sig)
	}
	if len(digest) != h.Size() {
		return rsa.ErrVerification
	}
	mod, _ := rsaModuli.Get().(*rsaModulus)
	if mod == nil || mod.n.Cmp(pub.N) != 0 {
		m, err := bigmod.NewModulus(pub.N.Bytes())
		if err != nil {
			return rsa.VerifyPKCS1v15(pub, h, digest, sig)
		}
		mod = &rsaModulus{n: new(big.Int).Set(pub.N), m: m}
	}
	defer rsaModuli.Put(mod)
	k := mod.m.Size()
	tLen := len(prefix) + len(digest)
	if len(sig) != k || k < tLen+11 {
		return rsa.ErrVerification
	}
	s, err := bigmod.NewNat().SetBytes(sig, mod.m) // fails when sig ≥ n
	if err != nil {
		return rsa.ErrVerification
	}
	em := bigmod.NewNat().ExpShortVarTime(s, uint(pub.E), mod.m).Bytes(mod.m)
	// EM = 0x00 || 0x01 || PS (0xff…, at least 8) || 0x00 || T.
	ps := k - tLen - 3
	if em[0] != 0 || em[1] != 1 || em[2+ps] != 0 ||
		!bytes.Equal(em[3+ps:3+ps+len(prefix)], prefix) || !bytes.Equal(em[3+ps+len(prefix):], digest) {
		return rsa.ErrVerification
	}
	for _, b := range em[2 : 2+ps] {
		if b != 0xff {
			return rsa.ErrVerification
		}
	}
	return nil
}
