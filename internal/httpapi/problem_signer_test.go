package httpapi

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/segel-id/segel/signer"
)

// TestProblemForCertifiedDocuments: what a certification forbids is the
// client's request, never an internal error.
func TestProblemForCertifiedDocuments(t *testing.T) {
	for _, err := range []error{signer.ErrVisibleAfterCertification, signer.ErrLocked, signer.ErrCertification} {
		p := problemFor(fmt.Errorf("%w (DocMDP P=2): sign invisibly", err))
		if p.kind() != "bad-request" || p.Status != http.StatusBadRequest {
			t.Errorf("%v: problem %s, status %d; want bad-request, 400", err, p.kind(), p.Status)
		}
	}
}
