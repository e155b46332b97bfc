package auditcp_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"database/sql"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/auditcp"
	"github.com/segel-id/segel/internal/store"
)

func openStore(t *testing.T, dsn string, key []byte) store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn, &store.Options{AuditKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func appendN(t *testing.T, st store.Store, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := st.AppendAudit(context.Background(), &store.AuditEntry{Operation: "sign", Outcome: "ok", Client: "c"}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTruncatedRekeyedChainFails: a checkpoint of entry 5 holds, then the
// log is cut back to entry 3 by someone with the database and the audit
// key, re-keyed (a new chain id) and grown back to 5 entries. The chain
// and its head MAC verify; the checkpoint does not.
func TestTruncatedRekeyedChainFails(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "segel.db")
	key := bytes.Repeat([]byte{7}, 32)
	st := openStore(t, dsn, key)
	appendN(t, st, 5)
	cp, h, err := auditcp.Make(ctx, st, key, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if h.Seq != 5 || h.ChainID == "" || cp.MAC == "" {
		t.Fatalf("checkpoint %+v of %+v: want entry 5 of a keyed chain, MAC'd", cp, h)
	}
	file := filepath.Join(t.TempDir(), "checkpoints")
	if err := auditcp.Append(file, cp); err != nil {
		t.Fatal(err)
	}
	verify := func(key []byte) error {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		_, err = auditcp.VerifyFile(ctx, st, f, key, nil)
		return err
	}
	if err := verify(key); err != nil {
		t.Fatalf("the untouched chain fails its checkpoint: %v", err)
	}
	if err := verify(bytes.Repeat([]byte{8}, 32)); err == nil || !strings.Contains(err.Error(), "MAC does not verify") {
		t.Errorf("checkpoint under another key: %v, want a MAC failure", err)
	}
	st.Close()

	db, err := sql.Open("sqlite", "file:"+dsn)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP TRIGGER audit_no_delete`,
		`DELETE FROM audit WHERE seq > 3`,
		`UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit WHERE seq = 3), mac = '', chain_id = '',
			chain_base_seq = 0, chain_base_hash = '', chain_mac = '' WHERE id = 1`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	st = openStore(t, dsn, key)
	appendN(t, st, 2) // keyed anew from entry 3, back to 5 entries
	if c, err := st.VerifyAudit(ctx); err != nil || c.FirstBroken != 0 || !c.Keyed || c.Entries != 5 {
		t.Fatalf("the rewritten chain should pass VerifyAudit (that is the attack): %+v, %v", c, err)
	}
	err = verify(key)
	var fe *auditcp.FileError
	if !errors.As(err, &fe) || fe.Line != 1 || !strings.Contains(err.Error(), "reset and keyed anew") {
		t.Fatalf("the truncated, re-keyed chain against the older checkpoint: %v", err)
	}
	t.Logf("caught: %v", err)
}

// TestTruncatedChainFails: without a chain id (no audit key), a chain
// cut short fails a plain checkpoint; rewritten to the same length, the
// entry's hash does.
func TestTruncatedChainFails(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "segel.db"), nil)
	appendN(t, st, 2)
	_, h, err := auditcp.Make(ctx, st, nil, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := auditcp.Check(ctx, st, h); err != nil {
		t.Fatal(err)
	}
	h.Seq = 9
	if err := auditcp.Check(ctx, st, h); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("a checkpoint beyond the end: %v, want truncated", err)
	}
	h.Seq, h.Hash = 2, strings.Repeat("0", 64)
	if err := auditcp.Check(ctx, st, h); err == nil || !strings.Contains(err.Error(), "rewritten") {
		t.Errorf("a checkpoint with another hash: %v, want rewritten", err)
	}
}

// TestSignedCheckpointOpenSSL: a signed checkpoint (ECDSA and RSA)
// verifies with its key here and with openssl from the outside: the
// statement's bytes and the signature, as the file holds them.
func TestSignedCheckpointOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "segel.db"), nil)
	appendN(t, st, 3)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for name, k := range map[string]crypto.Signer{"ecdsa": ec, "rsa": rk} {
		t.Run(name, func(t *testing.T) {
			cp, _, err := auditcp.Make(ctx, st, nil, k, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := auditcp.Authenticate(cp, nil, k.Public(), false); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			der, err := x509.MarshalPKIXPublicKey(k.Public())
			if err != nil {
				t.Fatal(err)
			}
			write := func(name string, b []byte) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, b, 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}
			pub := write("pub.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
			stmt := write("statement", []byte(cp.Statement))
			sig := write("sig", cp.Signature)
			out, err := exec.Command("openssl", "dgst", "-sha256", "-verify", pub, "-signature", sig, stmt).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "Verified OK") {
				t.Fatalf("openssl: %v\n%s", err, out)
			}
			// A changed statement fails, for openssl and for us.
			bad := *cp
			bad.Statement = strings.Replace(cp.Statement, "seq=3", "seq=2", 1)
			write("statement", []byte(bad.Statement))
			if out, err := exec.Command("openssl", "dgst", "-sha256", "-verify", pub, "-signature", sig, stmt).CombinedOutput(); err == nil {
				t.Errorf("openssl verified a changed statement:\n%s", out)
			}
			if _, err := auditcp.Authenticate(&bad, nil, k.Public(), false); err == nil {
				t.Error("a changed statement authenticated")
			}
		})
	}
}
