package auditcp_test

import (
	"testing"

	"github.com/segel-id/segel/internal/auditcp"
)

// FuzzParse: a statement never panics Parse, and one that parses prints
// back to itself (the MAC and signature cover exactly those bytes).
// Seeds: testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		h, err := auditcp.Parse(s)
		if err == nil && auditcp.Statement(h) != s {
			t.Fatalf("Parse(%q) prints back as %q", s, auditcp.Statement(h))
		}
	})
}
