package register

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argonParams are the argon2id parameters of new password hashes.
type argonParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// defaultArgon are OWASP's argon2id parameters (19 MiB, 2 passes, 1
// thread): about 30 ms a login on a small server.
var defaultArgon = argonParams{Memory: 19 * 1024, Time: 2, Threads: 1}

// ErrBadHash is a stored password hash that cannot be read.
var ErrBadHash = errors.New("register: unreadable password hash")

// HashPassword returns the argon2id hash of password in the PHC string
// format: $argon2id$v=19$m=…,t=…,p=…$salt$hash (unpadded base64).
func HashPassword(password string) (string, error) {
	return hashPassword(password, defaultArgon)
}

func hashPassword(password string, p argonParams) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("register: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the PHC hash. An
// unreadable hash (or one whose parameters are out of bounds) is an error.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, ErrBadHash
	}
	var p argonParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, ErrBadHash
	}
	// Bounds keep a forged hash from costing the server gigabytes.
	if p.Memory < 8 || p.Memory > 1<<20 || p.Time < 1 || p.Time > 16 || p.Threads < 1 {
		return false, ErrBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, ErrBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false, ErrBadHash
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when the username is unknown, so that a
// wrong username takes as long as a wrong password.
var dummyHash, _ = HashPassword("segel-register-no-such-user")
