// Package totp implements RFC 6238 time-based one-time passwords as the
// BSrE Esign Client Service uses them: HMAC-SHA-1, 30-second steps, six
// digits, with a code accepted at most once (see docs/decisions.md,
// "BSrE compatibility (issue 14)").
package totp

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"time"
)

// Parameters of the codes.
const (
	Step   = 30 * time.Second
	Digits = 6
	// Skew is how many steps before or after now a code is accepted.
	Skew = 1
)

// Errors of Verify.
var (
	// ErrInvalid reports a code that no step in the window produces.
	ErrInvalid = errors.New("totp: the code is not valid")
	// ErrReused reports a code of a step already used (or older).
	ErrReused = errors.New("totp: the code was already used")
	// ErrSecret reports a secret too short for HMAC-SHA-1 (RFC 4226
	// asks for at least 128 bits).
	ErrSecret = errors.New("totp: the secret is shorter than 16 bytes")
)

// counter returns the step number of t.
func counter(t time.Time) int64 { return t.Unix() / int64(Step/time.Second) }

// hotp is RFC 4226's HOTP value of counter c, in digits digits.
func hotp(secret []byte, c int64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(c))
	m := hmac.New(sha1.New, secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	out := make([]byte, digits)
	for i := digits - 1; i >= 0; i-- {
		out[i] = byte('0' + v%10)
		v /= 10
	}
	return string(out)
}

// Code returns the code of secret at t.
func Code(secret []byte, t time.Time) string { return hotp(secret, counter(t), Digits) }

// Verify checks code against secret at now, within Skew steps, refusing
// any step at or before last (the step of the code accepted before; 0
// when none was). It returns the step of the code, which the caller
// stores as the new last before answering, so that a code is never used
// twice within its window.
func Verify(secret []byte, code string, now time.Time, last int64) (int64, error) {
	if len(secret) < 16 {
		return 0, ErrSecret
	}
	if len(code) != Digits {
		return 0, ErrInvalid
	}
	c := counter(now)
	found := int64(-1)
	// Every step of the window is computed, whatever matches, so the
	// time taken does not tell which step did.
	for s := c - Skew; s <= c+Skew; s++ {
		if subtle.ConstantTimeCompare([]byte(hotp(secret, s, Digits)), []byte(code)) == 1 && found < 0 {
			found = s
		}
	}
	switch {
	case found < 0:
		return 0, ErrInvalid
	case found <= last:
		return 0, ErrReused
	}
	return found, nil
}
