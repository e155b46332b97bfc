package cms

import (
	"errors"
	"fmt"
)

// Error classes. Every error returned by this package that stems from the
// input wraps exactly one of them, so callers can use errors.Is.
var (
	// ErrMalformed reports an encoding that does not follow RFC 5652,
	// RFC 3161 or DER/BER (a format failure).
	ErrMalformed = errors.New("malformed")
	// ErrUnsupportedAlgorithm reports an algorithm, key type or parameter
	// this package cannot process (the result is indeterminate).
	ErrUnsupportedAlgorithm = errors.New("unsupported algorithm")
	// ErrSignatureInvalid reports a signature or message digest that does
	// not verify (a cryptographic failure).
	ErrSignatureInvalid = errors.New("signature invalid")
	// ErrCertificateNotFound reports that no given certificate matches a
	// signer identifier.
	ErrCertificateNotFound = errors.New("signer certificate not found")
	// ErrAttributeNotFound reports that a requested attribute is absent.
	ErrAttributeNotFound = errors.New("attribute not found")
)

// malformed returns an error wrapping ErrMalformed that says where.
func malformed(where string, args ...any) error {
	return fmt.Errorf("cms: %s: %w", fmt.Sprintf(where, args...), ErrMalformed)
}

// unsupported returns an error wrapping ErrUnsupportedAlgorithm.
func unsupported(where string, args ...any) error {
	return fmt.Errorf("cms: %s: %w", fmt.Sprintf(where, args...), ErrUnsupportedAlgorithm)
}

// invalid returns an error wrapping ErrSignatureInvalid.
func invalid(where string, args ...any) error {
	return fmt.Errorf("cms: %s: %w", fmt.Sprintf(where, args...), ErrSignatureInvalid)
}
