package httpapi

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/signer"
)

// PassphraseHeader carries a personal profile's passphrase.
const PassphraseHeader = "Segel-Passphrase"

// DocumentIDHeader carries the id of a signed document.
const DocumentIDHeader = "Segel-Document-Id"

// VerifyURLHeader carries the address of a signed document's page for
// citizens (PublicBaseURL + /v/{id}, the target of the stamp's QR code);
// it is sent only when Options.PublicBaseURL is set.
const VerifyURLHeader = "Segel-Verify-Url"

// signRequest is what a sign request asks, parsed from its query.
type signRequest struct {
	// docID is the register id, reserved before signing so that the
	// stamp's QR code can point at it.
	docID string
	// appearance is the visible stamp, nil for an invisible signature.
	appearance                  *signer.Appearance
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
	if v, ok := in.fields["confidential"]; ok {
		// A form's checkbox, sent before its "file" part; either the
		// query or the form may mark the letter confidential.
		c, err := parseBool(v)
		if err != nil {
			p := boolProblem("confidential")
			s.auditFailure(r, req, p, in.sha256)
			writeProblem(w, r, p)
			return
		}
		req.confidential = req.confidential || c
	}
	res, p := s.signDocument(r, req, in)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	defer res.Close()
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Length", strconv.FormatInt(res.size, 10))
	w.Header().Set(DocumentIDHeader, res.doc.ID)
	if u := s.verifyURL(res.doc.ID); u != "" {
		w.Header().Set(VerifyURLHeader, u)
	}
	w.Header().Set("Content-Disposition", `attachment; filename="signed.pdf"`)
	s.sendFile(w, res.f)
}

// passphraseSigner is a key unlocked per signature by its holder's
// passphrase (pkcs11.Key has this method too).
type passphraseSigner interface {
	WithPassphrase(ctx context.Context, passphrase []byte) crypto.Signer
}

// signed is a signed document, read from f: the part of the request's
// temporary file after the body, which the request's spooled removes.
type signed struct {
	f    *io.SectionReader
	size int64
	doc  *store.Document
}

// Close does nothing: the file belongs to the request's spooled. It is
// kept so that callers may treat a signed like a file they were given.
func (s *signed) Close() {}

// signDocument signs the spooled PDF as req asks, within the profile's
// concurrency bound, and records it in the register and the audit log. A
// failure is audited too (its outcome is the problem type), with no
// register record.
func (s *Server) signDocument(r *http.Request, req *signRequest, in *spooled) (*signed, *Problem) {
	res, p := s.signAndRecord(r, req, in)
	if p != nil {
		s.metrics.signErrors.WithLabelValues(req.profile.Name, p.kind()).Inc()
		s.auditFailure(r, req, p, in.sha256)
	}
	return res, p
}

