//go:build cgo && !(linux || darwin || freebsd || netbsd || openbsd)

package pkcs11

import "github.com/miekg/pkcs11"

// oneCall is not available here: C_SignInit and C_Sign are called
// through miekg/pkcs11.
type oneCall struct{}

func loadOneCall(string) *oneCall { return nil }

func (*oneCall) signOnce(*pkcs11.Ctx, pkcs11.SessionHandle, pkcs11.ObjectHandle, uint, []byte, int) ([]byte, error) {
	return nil, newError(ErrUnsupported, nil, "no one-call signing on this system")
}
