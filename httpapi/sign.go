package httpapi

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/signer"
)

// PassphraseHeader carries a personal profile's passphrase.
const PassphraseHeader = "Segel-Passphrase"

// DocumentIDHeader carries the id of a signed document.
const DocumentIDHeader = "Segel-Document-Id"

// signRequest is what a sign request asks, parsed from its query.
type signRequest struct {
	profile                     *Profile
	level                       signer.Level
	reason, location            string
	number, subject, title, nip string
	confidential                bool
	passphrase                  []byte
}

func (s *Server) sign(w http.ResponseWriter, r *http.Request) {
	req, p := s.parseSign(r)
	if p != nil {
		s.auditFailure(r, req, p, "")
		writeProblem(w, r, p)
		return
	}
	defer clear(req.passphrase)
	in, p := s.spool(w, r)
	if p != nil {
		s.auditFailure(r, req, p, "")
		writeProblem(w, r, p)
		return
	}
	defer in.Close()
	res, p := s.signDocument(r, req, in)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	defer res.Close()
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Length", strconv.FormatInt(res.size, 10))
	w.Header().Set(DocumentIDHeader, res.doc.ID)
	w.Header().Set("Content-Disposition", `attachment; filename="signed.pdf"`)
	w.WriteHeader(http.StatusOK)
	io.Copy(w, res.f)
}

// passphraseSigner is a key unlocked per signature by its holder's
// passphrase (pkcs11.Key has this method too).
type passphraseSigner interface {
	WithPassphrase(ctx context.Context, passphrase []byte) crypto.Signer
}

// signed is a signed document in a temporary file, positioned at its
// start, removed by Close.
type signed struct {
	f    *os.File
	size int64
	doc  *store.Document
}

func (s *signed) Close() { s.f.Close(); os.Remove(s.f.Name()) }

// signDocument signs the spooled PDF as req asks, within the profile's
// concurrency bound, and records it in the register and the audit log.
func (s *Server) signDocument(r *http.Request, req *signRequest, in *spooled) (*signed, *Problem) {
	start := time.Now()
	release, p := s.acquire(r.Context(), req.profile)
	if p != nil {
		return nil, p
	}
	defer release()
	s.inflight.Add(1)
	defer s.inflight.Done()

	out, err := os.CreateTemp(s.opts.TempDir, "segel-out-*.pdf")
	if err != nil {
		return nil, newProblem("internal", "")
	}
	ok := false
	defer func() {
		if !ok {
			out.Close()
			os.Remove(out.Name())
		}
	}()
	key := req.profile.Key
	var sig crypto.Signer = key.Signer
	if req.profile.Personal {
		// A personal key signs only when unlocked by its holder's
		// passphrase: a PKCS#11 key, or any key that can be unlocked so.
		switch k := any(key.Signer).(type) {
		case passphraseSigner:
			sig = k.WithPassphrase(r.Context(), req.passphrase)
		default:
			if key.PKCS11 == nil {
				return nil, newProblem("internal", "profile "+req.profile.Name+" is personal but its key cannot be unlocked by a passphrase")
			}
			sig = key.PKCS11.WithPassphrase(r.Context(), req.passphrase)
		}
	}
	h := sha256.New()
	res, err := signer.Sign(r.Context(), in.f, in.size, io.MultiWriter(out, h), &signer.Options{
		Signer:       sig,
		Certificate:  key.Certificate,
		Chain:        key.Chain,
		Level:        req.level,
		Timestamper:  timestamper(s.opts.Timestamper),
		Revocation:   s.opts.Revocation,
		Certificates: s.anchorCerts(),
		Name:         key.Certificate.Subject.CommonName,
		Reason:       req.reason,
		Location:     req.location,
	})
	if err != nil {
		p := problemFor(err)
		if req.profile.Personal && errors.Is(err, pkcs11.ErrPassphraseRejected) {
			now := s.opts.Now()
			s.opts.Store.AddFailure(r.Context(), "profile:"+req.profile.Name, now)
			s.opts.Store.AddFailure(r.Context(), "addr:"+clientAddr(r), now)
		}
		if p.Status >= 500 {
			s.opts.Logger.Error("sign", "request_id", requestID(r.Context()), "profile", req.profile.Name, "error", err)
		}
		s.metrics.signErrors.WithLabelValues(req.profile.Name, p.kind()).Inc()
		s.auditFailure(r, req, p, in.sha256)
		return nil, p
	}
	outSHA := hex.EncodeToString(h.Sum(nil))
	doc := &store.Document{
		ID: newID(), Profile: req.profile.Name, Client: clientOf(r).name, Level: res.Level.String(),
		SignedAt: s.opts.Now(), SignerName: key.Certificate.Subject.CommonName,
		SignerSubject: key.Certificate.Subject.String(), SignerIssuer: key.Certificate.Issuer.String(),
		SignerSerial: key.Certificate.SerialNumber.Text(16), InputSHA256: in.sha256, OutputSHA256: outSHA,
		Size: res.Size, Number: req.number, Subject: req.subject, Title: req.title, NIP: req.nip,
		Confidential: req.confidential, Downloadable: req.profile.Downloadable && !req.confidential,
	}
	if req.profile.Keep {
		if _, err := out.Seek(0, io.SeekStart); err == nil {
			if _, err := s.opts.Store.PutBlob(r.Context(), doc.ID, out); err == nil {
				doc.Stored = true
				if req.profile.Retention > 0 {
					doc.RetainUntil = doc.SignedAt.Add(req.profile.Retention)
				}
			} else {
				s.opts.Logger.Error("store blob", "request_id", requestID(r.Context()), "error", err)
			}
		}
	}
	if err := s.opts.Store.PutDocument(r.Context(), doc); err != nil {
		s.opts.Logger.Error("store document", "request_id", requestID(r.Context()), "error", err)
		return nil, newProblem("internal", "")
	}
	s.audit(r, req, "ok", "", in.sha256, outSHA, doc.ID)
	s.metrics.signLatency.WithLabelValues(req.profile.Name, res.Level.String()).Observe(time.Since(start).Seconds())
	if _, err := out.Seek(0, io.SeekStart); err != nil {
		return nil, newProblem("internal", "")
	}
	ok = true
	return &signed{f: out, size: res.Size, doc: doc}, nil
}