func (s *Server) signAndRecord(r *http.Request, req *signRequest, in *spooled) (*signed, *Problem) {
	if !s.begin() {
		pr := newProblem("shutting-down", "")
		pr.retryAfter = 5
		return nil, pr
	}
	defer s.inflight.Done()
	start := time.Now()
	release, p := s.acquire(r.Context(), req.profile)
	if p != nil {
		return nil, p
	}
	// The slot bounds the signatures being made (CPU, HSM sessions, TSA
	// and OCSP calls); it is freed as soon as the signature is made, so
	// that recording it in the store does not hold it.
	var releaseOnce sync.Once
	releaseSlot := func() { releaseOnce.Do(release) }
	defer releaseSlot()

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
	unlock := func() {}
	if req.profile.Personal {
		// One passphrase attempt at a time per official, checked against
		// the lock-out again once it is its turn: concurrent guesses
		// cannot all reach the token before the first is counted.
		select {
		case req.profile.attempt <- struct{}{}:
		case <-r.Context().Done():
			return nil, newProblem("client-closed", "")
		}
		var once sync.Once
		unlock = func() { once.Do(func() { <-req.profile.attempt }) }
		defer unlock()
		if p := s.lockedOut(r, req.profile); p != nil {
			return nil, p
		}
	}
	h := sha256.New()
	res, err := signer.Sign(r.Context(), io.NewSectionReader(in.f, 0, in.size), in.size, io.MultiWriter(in.output(), h), &signer.Options{
		Signer:       sig,
		Certificate:  key.Certificate,
		Chain:        key.Chain,
		Level:        req.level,
		Timestamper:  s.timestamper(),
		Revocation:   s.opts.Revocation,
		Certificates: s.anchorCerts(),
		Name:         key.Certificate.Subject.CommonName,
		Reason:       req.reason,
		Location:     req.location,
		Appearance:   req.appearance,
	})
	// What follows is recorded even when the client has gone away.
	rec := context.WithoutCancel(r.Context())
	if err != nil {
		if req.profile.Personal && errors.Is(err, pkcs11.ErrPassphraseRejected) {
			// Counted whatever the client does next: hanging up must not
			// let a guess go uncounted.
			now := s.opts.Now()
			for _, k := range s.failureKeys(r, req.profile) {
				if err := s.opts.Store.AddFailure(rec, k, now); err != nil {
					s.opts.Logger.Error("store failure counter", "request_id", requestID(r.Context()), "error", err)
				}
			}
		}
		unlock()
		releaseSlot()
		if r.Context().Err() != nil {
			// The client went away; whatever failed after that is moot.
			return nil, newProblem("client-closed", "")
		}
		p := problemFor(err)
		if p.Status >= 500 {
			s.opts.Logger.Error("sign", "request_id", requestID(r.Context()), "profile", req.profile.Name, "error", err)
		}
		return nil, p
	}
	unlock()
	releaseSlot()
	outSHA := hex.EncodeToString(h.Sum(nil))
	doc := &store.Document{
		ID: req.id(), Profile: req.profile.Name, Client: clientOf(r).name, Level: res.Level.String(),
		SignedAt: s.opts.Now().UTC(), SignerName: key.Certificate.Subject.CommonName,
		SignerSubject: key.Certificate.Subject.String(), SignerIssuer: key.Certificate.Issuer.String(),
		SignerSerial: key.Certificate.SerialNumber.Text(16), InputSHA256: in.sha256, OutputSHA256: outSHA,
		Size: res.Size, Number: req.number, Subject: req.subject, Title: req.title, NIP: req.nip,
		Confidential: req.confidential, Downloadable: req.profile.Downloadable && !req.confidential,
	}
	if req.profile.Keep {
		// A profile that keeps its letters promises that each can be
		// fetched again: one that cannot be kept is not handed out.
		if _, err := s.opts.Store.PutBlob(rec, doc.ID, in.outputReader(res.Size)); err != nil {
			s.opts.Logger.Error("store blob", "request_id", requestID(r.Context()), "error", err)
			pr := newProblem("temporarily-unavailable", "the signed file could not be stored")
			pr.retryAfter = 30
			return nil, pr
		}
		doc.Stored = true
		if req.profile.Retention > 0 {
			doc.RetainUntil = doc.SignedAt.Add(req.profile.Retention)
		}
	}
	if err := s.opts.Store.PutDocument(rec, doc); err != nil {
		s.opts.Logger.Error("store document", "request_id", requestID(r.Context()), "error", err)
		if doc.Stored {
			s.opts.Store.DeleteBlob(rec, doc.ID)
		}
		return nil, newProblem("internal", "")
	}
	if err := s.audit(r, req, "ok", "", in.sha256, outSHA, doc.ID); err != nil {
		// A signature that is not in the audit log is not handed out.
		return nil, newProblem("internal", "")
	}
	s.metrics.signLatency.WithLabelValues(req.profile.Name, res.Level.String()).Observe(time.Since(start).Seconds())
	return &signed{f: in.outputReader(res.Size), size: res.Size, doc: doc}, nil
}

// id returns the request's document id, reserving it on first use.
func (req *signRequest) id() string {
	if req.docID == "" {
		req.docID = newID()
	}
	return req.docID
}

// stamp makes the visible stamp of a request placed at pl: the signer's
// name, position, NIP, the letter's number and the date, the QR code of the document's page
// (/v/{id}) and the profile's footer.
func (s *Server) stamp(req *signRequest, pl *signer.Placement) *signer.Appearance {
	cert := req.profile.Key.Certificate
	lines := []string{"Ditandatangani secara elektronik oleh", cert.Subject.CommonName}
	if req.title != "" {
		lines = append(lines, req.title)
	}
	if req.nip != "" {
		lines = append(lines, "NIP "+req.nip)
	}
	if req.number != "" {
		// The letter's number, given by the register at the moment of
		// signing, is on the stamp as well as in the letter.
		lines = append(lines, "Nomor: "+req.number)
	}
	lines = append(lines, indonesianDate(s.opts.Now()))
	app := &signer.Appearance{Placement: *pl, Lines: lines, Footer: req.profile.Footer}
	app.QR = s.verifyURL(req.id())
	return app
}

// verifyURL returns the address of document id's page for citizens
// (/v/{id} under PublicBaseURL), empty without a PublicBaseURL.
func (s *Server) verifyURL(id string) string {
	if s.opts.PublicBaseURL == "" {
		return ""
	}
	return strings.TrimRight(s.opts.PublicBaseURL, "/") + "/v/" + id
}

var bulan = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
	"September", "Oktober", "November", "Desember"}

