package service

import "net/http"

// KindInfo describes a kind of failure: the HTTP status that answers it
// (on every door: the in-process register reports the same status) and
// its fixed title.
type KindInfo struct {
	Status int
	Title  string
}

// kinds are the problem types of Segel, listed in httpapi/openapi.yaml
// (x-problem-types). Some are met only by an HTTP door (unauthorized,
// unsupported-media-type…); they are here so that the list is one.
var kinds = map[string]KindInfo{
	"invalid-pdf":                 {http.StatusBadRequest, "The body is not a PDF Segel can read"},
	"encrypted-pdf":               {http.StatusBadRequest, "Encrypted PDFs are not supported"},
	"bad-request":                 {http.StatusBadRequest, "The request is not valid"},
	"unauthorized":                {http.StatusUnauthorized, "A valid API key is required"},
	"profile-forbidden":           {http.StatusForbidden, "This client may not use this profile"},
	"operation-forbidden":         {http.StatusForbidden, "This client may not use this operation"},
	"passphrase-required":         {http.StatusUnauthorized, "This profile needs its holder's passphrase"},
	"passphrase-rejected":         {http.StatusForbidden, "The passphrase was not accepted"},
	"totp-rejected":               {http.StatusForbidden, "The one-time code was not accepted"},
	"totp-not-enrolled":           {http.StatusForbidden, "The official has not enrolled for one-time codes"},
	"totp-stale":                  {http.StatusConflict, "The one-time code enrolment can no longer be used; enrol again"},
	"passphrase-locked-out":       {http.StatusTooManyRequests, "Too many wrong passphrases; try again later"},
	"seal-code-required":          {http.StatusUnauthorized, "This seal needs a code of its activation or a seal code"},
	"seal-code-rejected":          {http.StatusForbidden, "The seal's code was not accepted"},
	"seal-locked-out":             {http.StatusTooManyRequests, "Too many wrong seal codes; try again later"},
	"seal-not-activated":          {http.StatusConflict, "The seal is not activated"},
	"seal-activation-stale":       {http.StatusConflict, "The seal's activation took too many wrong codes; the operator activates the seal again"},
	"seal-activation-by-operator": {http.StatusConflict, "The seal is activated by the operator, not over the API"},
	"seal-already-activated":      {http.StatusConflict, "The seal was activated by another caller"},
	"not-found":                   {http.StatusNotFound, "Not found"},
	"unknown-profile":             {http.StatusNotFound, "No such profile"},
	"level-forbidden":             {http.StatusUnprocessableEntity, "This profile does not sign at this level"},
	"certificate-invalid":         {http.StatusUnprocessableEntity, "The signing certificate cannot sign now"},
	"no-signature":                {http.StatusUnprocessableEntity, "The document has no signature to augment"},
	"stamp-placement":             {http.StatusUnprocessableEntity, "The visible stamp cannot be placed"},
	"too-large":                   {http.StatusRequestEntityTooLarge, "The body is too large"},
	"unsupported-media-type":      {http.StatusUnsupportedMediaType, "Send application/pdf (or application/octet-stream) or multipart/form-data with a file"},
	"busy":                        {http.StatusTooManyRequests, "Too many requests for this profile; try again shortly"},
	"hsm-unavailable":             {http.StatusServiceUnavailable, "The signing key is not available"},
	"tsa-unavailable":             {http.StatusServiceUnavailable, "No timestamp authority is available"},
	"revocation-unavailable":      {http.StatusServiceUnavailable, "Revocation data is not available"},
	"request-timeout":             {http.StatusRequestTimeout, "The request body came too slowly"},
	"client-closed":               {499, "The client closed the request"},
	"shutting-down":               {http.StatusServiceUnavailable, "The service is shutting down"},
	"temporarily-unavailable":     {http.StatusServiceUnavailable, "The service cannot store or spool this request now; try again shortly"},
	"internal":                    {http.StatusInternalServerError, "Internal error"},
}

// Kinds returns every kind of failure with its status and title (a copy).
func Kinds() map[string]KindInfo {
	out := make(map[string]KindInfo, len(kinds))
	for k, v := range kinds {
		out[k] = v
	}
	return out
}

// Kind returns what kind means, and whether it is a known kind.
func Kind(kind string) (KindInfo, bool) {
	k, ok := kinds[kind]
	return k, ok
}