// parseSign reads and checks what a sign request asks, before its body.
func (s *Server) parseSign(r *http.Request) (*signRequest, *Problem) {
	q := r.URL.Query()
	name := q.Get("profile")
	req := &signRequest{}
	prof := s.profiles[name]
	if prof == nil {
		return req, newProblem("unknown-profile", "profile "+strconv.Quote(name))
	}
	req.profile = prof
	if !clientOf(r).mayUse(name) {
		return req, newProblem("profile-forbidden", "client "+clientOf(r).name+" may not use profile "+name)
	}
	req.level = prof.DefaultLevel
	if l := q.Get("level"); l != "" {
		lv, err := signer.ParseLevel(l)
		if err != nil {
			return req, newProblem("bad-request", err.Error())
		}
		req.level = lv
	}
	if !prof.allows(req.level) {
		return req, newProblem("level-forbidden", "profile "+name+" does not sign at "+req.level.String())
	}
	if req.level > signer.LevelB && s.opts.Timestamper == nil {
		return req, newProblem("tsa-unavailable", "no timestamp authority is configured")
	}
	if q.Get("visible") != "" {
		return req, newProblem("bad-request", "visible stamps are not available in this version")
	}
	req.reason, req.location = prof.Reason, prof.Location
	if v := q.Get("reason"); v != "" {
		req.reason = v
	}
	if v := q.Get("location"); v != "" {
		req.location = v
	}
	req.number, req.subject, req.title, req.nip = q.Get("number"), q.Get("subject"), q.Get("title"), q.Get("nip")
	req.confidential, _ = strconv.ParseBool(q.Get("confidential"))
	if prof.Personal {
		pass := r.Header.Get(PassphraseHeader)
		if pass == "" {
			return req, newProblem("passphrase-required", "send the official's passphrase in the "+PassphraseHeader+" header")
		}
		if p := s.lockedOut(r, prof); p != nil {
			return req, p
		}
		req.passphrase = []byte(pass)
	}
	return req, nil
}

// lockedOut refuses a personal profile after too many wrong passphrases,
// per official and per client address, without touching the token: so
// nobody can guess a passphrase, nor lock the official's token by guessing.
func (s *Server) lockedOut(r *http.Request, p *Profile) *Problem {
	since := s.opts.Now().Add(-s.opts.PassphraseWindow)
	for _, key := range []string{"profile:" + p.Name, "addr:" + clientAddr(r)} {
		n, err := s.opts.Store.CountFailures(r.Context(), key, since)
		if err != nil {
			return newProblem("internal", "")
		}
		if n >= s.opts.PassphraseAttempts {
			pr := newProblem("passphrase-locked-out", "wait before trying again")
			pr.retryAfter = int(s.opts.PassphraseWindow.Seconds())
			return pr
		}
	}
	return nil
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// acquire takes a place in the profile's queue and then one of its
// signing slots; beyond the queue, or after QueueTimeout, the answer is
// 429 busy.
func (s *Server) acquire(ctx context.Context, p *Profile) (func(), *Problem) {
	busy := func() *Problem {
		pr := newProblem("busy", "profile "+p.Name)
		pr.retryAfter = 1
		s.metrics.busy.WithLabelValues(p.Name).Inc()
		return pr
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
	s.metrics.queueWait.WithLabelValues(p.Name).Observe(time.Since(waited).Seconds())
	return func() { <-p.sem; <-p.queue }, nil
}

func (s *Server) audit(r *http.Request, req *signRequest, outcome, detail, in, out, docID string) {
	e := &store.AuditEntry{
		Time: s.opts.Now(), RequestID: requestID(r.Context()), Client: clientOf(r).name,
		Operation: "sign", Outcome: outcome, Detail: detail, InputSHA256: in, OutputSHA256: out, DocumentID: docID,
	}
	if req != nil && req.profile != nil {
		c := req.profile.Key.Certificate
		sum := sha256.Sum256(c.Raw)
		e.Profile, e.Level = req.profile.Name, req.level.String()
		e.SignerSubject, e.SignerSerial, e.SignerSHA256 = c.Subject.String(), c.SerialNumber.Text(16), hex.EncodeToString(sum[:])
	}
	if err := s.opts.Store.AppendAudit(r.Context(), e); err != nil {
		s.opts.Logger.Error("audit", "request_id", e.RequestID, "error", err)
	}
}

func (s *Server) auditFailure(r *http.Request, req *signRequest, p *Problem, in string) {
	if req == nil || req.profile == nil {
		return
	}
	s.audit(r, req, p.kind(), p.Detail, in, "", "")
}

// anchorCerts returns the trust anchors and known intermediates, from
// which signer and TSA chains are completed for B-LT.
func (s *Server) anchorCerts() []*x509.Certificate {
	if s.opts.Trust == nil {
		return nil
	}
	return slices.Concat(s.opts.Trust.Anchors(), s.opts.Trust.Intermediates())
}
