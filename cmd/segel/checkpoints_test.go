package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/store"
)

// TestServeCheckpoints runs a service with a keyed chain and signed
// checkpoints every second: it logs them and appends them to the file,
// once more at shutdown, and `audit verify --checkpoints` holds the chain
// to them. Cut back and re-keyed by someone with the database and the
// audit key, the chain passes its own checks and fails the checkpoints.
func TestServeCheckpoints(t *testing.T) {
	dir, cfg, _ := configFixture(t, `audit:
  key_file: audit.key
  checkpoint_file: checkpoints.jsonl
  checkpoint_key: sekda.pem
  checkpoint_interval: 1s
`)
	auditKey := bytes.Repeat([]byte{42}, 32)
	writeFile(t, dir, "audit.key", auditKey)
	key := strings.TrimSpace(string(mustSegel(t, nil, "clients", "add", "e-office", "--profiles", "sekda", "--config", cfg).stdout))
	srv := serveInProcess(t, "--config", cfg)
	for range 3 {
		srv.sign(t, key, "profile=sekda", letter(t))
	}
	time.Sleep(1500 * time.Millisecond) // one periodic checkpoint at least
	srv.shutdown(t)
	logs := srv.stderr.String()
	if !strings.Contains(logs, `"msg":"audit checkpoint","why":"periodic"`) || !strings.Contains(logs, `"msg":"audit checkpoint","why":"shutdown"`) {
		t.Fatalf("no periodic and shutdown checkpoint in the log:\n%s", lastLines(logs, 10))
	}
	file := filepath.Join(dir, "checkpoints.jsonl")
	data := readFile(t, file)
	if n := bytes.Count(data, []byte("\n")); n < 2 || !bytes.Contains(data, []byte(`"alg":"sha256-`)) ||
		!bytes.Contains(data, []byte("seq=3 ")) {
		t.Fatalf("checkpoint file (want >= 2 signed lines, the last of entry 3):\n%s", data)
	}
	r := segel(t, nil, "audit", "verify", "--checkpoints", file, "--config", cfg)
	if r.code != 0 || !strings.Contains(string(r.stdout), "audit checkpoints hold") {
		t.Fatalf("audit verify --checkpoints: %v\n%s", r, r.stdout)
	}

	db := filepath.Join(dir, "data", "segel.db")
	tamper(t, db, `DROP TRIGGER audit_no_delete;
DELETE FROM audit WHERE seq > 1;
UPDATE audit_head SET seq = 1, hash = (SELECT hash FROM audit WHERE seq = 1), mac = '', chain_id = '',
	chain_base_seq = 0, chain_base_hash = '', chain_mac = '' WHERE id = 1;`)
	st, err := store.Open(context.Background(), db, &store.Options{AuditKey: auditKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AppendAudit(context.Background(), &store.AuditEntry{Operation: "sign", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	r = segel(t, nil, "audit", "verify", "--dry-run", "--config", cfg)
	if r.code != 0 {
		t.Fatalf("the re-keyed chain should pass its own checks (that is the attack): %v\n%s", r, r.stdout)
	}
	r = segel(t, nil, "audit", "verify", "--dry-run", "--checkpoints", file, "--config", cfg)
	if r.code != exitFailure || !strings.Contains(string(r.stdout), "BROKEN against") {
		t.Fatalf("audit verify --checkpoints after truncation: %v\n%s", r, r.stdout)
	}
	t.Logf("%s", r.stdout)
	if err := os.WriteFile(file, []byte("not json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := segel(t, nil, "audit", "verify", "--checkpoints", file, "--config", cfg); r.code != exitFailure {
		t.Errorf("a garbled checkpoint file: %v", r)
	}
}
