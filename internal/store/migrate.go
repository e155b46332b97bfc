package store

import (
	"context"
	"fmt"
)

// migration is one step of the schema, in the SQL of each database.
// Migrations are applied in order at Open, each once: schema_version
// holds the number of every migration applied. A released migration is
// never edited; changes are new migrations.
type migration struct {
	sqlite, postgres string
}

var migrations = []migration{
	// 1: the tables.
	{
		sqlite: `
CREATE TABLE audit (
	seq INTEGER PRIMARY KEY,
	time TEXT NOT NULL, request_id TEXT NOT NULL, client TEXT NOT NULL, profile TEXT NOT NULL,
	operation TEXT NOT NULL, signer_subject TEXT NOT NULL, signer_serial TEXT NOT NULL,
	signer_sha256 TEXT NOT NULL, level TEXT NOT NULL, input_sha256 TEXT NOT NULL,
	output_sha256 TEXT NOT NULL, document_id TEXT NOT NULL, outcome TEXT NOT NULL,
	detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE documents (
	id TEXT PRIMARY KEY, profile TEXT NOT NULL, client TEXT NOT NULL, level TEXT NOT NULL,
	signed_at TEXT NOT NULL, signer_name TEXT NOT NULL, signer_subject TEXT NOT NULL,
	signer_issuer TEXT NOT NULL, signer_serial TEXT NOT NULL, input_sha256 TEXT NOT NULL,
	output_sha256 TEXT NOT NULL, size INTEGER NOT NULL, number TEXT NOT NULL, subject TEXT NOT NULL,
	title TEXT NOT NULL, nip TEXT NOT NULL, confidential INTEGER NOT NULL, downloadable INTEGER NOT NULL,
	stored INTEGER NOT NULL, retain_until TEXT NOT NULL);
CREATE TABLE clients (
	name TEXT PRIMARY KEY, key_hash BLOB NOT NULL UNIQUE, profiles TEXT NOT NULL,
	operations TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE failures (key TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX failures_key_at ON failures (key, at);
CREATE TABLE blobs (id TEXT NOT NULL, chunk INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (id, chunk));`,
		postgres: `
CREATE TABLE audit (
	seq BIGINT PRIMARY KEY,
	time TEXT NOT NULL, request_id TEXT NOT NULL, client TEXT NOT NULL, profile TEXT NOT NULL,
	operation TEXT NOT NULL, signer_subject TEXT NOT NULL, signer_serial TEXT NOT NULL,
	signer_sha256 TEXT NOT NULL, level TEXT NOT NULL, input_sha256 TEXT NOT NULL,
	output_sha256 TEXT NOT NULL, document_id TEXT NOT NULL, outcome TEXT NOT NULL,
	detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
	$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TABLE documents (
	id TEXT PRIMARY KEY, profile TEXT NOT NULL, client TEXT NOT NULL, level TEXT NOT NULL,
	signed_at TEXT NOT NULL, signer_name TEXT NOT NULL, signer_subject TEXT NOT NULL,
	signer_issuer TEXT NOT NULL, signer_serial TEXT NOT NULL, input_sha256 TEXT NOT NULL,
	output_sha256 TEXT NOT NULL, size BIGINT NOT NULL, number TEXT NOT NULL, subject TEXT NOT NULL,
	title TEXT NOT NULL, nip TEXT NOT NULL, confidential BOOLEAN NOT NULL, downloadable BOOLEAN NOT NULL,
	stored BOOLEAN NOT NULL, retain_until TEXT NOT NULL);
CREATE TABLE clients (
	name TEXT PRIMARY KEY, key_hash BYTEA NOT NULL UNIQUE, profiles TEXT NOT NULL,
	operations TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE failures (key TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX failures_key_at ON failures (key, at);
CREATE TABLE blobs (id TEXT NOT NULL, chunk INTEGER NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (id, chunk));`,
	},
	// 2: the audit chain head, which appends lock and which new entries
	// must follow; TRUNCATE refused; the failures cleanup indexed; blob
	// chunks (PDFs, compressed already) stored without compression.
	{
		sqlite: `
CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
INSERT INTO audit_head (id, seq, hash)
	SELECT 1, COALESCE(MAX(seq), 0), COALESCE((SELECT hash FROM audit ORDER BY seq DESC LIMIT 1), '') FROM audit;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
	BEGIN SELECT RAISE(ABORT, 'the audit chain head cannot be deleted'); END;
CREATE TRIGGER audit_follows_head BEFORE INSERT ON audit
	WHEN NEW.seq IS NOT (SELECT seq + 1 FROM audit_head WHERE id = 1)
		OR NEW.prev_hash IS NOT (SELECT hash FROM audit_head WHERE id = 1)
	BEGIN SELECT RAISE(ABORT, 'an audit entry must follow the chain head'); END;
CREATE INDEX failures_at ON failures (at);`,
		postgres: `
CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL);
INSERT INTO audit_head (id, seq, hash)
	SELECT 1, COALESCE(MAX(seq), 0), COALESCE((SELECT hash FROM audit ORDER BY seq DESC LIMIT 1), '') FROM audit;
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE FUNCTION audit_follows_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	head RECORD;
BEGIN
	SELECT seq, hash INTO head FROM audit_head WHERE id = 1;
	IF NEW.seq IS DISTINCT FROM head.seq + 1 OR NEW.prev_hash IS DISTINCT FROM head.hash THEN
		RAISE EXCEPTION 'audit entry % must follow the chain head (entry %)', NEW.seq, head.seq;
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER audit_follows_head BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_follows_head();
CREATE INDEX failures_at ON failures (at);
ALTER TABLE blobs ALTER COLUMN data SET STORAGE EXTERNAL;`,
	},
	// 3: what Reconcile needs: the audit entries of a document found by
	// its id, and when a blob in the table was written (so that a blob a
	// replica is recording right now is not taken for an orphan; rows
	// from before have '' and count as old).
	{
		sqlite: `
CREATE INDEX audit_document ON audit (document_id);
ALTER TABLE blobs ADD COLUMN created TEXT NOT NULL DEFAULT '';`,
		postgres: `
CREATE INDEX audit_document ON audit (document_id);
ALTER TABLE blobs ADD COLUMN created TEXT NOT NULL DEFAULT '';`,
	},
	// 4: the keyed audit chain (auditkey.go): the head's MAC, the chain
	// id, the entry from which the chain is keyed and the MAC over both.
	{
		sqlite: `
ALTER TABLE audit_head ADD COLUMN mac TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_head ADD COLUMN chain_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_head ADD COLUMN chain_base_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_head ADD COLUMN chain_base_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_head ADD COLUMN chain_mac TEXT NOT NULL DEFAULT '';`,
		postgres: `
ALTER TABLE audit_head ADD COLUMN mac TEXT NOT NULL DEFAULT '',
	ADD COLUMN chain_id TEXT NOT NULL DEFAULT '',
	ADD COLUMN chain_base_seq BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN chain_base_hash TEXT NOT NULL DEFAULT '',
	ADD COLUMN chain_mac TEXT NOT NULL DEFAULT '';`,
	},
	// 5: clients can be disabled (clientadmin.go); the key of a disabled
	// client is refused.
	{
		sqlite:   `ALTER TABLE clients ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;`,
		postgres: `ALTER TABLE clients ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;`,
	},
	// 6: TOTP enrolments of officials (otp.go): the sealed secret and
	// passphrase, opaque to the store, and the step of the last code
	// accepted.
	{
		sqlite: `
CREATE TABLE otp (
	profile TEXT NOT NULL, subject TEXT NOT NULL, sealed BLOB NOT NULL,
	last_step INTEGER NOT NULL, created TEXT NOT NULL, PRIMARY KEY (profile, subject));`,
		postgres: `
CREATE TABLE otp (
	profile TEXT NOT NULL, subject TEXT NOT NULL, sealed BYTEA NOT NULL,
	last_step BIGINT NOT NULL, created TEXT NOT NULL, PRIMARY KEY (profile, subject));`,
	},
	// 7: the chain head moved once per batch of the group commit rather
	// than once per entry (docs/decisions.md, "Store commit CPU per
	// signature"). An entry must still follow the head, or follow the
	// entry before it when that one is past the head (an earlier entry of
	// the same batch, which will move the head to its last entry); and
	// the head, whenever it moves, must move to the last entry of the log
	// with its hash, so that it can no longer be pointed anywhere else.
	// Nothing else changes: entries are still neither updated nor
	// deleted, the head row not deleted.
	{
		sqlite: `
DROP TRIGGER audit_follows_head;
CREATE TRIGGER audit_follows_head BEFORE INSERT ON audit
	WHEN NOT EXISTS (SELECT 1 FROM audit_head h WHERE h.id = 1 AND (
		(NEW.seq = h.seq + 1 AND NEW.prev_hash = h.hash)
		OR (NEW.seq > h.seq + 1
			AND EXISTS (SELECT 1 FROM audit a WHERE a.seq = NEW.seq - 1 AND a.hash = NEW.prev_hash))))
	BEGIN SELECT RAISE(ABORT, 'an audit entry must follow the chain head, or the entry before it past the head'); END;
CREATE TRIGGER audit_head_follows_log BEFORE UPDATE OF seq, hash ON audit_head
	WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) FROM audit)
		OR NEW.hash IS NOT COALESCE((SELECT hash FROM audit WHERE seq = NEW.seq), '')
	BEGIN SELECT RAISE(ABORT, 'the audit chain head must move to the last entry of the log'); END;`,
		postgres: `
CREATE OR REPLACE FUNCTION audit_follows_head() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	head RECORD;
BEGIN
	SELECT seq, hash INTO head FROM audit_head WHERE id = 1;
	IF NEW.seq = head.seq + 1 AND NEW.prev_hash = head.hash THEN
		RETURN NEW;
	END IF;
	IF NEW.seq > head.seq + 1
		AND EXISTS (SELECT 1 FROM audit WHERE seq = NEW.seq - 1 AND hash = NEW.prev_hash) THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'audit entry % must follow the chain head (entry %), or the entry before it past the head', NEW.seq, head.seq;
END $$;
CREATE FUNCTION audit_head_follows_log() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	last_seq BIGINT;
	last_hash TEXT;
BEGIN
	SELECT seq, hash INTO last_seq, last_hash FROM audit ORDER BY seq DESC LIMIT 1;
	IF NEW.seq IS DISTINCT FROM COALESCE(last_seq, 0) OR NEW.hash IS DISTINCT FROM COALESCE(last_hash, '') THEN
		RAISE EXCEPTION 'the audit chain head must move to the last entry of the log (entry %), not to entry %',
			COALESCE(last_seq, 0), NEW.seq;
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER audit_head_follows_log BEFORE UPDATE OF seq, hash ON audit_head
	FOR EACH ROW EXECUTE FUNCTION audit_head_follows_log();`,
	},
	// 8: the head row is never inserted again (it is made by migration
	// 1). On SQLite, REPLACE INTO audit_head deleted the row without
	// firing audit_head_no_delete (a REPLACE's delete fires delete
	// triggers only with recursive_triggers, a setting of the connection)
	// and inserted a head anywhere, past audit_head_follows_log; the
	// entries after it could then be rewritten by INSERT OR REPLACE INTO
	// audit. A BEFORE INSERT trigger fires before REPLACE's delete. On
	// PostgreSQL an upsert already meets the UPDATE trigger; the INSERT
	// trigger is there too, so that both databases refuse the same.
	{
		sqlite: `
CREATE TRIGGER audit_head_no_insert BEFORE INSERT ON audit_head
	BEGIN SELECT RAISE(ABORT, 'the audit chain head is moved, never inserted'); END;`,
		postgres: `
CREATE FUNCTION audit_head_no_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the audit chain head is moved, never inserted';
END $$;
CREATE TRIGGER audit_head_no_insert BEFORE INSERT ON audit_head
	FOR EACH ROW EXECUTE FUNCTION audit_head_no_insert();`,
	},
}

// migrateTo applies the migrations up to number n (len(migrations): all
// of them; tests stop short to test the later ones), in one transaction.
func migrateTo(ctx context.Context, db database, n int) error {
	err := db.writeTx(ctx, func(q querier) error {
		if err := db.lockMigrations(ctx, q); err != nil {
			return err
		}
		if err := q.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
			return err
		}
		var v int
		if err := q.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil {
			return fmt.Errorf("reading schema_version: %w", err)
		}
		if v > len(migrations) {
			return fmt.Errorf("the database has schema version %d, newer than this program's %d: run a newer segel", v, len(migrations))
		}
		for i := v; i < n; i++ {
			if err := q.exec(ctx, db.migration(migrations[i])); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
			if err := q.exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, i+1); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: migrating the schema: %w", err)
	}
	return nil
}
