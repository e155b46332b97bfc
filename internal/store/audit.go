package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// timeFormat is RFC 3339 in UTC with exactly nine fractional digits: the
// form in which times are stored and hashed. Fixed width, it sorts as text.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

// formatTime returns t in timeFormat, or "" for the zero time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

// parseTime reads a time written by formatTime ("" is the zero time).
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// clean replaces NUL bytes and invalid UTF-8 with U+FFFD: PostgreSQL
// stores neither, and both stores must keep (and hash) the same text.
func clean(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// AuditHash returns the hash of e as AppendAudit computes it and
// VerifyAudit checks it: the lower-case hex SHA-256 of its canonical
// encoding, which is the concatenation, for each of these 16 fields in
// this order, of the field's length in bytes as a 4-byte big-endian
// unsigned integer followed by the field's UTF-8 bytes:
//
//	 1 seq            decimal ASCII, no sign or leading zeros ("1", "2", …)
//	 2 time           UTC, "2006-01-02T15:04:05.000000000Z" (always 9 digits)
//	 3 request_id     4 client       5 profile      6 operation
//	 7 signer_subject 8 signer_serial 9 signer_sha256 10 level
//	11 input_sha256  12 output_sha256 13 document_id  14 outcome
//	15 detail        16 prev_hash     ("" for entry 1)
//
// The audit table stores each field exactly as hashed (its time column is
// the text of field 2), so an auditor can recompute the chain from a dump
// without Segel; in Python, over the rows of
// "SELECT * FROM audit ORDER BY seq" (seq, time, …, detail, prev_hash, hash):
//
//	prev, n = "", 0
//	for row in rows:
//	    n += 1
//	    h = hashlib.sha256()
//	    for f in row[:16]:
//	        b = str(f).encode()
//	        h.update(len(b).to_bytes(4, "big") + b)
//	    assert row[0] == n and row[15] == prev and row[16] == h.hexdigest()
//	    prev = row[16]
//	# and "SELECT seq, hash FROM audit_head" is (n, prev).
//
// The length prefixes make the encoding unambiguous: no two different
// entries encode to the same bytes.
func AuditHash(e *AuditEntry) string {
	// The encoding is built in a buffer on the stack (an entry is some
	// hundreds of bytes; a longer detail moves it to the heap) and hashed
	// at once: writing each field to the hash converted it to a []byte.
	var buf [1024]byte
	b := strconv.AppendInt(buf[:4], e.Seq, 10)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	b = appendTime(b, e.Time)
	for _, f := range [...]string{
		e.RequestID, e.Client, e.Profile, e.Operation,
		e.SignerSubject, e.SignerSerial, e.SignerSHA256, e.Level,
		e.InputSHA256, e.OutputSHA256, e.DocumentID, e.Outcome,
		e.Detail, e.PrevHash,
	} {
		b = appendField(b, f)
	}
	sum := sha256.Sum256(b)
	return hexString(sum[:])
}

// appendField appends f to b as AuditHash encodes a field: its length as
// 4 bytes big-endian, then its bytes.
func appendField(b []byte, f string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
	return append(b, f...)
}

// appendTime appends t as AuditHash encodes field 2: formatTime's text
// with its length.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return binary.BigEndian.AppendUint32(b, 0)
	}
	at := len(b)
	b = t.UTC().AppendFormat(append(b, 0, 0, 0, 0), timeFormat)
	binary.BigEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	return b
}

// hexString is hex.EncodeToString of a digest, with the string as its
// only allocation.
func hexString(sum []byte) string {
	var out [2 * sha256.Size]byte
	return string(hex.AppendEncode(out[:0], sum))
}

// cleanAudit makes e's text storable (see clean) and its time canonical.
func cleanAudit(e *AuditEntry) {
	for _, f := range []*string{&e.RequestID, &e.Client, &e.Profile, &e.Operation,
		&e.SignerSubject, &e.SignerSerial, &e.SignerSHA256, &e.Level, &e.InputSHA256,
		&e.OutputSHA256, &e.DocumentID, &e.Outcome, &e.Detail} {
		*f = clean(*f)
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	// UTC without the monotonic clock reading: what is stored and hashed.
	e.Time = e.Time.UTC().Round(0)
}

// chainCheck checks the entries of the audit log one at a time, in order
// of seq, so that VerifyAudit streams.
type chainCheck struct {
	AuditCheck
	next int64  // the seq the next entry must have
	prev string // the hash of the previous entry
	// baseSeq is the entry from which the chain is keyed (0: none);
	// baseHash, the hash of that entry in the log.
	baseSeq  int64
	baseHash string
}

func newChainCheck() *chainCheck { return &chainCheck{next: 1} }

// add checks e, the entry after the last one added.
func (c *chainCheck) add(e *AuditEntry) {
	c.Entries++
	if c.FirstBroken != 0 {
		return
	}
	switch {
	case e.Seq == c.next+1:
		c.fail(e.Seq, "gap in seq: entry %d follows entry %d (entry %d is missing)", e.Seq, c.next-1, c.next)
	case e.Seq > c.next:
		c.fail(e.Seq, "gap in seq: entry %d follows entry %d (entries %d to %d are missing)",
			e.Seq, c.next-1, c.next, e.Seq-1)
	case e.Seq < c.next:
		c.fail(e.Seq, "gap in seq: entry %d is out of place after entry %d", e.Seq, c.next-1)
	case e.PrevHash != c.prev && e.Seq == 1:
		c.fail(e.Seq, "link mismatch: the first entry has a previous hash")
	case e.PrevHash != c.prev:
		c.fail(e.Seq, "link mismatch: its previous hash is not the hash of entry %d (entry %d or %d was changed)",
			e.Seq-1, e.Seq-1, e.Seq)
	case AuditHash(e) != e.Hash:
		c.fail(e.Seq, "hash mismatch: its fields do not hash to its recorded hash (the entry was changed)")
	}
	if e.Seq == c.baseSeq {
		c.baseHash = e.Hash
	}
	c.next, c.prev = e.Seq+1, e.Hash
}

// end compares the end of the log with the chain head, the seq and hash
// of the last entry as recorded by AppendAudit.
func (c *chainCheck) end(headSeq int64, headHash string) {
	if c.FirstBroken != 0 {
		return
	}
	last := c.next - 1
	switch {
	case headSeq > last:
		c.fail(last+1, "chain head mismatch: the log ends at entry %d but the chain head records entry %d (entries were removed from its end)",
			last, headSeq)
	case headSeq < last:
		c.fail(headSeq+1, "chain head mismatch: the chain head records entry %d but the log goes on to entry %d (entries were added outside Segel)",
			headSeq, last)
	case headHash != c.prev:
		c.fail(last, "chain head mismatch: the chain head records another hash for entry %d", last)
	}
}

func (c *chainCheck) fail(seq int64, format string, args ...any) {
	c.FirstBroken, c.Reason = seq, fmt.Sprintf(format, args...)
}
