package service

import (
	"context"

	"github.com/segel-id/segel/internal/store"
)

// Refused records in the audit log a request that its door refused
// before it reached Sign (a bad query, a body that could not be read),
// when its profile is known.
func (s *Service) Refused(ctx context.Context, req *Request, e *Error) {
	if req == nil || req.Profile == nil {
		return
	}
	s.audit(ctx, req, e.Kind, e.Detail, "", "")
}

// audit appends a sign request to the audit log, even when ctx is
// cancelled; a failure is logged and returned.
func (s *Service) audit(ctx context.Context, req *Request, outcome, detail, out, docID string) error {
	return s.auditOp(ctx, req, "sign", outcome, detail, out, docID)
}

// auditOp is audit for operation op.
func (s *Service) auditOp(ctx context.Context, req *Request, op, outcome, detail, out, docID string) error {
	e := s.auditEntry(req, op, outcome, detail, out, docID)
	err := s.opts.Store.AppendAudit(context.WithoutCancel(ctx), e)
	if err != nil {
		s.opts.Logger.Error("audit", "request_id", e.RequestID, "error", err)
	}
	return err
}

// auditEntry is the audit entry of req for operation op.
func (s *Service) auditEntry(req *Request, op, outcome, detail, out, docID string) *store.AuditEntry {
	e := &store.AuditEntry{
		Time: s.opts.Now().UTC(), RequestID: req.RequestID, Client: req.Client,
		Operation: op, Outcome: outcome, Detail: detail, InputSHA256: req.InputSHA256, OutputSHA256: out, DocumentID: docID,
	}
	if p := req.Profile; p != nil {
		e.Profile, e.Level = p.Name, req.Level.String()
		e.SignerSubject, e.SignerSerial, e.SignerSHA256 = p.cert.subject, p.cert.serial, p.cert.sha256
	}
	return e
}
