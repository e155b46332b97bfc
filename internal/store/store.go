// Package store keeps what the Segel service must not lose: the
// append-only, hash-chained audit log of every signature request, the
// register of signed documents, the signed files themselves (blobs), the
// API clients, the failed-passphrase counters that several replicas
// must share, and the TOTP enrolments of officials.
//
// Two implementations pass the same test suite: SQLite (modernc.org/sqlite,
// pure Go, WAL) as the embedded default, and PostgreSQL (pgx) for several
// replicas sharing one database. [Open] chooses between them by the DSN.
//
// # Schema
//
// The schema is created and migrated by [Open]; schema_version records the
// migrations applied. The tables are audit (the log), audit_head (the
// sequence number and hash of the last entry, which appends lock and which
// VerifyAudit compares with the end of the log), documents, clients,
// failures, otp and, on PostgreSQL without a blob directory, blobs (1 MiB
// chunks). Triggers refuse UPDATE and DELETE (and, on PostgreSQL,
// TRUNCATE) of the audit log, any insert that does not follow the chain
// head (or, within a batch of appends, the entry before it past the head:
// the head moves once a batch), any move of the head to anything but
// the last entry of the log, and any insert of a head row (SQLite's
// REPLACE would otherwise put one anywhere); they are defence in depth, not the proof:
// the hash chain is, see [AuditHash].
//
// Times are kept as fixed-width RFC 3339 text in UTC with nanoseconds
// ("2006-01-02T15:04:05.000000000Z"), so they round-trip exactly and sort
// as text on both databases.
//
// # Text
//
// PostgreSQL refuses NUL bytes and invalid UTF-8 in text, SQLite does not.
// So that both stores keep the same thing, the text fields of audit entries
// and documents have each NUL byte and each invalid UTF-8 sequence replaced
// with U+FFFD before they are stored (and, for the audit log, hashed).
package store

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrNotFound reports a record or blob that does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrExists reports a record whose key is already taken.
var ErrExists = errors.New("store: already exists")

// ErrBlob is returned (wrapped) by RecordKept when the signed file could
// not be stored apart from its record (a full blob directory): nothing is
// recorded.
var ErrBlob = errors.New("store: the signed file could not be stored")

