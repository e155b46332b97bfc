package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
)

// The keyed audit chain (docs/decisions.md, "Keyed audit chain"): with a
// key from outside the database (Options.AuditKey), the chain head row
// also holds a chain id, the entry from which the chain is keyed (its
// base: seq and hash) with a MAC over both, and a MAC over the head
// (chain id, seq, hash). Whoever can write the database but does not
// know the key cannot move the head to a chain of their own making.

// MinAuditKeyLen is the shortest audit key accepted, in bytes.
const MinAuditKeyLen = 32

// ErrAuditKey reports a keyed chain head that does not verify under the
// store's key, or a keyed chain opened without a key: appends are
// refused, since they would bless whatever the head now says.
var ErrAuditKey = errors.New("store: the audit chain head does not verify under the audit key")

// headColumns are the columns of audit_head that hold the chain head.
const headColumns = `seq, hash, mac, chain_id, chain_base_seq, chain_base_hash, chain_mac`

// chainHead is the audit_head row.
type chainHead struct {
	seq      int64
	hash     string
	mac      string // MAC of (chainID, seq, hash); "" when not keyed
	chainID  string // "" when not keyed
	baseSeq  int64  // the head when the chain was keyed
	baseHash string
	chainMAC string // MAC of (chainID, baseSeq, baseHash)
}

func (h *chainHead) scan(r row) error {
	return r.Scan(&h.seq, &h.hash, &h.mac, &h.chainID, &h.baseSeq, &h.baseHash, &h.chainMAC)
}

// auditMAC is the lower-case hex HMAC-SHA256 under key of the fields,
// each preceded by its length as 4 bytes big-endian.
func auditMAC(key []byte, fields ...string) string {
	m := hmac.New(sha256.New, key)
	// One write of the whole encoding, built on the stack (see AuditHash).
	var buf [256]byte
	b := buf[:0]
	for _, f := range fields {
		b = appendField(b, f)
	}
	m.Write(b)
	var sum [sha256.Size]byte
	return hexString(m.Sum(sum[:0]))
}

func headMAC(key []byte, chainID string, seq int64, hash string) string {
	return auditMAC(key, "segel audit head v1", chainID, strconv.FormatInt(seq, 10), hash)
}

func chainMAC(key []byte, chainID string, seq int64, hash string) string {
	return auditMAC(key, "segel audit chain v1", chainID, strconv.FormatInt(seq, 10), hash)
}

func macEqual(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }

// keyCheck says what is wrong with h under key, "" when nothing is.
// A chain without a chain id is not keyed: that is for the caller.
func keyCheck(key []byte, h *chainHead) string {
	switch {
	case !macEqual(h.chainMAC, chainMAC(key, h.chainID, h.baseSeq, h.baseHash)):
		return "key mismatch: the chain's key record (chain id and the entry from which it is keyed) " +
			"does not verify under the audit key (it was changed, or the key is not the one the chain was keyed with)"
	case !macEqual(h.mac, headMAC(key, h.chainID, h.seq, h.hash)):
		return fmt.Sprintf("head MAC mismatch: the chain head (entry %d) was not written by Segel under the audit key "+
			"(entries were rewritten, removed from the end, or the log was reset)", h.seq)
	}
	return ""
}

// checkHead is what an append checks before it moves the head: a keyed
// head must verify under the store's key, and a chain is keyed at its
// first append under a key (from the head as it is then).
func (s *sqlStore) checkHead(ctx context.Context, q querier, h *chainHead) error {
	switch {
	case h.chainID == "" && s.key == nil:
		return nil
	case h.chainID != "" && s.key == nil:
		return fmt.Errorf("%w: the chain is keyed, and no audit key is configured (audit.key_file)", ErrAuditKey)
	case h.chainID == "":
		return s.keyChain(ctx, q, h)
	}
	if keyCheck(s.key, h) != "" {
		// The reason names no secret, but keep it short here: segel
		// audit verify says which check failed.
		return fmt.Errorf("%w: run 'segel audit verify'", ErrAuditKey)
	}
	return nil
}

// keyChain keys an unkeyed chain from its head h.
func (s *sqlStore) keyChain(ctx context.Context, q querier, h *chainHead) error {
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return fmt.Errorf("keying the audit chain: %w", err)
	}
	h.chainID = hex.EncodeToString(id[:])
	h.baseSeq, h.baseHash = h.seq, h.hash
	h.chainMAC = chainMAC(s.key, h.chainID, h.baseSeq, h.baseHash)
	h.mac = headMAC(s.key, h.chainID, h.seq, h.hash)
	err := q.exec(ctx, `UPDATE audit_head SET mac = $1, chain_id = $2, chain_base_seq = $3,
		chain_base_hash = $4, chain_mac = $5 WHERE id = 1`, h.mac, h.chainID, h.baseSeq, h.baseHash, h.chainMAC)
	if err != nil {
		return fmt.Errorf("keying the audit chain: %w", err)
	}
	return nil
}

// checkKeyed adds to c the checks of a keyed chain, once the entries are
// checked: h is the head row read in the same snapshot.
func (c *chainCheck) checkKeyed(key []byte, h *chainHead) {
	c.ChainID, c.KeyedFrom = h.chainID, h.baseSeq
	if key == nil {
		return
	}
	if h.chainID == "" {
		if c.Entries > 0 && c.FirstBroken == 0 {
			c.fail(1, "not keyed: an audit key is configured but the chain head has no chain id "+
				"(the chain was reset, or nothing was appended since the key was configured)")
		}
		return
	}
	c.Keyed = true
	if c.FirstBroken != 0 {
		return
	}
	if r := keyCheck(key, h); r != "" {
		// FirstBroken 0 means whole: a head reset to 0 breaks at 1.
		c.fail(max(h.seq, 1), "%s", r)
		return
	}
	if h.baseSeq > 0 && c.baseHash != h.baseHash {
		c.fail(h.baseSeq, "key mismatch: entry %d, from which the chain is keyed, is not the entry it was keyed from", h.baseSeq)
	}
}
