// Package auditcp writes and checks signed checkpoints of the audit chain
// (docs/decisions.md, "Audit checkpoints and client keys").
//
// A checkpoint records the chain id, the head's seq and hash and the
// time, as one line of text, the statement:
//
//	segel-audit-checkpoint v1 chain=CHAIN seq=SEQ hash=HASH time=RFC3339NANO
//
// authenticated either by a MAC (HMAC-SHA256 under the audit key of the
// statement's bytes, hex) or by a signature of a configured key over the
// statement's bytes (SHA-256; PKCS #1 v1.5 for RSA, ASN.1 DER for ECDSA,
// the forms `openssl dgst -sha256 -verify PUB.pem -signature SIG STMT`
// checks). A checkpoint file holds one JSON object per line:
//
//	{"statement":"segel-audit-checkpoint v1 …","mac":"HEX"}
//	{"statement":"segel-audit-checkpoint v1 …","alg":"sha256-ecdsa","signature":"BASE64"}
//
// Kept outside the database, checkpoints catch what the keyed head cannot:
// a chain truncated (or reset and keyed anew) by someone who holds the
// audit key no longer holds the entry an older checkpoint names.
package auditcp

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/segel-id/segel/internal/store"
)

// Checkpoint is one checkpoint, as a line of a checkpoint file.
type Checkpoint struct {
	// Statement is the text the MAC or signature covers.
	Statement string `json:"statement"`
	// MAC is the hex HMAC-SHA256 of Statement under the audit key.
	MAC string `json:"mac,omitempty"`
	// Alg names the signature: sha256-rsa-pkcs1v15, sha256-ecdsa or
	// ed25519; Signature is it (base64 in JSON).
	Alg       string `json:"alg,omitempty"`
	Signature []byte `json:"signature,omitempty"`
}

// Head is what a statement says.
type Head struct {
	ChainID string
	Seq     int64
	Hash    string
	Time    time.Time
}

const prefix = "segel-audit-checkpoint v1 "

// Statement returns the statement of h.
func Statement(h Head) string {
	chain := h.ChainID
	if chain == "" {
		chain = "-"
	}
	return fmt.Sprintf("%schain=%s seq=%d hash=%s time=%s", prefix, chain, h.Seq, h.Hash,
		h.Time.UTC().Format(time.RFC3339Nano))
}

// ErrMalformed reports a checkpoint that cannot be read.
var ErrMalformed = errors.New("auditcp: malformed checkpoint")

// Parse reads a statement.
func Parse(stmt string) (Head, error) {
	var h Head
	rest, ok := strings.CutPrefix(stmt, prefix)
	f := strings.Fields(rest)
	if !ok || len(f) != 4 {
		return h, fmt.Errorf("%w: %q", ErrMalformed, stmt)
	}
	vals := map[string]string{}
	for i, k := range []string{"chain", "seq", "hash", "time"} {
		v, ok := strings.CutPrefix(f[i], k+"=")
		if !ok {
			return h, fmt.Errorf("%w: field %d is not %s=", ErrMalformed, i+1, k)
		}
		vals[k] = v
	}
	var err error
	if h.Seq, err = strconv.ParseInt(vals["seq"], 10, 64); err != nil || h.Seq < 0 {
		return h, fmt.Errorf("%w: seq %q", ErrMalformed, vals["seq"])
	}
	if h.Time, err = time.Parse(time.RFC3339Nano, vals["time"]); err != nil {
		return h, fmt.Errorf("%w: time %q", ErrMalformed, vals["time"])
	}
	h.ChainID, h.Hash = vals["chain"], vals["hash"]
	if h.ChainID == "-" {
		h.ChainID = ""
	}
	if Statement(h) != stmt {
		return h, fmt.Errorf("%w: not in canonical form", ErrMalformed)
	}
	return h, nil
}

func mac(key []byte, stmt string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(stmt))
	return hex.EncodeToString(m.Sum(nil))
}

// Make reads the store's chain head and returns its checkpoint: signed by
// signer when it is not nil, else MAC'd under key (the audit key), else
// (neither) unauthenticated, which still catches a truncation when the
// file is kept out of reach.
func Make(ctx context.Context, st store.Store, key []byte, signer crypto.Signer, now time.Time) (*Checkpoint, Head, error) {
	ah, err := st.AuditHead(ctx)
	if err != nil {
		return nil, Head{}, err
	}
	h := Head{ChainID: ah.ChainID, Seq: ah.Seq, Hash: ah.Hash, Time: now.UTC()}
	cp := &Checkpoint{Statement: Statement(h)}
	switch {
	case signer != nil:
		if cp.Alg, cp.Signature, err = sign(signer, cp.Statement); err != nil {
			return nil, h, fmt.Errorf("auditcp: signing the checkpoint: %w", err)
		}
	case key != nil:
		cp.MAC = mac(key, cp.Statement)
	}
	return cp, h, nil
}

