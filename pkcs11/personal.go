//go:build cgo

package pkcs11

import (
	"context"
	"crypto"
	"errors"

	"github.com/miekg/pkcs11"
)

// SignWithPassphrase signs digest like SignContext with a personal key,
// unlocked for this one signature by its holder's passphrase:
//
//   - for a key with CKA_ALWAYS_AUTHENTICATE the passphrase is given as a
//     context-specific login (CKU_CONTEXT_SPECIFIC) right after
//     C_SignInit;
//   - otherwise the passphrase is the user PIN of the token, which holds
//     only this holder's key. The call holds the token for itself: it logs
//     in with the passphrase, signs and logs out, so a wrong passphrase can
//     never ride on an earlier caller's login, and the token is logged out
//     afterwards.
//
// A wrong passphrase gives [ErrPassphraseRejected], a locked PIN
// [ErrPINLocked]. The passphrase is used in place and not kept, logged or
// copied by this package (the module's C wrapper makes a short-lived copy
// it frees); the caller should zero it afterwards. On a key that is not
// personal, SignWithPassphrase signs like SignContext and ignores the
// passphrase.
func (k *Key) SignWithPassphrase(ctx context.Context, passphrase []byte, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	var sig []byte
	var err error
	switch k.mode {
	case modeNormal:
		sig, err = k.sign(ctx, nil, digest, opts)
	case modeContext:
		if len(passphrase) == 0 {
			err = newError(ErrPassphraseRejected, nil, "empty passphrase")
			break
		}
		sig, err = k.sign(ctx, passphrase, digest, opts)
	default:
		sig, err = k.signTokenPIN(ctx, passphrase, digest, opts)
	}
	if err != nil {
		k.countError(err)
		return nil, err
	}
	k.signatures.Add(1)
	return sig, nil
}

// signTokenPIN signs on a token whose user PIN is the passphrase: login,
// sign, logout, all while holding the token's lock.
func (k *Key) signTokenPIN(ctx context.Context, passphrase []byte, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if len(passphrase) == 0 {
		return nil, newError(ErrPassphraseRejected, nil, "empty passphrase")
	}
	mech, data, ec, err := k.mechanism(digest, opts)
	if err != nil {
		return nil, err
	}
	k.tokenLock.Lock()
	defer k.tokenLock.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := k.m.ctx
	var sig []byte
	err = k.do(ctx, func(s *session, _ keyState) error {
		if err := personalLogin(c, s.h, passphrase, k.ident.label); err != nil {
			return err
		}
		defer c.Logout(s.h)
		h, err := k.findPrivate(s)
		if err != nil {
			if errors.Is(err, ErrTokenUnavailable) {
				k.setNeedReinit()
			}
			return err
		}
		sig, err = k.signSession(s.h, h, mech, data, nil)
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

// personalLogin logs in with the passphrase. Should the token already be
// logged in (by anyone), it is logged out first: the signature must rest on
// this passphrase alone.
func personalLogin(c *pkcs11.Ctx, s pkcs11.SessionHandle, passphrase []byte, token string) error {
	err := c.Login(s, pkcs11.CKU_USER, bytesString(passphrase))
	if isCode(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN) {
		c.Logout(s)
		err = c.Login(s, pkcs11.CKU_USER, bytesString(passphrase))
	}
	if err != nil {
		return loginError(err, true, token)
	}
	return nil
}
