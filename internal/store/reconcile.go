package store

import (
	"context"
	"fmt"
	"time"
)

// Reconcile: see Store. The steps of a signature are PutBlob, PutDocument
// and AppendAudit of the "ok" entry, in that order, and a signature is
// handed out only after the last: so a record without its entry, or a
// file without its record, is a signature nobody received.
func (s *sqlStore) Reconcile(ctx context.Context, before time.Time, fix bool) (*Orphans, error) {
	o := &Orphans{}
	rs, err := s.db.query(ctx, `SELECT d.id FROM documents d WHERE d.signed_at < $1 AND NOT EXISTS (
		SELECT 1 FROM audit a WHERE a.document_id = d.id AND a.operation = 'sign' AND a.outcome = 'ok') ORDER BY d.id`,
		formatTime(before.UTC()))
	if err != nil {
		return nil, fmt.Errorf("store: finding orphan records: %w", err)
	}
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			rs.Close()
			return nil, fmt.Errorf("store: finding orphan records: %w", err)
		}
		o.Records = append(o.Records, id)
	}
	err = rs.Err()
	rs.Close()
	if err != nil {
		return nil, fmt.Errorf("store: finding orphan records: %w", err)
	}
	blobs, err := s.blobs.list(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range blobs {
		if !b.written.IsZero() && !b.written.Before(before) {
			continue // perhaps being recorded right now
		}
		var n int
		if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM documents WHERE id = $1`, b.id).Scan(&n); err != nil {
			return nil, fmt.Errorf("store: finding orphan blobs: %w", err)
		}
		if n == 0 {
			o.Blobs = append(o.Blobs, b.id)
		}
	}
	if !fix {
		return o, nil
	}
	note := func(id, detail string) error {
		return s.AppendAudit(ctx, &AuditEntry{Operation: "reconcile", DocumentID: id, Outcome: "orphan-removed", Detail: detail})
	}
	for _, id := range o.Records {
		// The entry first: a crash after it leaves the record to be
		// found, and noted, again.
		if err := note(id, "register record without its ok audit entry: the signature was never handed out"); err != nil {
			return o, err
		}
		if err := s.DeleteBlob(ctx, id); err != nil {
			return o, err
		}
		if err := s.db.writeTx(ctx, func(q querier) error {
			return q.exec(ctx, `DELETE FROM documents WHERE id = $1`, id)
		}); err != nil {
			return o, fmt.Errorf("store: removing orphan record %s: %w", id, err)
		}
	}
	for _, id := range o.Blobs {
		if err := note(id, "stored file without a register record: the signature was never handed out"); err != nil {
			return o, err
		}
		if err := s.DeleteBlob(ctx, id); err != nil {
			return o, err
		}
	}
	return o, nil
}
