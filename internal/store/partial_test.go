package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/store"
)

// TestReconcilePartialFiles: a PutBlob cut short by kill -9 leaves its
// temporary file in the blob directory (the fault matrix found eleven
// after three kills). Open removes such files only after a day;
// Reconcile lists those older than its grace and, with fix, removes
// them, leaving younger ones (a write in flight) and stored files alone.
func TestReconcilePartialFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	blobs := filepath.Join(dir, "blobs")
	s, err := store.Open(ctx, filepath.Join(dir, "segel.db"), &store.Options{BlobDir: blobs})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	old := time.Now().Add(-time.Hour)
	for _, name := range []string{".put-1234", ".put-5678"} {
		p := filepath.Join(blobs, name)
		if err := os.WriteFile(p, []byte("%PDF-1.7 cut"), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, old, old)
	}
	if err := os.WriteFile(filepath.Join(blobs, ".put-inflight"), []byte("%PDF"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-time.Minute)
	o, err := s.Reconcile(ctx, before, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Partial) != 2 || o.Partial[0] != ".put-1234" || o.Partial[1] != ".put-5678" {
		t.Fatalf("dry run found %q", o.Partial)
	}
	if _, err := os.Stat(filepath.Join(blobs, ".put-1234")); err != nil {
		t.Fatalf("a dry run removed a partial file: %v", err)
	}
	if o, err = s.Reconcile(ctx, before, true); err != nil || len(o.Partial) != 2 {
		t.Fatalf("fix: %+v %v", o, err)
	}
	left, _ := os.ReadDir(blobs)
	if len(left) != 1 || left[0].Name() != ".put-inflight" {
		var names []string
		for _, e := range left {
			names = append(names, e.Name())
		}
		t.Errorf("left in the blob directory: %q (want only the write in flight)", names)
	}
}
