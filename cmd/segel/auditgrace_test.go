package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAuditVerifyGrace: a record a crash left a moment ago is left alone
// by default (it may be a replica's request in flight) and removed with
// --grace 0, as an operator does once no service runs; a negative grace
// is a usage error.
func TestAuditVerifyGrace(t *testing.T) {
	dir, cfg, _ := configFixture(t, "")
	key := strings.TrimSpace(string(mustSegel(t, nil, "clients", "add", "e-office", "--profiles", "sekda", "--config", cfg).stdout))
	srv := serveInProcess(t, "--config", cfg)
	srv.sign(t, key, "profile=sekda", letter(t))
	srv.shutdown(t)
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z")
	tamper(t, filepath.Join(dir, "data", "segel.db"), `INSERT INTO documents SELECT 'justcrashed', profile, client, level, '`+now+`',
		signer_name, signer_subject, signer_issuer, signer_serial, input_sha256, output_sha256, size, number, subject,
		title, nip, confidential, downloadable, 0, retain_until FROM documents LIMIT 1;`)
	r := segel(t, nil, "audit", "verify", "--config", cfg)
	if r.code != 0 || strings.Contains(string(r.stdout), "justcrashed") {
		t.Fatalf("default grace: %v\n%s", r, r.stdout)
	}
	r = segel(t, nil, "audit", "verify", "--grace", "0", "--config", cfg)
	if r.code != 0 || !strings.Contains(string(r.stdout), "orphan removed: register record justcrashed") {
		t.Fatalf("--grace 0: %v\n%s", r, r.stdout)
	}
	if r := segel(t, nil, "audit", "verify", "--grace", "-1s", "--config", cfg); r.code != exitUsage {
		t.Errorf("--grace -1s: %v", r)
	}
}
