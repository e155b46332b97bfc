//go:build cgo

package pkcs11

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/asn1"
	"io"
	"math/big"
	"unsafe"

	"github.com/miekg/pkcs11"
)

// digestInfoPrefix is the DER DigestInfo header put before a digest for
// PKCS #1 v1.5 signatures (RFC 8017, section 9.2, note 1).
var digestInfoPrefix = map[crypto.Hash][]byte{
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

var pssHash = map[crypto.Hash][2]uint{
	crypto.SHA256: {pkcs11.CKM_SHA256, pkcs11.CKG_MGF1_SHA256},
	crypto.SHA384: {pkcs11.CKM_SHA384, pkcs11.CKG_MGF1_SHA384},
	crypto.SHA512: {pkcs11.CKM_SHA512, pkcs11.CKG_MGF1_SHA512},
}

// Sign signs digest with the key, as [crypto.Signer] requires. It is
// SignContext with a background context. rand is ignored: the token makes
// its own randomness.
func (k *Key) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.SignContext(context.Background(), rand, digest, opts)
}

// SignContext signs digest, the hash of a message by opts.HashFunc()
// (SHA-256, SHA-384 or SHA-512). RSA keys make PKCS #1 v1.5 signatures, or
// RSA-PSS ones when opts is a *rsa.PSSOptions (salt as long as the hash
// for PSSSaltLengthAuto and PSSSaltLengthEqualsHash). ECDSA signatures are
// ASN.1 DER encoded. ctx bounds the wait for a free session; a signature
// in progress on the token is not interrupted.
//
// Personal keys fail with [ErrPassphraseRequired]: use SignWithPassphrase.
// When the token is lost the error matches [ErrTokenUnavailable].
func (k *Key) SignContext(ctx context.Context, rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if k.mode != modeNormal {
		err := newError(ErrPassphraseRequired, nil, "key %s is a personal key: use SignWithPassphrase", k.uri.keyDesc())
		k.countError(err)
		return nil, err
	}
	sig, err := k.sign(ctx, nil, digest, opts)
	if err != nil {
		k.countError(err)
		return nil, err
	}
	k.signatures.Add(1)
	return sig, nil
}

// sign makes the signature; passphrase is used by modeContext.
func (k *Key) sign(ctx context.Context, passphrase []byte, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	mech, data, ec, err := k.mechanism(digest, opts)
	if err != nil {
		return nil, err
	}
	var sig []byte
	err = k.do(ctx, func(s *session, _ keyState) error {
		h, err := k.keyHandle(s)
		if err != nil {
			return err
		}
		sig, err = k.signSession(s.h, h, mech, data, passphrase)
		return err
	})
	if err != nil {
		return nil, err
	}
	if ec {
		return ecdsaDER(sig)
	}
	return sig, nil
}

// signSession runs C_SignInit (and a context-specific login when
// passphrase is given) and C_Sign.
func (k *Key) signSession(s pkcs11.SessionHandle, h pkcs11.ObjectHandle, mech []*pkcs11.Mechanism, data, passphrase []byte) ([]byte, error) {
	c := k.m.ctx
	if err := c.SignInit(s, mech, h); err != nil {
		return nil, rvErr(err)
	}
	if passphrase != nil {
		if err := c.Login(s, pkcs11.CKU_CONTEXT_SPECIFIC, bytesString(passphrase)); err != nil {
			return nil, loginError(err, true, k.ident.label)
		}
	}
	sig, err := c.Sign(s, data)
	if err != nil {
		return nil, rvErr(err)
	}
	return sig, nil
}

// mechanism returns the PKCS#11 mechanism and the data to sign.
func (k *Key) mechanism(digest []byte, opts crypto.SignerOpts) ([]*pkcs11.Mechanism, []byte, bool, error) {
	if opts == nil {
		return nil, nil, false, newError(ErrUnsupported, nil, "no signer options: the hash must be given")
	}
	hash := opts.HashFunc()
	if hash != crypto.SHA256 && hash != crypto.SHA384 && hash != crypto.SHA512 {
		return nil, nil, false, newError(ErrUnsupported, nil, "unsupported hash %v (SHA-256, SHA-384 and SHA-512 only)", hash)
	}
	if len(digest) != hash.Size() {
		return nil, nil, false, newError(nil, nil, "digest is %d bytes, %v needs %d", len(digest), hash, hash.Size())
	}
	switch k.pub.(type) {
	case *rsa.PublicKey:
		if pss, ok := opts.(*rsa.PSSOptions); ok {
			salt := pss.SaltLength
			switch {
			case salt == rsa.PSSSaltLengthAuto || salt == rsa.PSSSaltLengthEqualsHash:
				salt = hash.Size()
			case salt < 0:
				return nil, nil, false, newError(ErrUnsupported, nil, "unsupported PSS salt length %d", salt)
			}
			h := pssHash[hash]
			params := pkcs11.NewPSSParams(h[0], h[1], uint(salt))
			return []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_PSS, params)}, digest, false, nil
		}
		prefix := digestInfoPrefix[hash]
		data := make([]byte, 0, len(prefix)+len(digest))
		data = append(append(data, prefix...), digest...)
		return []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS, nil)}, data, false, nil
	case *ecdsa.PublicKey:
		if _, ok := opts.(*rsa.PSSOptions); ok {
			return nil, nil, false, newError(ErrUnsupported, nil, "RSA-PSS options given for an ECDSA key")
		}
		return []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_ECDSA, nil)}, digest, true, nil
	}
	return nil, nil, false, newError(ErrUnsupported, nil, "unsupported key type %T", k.pub)
}

// ecdsaDER converts a raw r||s signature to ASN.1 DER.
func ecdsaDER(raw []byte) ([]byte, error) {
	if len(raw) == 0 || len(raw)%2 != 0 {
		return nil, newError(nil, nil, "token returned a malformed ECDSA signature (%d bytes)", len(raw))
	}
	n := len(raw) / 2
	return asn1.Marshal(struct{ R, S *big.Int }{
		new(big.Int).SetBytes(raw[:n]), new(big.Int).SetBytes(raw[n:]),
	})
}

// bytesString returns a string sharing b's memory, so a passphrase is not
// copied into an immutable string that cannot be zeroed. The string must
// not outlive b's contents.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
