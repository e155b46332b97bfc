package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"syscall"

	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/tsa"
	"github.com/segel-id/segel/verify"
)

// ProblemBase is the prefix of the problem type URIs.
const ProblemBase = "https://segel.id/problems/"

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
}

// Error returns the title and the detail.
// Error returns the title and the detail.
func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

// problem types, with their status and title.
var problems = map[string]struct {
	status int
	title  string
}{
	"invalid-pdf":             {http.StatusBadRequest, "The body is not a PDF Segel can read"},
	"encrypted-pdf":           {http.StatusBadRequest, "Encrypted PDFs are not supported"},
	"bad-request":             {http.StatusBadRequest, "The request is not valid"},
	"unauthorized":            {http.StatusUnauthorized, "A valid API key is required"},
	"profile-forbidden":       {http.StatusForbidden, "This client may not use this profile"},
	"operation-forbidden":     {http.StatusForbidden, "This client may not use this operation"},
	"passphrase-required":     {http.StatusUnauthorized, "This profile needs its holder's passphrase"},
	"passphrase-rejected":     {http.StatusForbidden, "The passphrase was not accepted"},
	"passphrase-locked-out":   {http.StatusTooManyRequests, "Too many wrong passphrases; try again later"},
	"not-found":               {http.StatusNotFound, "Not found"},
	"unknown-profile":         {http.StatusNotFound, "No such profile"},
	"level-forbidden":         {http.StatusUnprocessableEntity, "This profile does not sign at this level"},
	"certificate-invalid":     {http.StatusUnprocessableEntity, "The signing certificate cannot sign now"},
	"no-signature":            {http.StatusUnprocessableEntity, "The document has no signature to augment"},
	"stamp-placement":         {http.StatusUnprocessableEntity, "The visible stamp cannot be placed"},
	"too-large":               {http.StatusRequestEntityTooLarge, "The body is too large"},
	"unsupported-media-type":  {http.StatusUnsupportedMediaType, "Send application/pdf (or application/octet-stream) or multipart/form-data with a file"},
	"busy":                    {http.StatusTooManyRequests, "Too many requests for this profile; try again shortly"},
	"hsm-unavailable":         {http.StatusServiceUnavailable, "The signing key is not available"},
	"tsa-unavailable":         {http.StatusServiceUnavailable, "No timestamp authority is available"},
	"revocation-unavailable":  {http.StatusServiceUnavailable, "Revocation data is not available"},
	"request-timeout":         {http.StatusRequestTimeout, "The request body came too slowly"},
	"client-closed":           {499, "The client closed the request"},
	"shutting-down":           {http.StatusServiceUnavailable, "The service is shutting down"},
	"temporarily-unavailable": {http.StatusServiceUnavailable, "The service cannot store or spool this request now; try again shortly"},
	"internal":                {http.StatusInternalServerError, "Internal error"},
}

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
var genericDetail = map[string]string{
	"revocation-unavailable": "the revocation data (OCSP, CRL) of a certificate could not be fetched or checked; the request id finds the cause in the service's log",
	"tsa-unavailable":        "the timestamp authority did not give a usable timestamp",
}

// kind returns the short type name of p.
func (p *Problem) kind() string { return p.Type[len(ProblemBase):] }

// problemFor maps an error of the signing and verifying packages to a
// problem. Errors of those packages never hold secrets.
func problemFor(err error) *Problem {
	var p *Problem
	switch {
	case errors.As(err, &p):
		return p
	case errors.Is(err, errVerifyBusy):
		pr := newProblem("busy", "too many verifications at once")
		pr.retryAfter = 2
		return pr
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		// The temporary file of the output could not grow; the error
		// names server paths, so it goes to the log only.
		return noRoom()
	case errors.Is(err, signer.ErrEncrypted):
		return newProblem("encrypted-pdf", err.Error())
	case errors.Is(err, signer.ErrInvalidPDF), errors.Is(err, verify.ErrNotPDF):
		return newProblem("invalid-pdf", err.Error())
	case errors.Is(err, signer.ErrAnchorNotFound), errors.Is(err, signer.ErrPlacement):
		return newProblem("stamp-placement", err.Error())
	case errors.Is(err, signer.ErrNoSignature):
		return newProblem("no-signature", err.Error())
	case errors.Is(err, signer.ErrCertificateExpired), errors.Is(err, signer.ErrRevoked), errors.Is(err, signer.ErrKeyUsage):
		return newProblem("certificate-invalid", err.Error())
	case errors.Is(err, signer.ErrFieldNotFound), errors.Is(err, signer.ErrFieldNotSignature),
		errors.Is(err, signer.ErrFieldSigned), errors.Is(err, signer.ErrLocked),
		errors.Is(err, signer.ErrCertification), errors.Is(err, signer.ErrOptions), errors.Is(err, signer.ErrPage),
		errors.Is(err, signer.ErrVisibleAfterCertification):
		return newProblem("bad-request", err.Error())
	case errors.Is(err, pkcs11.ErrPassphraseRejected):
		return newProblem("passphrase-rejected", "")
	case errors.Is(err, pkcs11.ErrPassphraseRequired):
		return newProblem("passphrase-required", "")
	case errors.Is(err, pkcs11.ErrTokenUnavailable), errors.Is(err, pkcs11.ErrPINLocked),
		errors.Is(err, pkcs11.ErrPINIncorrect), errors.Is(err, pkcs11.ErrClosed), errors.Is(err, pkcs11.ErrNotAvailable):
		return newProblem("hsm-unavailable", "")
	case errors.Is(err, tsa.ErrUnavailable):
		return newProblem("tsa-unavailable", err.Error())
	case errors.Is(err, signer.ErrValidationData):
		return newProblem("revocation-unavailable", genericDetail["revocation-unavailable"])
	case errors.Is(err, context.Canceled):
		return newProblem("client-closed", "")
	}
	return newProblem("internal", "")
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
