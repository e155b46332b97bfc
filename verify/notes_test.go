package verify_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/verify"
)

// TestNotesParallel verifies the conformance corpus and checks that every
// error and warning has its note, in the same order and of a known code:
// a reader wording the notes (verify/explain) misses no reason.
func TestNotesParallel(t *testing.T) {
	t.Parallel()
	rootPEM, err := os.ReadFile(filepath.Join(conformanceDir, "root.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := trust.NewPool()
	pool.AddPEM(rootPEM, "conformance TEST root")
	opts := &verify.Options{Trust: pool, Time: conformanceTime, Offline: true}
	corpus, _ := filepath.Glob(filepath.Join(conformanceDir, "*.pdf"))
	if len(corpus) < 20 {
		t.Fatalf("%d corpus files", len(corpus))
	}
	known := verify.Codes()
	check := func(t *testing.T, what string, errs, warns []string, notes []verify.Note) {
		var ne, nw int
		for _, n := range notes {
			if !slices.Contains(known, n.Code) {
				t.Errorf("%s: code %q is not in verify.Codes()", what, n.Code)
			}
			switch n.Severity {
			case verify.SeverityError:
				ne++
			case verify.SeverityWarning:
				nw++
			default:
				t.Errorf("%s: note %q has severity %q", what, n.Code, n.Severity)
			}
		}
		if ne != len(errs) || nw != len(warns) {
			t.Errorf("%s: %d errors and %d warnings, but %d and %d notes", what, len(errs), len(warns), ne, nw)
		}
	}
	seen := 0
	for _, p := range corpus {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := verify.Verify(context.Background(), bytes.NewReader(data), int64(len(data)), opts)
		if err != nil {
			continue
		}
		check(t, filepath.Base(p), nil, rep.Warnings, rep.Notes)
		for _, s := range rep.Signatures {
			check(t, filepath.Base(p)+" "+s.Field, s.Errors, s.Warnings, s.Notes)
			seen += len(s.Notes)
		}
	}
	if seen == 0 {
		t.Fatal("no notes at all in the corpus")
	}
}
