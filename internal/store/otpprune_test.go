package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/pgtest"
	"github.com/segel-id/segel/internal/store"
)

// TestPruneOTP: only the rows of the profile, with the prefix, created
// before the time are removed.
func TestPruneOTP(t *testing.T) {
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
			now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
			for _, r := range []struct {
				profile, subject string
				created          time.Time
			}{
				{"segel", "code:old", now.Add(-time.Hour)},
				{"segel", "code:new", now},
				{"segel", "activation", now.Add(-time.Hour)},
				{"segel", "code;", now.Add(-time.Hour)}, // just past the prefix's range
				{"other", "code:old", now.Add(-time.Hour)},
			} {
				if err := s.PutOTP(ctx, &store.OTPEnrolment{Profile: r.profile, Subject: r.subject, Sealed: []byte{1}, Created: r.created}); err != nil {
					t.Fatal(err)
				}
			}
			n, err := s.PruneOTP(ctx, "segel", "code:", now.Add(-time.Minute))
			if err != nil || n != 1 {
				t.Fatalf("pruned %d, %v; want 1", n, err)
			}
			if _, err := s.GetOTP(ctx, "segel", "code:old"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("code:old is still there: %v", err)
			}
			for _, k := range [][2]string{{"segel", "code:new"}, {"segel", "activation"}, {"segel", "code;"}, {"other", "code:old"}} {
				if _, err := s.GetOTP(ctx, k[0], k[1]); err != nil {
					t.Errorf("%v was removed: %v", k, err)
				}
			}
			if _, err := s.PruneOTP(ctx, "segel", "", now); err == nil {
				t.Error("an empty prefix was accepted")
			}
		})
	}
}
