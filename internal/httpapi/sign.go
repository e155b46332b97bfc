package httpapi

import (
	"context"
	"crypto/x509"
	"net/http"
	"slices"
	"strconv"

	api "github.com/segel-id/segel/httpapi"
	"github.com/segel-id/segel/internal/service"
	"github.com/segel-id/segel/signer"
)

// Segel's headers, those of the contract (package httpapi at the top of
// the module).
const (
	// PassphraseHeader carries a personal profile's passphrase.
	PassphraseHeader = api.PassphraseHeader
	// DocumentIDHeader carries the id of a signed document.
	DocumentIDHeader = api.DocumentIDHeader
	// VerifyURLHeader carries the address of a signed document's page for
	// citizens (PublicBaseURL + /v/{id}, the target of the stamp's QR
	// code); it is sent only when Options.PublicBaseURL is set.
	VerifyURLHeader = api.VerifyURLHeader
)

// sign is POST /v1/sign: the request is parsed here (query, headers,
// body) and carried out by the signing service (internal/service).
func (s *Server) sign(w http.ResponseWriter, r *http.Request) {
	req, p := s.parseSign(r)
	if p != nil {
		s.auditFailure(req, p)
		writeProblem(w, r, p)
		return
	}
	defer clear(req.Passphrase)
	in, p := s.spool(w, r)
	if p != nil {
		s.auditFailure(req, p)
		writeProblem(w, r, p)
		return
	}
	defer in.Close()
	req.InputSHA256 = in.sha256
	if v, ok := in.fields["confidential"]; ok {
		// A form's checkbox, sent before its "file" part; either the
		// query or the form may mark the letter confidential.
		c, err := parseBool(v)
		if err != nil {
			p := boolProblem("confidential")
			s.auditFailure(req, p)
			writeProblem(w, r, p)
			return
		}
		req.Confidential = req.Confidential || c
	}
	res, p := s.signSpooled(r, req, in)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	// What Header.Set does for each, with one array behind the five
	// values instead of one slice each (the keys are canonical: the
	// TestHeaderKeysCanonical checks Segel's).
	h := w.Header()
	v := &[5]string{"application/pdf", strconv.FormatInt(res.Size, 10), res.Document.ID,
		`attachment; filename="signed.pdf"`, res.VerifyURL}
	h["Content-Type"], h["Content-Length"], h[DocumentIDHeader] = v[0:1:1], v[1:2:2], v[2:3:3]
	if res.VerifyURL != "" {
		h[VerifyURLHeader] = v[4:5:5]
	}
	h["Content-Disposition"] = v[3:4:4]
	s.sendFile(w, res.Signed)
}

// signSpooled has the service sign the spooled PDF in as req asks; the
// signed PDF is written to the same temporary file, after the body, and
// read from there (res.Signed) until in is closed.
func (s *Server) signSpooled(r *http.Request, req *service.Request, in *spooled) (*service.Result, *Problem) {
	req.Input, req.Size, req.InputSHA256 = in.f, in.size, in.sha256
	req.Output, req.OutputOffset = in.f, in.size
	res, err := s.svc.Sign(r.Context(), req)
	if err != nil {
		return nil, problemFor(err)
	}
	return res, nil
}

// newRequest is a sign request of r's client for profile prof.
func (s *Server) newRequest(r *http.Request, prof *Profile) *service.Request {
	return &service.Request{Profile: prof, Client: clientOf(r).name, ClientAddr: s.clientAddress(r),
		RequestID: requestID(r.Context())}
}

// parseSign reads and checks what a sign request asks, before its body.
// The request it returns names the profile once that is known, so that
// a refusal is audited under it.
func (s *Server) parseSign(r *http.Request) (*service.Request, *Problem) {
	q := r.URL.Query()
	name := q.Get("profile")
	prof := s.profiles[name]
	if prof == nil {
		return nil, newProblem("unknown-profile", "profile "+echo(name))
	}
	req := s.newRequest(r, prof)
	if !clientOf(r).mayUse(name) {
		return req, newProblem("profile-forbidden", "client "+clientOf(r).name+" may not use profile "+name)
	}
	req.Level = prof.DefaultLevel
	if l := q.Get("level"); l != "" {
		lv, err := signer.ParseLevel(l)
		if err != nil {
			return req, newProblem("bad-request", "level must be B-B, B-T, B-LT or B-LTA")
		}
		req.Level = lv
	}
	if !prof.Allows(req.Level) {
		return req, newProblem("level-forbidden", "profile "+name+" does not sign at "+req.Level.String())
	}
	if req.Level > signer.LevelB && !s.svc.CanTimestamp() {
		return req, newProblem("tsa-unavailable", "no timestamp authority is configured")
	}
	req.Reason, req.Location = prof.Reason, prof.Location
	if v := q.Get("reason"); v != "" {
		req.Reason = v
	}
	if v := q.Get("location"); v != "" {
		req.Location = v
	}
	if v := q.Get("visible"); v != "" {
		pl, err := signer.ParseVisibleSpec(v)
		if err != nil {
			// The spec is not echoed: request values never go back into
			// answers or the audit log.
			return req, newProblem("bad-request", "visible: not a placement (page=N;rect=X1,Y1,X2,Y2, field=NAME or anchor=TEXT)")
		}
		req.Visible = &service.Visible{Placement: *pl}
		if ls, ok := q["line"]; ok {
			lines, err := stampLines(ls)
			if err != nil {
				return req, newProblem("bad-request", "line: "+err.Error())
			}
			req.Visible.Lines = lines
		}
		if _, ok := q["footer"]; ok {
			f, err := stampFooter(q.Get("footer"))
			if err != nil {
				return req, newProblem("bad-request", err.Error())
			}
			req.Visible.Footer = &f
		}
	}
	req.Number, req.Subject, req.Title, req.NIP = q.Get("number"), q.Get("subject"), q.Get("title"), q.Get("nip")
	c, err := parseBool(q.Get("confidential"))
	if err != nil {
		return req, boolProblem("confidential")
	}
	req.Confidential = c
	if prof.Personal {
		pass := r.Header.Get(PassphraseHeader)
		if pass == "" {
			return req, newProblem("passphrase-required", "send the official's passphrase in the "+PassphraseHeader+" header")
		}
		if e := s.svc.LockedOut(r.Context(), prof, req.ClientAddr); e != nil {
			return req, problemOf(e)
		}
		req.Passphrase = []byte(pass)
	}
	return req, nil
}

// auditFailure appends a sign request refused before it reached the
// service to the audit log, when its profile is known.
func (s *Server) auditFailure(req *service.Request, p *Problem) {
	if req == nil {
		return
	}
	s.svc.Refused(context.Background(), req, &service.Error{Kind: p.kind(), Detail: p.Detail})
}

// anchorCerts returns the trust anchors and known intermediates, from
// which TSA chains are completed when augmenting.
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
