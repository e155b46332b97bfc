package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigAuditKey(t *testing.T) {
	dir, module := setup(t)
	c, err := Load(write(t, dir, module, "# no audit key\n"))
	if err != nil {
		t.Fatal(err)
	}
	if k, err := c.AuditKey(); k != nil || err != nil {
		t.Fatalf("AuditKey without audit.key_file = %x, %v; want none", k, err)
	}

	key := bytes.Repeat([]byte("k3y-"), 8) // 32 bytes
	if err := os.WriteFile(filepath.Join(dir, "audit.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = Load(write(t, dir, module, "audit:\n  key_file: audit.key\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Audit.KeyFile != filepath.Join(dir, "audit.key") {
		t.Errorf("key_file = %s, want it relative to the configuration's directory", c.Audit.KeyFile)
	}
	if k, err := c.AuditKey(); err != nil || !bytes.Equal(k, key) {
		t.Fatalf("AuditKey = %q, %v", k, err)
	}

	short := key[:31]
	if err := os.WriteFile(filepath.Join(dir, "audit.key"), short, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(write(t, dir, module, "audit:\n  key_file: audit.key\n"))
	if err == nil || !strings.Contains(err.Error(), "audit.key_file") || !strings.Contains(err.Error(), "31 bytes") {
		t.Fatalf("a 31-byte key: %v, want refused at audit.key_file", err)
	}
	if strings.Contains(err.Error(), string(short)) {
		t.Fatalf("the error quotes the key: %v", err)
	}
	_, err = Load(write(t, dir, module, "audit:\n  key_file: nope.key\n"))
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("a missing key file: %v", err)
	}
}
