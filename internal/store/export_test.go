package store

import (
	"context"
	"strings"
)

// OpenVersion opens the store of dsn with its schema migrated only up to
// migration n, as an older Segel left it.
func OpenVersion(ctx context.Context, dsn string, n int) (Store, error) {
	if strings.HasPrefix(dsn, "postgres") {
		return openPostgres(ctx, dsn, &Options{}, n)
	}
	return openSQLite(ctx, dsn, &Options{}, n)
}

// Migrations is the number of migrations.
var Migrations = len(migrations)

// Commits returns the number of transactions the group committer of s
// has run.
func Commits(s Store) int64 { return s.(*sqlStore).gc.commits.Load() }

// Delays returns the number of batches the group committer of s made
// wait for companions.
func Delays(s Store) int64 { return s.(*sqlStore).gc.delays.Load() }
