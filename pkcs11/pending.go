package pkcs11

import (
	"crypto"
	"io"
)

// PendingSigner is a signature begun on the token before its digest is
// known, as [Key.BeginSign] returns it: Sign makes it, once; Close ends
// it if it was not made (and does nothing after Sign). It is an alias of
// an interface literal, so that a package that accepts keys able to begin
// early (signer.EarlySigner) can name the same type without importing
// this one.
type PendingSigner = interface {
	crypto.Signer
	io.Closer
}
