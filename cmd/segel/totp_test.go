package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/testpki"
)

// TestTOTPRemove: `segel totp remove --profile NAME` deletes the
// official's enrolment from the configuration's store, audited with the
// operator; a second run has nothing to remove (exit 0, no entry), and a
// profile that is no official's is refused as bad arguments.
func TestTOTPRemove(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	id := p.MustIssueSigner(t, testpki.SignerOptions{})
	p12, err := id.PKCS12("rahasia-pejabat")
	if err != nil {
		t.Fatal(err)
	}
	kdir := t.TempDir()
	dir, cfg, _ := configFixture(t, fmt.Sprintf("  - name: camat\n    key: %s\n    cert: %s\n    personal: true\n    nik: \"3604012345670002\"\n    totp: true\ntotp:\n  key_file: totp.key\n",
		writeFile(t, kdir, "camat.p12", p12), writeFile(t, kdir, "camat-chain.pem", id.FullChainPEM())))
	writeFile(t, dir, "totp.key", bytes.Repeat([]byte("k3y!"), 8))
	c := mustLoad(t, cfg)
	ctx := context.Background()
	open := func() store.Store {
		st, err := store.Open(ctx, c.Store.DSN(), &store.Options{BlobDir: c.Store.BlobDir})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := open()
	if err := st.PutOTP(ctx, &store.OTPEnrolment{Profile: "camat", Subject: "3604012345670002", Sealed: []byte("sealed")}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	if r := segel(t, nil, "totp", "remove", "--profile", "sekda", "--config", cfg); r.code != exitUsage || !strings.Contains(r.stderr, "not a personal profile") {
		t.Errorf("totp remove of a profile that is no official's: %v", r)
	}
	if r := segel(t, nil, "totp", "remove", "--config", cfg); r.code != exitUsage {
		t.Errorf("totp remove without --profile: %v", r)
	}
	if r := segel(t, nil, "totp", "remove", "--profile", "camat", "--config", cfg); r.code != 0 || !strings.Contains(r.stderr, "is removed") {
		t.Fatalf("totp remove: %v", r)
	}
	if r := segel(t, nil, "totp", "remove", "--profile", "camat", "--config", cfg); r.code != 0 || !strings.Contains(r.stderr, "nothing removed") {
		t.Errorf("totp remove again: %v", r)
	}
	st = open()
	defer st.Close()
	if _, err := st.GetOTP(ctx, "camat", "3604012345670002"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the enrolment after totp remove: %v, want not found", err)
	}
	es, err := st.AuditEntries(ctx, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, e := range es {
		ops = append(ops, e.Operation)
		if e.Operation == "totp-reset" && (e.Profile != "camat" || !strings.HasPrefix(e.Client, "operator")) {
			t.Errorf("totp-reset entry %+v: want profile camat and the operator", e)
		}
	}
	if got := strings.Join(ops, ","); got != "totp-enrol,totp-remove,totp-reset" {
		t.Errorf("audit operations %s, want totp-enrol,totp-remove,totp-reset", got)
	}
	if chk, err := st.VerifyAudit(ctx); err != nil || chk.FirstBroken != 0 {
		t.Errorf("the audit chain after totp remove: %+v, %v", chk, err)
	}
}

// TestServeWarnsOpenTOTPKey: serve warns, naming the file and its mode,
// when the TOTP key file can be read by group or others, and says nothing
// of a 0600 one.
func TestServeWarnsOpenTOTPKey(t *testing.T) {
	for _, mode := range []os.FileMode{0o600, 0o644} {
		dir, cfg, _ := configFixture(t, "totp:\n  key_file: totp.key\n")
		key := writeFile(t, dir, "totp.key", bytes.Repeat([]byte("k3y!"), 8))
		if err := os.Chmod(key, mode); err != nil {
			t.Fatal(err)
		}
		srv := serveInProcess(t, "--config", cfg)
		if code := srv.shutdown(t); code != 0 {
			t.Errorf("exit %d", code)
		}
		logs := srv.stderr.String()
		warned := strings.Contains(logs, "totp.key_file can be read by group or others") && strings.Contains(logs, "0644")
		if warned != (mode == 0o644) {
			t.Errorf("key file mode %04o: warned %v\n%s", mode, warned, logs)
		}
	}
}
