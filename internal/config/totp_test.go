package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// totpProfiles is a personal profile opted in to TOTP, and one not personal.
const totpProfiles = `profiles:
  - name: camat
    key: "pkcs11:token=camat;object=camat?module-path={{MODULE}}"
    personal: true
    nik: "3604012345670001"
    totp: true
`

// TestConfigTOTP: totp.key_file is read relative to the file (or from
// $SEGEL_TOTP_KEY_FILE), must hold exactly 32 bytes, and a profile with
// totp: true needs the key and personal: true.
func TestConfigTOTP(t *testing.T) {
	dir, module := setup(t)
	key := bytes.Repeat([]byte("t0tp"), 8)
	if err := os.WriteFile(filepath.Join(dir, "totp.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(write(t, dir, module, "totp:\n  key_file: totp.key\n"+totpProfiles))
	if err != nil {
		t.Fatal(err)
	}
	if k, err := c.TOTPKey(); err != nil || !bytes.Equal(k, key) {
		t.Fatalf("TOTPKey = %q, %v", k, err)
	}
	if !c.Profiles[0].TOTP {
		t.Error("profiles[0].totp not read")
	}

	c, err = Load(write(t, dir, module, "# no totp\n"))
	if err != nil {
		t.Fatal(err)
	}
	if k, err := c.TOTPKey(); k != nil || err != nil {
		t.Errorf("TOTPKey without totp.key_file = %x, %v; want none", k, err)
	}

	_, err = Load(write(t, dir, module, totpProfiles))
	if err == nil || !strings.Contains(err.Error(), "profiles[0].totp") || !strings.Contains(err.Error(), "totp.key_file is not set") {
		t.Errorf("totp: true without a key: %v", err)
	}
	notPersonal := strings.Replace(totpProfiles, "    personal: true\n    nik: \"3604012345670001\"\n", "", 1)
	_, err = Load(write(t, dir, module, "totp:\n  key_file: totp.key\n"+notPersonal))
	if err == nil || !strings.Contains(err.Error(), "only a personal profile") {
		t.Errorf("totp: true on a profile not personal: %v", err)
	}

	if err := os.WriteFile(filepath.Join(dir, "short.key"), key[:16], 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(write(t, dir, module, "totp:\n  key_file: short.key\n"))
	if err == nil || !strings.Contains(err.Error(), "totp.key_file") || !strings.Contains(err.Error(), "16 bytes") {
		t.Errorf("a 16-byte key: %v, want refused at totp.key_file", err)
	} else if strings.Contains(err.Error(), string(key[:16])) {
		t.Errorf("the error quotes the key: %v", err)
	}

	t.Setenv("SEGEL_TOTP_KEY_FILE", filepath.Join(dir, "totp.key"))
	c, err = Load(write(t, dir, module, totpProfiles))
	if err != nil {
		t.Fatalf("key from $SEGEL_TOTP_KEY_FILE: %v", err)
	}
	if k, err := c.TOTPKey(); err != nil || !bytes.Equal(k, key) {
		t.Errorf("TOTPKey from the environment = %q, %v", k, err)
	}
}

// TestConfigTOTPWrongCodesAndMode: totp.max_wrong_codes is read and a
// negative one refused; KeyFileOpen reports a key file group or others
// may read, not one of mode 0600.
func TestConfigTOTPWrongCodesAndMode(t *testing.T) {
	dir, module := setup(t)
	key := bytes.Repeat([]byte("t0tp"), 8)
	path := filepath.Join(dir, "totp.key")
	if err := os.WriteFile(path, key, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(write(t, dir, module, "totp:\n  key_file: totp.key\n  max_wrong_codes: 4\n"+totpProfiles))
	if err != nil || c.TOTP.MaxWrongCodes != 4 {
		t.Fatalf("max_wrong_codes: %v, %v", c, err)
	}
	if _, err := Load(write(t, dir, module, "totp:\n  key_file: totp.key\n  max_wrong_codes: -1\n"+totpProfiles)); err == nil ||
		!strings.Contains(err.Error(), "totp.max_wrong_codes") {
		t.Errorf("a negative max_wrong_codes: %v", err)
	}
	if m, open := KeyFileOpen(path); open {
		t.Errorf("a 0600 key file reported open (%o)", m)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if m, open := KeyFileOpen(path); !open || m != 0o644 {
		t.Errorf("a 0644 key file: %o, %v; want reported", m, open)
	}
}
