package totp

import (
	"errors"
	"testing"
	"time"
)

// rfcSecret is the SHA-1 seed of RFC 6238, Appendix B.
var rfcSecret = []byte("12345678901234567890")

// TestRFC6238Vectors: the SHA-1 test values of RFC 6238 Appendix B
// (eight digits there; the last six are the six-digit code).
func TestRFC6238Vectors(t *testing.T) {
	for _, v := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	} {
		at := time.Unix(v.unix, 0)
		if got := hotp(rfcSecret, counter(at), 8); got != v.want {
			t.Errorf("T=%d: %s, want %s", v.unix, got, v.want)
		}
		if got := Code(rfcSecret, at); got != v.want[2:] {
			t.Errorf("T=%d six digits: %s, want %s", v.unix, got, v.want[2:])
		}
	}
}

// TestVerify: a code is accepted within one step either side, once; a
// code of a later step still passes after an earlier one, never the
// other way round.
func TestVerify(t *testing.T) {
	now := time.Unix(1111111111, 0)
	code := Code(rfcSecret, now)
	step, err := Verify(rfcSecret, code, now, 0)
	if err != nil || step != counter(now) {
		t.Fatalf("fresh code: %d %v", step, err)
	}
	if _, err := Verify(rfcSecret, code, now, step); !errors.Is(err, ErrReused) {
		t.Errorf("the same code again: %v", err)
	}
	if _, err := Verify(rfcSecret, code, now.Add(Step), step); !errors.Is(err, ErrReused) {
		t.Errorf("the same code in the next step: %v", err)
	}
	if _, err := Verify(rfcSecret, Code(rfcSecret, now.Add(-Step)), now, step); !errors.Is(err, ErrReused) {
		t.Errorf("an older step's code after a newer one: %v", err)
	}
	if s, err := Verify(rfcSecret, Code(rfcSecret, now.Add(Step)), now, step); err != nil || s != step+1 {
		t.Errorf("the next step's code (clock skew): %d %v", s, err)
	}
	for _, bad := range []string{Code(rfcSecret, now.Add(2*Step)), Code(rfcSecret, now.Add(-2*Step)), "", "12345", "1234567", "abcdef"} {
		if _, err := Verify(rfcSecret, bad, now, 0); !errors.Is(err, ErrInvalid) && bad != code {
			t.Errorf("code %q: %v", bad, err)
		}
	}
	if _, err := Verify([]byte("short"), code, now, 0); !errors.Is(err, ErrSecret) {
		t.Errorf("short secret: %v", err)
	}
}

// FuzzVerify: no code or time panics.
func FuzzVerify(f *testing.F) {
	f.Add("287082", int64(59), int64(0))
	f.Add("", int64(-1), int64(-5))
	f.Fuzz(func(t *testing.T, code string, unix, last int64) {
		Verify(rfcSecret, code, time.Unix(unix, 0), last)
	})
}
