package service

import (
	"bufio"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/segel-id/segel/internal/spool"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/signer"
)

// Sign signs req.Input as req asks, within the profile's concurrency
// bound, and records it in the register and the audit log. A failure is
// an *Error, audited too (its outcome is the kind), with no register
// record.
func (s *Service) Sign(ctx context.Context, req *Request) (*Result, error) {
	if req.Profile == nil {
		return nil, Fail("unknown-profile", "")
	}
	res, e := s.signAndRecord(ctx, req)
	if e != nil {
		s.opts.Observer.Failed(req.Profile.Name, e.Kind)
		s.audit(ctx, req, e.Kind, e.Detail, "", "")
		return nil, e
	}
	return res, nil
}

func (s *Service) signAndRecord(ctx context.Context, req *Request) (*Result, *Error) {
	prof := req.Profile
	if !prof.Allows(req.Level) {
		return nil, Fail("level-forbidden", "profile "+prof.Name+" does not sign at "+req.Level.String())
	}
	if req.Level > signer.LevelB && s.opts.Timestamper == nil {
		return nil, Fail("tsa-unavailable", "no timestamp authority is configured")
	}
	if prof.Personal && len(req.Passphrase) == 0 && req.TOTP == nil {
		return nil, Fail("passphrase-required", "the official's passphrase is needed")
	}
	if prof.Seal && !req.Seal.take(prof) {
		return nil, Fail("seal-code-required", "a seal signs only with a seal code of its custodian (the BSrE API's /api/v2/seal/pdf)")
	}
	if req.Input == nil || req.Output == nil || req.Size <= 0 {
		return nil, Fail("invalid-pdf", "the document is empty")
	}
	if req.InputSHA256 == "" {
		sum, err := digest(io.NewSectionReader(req.Input, 0, req.Size))
		if err != nil {
			return nil, Fail("invalid-pdf", "the document cannot be read")
		}
		req.InputSHA256 = sum
	}
	if !s.begin() {
		return nil, retry("shutting-down", "", 5*time.Second)
	}
	defer s.inflight.Done()
	start := time.Now()
	release, e := s.acquire(ctx, prof)
	if e != nil {
		return nil, e
	}
	// The slot bounds the signatures being made (CPU, HSM sessions, TSA
	// and OCSP calls); it is freed as soon as the signature is made, so
	// that recording it in the store does not hold it.
	var releaseOnce sync.Once
	releaseSlot := func() { releaseOnce.Do(release) }
	defer releaseSlot()
	// A signature under way: its record will follow, and the store's
	// group commit may wait for it (store.ExpectRecord).
	arrived := s.opts.Store.ExpectRecord()
	defer arrived()

	key := prof.Key
	var sig crypto.Signer = key.Signer
	unlock := func() {}
	// byTOTP: the passphrase is the one sealed at enrolment, which a
	// code opened (totp.go).
	byTOTP := false
	if prof.Personal {
		// One passphrase attempt at a time per official, checked against
		// the lock-out again once it is its turn: concurrent guesses
		// cannot all reach the token before the first is counted.
		var e *Error
		if unlock, e = s.takeAttempt(ctx, prof, req.ClientAddr); e != nil {
			return nil, e
		}
		defer unlock()
		pass := req.Passphrase
		if len(pass) == 0 {
			pass, byTOTP = req.TOTP.pass, true
		}
		// A personal key signs only when unlocked by its holder's
		// passphrase.
		var err error
		if sig, err = key.Unlock(ctx, pass); err != nil {
			return nil, Fail("internal", "profile "+prof.Name+" is personal but its key cannot be unlocked by a passphrase")
		}
	}
	// The output's SHA-256 for the register, resumed from the input's
	// when the input is a spool that hashed it (a signed PDF begins with
	// its input unchanged; spool.OutputHash compares those bytes instead
	// of hashing them again).
	h := spool.OutputHash(req.Input, req.Size)
	// The input is read through a cache of a few blocks, the output
	// written through a buffer: the PDF parser's many small reads and
	// the writer's many small writes would each be a system call on a
	// spool file (docs/decisions.md, "Gateway performance"). A spool
	// that holds the input in memory is read directly (NewCached) and
	// written directly: a buffer would only copy the output once more.
	in := spool.NewCached(req.Input, req.Size)
	defer in.Close()
	var out io.Writer = io.MultiWriter(io.NewOffsetWriter(req.Output, req.OutputOffset), h)
	var bw *bufio.Writer
	if m, ok := req.Output.(interface{ InMemory(int64) bool }); !ok || !m.InMemory(req.OutputOffset) {
		bw = spool.NewWriter(out)
		defer spool.PutWriter(bw)
		out = bw
	}
	// The anchors complete chains for the validation data of B-LT and
	// B-LTA only; below that the signer never reads them, so they are
	// not gathered (three slices) for every signature.
	var anchors []*x509.Certificate
	if req.Level >= signer.LevelLT {
		anchors = s.anchorCerts()
	}
	docOpts := &signer.Options{
		Level:        req.Level,
		Timestamper:  s.tsa,
		Revocation:   s.opts.Revocation,
		Certificates: anchors,
		Name:         key.Certificate.Subject.CommonName,
		Reason:       req.Reason,
		Location:     req.Location,
		Appearance:   s.stamp(req),
	}
	// Through the CPU gate (cpugate.go), held until the signature is made.
	sctx, leaveGate := ctx, func() {}
	if gated(req.Level) {
		var err error
		if sctx, leaveGate, err = s.cpu.enter(ctx); err != nil {
			unlock()
			return nil, Fail("client-closed", "")
		}
		// Deferred as well as called below: a key that panics (the
		// server recovers the request) must not keep the slot.
		defer leaveGate()
	}
	var res *signer.Result
	var err error
	if p := prof.prepared(); p != nil {
		// The profile's key, certificate and chain, with the CMS parts
		// they fix, encoded once for all its signatures.
		res, err = p.Sign(sctx, in, req.Size, out, docOpts)
	} else {
		docOpts.Signer, docOpts.Certificate, docOpts.Chain = lendingKey(sig), key.Certificate, key.Chain
		res, err = signer.Sign(sctx, in, req.Size, out, docOpts)
	}
	if err == nil && bw != nil {
		// A full temporary directory shows here (ENOSPC: Classify).
		err = bw.Flush()
	}
	leaveGate()
	// What follows is recorded even when the caller has gone away.
	rec := context.WithoutCancel(ctx)
	if err != nil {
		if byTOTP && errors.Is(err, pkcs11.ErrPassphraseRejected) {
			// The sealed passphrase no longer opens the key (the official
			// changed it): not the caller's guess, so not counted; Sign
			// audits it as totp-stale.
			unlock()
			releaseSlot()
			s.opts.Logger.Warn("the passphrase sealed at TOTP enrolment no longer unlocks the key", "request_id", req.RequestID, "profile", prof.Name)
			return nil, Fail("totp-stale", "the passphrase changed since enrolment; enrol again")
		}
		if prof.Personal && errors.Is(err, pkcs11.ErrPassphraseRejected) {
			// Counted whatever the caller does next: hanging up must not
			// let a guess go uncounted.
			s.countFailure(rec, req)
		}
		unlock()
		releaseSlot()
		if ctx.Err() != nil {
			// The caller went away; whatever failed after that is moot.
			return nil, Fail("client-closed", "")
		}
		e := Classify(err)
		if e.Status() >= 500 {
			s.opts.Logger.Error("sign", "request_id", req.RequestID, "profile", prof.Name, "error", err)
		}
		return nil, e
	}
	unlock()
	// The slot is handed over to a place among the signatures being
	// recorded: when the store lags, signing stops here instead of
	// piling signatures onto its batches.
	defer handOver(prof, releaseSlot)()
	outSHA := hexSum(h)
	signed := io.NewSectionReader(req.Output, req.OutputOffset, res.Size)
	doc := &store.Document{
		ID: req.id(), Profile: prof.Name, Client: req.Client, Level: res.Level.String(),
		SignedAt: s.opts.Now().UTC(), SignerName: prof.cert.name,
		SignerSubject: prof.cert.subject, SignerIssuer: prof.cert.issuer,
		SignerSerial: prof.cert.serial, InputSHA256: req.InputSHA256, OutputSHA256: outSHA,
		Size: res.Size, Number: req.Number, Subject: req.Subject, Title: req.Title, NIP: req.NIP,
		Confidential: req.Confidential, Downloadable: prof.Downloadable && !req.Confidential,
	}
	if prof.Keep && prof.Retention > 0 {
		doc.RetainUntil = doc.SignedAt.Add(prof.Retention)
	}
	entry := s.auditEntry(req, "sign", "ok", "", outSHA, doc.ID)
	arrived()
	// The record and its "ok" entry in one transaction (committed with
	// those of concurrent requests, store.RecordSigned): a signature
	// that is not in the audit log is not handed out, and leaves no
	// record behind. A profile that keeps its letters promises that each
	// can be fetched again: one that cannot be kept is not handed out
	// either (store.RecordKept, which writes a small file in that same
	// transaction when the files are in the database).
	if prof.Keep {
		err = s.opts.Store.RecordKept(rec, doc, entry, io.NewSectionReader(req.Output, req.OutputOffset, res.Size))
	} else {
		err = s.opts.Store.RecordSigned(rec, doc, entry)
	}
	if errors.Is(err, store.ErrBlob) {
		s.opts.Logger.Error("store blob", "request_id", req.RequestID, "error", err)
		return nil, retry("temporarily-unavailable", "the signed file could not be stored", 30*time.Second)
	}
	if err != nil {
		s.opts.Logger.Error("store document", "request_id", req.RequestID, "error", err)
		return nil, recordFailure(err)
	}
	s.opts.Observer.Signed(prof.Name, res.Level, time.Since(start))
	return &Result{Signed: signed, Size: res.Size, Document: doc, VerifyURL: s.VerifyURL(doc.ID)}, nil
}