// Store is the persistence of the service. Implementations are safe for
// concurrent use by several goroutines and, for PostgreSQL, several
// processes.
type Store interface {
	// AppendAudit appends e to the audit log. It sets e.Seq, e.PrevHash
	// and e.Hash (and e.Time to the current time when zero; it is kept
	// in UTC): the chain is kept in order even when several processes
	// append at once.
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// VerifyAudit checks the hash chain of the whole log, reading it in
	// order without holding it in memory. A broken chain is a result,
	// not an error: the error is for a log that cannot be read.
	VerifyAudit(ctx context.Context) (*AuditCheck, error)
	// AuditHead returns the chain head as it is now: the last entry's
	// seq and hash and the chain id ("" when not keyed). It is not
	// checked: VerifyAudit is the check.
	AuditHead(ctx context.Context) (*AuditHead, error)
	// AuditEntries returns up to limit entries from sequence number from,
	// in order; none when limit <= 0.
	AuditEntries(ctx context.Context, from int64, limit int) ([]*AuditEntry, error)

	// PutDocument records a signed document; ErrExists if its ID is taken.
	PutDocument(ctx context.Context, d *Document) error
	// RecordSigned records the signed document d and appends e, its
	// audit entry, in one transaction: both are written or neither, so
	// that a crash never leaves a register record without its entry
	// (nor an entry without its record). ErrExists if d's ID is taken.
	// It sets e's Seq, PrevHash and Hash as AppendAudit does. Concurrent
	// calls are committed together (one transaction, one fsync on
	// SQLite); each returns once its own write is durable.
	RecordSigned(ctx context.Context, d *Document, e *AuditEntry) error
	// ExpectRecord announces a RecordSigned to come: a signature is being
	// made. The returned func says it has come, or will not: call it just
	// before RecordSigned, or when the signature fails (more calls do
	// nothing). While announced writes are on their way, a batch of
	// concurrent writes waits up to a millisecond for them, so that one
	// transaction serves more signatures; unannounced writes, and a lone
	// signature, are committed at once.
	ExpectRecord() (arrived func())
	// RecordKept stores file, the signed file of d, sets d.Stored and
	// records d and e as RecordSigned does: a kept letter. With the
	// blobs in the database (a new SQLite store, PostgreSQL without a
	// blob directory), a file of at most 256 KiB is written in the same
	// transaction as the record and the entry: one commit (and fsync)
	// for all three, shared with the batch, and a crash never leaves a
	// file without its record or the reverse. A larger file, or one for a
	// blob directory, is streamed (PutBlob) before the record, as a
	// kept signature always was, and removed if the record fails. A
	// failure to store the file apart wraps ErrBlob; nothing is recorded
	// then.
	RecordKept(ctx context.Context, d *Document, e *AuditEntry, file io.Reader) error
	// GetDocument returns the record of a document, or ErrNotFound.
	GetDocument(ctx context.Context, id string) (*Document, error)

	// PutBlob stores the signed file of a document, read from r; it
	// returns its size. A failed PutBlob leaves nothing behind; ErrExists
	// if a file with that id is stored already. Ids are lower-case
	// base32 ([a-z2-7]+); any other id is refused.
	PutBlob(ctx context.Context, id string, r io.Reader) (int64, error)
	// OpenBlob opens the stored file of a document, or ErrNotFound, and
	// returns its size. The reader also implements io.Seeker (an
	// *os.File for a blob directory).
	OpenBlob(ctx context.Context, id string) (io.ReadCloser, int64, error)
	// DeleteBlob removes the stored file of a document (retention); a
	// file that is not there is not an error.
	DeleteBlob(ctx context.Context, id string) error
	// ExpireBlobs deletes the stored files of up to limit documents whose
	// retention ended before t, marks their records as no longer stored,
	// and returns their ids. The records themselves are kept.
	ExpireBlobs(ctx context.Context, t time.Time, limit int) ([]string, error)

	// PutClient adds an API client; ErrExists if the name is taken.
	PutClient(ctx context.Context, c *Client) error
	// ClientByKeyHash finds the client whose API key hashes to h, or
	// ErrNotFound.
	ClientByKeyHash(ctx context.Context, h []byte) (*Client, error)
	// Clients lists the clients by name, disabled ones too.
	Clients(ctx context.Context) ([]*Client, error)
	// DisableClient disables (or, with disabled false, enables again)
	// the client name: ClientByKeyHash no longer finds a disabled
	// client. RemoveClient deletes the client; RotateClientKey replaces
	// its key hash, so that the old key is no longer found. Each appends
	// an audit entry (operation "client-disable", "client-enable",
	// "client-remove" or "client-rotate", client name, outcome "ok") in
	// the same transaction as the change; ErrNotFound when there is no
	// such client, ErrExists when the new key hash is taken.
	DisableClient(ctx context.Context, name string, disabled bool) error
	RemoveClient(ctx context.Context, name string) error
	RotateClientKey(ctx context.Context, name string, keyHash []byte) error

	// AddFailure records a failed passphrase attempt under key (such as
	// "profile:NAME" or "addr:IP") at t. Attempts older than a week
	// before t are forgotten.
	AddFailure(ctx context.Context, key string, t time.Time) error
	// CountFailures counts the attempts recorded under key at or after
	// since.
	CountFailures(ctx context.Context, key string, since time.Time) (int, error)

	// PutOTP records the TOTP enrolment e (Profile, Subject, Sealed;
	// Created is set when zero), replacing any enrolment of the same
	// profile and subject, with LastStep reset to 0. GetOTP returns an
	// enrolment, or ErrNotFound. UseOTPStep sets the enrolment's LastStep
	// to step if step is greater, atomically (also across processes on
	// PostgreSQL), else returns ErrOTPReplay; ErrNotFound without an
	// enrolment. DeleteOTP removes an enrolment; a missing one is not an
	// error. PutOTP and DeleteOTP append an audit entry (operation
	// "totp-enrol" or "totp-remove", the profile, outcome "ok"; nothing
	// sealed) in the same transaction as the change.
	PutOTP(ctx context.Context, e *OTPEnrolment) error
	// InsertOTP records e as PutOTP does, but only if the profile has no
	// row of that subject: else it changes nothing and returns ErrExists.
	// Of two callers at once (also two replicas on PostgreSQL) exactly
	// one succeeds: the first activation of a seal
	// (internal/service/seal.go).
	InsertOTP(ctx context.Context, e *OTPEnrolment) error
	GetOTP(ctx context.Context, profile, subject string) (*OTPEnrolment, error)
	UseOTPStep(ctx context.Context, profile, subject string, step int64) error
	DeleteOTP(ctx context.Context, profile, subject string) error
	// PruneOTP removes the rows of profile whose subject begins with
	// prefix (not empty) and that were created before before, and
	// returns how many: the seal's spent and expired seal codes
	// (internal/service/seal.go). No audit entry: such rows are
	// short-lived by design.
	PruneOTP(ctx context.Context, profile, prefix string, before time.Time) (int64, error)

	// Reconcile finds what a crash between the steps of recording a
	// signature leaves behind, among what was written before before: a
	// register record whose signature has no "ok" audit entry (it was
	// never handed out) and a stored file without a register record.
	// With fix, it removes each (the record with its file; the file),
	// after appending an audit entry that says so (operation "reconcile",
	// outcome "orphan-removed").
	Reconcile(ctx context.Context, before time.Time, fix bool) (*Orphans, error)

	// Ping checks that the store answers (readiness).
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}