func sign(s crypto.Signer, stmt string) (string, []byte, error) {
	if _, ok := s.Public().(ed25519.PublicKey); ok {
		sig, err := s.Sign(rand.Reader, []byte(stmt), crypto.Hash(0))
		return "ed25519", sig, err
	}
	d := sha256.Sum256([]byte(stmt))
	sig, err := s.Sign(rand.Reader, d[:], crypto.SHA256)
	switch s.Public().(type) {
	case *rsa.PublicKey:
		return "sha256-rsa-pkcs1v15", sig, err
	case *ecdsa.PublicKey:
		return "sha256-ecdsa", sig, err
	}
	return "", nil, fmt.Errorf("unsupported key type %T", s.Public())
}

// Authenticate checks cp's MAC under key or its signature under pub, as
// it carries one, and returns its head. A checkpoint with neither is
// accepted only when allowPlain.
func Authenticate(cp *Checkpoint, key []byte, pub crypto.PublicKey, allowPlain bool) (Head, error) {
	h, err := Parse(cp.Statement)
	if err != nil {
		return h, err
	}
	d := sha256.Sum256([]byte(cp.Statement))
	switch {
	case cp.Alg != "":
		if pub == nil {
			return h, errors.New("the checkpoint is signed and no checkpoint key is configured (audit.checkpoint_key)")
		}
		ok := false
		switch k := pub.(type) {
		case *rsa.PublicKey:
			ok = cp.Alg == "sha256-rsa-pkcs1v15" && rsa.VerifyPKCS1v15(k, crypto.SHA256, d[:], cp.Signature) == nil
		case *ecdsa.PublicKey:
			ok = cp.Alg == "sha256-ecdsa" && ecdsa.VerifyASN1(k, d[:], cp.Signature)
		case ed25519.PublicKey:
			ok = cp.Alg == "ed25519" && ed25519.Verify(k, []byte(cp.Statement), cp.Signature)
		}
		if !ok {
			return h, errors.New("the checkpoint's signature does not verify under the checkpoint key")
		}
	case cp.MAC != "":
		if key == nil {
			return h, errors.New("the checkpoint carries a MAC and no audit key is configured (audit.key_file)")
		}
		if !hmac.Equal([]byte(cp.MAC), []byte(mac(key, cp.Statement))) {
			return h, errors.New("the checkpoint's MAC does not verify under the audit key")
		}
	case !allowPlain:
		return h, errors.New("the checkpoint carries neither a MAC nor a signature")
	}
	return h, nil
}

// Check checks that the store's chain still holds the checkpoint's head:
// the entry at its seq has its hash, and the chain is the same chain (its
// id), no shorter. The chain itself is VerifyAudit's to check.
func Check(ctx context.Context, st store.Store, h Head) error {
	cur, err := st.AuditHead(ctx)
	if err != nil {
		return err
	}
	if h.ChainID != "" && cur.ChainID != h.ChainID {
		return fmt.Errorf("the chain is %q now, not chain %q of the checkpoint: the log was reset and keyed anew", cur.ChainID, h.ChainID)
	}
	if cur.Seq < h.Seq {
		return fmt.Errorf("the chain ends at entry %d, before entry %d of the checkpoint: it was truncated", cur.Seq, h.Seq)
	}
	if h.Seq == 0 {
		return nil
	}
	es, err := st.AuditEntries(ctx, h.Seq, 1)
	if err != nil {
		return err
	}
	if len(es) != 1 || es[0].Seq != h.Seq {
		return fmt.Errorf("entry %d of the checkpoint is missing from the chain", h.Seq)
	}
	if es[0].Hash != h.Hash {
		return fmt.Errorf("entry %d has hash %s, not %s as at the checkpoint: the chain was rewritten", h.Seq, es[0].Hash, h.Hash)
	}
	return nil
}

// Line returns cp as a line of a checkpoint file (with its newline).
func (cp *Checkpoint) Line() []byte {
	b, _ := json.Marshal(cp) // strings and bytes only: cannot fail
	return append(b, '\n')
}
