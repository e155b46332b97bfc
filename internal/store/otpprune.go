package store

import (
	"context"
	"fmt"
	"time"
)

func (s *sqlStore) PruneOTP(ctx context.Context, profile, prefix string, before time.Time) (int64, error) {
	if !validKey(profile) || !validKey(prefix) {
		return 0, fmt.Errorf("store: pruning one-time code rows: profile or prefix is empty or not UTF-8 text")
	}
	// The subjects that begin with prefix are those in [prefix, prefix
	// with its last byte incremented): a range, with no LIKE pattern to
	// escape.
	end := []byte(prefix)
	end[len(end)-1]++
	var n int64
	err := s.db.writeTx(ctx, func(q querier) error {
		const where = `FROM otp WHERE profile = $1 AND subject >= $2 AND subject < $3 AND created < $4`
		args := []any{profile, prefix, string(end), formatTime(before.UTC())}
		if err := q.queryRow(ctx, `SELECT COUNT(*) `+where, args...).Scan(&n); err != nil || n == 0 {
			return err
		}
		return q.exec(ctx, `DELETE `+where, args...)
	})
	if err != nil {
		return 0, fmt.Errorf("store: pruning one-time code rows of profile %s: %w", profile, err)
	}
	return n, nil
}
