package config

import (
	"fmt"
	"os"

	"github.com/segel-id/segel/internal/store"
)

// Store says where the audit log, the register, the clients and the
// signed files are kept.
type Store struct {
	// SQLite is the path of the SQLite database (the default,
	// segel-data/segel.db). Exclusive with Postgres.
	SQLite string `yaml:"sqlite"`
	// Postgres is a postgres:// DSN, for several replicas sharing one
	// database. Better given as $SEGEL_STORE_DSN (it holds a password).
	Postgres string `yaml:"postgres"`
	// BlobDir is a directory where signed files are kept, one file per
	// kept letter. Default: a table in the database (for PostgreSQL, so
	// that replicas share the files; for SQLite, so that a small letter
	// is written in its record's transaction), except that a SQLite store
	// whose "blobs" directory beside the database already holds files
	// keeps using it (store.Options.BlobDir). Files are never moved.
	BlobDir string `yaml:"blob_dir"`
}

// Audit configures the audit log.
type Audit struct {
	// KeyFile is a file holding the audit key: at least 32 random bytes
	// (its whole content, as is), kept outside the database, with which
	// each head of the audit chain is keyed (an HMAC-SHA256), so that
	// someone who can write the database cannot rewrite the chain unseen.
	// Empty: the chain is not keyed (docs/decisions.md, "Keyed audit
	// chain").
	KeyFile string `yaml:"key_file"`
	// Checkpoints: see limits_keys.go.
	CheckpointInterval Duration `yaml:"checkpoint_interval"`
	CheckpointKey      string   `yaml:"checkpoint_key"`
	CheckpointFile     string   `yaml:"checkpoint_file"`
}

// ReadAuditKey reads the audit key from path. Errors name the file and
// its length, never its content.
func ReadAuditKey(path string) ([]byte, error) {
	k, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit key: %s: %s", path, unwrapPath(err))
	}
	if len(k) < store.MinAuditKeyLen {
		return nil, fmt.Errorf("audit key: %s has %d bytes; it needs at least %d random bytes "+
			"(head -c 32 /dev/urandom > %s)", path, len(k), store.MinAuditKeyLen, path)
	}
	return k, nil
}

// AuditKey returns the audit key of the configuration, nil when none is
// configured.
func (c *Config) AuditKey() ([]byte, error) {
	if c.Audit.KeyFile == "" {
		return nil, nil
	}
	return ReadAuditKey(c.Audit.KeyFile)
}

// DSN returns the store's data source name for store.Open.
func (s Store) DSN() string {
	if s.Postgres != "" {
		return s.Postgres
	}
	return s.SQLite
}
