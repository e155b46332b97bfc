package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/segel-id/segel/internal/totp"
)

// TOTP configures the one-time codes with which officials may sign
// instead of giving their passphrase (docs/decisions.md, "TOTP for
// officials (issue 14)").
type TOTP struct {
	// KeyFile is a file holding the key-encryption key: exactly 32
	// random bytes (its whole content), kept outside the database, under
	// which each enrolment (the TOTP secret and the passphrase it
	// unlocks) is sealed with AES-256-GCM. Also $SEGEL_TOTP_KEY_FILE.
	// Empty: no profile signs with a TOTP code.
	KeyFile string `yaml:"key_file"`
	// MaxWrongCodes wrong codes for one enrolment within a week (counted
	// from the enrolment) disable it until the official enrols again
	// with the passphrase or the oldest is a week old; the same holds for
	// a seal's activation codes, until the operator activates the seal
	// again (docs/decisions.md). 0: the default, 10.
	MaxWrongCodes int `yaml:"max_wrong_codes"`
}

// ReadTOTPKey reads the key-encryption key of TOTP enrolments from path.
// Errors name the file and the size, never the content.
func ReadTOTPKey(path string) ([]byte, error) {
	k, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("totp key: %s: %s", path, unwrapPath(err))
	}
	if len(k) != totp.KeySize {
		clear(k)
		return nil, fmt.Errorf("totp key: %s has %d bytes; it must hold exactly %d random bytes "+
			"(head -c 32 /dev/urandom > %s)", path, len(k), totp.KeySize, path)
	}
	return k, nil
}

// KeyFileOpen reports the permission bits of path when group or others
// may read or write it (mode&0o077 != 0), for a warning: whoever reads
// the TOTP key file and the database opens every enrolled official's
// passphrase. A file that cannot be read about is not reported (reading
// it fails anyway).
func KeyFileOpen(path string) (os.FileMode, bool) {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return 0, false
	}
	return fi.Mode().Perm(), true
}

// TOTPKey returns the key-encryption key of the configuration, nil when
// none is configured.
func (c *Config) TOTPKey() ([]byte, error) {
	if c.TOTP.KeyFile == "" {
		return nil, nil
	}
	return ReadTOTPKey(c.TOTP.KeyFile)
}

// validateTOTP checks the key file and the profiles that opt in: each
// needs the key and personal: true.
func (c *Config) validateTOTP(ps *problems) {
	if c.TOTP.KeyFile != "" {
		if k, err := ReadTOTPKey(c.TOTP.KeyFile); err != nil {
			ps.add("totp.key_file", "%s", strings.TrimPrefix(err.Error(), "totp key: "))
		} else {
			clear(k)
		}
	}
	if c.TOTP.MaxWrongCodes < 0 {
		ps.add("totp.max_wrong_codes", "must not be negative")
	}
	for i, p := range c.Profiles {
		if p == nil || !p.TOTP {
			continue
		}
		k := fmt.Sprintf("profiles[%d].totp", i)
		if !p.Personal {
			ps.add(k, "only a personal profile (personal: true) signs with an official's one-time code")
		}
		if c.TOTP.KeyFile == "" {
			ps.add(k, "true, but totp.key_file is not set: the enrolments need a key-encryption key")
		}
		if p.NIK == "" && p.Email == "" {
			ps.add(k, "true, but the profile has no nik or email to enrol its official under")
		}
	}
}
