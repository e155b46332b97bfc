package store

import (
	"context"
	"fmt"
)

// This file holds the client administration of the store (disabling,
// removing and re-keying a client, each with its audit entry in the same
// transaction) and the chain head that audit checkpoints record
// (docs/decisions.md, "Audit checkpoints and client keys").

func (s *sqlStore) DisableClient(ctx context.Context, name string, disabled bool) error {
	op, v := "client-disable", 1
	if !disabled {
		op, v = "client-enable", 0
	}
	return s.changeClient(ctx, name, op, `UPDATE clients SET disabled = $2 WHERE name = $1`, name, v)
}

func (s *sqlStore) RemoveClient(ctx context.Context, name string) error {
	return s.changeClient(ctx, name, "client-remove", `DELETE FROM clients WHERE name = $1`, name)
}

func (s *sqlStore) RotateClientKey(ctx context.Context, name string, keyHash []byte) error {
	if len(keyHash) == 0 {
		return fmt.Errorf("store: client %s: no key hash", name)
	}
	err := s.changeClient(ctx, name, "client-rotate", `UPDATE clients SET key_hash = $2 WHERE name = $1`, name, keyHash)
	if s.db.isUnique(err) {
		return fmt.Errorf("%w: client %s: the new key is another client's", ErrExists, name)
	}
	return err
}

// changeClient runs stmt on the client name, after checking it exists,
// and appends the audit entry of op in the same transaction: the change
// is never made unaudited.
func (s *sqlStore) changeClient(ctx context.Context, name, op, stmt string, args ...any) error {
	err := s.db.writeTx(ctx, func(q querier) error {
		var n int
		if err := q.queryRow(ctx, `SELECT COUNT(*) FROM clients WHERE name = $1`, name).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%w: client %s", ErrNotFound, name)
		}
		if err := q.exec(ctx, stmt, args...); err != nil {
			return err
		}
		head, err := s.lockHead(ctx, q)
		if err != nil {
			return err
		}
		e := &AuditEntry{Client: name, Operation: op, Outcome: "ok"}
		cleanAudit(e)
		return s.insertAudit(ctx, q, e, head)
	})
	if err != nil {
		return fmt.Errorf("store: %s %s: %w", op, name, err)
	}
	return nil
}

func (s *sqlStore) AuditHead(ctx context.Context) (*AuditHead, error) {
	h := &chainHead{}
	if err := h.scan(s.db.queryRow(ctx, `SELECT `+headColumns+` FROM audit_head WHERE id = 1`)); err != nil {
		return nil, fmt.Errorf("store: reading the audit chain head: %w", err)
	}
	return &AuditHead{Seq: h.seq, Hash: h.hash, ChainID: h.chainID}, nil
}
