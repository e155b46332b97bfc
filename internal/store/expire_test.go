package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/pgtest"
	"github.com/segel-id/segel/internal/store"
)

// TestExpireBlobs: files past their retention are deleted and their
// records kept, marked as no longer stored; others stay.
func TestExpireBlobs(t *testing.T) {
	for name, dsn := range map[string]func() string{
		"sqlite":   func() string { return filepath.Join(t.TempDir(), "segel.db") },
		"postgres": func() string { return pgtest.DSN(t) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, dsn(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			now := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
			for id, until := range map[string]time.Time{
				"expiredaaaa": now.Add(-time.Hour), "keptbbbbbbb": now.Add(time.Hour), "foreverccccc": {},
			} {
				if _, err := s.PutBlob(ctx, id, strings.NewReader("%PDF-1.7 "+id)); err != nil {
					t.Fatal(err)
				}
				if err := s.PutDocument(ctx, &store.Document{ID: id, Profile: "sekda", SignedAt: now.Add(-48 * time.Hour),
					Stored: true, RetainUntil: until}); err != nil {
					t.Fatal(err)
				}
			}
			ids, err := s.ExpireBlobs(ctx, now, 10)
			if err != nil || len(ids) != 1 || ids[0] != "expiredaaaa" {
				t.Fatalf("expired %v, %v", ids, err)
			}
			if _, _, err := s.OpenBlob(ctx, "expiredaaaa"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the expired file is still there: %v", err)
			}
			d, err := s.GetDocument(ctx, "expiredaaaa")
			if err != nil || d.Stored {
				t.Errorf("record after expiry: %+v, %v", d, err)
			}
			for _, id := range []string{"keptbbbbbbb", "foreverccccc"} {
				if rc, _, err := s.OpenBlob(ctx, id); err != nil {
					t.Errorf("%s: %v", id, err)
				} else {
					rc.Close()
				}
			}
			if ids, _ := s.ExpireBlobs(ctx, now, 10); len(ids) != 0 {
				t.Errorf("a second sweep expired %v", ids)
			}
		})
	}
}