// indonesianDate writes a date as letters carry it: "28 November 2026",
// in Western Indonesian Time.
func indonesianDate(t time.Time) string {
	t = t.In(time.FixedZone("WIB", 7*3600))
	return strconv.Itoa(t.Day()) + " " + bulan[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// parseSign reads and checks what a sign request asks, before its body.
func (s *Server) parseSign(r *http.Request) (*signRequest, *Problem) {
	q := r.URL.Query()
	name := q.Get("profile")
	req := &signRequest{}
	prof := s.profiles[name]
	if prof == nil {
		return req, newProblem("unknown-profile", "profile "+echo(name))
	}
	req.profile = prof
	if !clientOf(r).mayUse(name) {
		return req, newProblem("profile-forbidden", "client "+clientOf(r).name+" may not use profile "+name)
	}
	req.level = prof.DefaultLevel
	if l := q.Get("level"); l != "" {
		lv, err := signer.ParseLevel(l)
		if err != nil {
			return req, newProblem("bad-request", "level must be B-B, B-T, B-LT or B-LTA")
		}
		req.level = lv
	}
	if !prof.allows(req.level) {
		return req, newProblem("level-forbidden", "profile "+name+" does not sign at "+req.level.String())
	}
	if req.level > signer.LevelB && s.opts.Timestamper == nil {
		return req, newProblem("tsa-unavailable", "no timestamp authority is configured")
	}
	req.reason, req.location = prof.Reason, prof.Location
	if v := q.Get("reason"); v != "" {
		req.reason = v
	}
	if v := q.Get("location"); v != "" {
		req.location = v
	}
	if v := q.Get("visible"); v != "" {
		pl, err := signer.ParseVisibleSpec(v)
		if err != nil {
			// The spec is not echoed: request values never go back into
			// answers or the audit log.
			return req, newProblem("bad-request", "visible: not a placement (page=N;rect=X1,Y1,X2,Y2, field=NAME or anchor=TEXT)")
		}
		defer func() { req.appearance = s.stamp(req, pl) }()
	}
	req.number, req.subject, req.title, req.nip = q.Get("number"), q.Get("subject"), q.Get("title"), q.Get("nip")
	c, err := parseBool(q.Get("confidential"))
	if err != nil {
		return req, boolProblem("confidential")
	}
	req.confidential = c
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

// failureKeys are the counters a wrong passphrase for p from r's client
// adds to: the profile's (the hard limit) and the profile and address's.
func (s *Server) failureKeys(r *http.Request, p *Profile) [2]string {
	return [2]string{"profile:" + p.Name, "profile-addr:" + p.Name + "|" + s.clientAddress(r)}
}

// lockedOut refuses a personal profile after too many wrong passphrases,
// per official (ProfileAttempts) and per official and client address
// (PassphraseAttempts), without touching the token: so nobody can guess a
// passphrase, nor lock the official's token by guessing, and guesses at
// one official do not lock out the others behind the same address.
func (s *Server) lockedOut(r *http.Request, p *Profile) *Problem {
	keys := s.failureKeys(r, p)
	now := s.opts.Now()
	for _, l := range []struct {
		key    string
		limit  int
		window time.Duration
	}{{keys[0], s.opts.ProfileAttempts, s.opts.ProfileWindow}, {keys[1], s.opts.PassphraseAttempts, s.opts.PassphraseWindow}} {
		n, err := s.opts.Store.CountFailures(r.Context(), l.key, now.Add(-l.window))
		if err != nil {
			return newProblem("internal", "")
		}
		if n >= l.limit {
			pr := newProblem("passphrase-locked-out", "wait before trying again")
			pr.retryAfter = int(l.window.Seconds())
			return pr
		}
	}
	return nil
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

// audit appends a sign request to the audit log; a failure is logged
// and returned.
func (s *Server) audit(r *http.Request, req *signRequest, outcome, detail, in, out, docID string) error {
	e := &store.AuditEntry{
		Time: s.opts.Now().UTC(), RequestID: requestID(r.Context()), Client: clientOf(r).name,
		Operation: "sign", Outcome: outcome, Detail: detail, InputSHA256: in, OutputSHA256: out, DocumentID: docID,
	}
	if req != nil && req.profile != nil {
		c := req.profile.Key.Certificate
		sum := sha256.Sum256(c.Raw)
		e.Profile, e.Level = req.profile.Name, req.level.String()
		e.SignerSubject, e.SignerSerial, e.SignerSHA256 = c.Subject.String(), c.SerialNumber.Text(16), hex.EncodeToString(sum[:])
	}
	err := s.opts.Store.AppendAudit(context.WithoutCancel(r.Context()), e)
	if err != nil {
		s.opts.Logger.Error("audit", "request_id", e.RequestID, "error", err)
	}
	return err
}

// auditFailure appends a failed sign request to the audit log, when its
// profile is known.
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

// maxEcho bounds what a problem's detail repeats of a request.
const maxEcho = 64

// echo returns a name from a request, quoted, for a problem's detail, or
// "(not shown)" when it is long or holds anything but letters, digits
// and ._- — so that nothing a client misplaced there (a PIN-bearing key
// URI, a passphrase) is repeated in answers, logs or the audit log.
func echo(name string) string {
	if name == "" || len(name) > maxEcho {
		return "(not shown)"
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "(not shown)"
		}
	}
	return strconv.Quote(name)
}
