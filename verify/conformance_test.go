package verify_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/verify"
)

// conformanceDir holds the conformance corpus: signed PDFs made by
// producers other than Segel, attack files made from them, MANIFEST.tsv
// and the TEST root certificate. gen/ rebuilds it (see docs/decisions.md,
// "Conformance corpus").
const conformanceDir = "testdata/conformance"

// conformanceTime is the fixed validation time: inside the TEST
// certificates' validity (2026-01-01..2046-01-01), after every signing.
var conformanceTime = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// conformanceEntry is one line of MANIFEST.tsv.
type conformanceEntry struct {
	File, Producer, Class string
	Expected              verify.Indication
	// Signatures is, for a genuine file, how many signatures a viewer
	// (poppler) finds valid in it; -1 otherwise.
	Signatures int
	Why        string
}

func readManifest(t testing.TB) []conformanceEntry {
	t.Helper()
	f, err := os.Open(filepath.Join(conformanceDir, "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []conformanceEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.Split(line, "\t")
		if len(p) != 6 {
			t.Fatalf("manifest line %q: %d fields, want 6", line, len(p))
		}
		e := conformanceEntry{File: p[0], Producer: p[1], Class: p[2], Expected: verify.Indication(p[3]), Signatures: -1, Why: p[5]}
		if p[4] != "-" {
			if _, err := fmt.Sscan(p[4], &e.Signatures); err != nil {
				t.Fatalf("%s: signatures %q", e.File, p[4])
			}
		}
		switch e.Class {
		case "genuine", "tampered", "damaged", "unsigned":
		default:
			t.Fatalf("%s: class %q", e.File, e.Class)
		}
		if (e.Class == "tampered" || e.Class == "damaged") && e.Expected != verify.TotalFailed {
			t.Fatalf("%s: a %s file must be expected TOTAL_FAILED, not %s", e.File, e.Class, e.Expected)
		}
		if e.Class == "genuine" && e.Expected == verify.TotalFailed {
			t.Fatalf("%s: a genuine file cannot be expected TOTAL_FAILED", e.File)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestConformanceCorpus verifies every file of the conformance corpus and
// checks the verdict the manifest gives: genuine files are never
// TOTAL_FAILED (no signature of theirs is, and none is reported modified
// after signing), have as many signatures as a viewer shows, and reach the
// expected indication; tampered and damaged files are TOTAL_FAILED.
func TestConformanceCorpus(t *testing.T) {
	t.Parallel()
	entries := readManifest(t)
	rootPEM, err := os.ReadFile(filepath.Join(conformanceDir, "root.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := trust.NewPool()
	if n, _ := pool.AddPEM(rootPEM, "conformance TEST root"); n != 1 {
		t.Fatalf("root.pem: %d certificates", n)
	}
	opts := &verify.Options{Trust: pool, Time: conformanceTime, Offline: true}

	// The manifest and the directory agree, and the corpus stays small.
	pdfs, _ := filepath.Glob(filepath.Join(conformanceDir, "*.pdf"))
	var names []string
	var total int64
	for _, p := range pdfs {
		names = append(names, filepath.Base(p))
		if fi, err := os.Stat(p); err == nil {
			total += fi.Size()
		}
	}
	var listed []string
	for _, e := range entries {
		listed = append(listed, e.File)
	}
	slices.Sort(names)
	slices.Sort(listed)
	if !slices.Equal(names, listed) {
		t.Errorf("files %q\nmanifest %q", names, listed)
	}
	if total > 5<<20 {
		t.Errorf("corpus is %d bytes, keep it under 5 MiB", total)
	}
	for _, e := range entries {
		t.Run(strings.TrimSuffix(e.File, ".pdf"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join(conformanceDir, e.File))
			if err != nil {
				t.Fatal(err)
			}
			verdict, problems := conformanceVerdict(data, e, opts)
			t.Logf("%s\t%s\t%s\texpected %s\tgot %s", e.File, e.Producer, e.Class, e.Expected, verdict)
			if len(problems) > 0 {
				t.Errorf("%s (%s, %s: %s):\n  %s", e.File, e.Producer, e.Class, e.Why, strings.Join(problems, "\n  "))
			}
		})
	}
}

// conformanceVerdict verifies data and returns its verdict, in words, and
// what in it departs from e's expectation.
func conformanceVerdict(data []byte, e conformanceEntry, opts *verify.Options) (string, []string) {
	rep, err := verify.Verify(context.Background(), bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		if errors.Is(err, verify.ErrNotPDF) {
			return "not a PDF", []string{fmt.Sprintf("Verify: %v (want %s)", err, e.Expected)}
		}
		return "error", []string{fmt.Sprintf("Verify: %v", err)}
	}
	var b strings.Builder
	b.WriteString(string(rep.Indication))
	var problems []string
	for i, s := range rep.Signatures {
		fmt.Fprintf(&b, " [%d %s %s", i, s.Field, s.Indication)
		if s.SubIndication != "" {
			fmt.Fprintf(&b, "/%s", s.SubIndication)
		}
		b.WriteString("]")
		if e.Class == "genuine" {
			if s.Indication == verify.TotalFailed {
				problems = append(problems, fmt.Sprintf("signature %d (%s) %s/%s: errors %q modified %q", i, s.Field, s.Indication, s.SubIndication, s.Errors, s.ModifiedAfterSigning))
			} else if s.SubIndication == verify.ModifiedAfterSigning {
				problems = append(problems, fmt.Sprintf("signature %d (%s) reported modified after signing: %q", i, s.Field, s.ModifiedAfterSigning))
			}
		}
	}
	if e.Class == "genuine" && e.Signatures >= 0 && len(rep.Signatures) != e.Signatures {
		problems = append(problems, fmt.Sprintf("%d signatures reported, a viewer shows %d", len(rep.Signatures), e.Signatures))
	}
	if rep.Indication != e.Expected {
		problems = append(problems, fmt.Sprintf("document %s, want %s; warnings %q", rep.Indication, e.Expected, rep.Warnings))
	}
	return b.String(), problems
}
