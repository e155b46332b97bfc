package main

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuditVerifyKeyed: with audit.key_file the chain is keyed, and a
// tail removed with the head moved back (a rewrite the hash chain alone
// cannot see) fails segel audit verify; the key is never printed.
func TestAuditVerifyKeyed(t *testing.T) {
	dir, cfg, _ := configFixture(t, "")
	auditKey := bytes.Repeat([]byte{0xa7, 0x19, 0x3c, 0x55}, 8)
	if err := os.WriteFile(filepath.Join(dir, "audit.key"), auditKey, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, append(readFile(t, cfg), []byte("audit:\n  key_file: audit.key\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(string(mustSegel(t, nil, "clients", "add", "e-office", "--profiles", "sekda", "--config", cfg).stdout))
	srv := serveInProcess(t, "--config", cfg)
	for range 3 {
		srv.sign(t, key, "profile=sekda", letter(t))
	}
	srv.shutdown(t)
	noKey := func(r result) {
		t.Helper()
		for _, out := range [][]byte{r.stdout, []byte(r.stderr), []byte(srv.stderr.String())} {
			if bytes.Contains(out, auditKey) || bytes.Contains(out, []byte(hex.EncodeToString(auditKey))) {
				t.Fatalf("the audit key was printed: %s", out)
			}
		}
	}
	r := segel(t, nil, "audit", "verify", "--config", cfg)
	noKey(r)
	if r.code != 0 || !strings.Contains(string(r.stdout), "audit chain keyed (chain ") {
		t.Fatalf("audit verify of a keyed chain: %v\n%s", r, r.stdout)
	}

	// Remove the last entry and move the head back to the one before.
	db := filepath.Join(dir, "data", "segel.db")
	tamper(t, db, `DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 3;
		UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit WHERE seq = 2);`)
	r = segel(t, nil, "audit", "verify", "--config", cfg)
	noKey(r)
	if r.code != exitFailure || !strings.Contains(string(r.stdout), "BROKEN at entry 2: head MAC mismatch") {
		t.Fatalf("audit verify of a shortened keyed chain: %v\n%s", r, r.stdout)
	}
}
