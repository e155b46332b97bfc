package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	api "github.com/segel-id/segel/httpapi"
	"github.com/segel-id/segel/internal/service"
)

// ProblemBase is the prefix of the problem type URIs (the contract's).
const ProblemBase = api.ProblemBase

// Problem is an RFC 9457 problem detail. Type is one of the stable types
// listed in openapi.yaml; Detail never holds a secret.
type Problem struct {
	// Type is ProblemBase followed by the problem's stable name.
	Type string `json:"type"`
	// Title is a fixed summary of the type.
	Title string `json:"title"`
	// Status is the HTTP status of the answer.
	Status int `json:"status"`
	// Detail says what was wrong with this request.
	Detail string `json:"detail,omitempty"`
	// Instance is the request id (the Segel-Request-Id header).
	Instance string `json:"instance,omitempty"`
	// retryAfter, in seconds, is sent as Retry-After.
	retryAfter int
	// cause is the failure behind the problem (the service's Error, or
	// one of this package's), for the doors (BSrE) that answer cases of
	// one kind differently.
	cause error
}

// Error returns the title and the detail.
func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

// problems are the problem types with their status and title: the
// signing service's kinds of failure (service.Kinds), one list for every
// door.
var problems = func() map[string]struct {
	status int
	title  string
} {
	out := map[string]struct {
		status int
		title  string
	}{}
	for k, v := range service.Kinds() {
		out[k] = struct {
			status int
			title  string
		}{v.Status, v.Title}
	}
	return out
}()

func newProblem(typ, detail string) *Problem {
	p, ok := problems[typ]
	if !ok {
		p = problems["internal"]
		typ = "internal"
	}
	return &Problem{Type: ProblemBase + typ, Title: p.title, Status: p.status, Detail: detail}
}

// genericDetail is the detail of problems whose cause may hold what a
// fetch met (addresses, ports, a server's answer): that goes to the log,
// and the client gets this.
var genericDetail = service.GenericDetail

// kind returns the short type name of p.
func (p *Problem) kind() string { return p.Type[len(ProblemBase):] }

// problemFor maps an error of the signing and verifying packages to a
// problem (see service.Classify). Errors of those packages never hold
// secrets.
func problemFor(err error) *Problem {
	var p *Problem
	switch {
	case errors.As(err, &p):
		return p
	case errors.Is(err, errVerifyBusy):
		pr := newProblem("busy", "too many verifications at once")
		pr.retryAfter = 2
		return pr
	}
	return problemOf(service.Classify(err))
}

// problemOf is the problem that answers a failure of the signing
// service.
func problemOf(e *service.Error) *Problem {
	p := newProblem(e.Kind, e.Detail)
	p.retryAfter = int(e.RetryAfter.Seconds())
	p.cause = e
	return p
}

// writeProblem answers with p as application/problem+json.
func writeProblem(w http.ResponseWriter, r *http.Request, p *Problem) {
	p.Instance = requestID(r.Context())
	if p.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	if p.kind() == "passphrase-required" {
		// A 401 names the credential it wants (RFC 9110, 11.6.1).
		w.Header().Set("WWW-Authenticate", `Segel-Passphrase realm="segel"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
	if st, ok := w.(*statusWriter); ok {
		st.problem = p.kind()
	}
}