// AuditEntry is one row of the audit log. Secrets never go in it: no PIN,
// passphrase or API key, only names and digests.
type AuditEntry struct {
	Seq       int64     // set by AppendAudit, from 1
	Time      time.Time // UTC
	RequestID string
	Client    string
	Profile   string
	Operation string // sign, verify, augment
	// Signer is the signer certificate: subject, serial and SHA-256.
	SignerSubject string
	SignerSerial  string
	SignerSHA256  string
	Level         string
	InputSHA256   string
	OutputSHA256  string
	DocumentID    string
	Outcome       string // ok, or the problem type of the failure
	Detail        string
	PrevHash      string // hex SHA-256 of the previous entry, "" for the first
	Hash          string // hex SHA-256 of this entry's canonical encoding
}

// AuditCheck is the result of VerifyAudit.
type AuditCheck struct {
	// Entries is the number of entries checked.
	Entries int64
	// FirstBroken is the sequence number of the first entry whose hash or
	// link does not match, 0 when the chain is whole.
	FirstBroken int64
	// Reason says what is wrong with FirstBroken. It begins with one of
	// "hash mismatch" (the entry's fields do not hash to its hash),
	// "link mismatch" (its PrevHash is not the previous entry's hash),
	// "gap in seq" (sequence numbers missing or out of place) or
	// "chain head mismatch" (the log ends before or after the entry the
	// chain head records: entries were removed from, or added to, its end)
	// and, for a keyed chain checked with its key, "head MAC mismatch",
	// "key mismatch" or "not keyed" (see Options.AuditKey).
	Reason string
	// Keyed reports whether the chain head carries a chain id and was
	// checked with the audit key: without a key (or on a chain not yet
	// keyed) only the hash chain is checked.
	Keyed bool
	// ChainID is the chain's id, "" when it is not keyed; KeyedFrom is
	// the entry from which it is keyed (0: from the start).
	ChainID   string
	KeyedFrom int64
}

// AuditHead is the head of the audit chain (Store.AuditHead).
type AuditHead struct {
	Seq     int64
	Hash    string
	ChainID string
}

// Document is the register record of a signed document.
type Document struct {
	// ID is 128 random bits in lower-case base32 without padding.
	ID            string
	Profile       string
	Client        string
	Level         string
	SignedAt      time.Time
	SignerName    string
	SignerSubject string
	SignerIssuer  string
	SignerSerial  string
	InputSHA256   string
	OutputSHA256  string
	Size          int64
	// Number, Subject, Title and NIP are the letter's number, subject
	// (perihal), the signer's position (jabatan) and NIP, when given.
	Number, Subject, Title, NIP string
	// Confidential marks a letter "rahasia": its file is never offered
	// for download.
	Confidential bool
	// Downloadable reports whether the profile lets /v/{id} offer the file.
	Downloadable bool
	// Stored reports whether the signed file is kept (PutBlob).
	Stored bool
	// RetainUntil is when the stored file may be deleted; zero: forever.
	RetainUntil time.Time
}

// Orphans is what Reconcile found, by document id, in order.
type Orphans struct {
	// Records are register records without their "ok" audit entry.
	Records []string
	// Blobs are stored files without a register record.
	Blobs []string
	// Partial are the temporary files of a blob directory that a write
	// cut short by a crash left (never a stored file, so nothing to
	// audit); empty for the blobs table, whose rows a crash leaves
	// only as a blob without its record (Blobs).
	Partial []string
}

// Client is an API client of the service.
type Client struct {
	Name string
	// KeyHash is the SHA-256 of the API key; the key itself is never
	// stored.
	KeyHash []byte
	// Profiles and Operations are what the client may use.
	Profiles   []string
	Operations []string
	Created    time.Time
	// Disabled reports a client whose key is refused (DisableClient).
	Disabled bool
}
