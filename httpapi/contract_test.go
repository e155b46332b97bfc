package httpapi

import (
	"strings"
	"testing"
)

// TestContract: the OpenAPI document names every header of the contract
// and its problem types live under ProblemBase.
func TestContract(t *testing.T) {
	doc := string(OpenAPI)
	if !strings.HasPrefix(doc, "openapi: 3.1") {
		t.Fatalf("OpenAPI begins %q", doc[:min(len(doc), 20)])
	}
	for _, h := range []string{PassphraseHeader, DocumentIDHeader, VerifyURLHeader, RequestIDHeader} {
		if !strings.Contains(doc, h) {
			t.Errorf("openapi.yaml does not name the header %s", h)
		}
	}
	if !strings.Contains(doc, ProblemBase) {
		t.Errorf("openapi.yaml does not name the problem base %s", ProblemBase)
	}
}
