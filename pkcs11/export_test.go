//go:build cgo && (linux || darwin || freebsd || netbsd || openbsd)

package pkcs11

import (
	"context"
	"crypto"
)

// SignInBuffer signs a SHA-256 digest (PKCS #1 v1.5 or ECDSA) through
// the one-call path with an output buffer of size bytes, for the tests
// of the fallback when the buffer is too small.
func SignInBuffer(ctx context.Context, k *Key, digest []byte, size int) ([]byte, error) {
	mech, data, ec, err := k.mechanism(digest, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	var sig []byte
	err = k.do(ctx, func(s *session, _ keyState) error {
		h, err := k.keyHandle(s)
		if err != nil {
			return err
		}
		sig, err = k.m.one.signOnce(k.m.ctx, s.h, h, mech[0].Mechanism, data, size)
		return err
	})
	if err != nil || !ec {
		return sig, err
	}
	return ecdsaDER(sig)
}
