package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/store"
)

// auditKey is a test key: 32 bytes, not secret.
var auditKey = bytes.Repeat([]byte{0x5a, 0xc3}, 16)

// dropAllGuards drops, besides dropGuards' triggers, the one that makes
// inserts follow the head: an attacker with the owner's rights can.
func (b backend) dropAllGuards(t *testing.T, db *sql.DB) {
	t.Helper()
	b.dropGuards(t, db)
	q := `DROP TRIGGER audit_follows_head`
	if b.name == "postgres" {
		q += ` ON audit`
	}
	mustExec(t, db, q)
}

// rehash re-links and re-hashes entries from..to after an edit, as an
// attacker who knows the (public) hash scheme can, and moves the head.
func rehash(t *testing.T, db *sql.DB, from, to int64) {
	t.Helper()
	prev := ""
	if from > 1 {
		prev = readEntry(t, db, from-1).Hash
	}
	for seq := from; seq <= to; seq++ {
		e := readEntry(t, db, seq)
		e.PrevHash = prev
		e.Hash = store.AuditHash(e)
		if _, err := db.Exec(`UPDATE audit SET prev_hash = $1, hash = $2 WHERE seq = $3`, e.PrevHash, e.Hash, seq); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
	}
	if _, err := db.Exec(`UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, to, prev); err != nil {
		t.Fatal(err)
	}
}

func verify(t *testing.T, s store.Store) *store.AuditCheck {
	t.Helper()
	c, err := s.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", c)
	return c
}

func testAuditKeyed(t *testing.T, b backend) {
	keyed := &store.Options{AuditKey: auditKey}
	t.Run("clean chain", func(t *testing.T) {
		dsn := b.newDSN(t)
		s := open(t, dsn, keyed)
		appendN(t, s, 5)
		c := verify(t, s)
		if c.FirstBroken != 0 || !c.Keyed || c.ChainID == "" || c.KeyedFrom != 0 || c.Entries != 5 {
			t.Fatalf("VerifyAudit = %+v, want a whole chain keyed from the start", c)
		}
		// Reopened with the key, it goes on; without it, its hash chain
		// is still checked, but it is not keyed and appends are refused.
		s.Close()
		s = open(t, dsn, keyed)
		appendN(t, s, 1)
		s.Close()
		u := open(t, dsn, nil)
		if c := verify(t, u); c.FirstBroken != 0 || c.Keyed || c.Entries != 6 {
			t.Fatalf("VerifyAudit without a key = %+v, want a whole chain, not checked with a key", c)
		}
		err := u.AppendAudit(context.Background(), entry(9))
		if !errors.Is(err, store.ErrAuditKey) {
			t.Fatalf("append without the key to a keyed chain: %v, want ErrAuditKey", err)
		}
	})
	t.Run("unkeyed chain keyed at first append", func(t *testing.T) {
		dsn := b.newDSN(t)
		s := open(t, dsn, nil)
		appendN(t, s, 3)
		if c := verify(t, s); c.Keyed || c.ChainID != "" {
			t.Fatalf("VerifyAudit = %+v, want not keyed", c)
		}
		s.Close()
		s = open(t, dsn, keyed)
		if c := verify(t, s); c.FirstBroken == 0 || !strings.HasPrefix(c.Reason, "not keyed") {
			t.Fatalf("VerifyAudit with a key before any keyed append = %+v, want not keyed", c)
		}
		appendN(t, s, 2)
		if c := verify(t, s); c.FirstBroken != 0 || !c.Keyed || c.KeyedFrom != 3 {
			t.Fatalf("VerifyAudit = %+v, want whole, keyed from entry 3", c)
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		dsn := b.newDSN(t)
		s := open(t, dsn, keyed)
		appendN(t, s, 2)
		s.Close()
		other := bytes.Repeat([]byte{7}, 32)
		w := open(t, dsn, &store.Options{AuditKey: other})
		if c := verify(t, w); c.FirstBroken == 0 || !strings.HasPrefix(c.Reason, "key mismatch") {
			t.Fatalf("VerifyAudit with another key = %+v, want key mismatch", c)
		}
		err := w.AppendAudit(context.Background(), entry(3))
		if !errors.Is(err, store.ErrAuditKey) {
			t.Fatalf("append under another key: %v, want ErrAuditKey", err)
		}
		for _, k := range [][]byte{auditKey, other} {
			if strings.Contains(err.Error(), hex.EncodeToString(k)) || strings.Contains(err.Error(), string(k)) {
				t.Fatalf("the error quotes the key: %v", err)
			}
		}
	})
	t.Run("short key", func(t *testing.T) {
		_, err := store.Open(context.Background(), b.newDSN(t), &store.Options{AuditKey: auditKey[:31]})
		if err == nil {
			t.Fatal("a 31-byte key was accepted")
		}
	})

	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, db *sql.DB)
		seq    int64
		reason string
	}{
		{"edited entry rehashed", func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `UPDATE audit SET outcome = 'forged' WHERE seq = 3`)
			rehash(t, db, 3, 5)
		}, 5, "head MAC mismatch"},
		{"deleted tail with fixed head", func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `DELETE FROM audit WHERE seq >= 4`)
			h := readEntry(t, db, 3).Hash
			mustExec(t, db, `UPDATE audit_head SET seq = 3, hash = '`+h+`' WHERE id = 1`)
		}, 3, "head MAC mismatch"},
		{"truncated and reset", func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `DELETE FROM audit`)
			mustExec(t, db, `UPDATE audit_head SET seq = 0, hash = '' WHERE id = 1`)
		}, 1, "head MAC mismatch"},
		{"truncated and rebuilt from 1", func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `DELETE FROM audit WHERE seq >= 3`)
			mustExec(t, db, `UPDATE audit SET detail = 'rebuilt'`)
			rehash(t, db, 1, 2)
		}, 2, "head MAC mismatch"},
		{"truncated and reset with key record removed", func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `DELETE FROM audit WHERE seq >= 3`)
			mustExec(t, db, `UPDATE audit SET detail = 'rebuilt'`)
			rehash(t, db, 1, 2)
			mustExec(t, db, `UPDATE audit_head SET mac = '', chain_id = '', chain_mac = '' WHERE id = 1`)
		}, 1, "not keyed"},
		{"key record moved", func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `UPDATE audit_head SET chain_base_seq = 2 WHERE id = 1`)
		}, 5, "key mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn := b.newDSN(t)
			s := open(t, dsn, keyed)
			appendN(t, s, 5)
			db := b.raw(t, dsn)
			b.dropAllGuards(t, db)
			tc.tamper(t, db)
			c := verify(t, s)
			if c.FirstBroken != tc.seq || !strings.HasPrefix(c.Reason, tc.reason) {
				t.Errorf("VerifyAudit = %+v, want entry %d broken: %s", c, tc.seq, tc.reason)
			}
			// Without the key the hash chain alone does not see it
			// (except the removed key record, which it cannot judge).
			s.Close()
			u := open(t, dsn, nil)
			if c := verify(t, u); c.FirstBroken != 0 || c.Keyed {
				t.Errorf("VerifyAudit without a key = %+v; want the rewrite unseen (that is why the key)", c)
			}
			u.Close()
			// And Segel does not bless the rewritten head by appending.
			s = open(t, dsn, keyed)
			if tc.reason != "not keyed" {
				if err := s.AppendAudit(context.Background(), entry(9)); !errors.Is(err, store.ErrAuditKey) {
					t.Errorf("append after the rewrite: %v, want ErrAuditKey", err)
				}
			}
		})
	}
}
