package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/store"
)

// testReconcile: a crash between the steps of a signature leaves a record
// without its "ok" audit entry, or a file without a record; Reconcile
// finds both, leaves whole signatures and recent writes alone, and with
// fix removes the orphans and says so in the audit log.
func testReconcile(t *testing.T, b backend) {
	ctx := context.Background()
	s, _ := b.fresh(t)
	old := time.Now().Add(-time.Hour).UTC()
	put := func(id string, blob, audited bool, at time.Time) {
		t.Helper()
		if blob {
			if _, err := s.PutBlob(ctx, id, bytes.NewReader([]byte("%PDF-1.7 "+id))); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.PutDocument(ctx, &store.Document{ID: id, Profile: "sekda", Client: "eoffice", SignedAt: at, Stored: blob}); err != nil {
			t.Fatal(err)
		}
		if audited {
			if err := s.AppendAudit(ctx, &store.AuditEntry{Operation: "sign", Profile: "sekda", Client: "eoffice", DocumentID: id, Outcome: "ok"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	put("whole", true, true, old)
	put("unaudited", true, false, old)
	put("recent", true, false, time.Now().UTC())
	if _, err := s.PutBlob(ctx, "stray", bytes.NewReader([]byte("%PDF"))); err != nil {
		t.Fatal(err)
	}
	// A failed sign names no document; it is not an "ok" entry for one.
	s.AppendAudit(ctx, &store.AuditEntry{Operation: "sign", Profile: "sekda", DocumentID: "unaudited", Outcome: "internal"})

	before := time.Now().Add(-time.Minute)
	o, err := s.Reconcile(ctx, before, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Records) != 1 || o.Records[0] != "unaudited" || len(o.Blobs) != 0 {
		// The stray blob is new: it is left for a later run.
		t.Fatalf("found %+v", o)
	}
	// Everything written before now is old enough: the stray blob counts.
	o, err = s.Reconcile(ctx, time.Now().Add(time.Second), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Records) != 2 || len(o.Blobs) != 1 || o.Blobs[0] != "stray" {
		t.Fatalf("found %+v", o)
	}
	if o, err = s.Reconcile(ctx, before, true); err != nil || len(o.Records) != 1 {
		t.Fatalf("fix: %+v %v", o, err)
	}
	if _, err := s.GetDocument(ctx, "unaudited"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("orphan record kept: %v", err)
	}
	if _, _, err := s.OpenBlob(ctx, "unaudited"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("orphan record's blob kept: %v", err)
	}
	for _, id := range []string{"whole", "recent"} {
		if _, err := s.GetDocument(ctx, id); err != nil {
			t.Errorf("%s removed: %v", id, err)
		}
	}
	if o, err = s.Reconcile(ctx, time.Now().Add(time.Second), true); err != nil || len(o.Blobs) != 1 {
		t.Fatalf("fix blobs: %+v %v", o, err)
	}
	if _, _, err := s.OpenBlob(ctx, "stray"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("stray blob kept: %v", err)
	}
	if _, _, err := s.OpenBlob(ctx, "whole"); err != nil {
		t.Errorf("a whole signature's blob removed: %v", err)
	}
	entries, err := s.AuditEntries(ctx, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, e := range entries {
		if e.Operation == "reconcile" {
			notes = append(notes, e.DocumentID+":"+e.Outcome)
		}
	}
	if len(notes) != 3 || notes[0] != "unaudited:orphan-removed" {
		t.Errorf("audit notes %v", notes)
	}
	if c, err := s.VerifyAudit(ctx); err != nil || c.FirstBroken != 0 {
		t.Errorf("chain after reconciling: %+v %v", c, err)
	}
}