// acquire takes a place in the profile's queue and then one of its
// signing slots; beyond the queue, or after QueueTimeout, the answer is
// busy.
func (s *Service) acquire(ctx context.Context, p *Profile) (func(), *Error) {
	busy := func() *Error {
		s.opts.Observer.Busy(p.Name)
		return retry("busy", "profile "+p.Name, time.Second)
	}
	select {
	case p.queue <- struct{}{}:
	default:
		return nil, busy()
	}
	t := time.NewTimer(p.QueueTimeout)
	defer t.Stop()
	waited := time.Now()
	select {
	case p.sem <- struct{}{}:
	case <-t.C:
		<-p.queue
		return nil, busy()
	case <-ctx.Done():
		<-p.queue
		return nil, busy()
	}
	s.opts.Observer.QueueWait(p.Name, time.Since(waited))
	return func() { <-p.sem; <-p.queue }, nil
}

// handOver waits for a place among p's signatures being recorded, then
// frees the signing slot (release), and returns the function that frees
// the place once the signature is recorded or has failed to be. The wait
// does not end with the caller's context: the signature is made, and is
// recorded whatever the caller does next.
func handOver(p *Profile, release func()) func() {
	p.recording <- struct{}{}
	release()
	return func() { <-p.recording }
}

// VerifyURL returns the address of document id's page for citizens
// (/v/{id} under PublicBaseURL), empty without a PublicBaseURL.
func (s *Service) VerifyURL(id string) string {
	if s.opts.PublicBaseURL == "" {
		return ""
	}
	return strings.TrimRight(s.opts.PublicBaseURL, "/") + "/v/" + id
}

