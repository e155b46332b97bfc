package httpapi

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/segel-id/segel/internal/citizen"
	"github.com/segel-id/segel/internal/spool"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/verify"
)

// errVerifyBusy is the Verifier's error beyond MaxVerifications; it
// matches citizen.ErrBusy, so that the page answers 429 too.
var errVerifyBusy = fmt.Errorf("httpapi: %w", citizen.ErrBusy)

// timestamper returns the TSA for signing: nil (an interface holding no
// pointer) when none is configured.
func (s *Server) timestamper() signer.Timestamper {
	if s.tsa == nil {
		return nil
	}
	return s.tsa
}

// Verifier returns the service's verification, as the citizens' page
// needs it: the configured trust anchors and the shared revocation cache.
func (s *Server) Verifier() func(ctx context.Context, src io.ReaderAt, size int64) (*verify.Report, error) {
	return func(ctx context.Context, src io.ReaderAt, size int64) (*verify.Report, error) {
		t := time.NewTimer(s.opts.VerifyQueueTimeout)
		select {
		case s.verifySem <- struct{}{}:
			t.Stop()
		case <-t.C:
			s.metrics.busy.WithLabelValues("verify").Inc()
			return nil, errVerifyBusy
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		defer func() { <-s.verifySem }()
		start := time.Now()
		rep, err := verify.Verify(ctx, src, size, &verify.Options{Trust: s.opts.Trust, Revocation: s.opts.Revocation})
		if err == nil {
			s.metrics.verifyLatency.Observe(time.Since(start).Seconds())
		}
		return rep, err
	}
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	in, p := s.spool(w, r)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	defer in.Close()
	rep, err := s.Verifier()(r.Context(), in.f, in.size)
	if err != nil {
		writeProblem(w, r, problemFor(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(rep)
}

func (s *Server) augment(w http.ResponseWriter, r *http.Request) {
	level, err := signer.ParseLevel(r.URL.Query().Get("level"))
	if err != nil || (level != signer.LevelLT && level != signer.LevelLTA) {
		writeProblem(w, r, newProblem("bad-request", "level must be B-LT or B-LTA"))
		return
	}
	if s.opts.Timestamper == nil {
		writeProblem(w, r, newProblem("tsa-unavailable", "no timestamp authority is configured"))
		return
	}
	if !s.begin() {
		p := newProblem("shutting-down", "")
		p.retryAfter = 5
		writeProblem(w, r, p)
		return
	}
	defer s.inflight.Done()
	in, p := s.spool(w, r)
	if p != nil {
		s.auditAugment(r, level, p.kind(), p.Detail, "", "")
		writeProblem(w, r, p)
		return
	}
	defer in.Close()
	// The augmented PDF begins with the body unchanged: its hash resumes
	// from the body's (spool.OutputHash).
	h := spool.OutputHash(in.f, in.size)
	res, err := signer.Augment(r.Context(), io.NewSectionReader(in.f, 0, in.size), in.size, io.MultiWriter(in.output(), h), &signer.AugmentOptions{
		Level: level, Timestamper: s.timestamper(), Revocation: s.augmentRevocation, Certificates: s.anchorCerts(),
	})
	if err != nil {
		p := problemFor(err)
		if r.Context().Err() != nil {
			p = newProblem("client-closed", "")
		} else if p.Status >= 500 {
			s.opts.Logger.Error("augment", "request_id", requestID(r.Context()), "error", err)
		}
		if p.kind() == "revocation-unavailable" || p.Status >= 500 {
			// The URLs came from an untrusted document: what fetching
			// them said (addresses, ports, answers) stays in the log.
			p.Detail = genericDetail[p.kind()]
		}
		s.auditAugment(r, level, p.kind(), p.Detail, in.sha256, "")
		writeProblem(w, r, p)
		return
	}
	if err := s.auditAugment(r, level, "ok", "", in.sha256, hex.EncodeToString(h.Sum(nil))); err != nil {
		writeProblem(w, r, newProblem("internal", ""))
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Length", strconv.FormatInt(res.Size, 10))
	w.Header().Set("Content-Disposition", `attachment; filename="augmented.pdf"`)
	s.sendFile(w, in.outputReader(res.Size))
}

// sendFile streams f as a 200 answer whose headers are set, within
// Options.WriteTimeout.
func (s *Server) sendFile(w http.ResponseWriter, f io.Reader) {
	if s.opts.WriteTimeout > 0 {
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout))
	}
	w.WriteHeader(http.StatusOK)
	spool.Send(w, f)
}

// auditAugment records an augmentation in the audit log; a failure is
// logged and returned.
func (s *Server) auditAugment(r *http.Request, level signer.Level, outcome, detail, in, out string) error {
	e := &store.AuditEntry{
		Time: s.opts.Now().UTC(), RequestID: requestID(r.Context()), Client: clientOf(r).name,
		Operation: "augment", Level: level.String(), Outcome: outcome, Detail: detail, InputSHA256: in, OutputSHA256: out,
	}
	err := s.opts.Store.AppendAudit(context.WithoutCancel(r.Context()), e)
	if err != nil {
		s.opts.Logger.Error("audit", "request_id", e.RequestID, "error", err)
	}
	return err
}

// documentJSON is the register record as the API shows it.
type documentJSON struct {
	ID            string    `json:"id"`
	Profile       string    `json:"profile"`
	Level         string    `json:"level"`
	SignedAt      time.Time `json:"signedAt"`
	SignerName    string    `json:"signerName"`
	SignerSubject string    `json:"signerSubject"`
	SignerIssuer  string    `json:"signerIssuer"`
	SignerSerial  string    `json:"signerSerialNumber"`
	InputSHA256   string    `json:"inputSha256"`
	OutputSHA256  string    `json:"sha256"`
	Size          int64     `json:"size"`
	Number        string    `json:"number,omitempty"`
	Subject       string    `json:"subject,omitempty"`
	Title         string    `json:"title,omitempty"`
	NIP           string    `json:"nip,omitempty"`
	Confidential  bool      `json:"confidential"`
	Stored        bool      `json:"stored"`
	VerifyURL     string    `json:"verifyUrl,omitempty"`
}

func (s *Server) document(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	d, err := s.opts.Store.GetDocument(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeProblem(w, r, newProblem("not-found", "document "+echo(id)))
		return
	}
	if err != nil {
		writeProblem(w, r, newProblem("internal", ""))
		return
	}
	// A record is the signing client's (or an operator's): another client
	// of the same profile learns nothing, not even that it exists.
	c := clientOf(r)
	if d.Client != c.name && !c.may(OperatorScope) {
		writeProblem(w, r, newProblem("not-found", "document "+echo(id)))
		return
	}
	out := documentJSON{ID: d.ID, Profile: d.Profile, Level: d.Level, SignedAt: d.SignedAt, SignerName: d.SignerName,
		SignerSubject: d.SignerSubject, SignerIssuer: d.SignerIssuer, SignerSerial: d.SignerSerial,
		InputSHA256: d.InputSHA256, OutputSHA256: d.OutputSHA256, Size: d.Size, Number: d.Number,
		Subject: d.Subject, Title: d.Title, NIP: d.NIP, Confidential: d.Confidential, Stored: d.Stored}
	out.VerifyURL = s.svc.VerifyURL(d.ID)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, "ok\n")
}

// readiness caches the result of the readiness checks for a few seconds,
// so probes are cheap.
type readiness struct {
	mu     sync.Mutex
	at     time.Time
	status map[string]string
	ok     bool
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	s.ready.mu.Lock()
	if time.Since(s.ready.at) > s.readyTTL {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		s.ready.status, s.ready.ok = s.checkReady(ctx)
		cancel()
		s.ready.at = time.Now()
	}
	status, ok := s.ready.status, s.ready.ok
	s.ready.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(map[string]any{"ready": ok, "checks": status})
}

func (s *Server) checkReady(ctx context.Context) (map[string]string, bool) {
	status := map[string]string{}
	ok := true
	check := func(name string, err error) {
		if err != nil {
			// The answer is public: the reason goes to the log only.
			s.opts.Logger.Warn("not ready", "check", name, "error", err)
			status[name], ok = "unavailable", false
			return
		}
		status[name] = "ok"
	}
	check("store", s.opts.Store.Ping(ctx))
	for name, p := range s.profiles {
		if p.Key.PKCS11 != nil {
			check("profile:"+name, p.Key.PKCS11.Healthy(ctx))
		} else {
			status["profile:"+name] = "ok"
		}
	}
	if s.tsa != nil {
		check("tsa", s.tsa.health(ctx))
	}
	return status, ok
}
