package devmode

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// AuditKeyFile is the audit key of the development service (32 random
// bytes, mode 0600), with which its audit chain is keyed; see
// docs/decisions.md, "Keyed audit chain".
const AuditKeyFile = "audit.key"

// AuditKeyPath returns the audit key file of the development service in
// dir.
func AuditKeyPath(dir string) string { return filepath.Join(dir, AuditKeyFile) }

// ensureAuditKey makes DIR/audit.key when it is missing. An existing one
// is kept: a new key would make the chain fail to verify.
func ensureAuditKey(dir string) error { return ensureKey(AuditKeyPath(dir), "audit key") }

// TOTPKeyFile is the key-encryption key of the development service's
// TOTP enrolments (32 random bytes, mode 0600); see docs/decisions.md,
// "TOTP for officials (issue 14)".
const TOTPKeyFile = "totp.key"

// TOTPKeyPath returns the TOTP key file of the development service in
// dir.
func TOTPKeyPath(dir string) string { return filepath.Join(dir, TOTPKeyFile) }

// ensureTOTPKey makes DIR/totp.key when it is missing. An existing one is
// kept: a new key would make every enrolment fail to open.
func ensureTOTPKey(dir string) error { return ensureKey(TOTPKeyPath(dir), "TOTP key") }

// ensureKey writes 32 random bytes to path (mode 0600) unless a file is
// there already; what names the key in errors.
func ensureKey(path, what string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("dev: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("dev: making the %s: %w", what, err)
	}
	return writeFile(path, key, 0o600)
}