// idEncoding is base32 (RFC 4648) in lower case without padding: the
// standard alphabet's letters lowered, its digits as they are.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns 128 random bits in lower-case base32 without padding: the
// form of request and document ids.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return formatID(&b)
}

// formatID is the id of the 16 bytes b: encoded on the stack in lower
// case, so that the string is the only allocation (the copy of the
// encoding that WithPadding made, the upper-case text and its lowering
// cost one more allocation and two more passes, twice a request).
func formatID(b *[16]byte) string {
	var out [26]byte // idEncoding.EncodedLen(16)
	idEncoding.Encode(out[:], b[:])
	return string(out[:])
}

// digest returns the SHA-256 of r in lower-case hex.
func digest(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", fmt.Errorf("reading the document: %w", err)
	}
	return hexSum(h), nil
}

// hexSum returns the sum of h (a SHA-256) in lower-case hex, with the
// string as its only allocation.
func hexSum(h hash.Hash) string {
	var sum [sha256.Size]byte
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], h.Sum(sum[:0]))
	return string(out[:])
}

// prepared returns the profile's prepared signer, made at its first
// signature, or nil for a personal profile (its key is unlocked per
// request) or when the key cannot be prepared: signer.Sign then gives
// the error.
func (p *Profile) prepared() *signer.Prepared {
	if p.Personal {
		return nil
	}
	p.prepOnce.Do(func() {
		k := p.Key
		p.prep, _ = signer.Prepare(&signer.Options{Signer: lendingKey(k.Signer), Certificate: k.Certificate, Chain: k.Chain})
	})
	return p.prep
}
