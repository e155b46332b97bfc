package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/segel-id/segel/internal/httpapi"
)

// TestHeadBearerAndDocumentOwner: HEAD is answered where GET is; the
// Bearer scheme is matched in any case; a register record is readable by
// the client that signed it and by an operator only.
func TestHeadBearerAndDocumentOwner(t *testing.T) {
	e := newEnv(t, nil, nil)
	resp, body := e.do("POST", "/v1/sign?profile=sekda", "eoffice", e.letter, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("sign: %d %s", resp.StatusCode, body)
	}
	id := resp.Header.Get(httpapi.DocumentIDHeader)

	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/openapi.yaml", "/", "/v/" + id} {
		resp, body := e.do("HEAD", path, "", nil, nil)
		if resp.StatusCode != 200 || len(body) != 0 {
			t.Errorf("HEAD %s: %d, %d bytes", path, resp.StatusCode, len(body))
		}
	}
	if resp, body := e.do("HEAD", "/v1/documents/"+id, "eoffice", nil, nil); resp.StatusCode != 200 || len(body) != 0 {
		t.Errorf("HEAD /v1/documents: %d, %d bytes", resp.StatusCode, len(body))
	}

	for _, scheme := range []string{"Bearer", "bearer", "BEARER", "bEaReR"} {
		resp, body := e.do("GET", "/v1/documents/"+id, "", nil, map[string]string{"Authorization": scheme + " " + e.keys["eoffice"]})
		if resp.StatusCode != 200 {
			t.Errorf("Authorization: %s KEY: %d %s", scheme, resp.StatusCode, body)
		}
	}
	resp, body = e.do("GET", "/v1/documents/"+id, "", nil, map[string]string{"Authorization": "Basic " + e.keys["eoffice"]})
	wantProblem(t, resp, body, http.StatusUnauthorized, "unauthorized")

	// Another client of the same profile does not see the record.
	e.client("sekretariat", []string{"sekda"}, []string{"sign", "verify"})
	resp, body = e.do("GET", "/v1/documents/"+id, "sekretariat", nil, nil)
	wantProblem(t, resp, body, http.StatusNotFound, "not-found")
	// An operator does, whatever its profiles.
	e.client("inspektorat", nil, []string{httpapi.OperatorScope})
	if resp, body := e.do("GET", "/v1/documents/"+id, "inspektorat", nil, nil); resp.StatusCode != 200 {
		t.Errorf("operator: %d %s", resp.StatusCode, body)
	}
}
