package store

import (
	"context"
	"fmt"
	"strings"
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
	var old []string
	for _, b := range blobs {
		if !b.written.IsZero() && !b.written.Before(before) {
			continue // perhaps being recorded right now
		}
		old = append(old, b.id)
	}
	if o.Blobs, err = s.unrecorded(ctx, old); err != nil {
		return nil, err
	}
	pc, cleans := s.blobs.(partialCleaner)
	if cleans {
		if o.Partial, err = pc.partials(before); err != nil {
			return nil, err
		}
	}
	if !fix {
		return o, nil
	}
	for _, name := range o.Partial {
		if err := pc.removePartial(name); err != nil {
			return o, err
		}
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

// partialCleaner is a blob store whose writes, cut short by a crash,
// leave partial files behind (a directory: see fsBlobs.put).
type partialCleaner interface {
	// partials lists the partial files last written before before.
	partials(before time.Time) ([]string, error)
	// removePartial removes one of them.
	removePartial(name string) error
}

// reconcileBatch is how many blob ids unrecorded asks about per query.
const reconcileBatch = 500

// unrecorded returns those of ids that have no register record, in the
// order given: one query per reconcileBatch ids, not one per blob (this
// runs at every start-up, over every stored file).
func (s *sqlStore) unrecorded(ctx context.Context, ids []string) ([]string, error) {
	var out []string
	for len(ids) > 0 {
		n := min(len(ids), reconcileBatch)
		batch := ids[:n]
		ids = ids[n:]
		args := make([]any, n)
		var in strings.Builder
		for i, id := range batch {
			if i > 0 {
				in.WriteString(", ")
			}
			fmt.Fprintf(&in, "$%d", i+1)
			args[i] = id
		}
		rs, err := s.db.query(ctx, `SELECT id FROM documents WHERE id IN (`+in.String()+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: finding orphan blobs: %w", err)
		}
		recorded := make(map[string]bool, n)
		for rs.Next() {
			var id string
			if err := rs.Scan(&id); err != nil {
				rs.Close()
				return nil, fmt.Errorf("store: finding orphan blobs: %w", err)
			}
			recorded[id] = true
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return nil, fmt.Errorf("store: finding orphan blobs: %w", err)
		}
		for _, id := range batch {
			if !recorded[id] {
				out = append(out, id)
			}
		}
	}
	return out, nil
}
