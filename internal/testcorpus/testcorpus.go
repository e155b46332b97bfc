// Package testcorpus gives tests real input PDFs: the files committed in
// testdata/pdf (made by ghostscript, cairo, qpdf and two hand-written
// generators; see testdata/pdf/README.md) and variants of each that qpdf
// derives at test time (object streams with xref streams, no object streams,
// QDF, linearized, PDF 2.0).
//
// Only tests use it. Base needs nothing but the files; Variants and All need
// qpdf, and so skip the test locally when qpdf is missing (and fail it in CI,
// see internal/testenv).
//
//	for name, data := range testcorpus.All(t) { // "gs-letter", "gs-letter/linearize", …
//		info := testcorpus.Describe(name)       // pages, form fields
//		…
//	}
package testcorpus

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/segel-id/segel/internal/testenv"
)

// Info describes a committed base file, and so every variant of it.
type Info struct {
	// Pages is the number of pages.
	Pages int
	// Fields are the fully qualified names of the AcroForm fields that have
	// a partial name (/T), in tree order; nil for files without a form.
	Fields []string
	// EmptySignatureFields are the signature fields that have no value yet.
	EmptySignatureFields []string
	// Version is the header version of the base file (variants may differ:
	// "pdf20" writes 2.0, qpdf may raise others).
	Version string
	// RotatedPages lists the 1-based pages with a /Rotate other than 0.
	RotatedPages []int
}

// files describes each committed PDF, by base name (file name without .pdf).
// A file in testdata/pdf without an entry here fails the package's tests.
var files = map[string]Info{
	"gs-letter":    {Pages: 1, Version: "1.7"},
	"gs-pdf13":     {Pages: 1, Version: "1.3"},
	"cairo-letter": {Pages: 1, Version: "1.5"},
	"form-2page": {
		Pages:                2,
		Version:              "1.7",
		Fields:               []string{"nomor", "perihal", "pemohon", "pemohon.nama", "pemohon.nip", "catatan", "Signature1"},
		EmptySignatureFields: []string{"Signature1"},
	},
	"hybrid-xref": {Pages: 1, Version: "1.5"},
	"qpdf-merged": {Pages: 2, Version: "1.5", RotatedPages: []int{2}},
}

// Describe returns what is known about a corpus entry, by base name
// ("form-2page") or variant name ("form-2page/linearize"). ok is false for
// names that are not in the corpus.
func Describe(name string) (info Info, ok bool) {
	base, _, _ := strings.Cut(name, "/")
	info, ok = files[base]
	return info, ok
}

// variants are the qpdf transformations, by variant name. Each output is
// checked with qpdf --check.
//
// qpdf cannot write a hybrid-reference file (a classic xref table with
// /XRefStm), so there is no such variant; testdata/pdf/hybrid-xref.pdf is a
// hand-made base file of that kind instead.
var variants = map[string][]string{
	// Object streams, which qpdf always writes with a cross-reference stream.
	"objstm": {"--object-streams=generate"},
	// Everything as top-level objects and a classic xref table.
	"no-objstm": {"--object-streams=disable"},
	// QDF: qpdf's editable form (uncompressed, normalised content, comments).
	"qdf": {"--qdf", "--object-streams=disable"},
	// Linearized (fast web view), classic xref tables.
	"linearize": {"--linearize", "--object-streams=disable"},
	// Linearized with object streams and xref streams.
	"linearize-objstm": {"--linearize", "--object-streams=generate"},
	// PDF 2.0 header.
	"pdf20": {"--force-version=2.0"},
}

// VariantNames returns the names of the qpdf variants, sorted.
func VariantNames() []string { return slices.Sorted(maps.Keys(variants)) }

// Dir returns the absolute path of testdata/pdf at the module root, found by
// walking up from the working directory (a test's package directory) to the
// directory holding go.mod.
func Dir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "pdf")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testcorpus: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Base returns the committed PDFs of testdata/pdf by base name (file name
// without ".pdf"). Each call returns fresh copies.
func Base(t testing.TB) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(Dir(t), "*.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("testcorpus: no PDF in %s", Dir(t))
	}
	out := make(map[string][]byte, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(p), ".pdf")] = b
	}
	return out
}

var cache struct {
	sync.Mutex
	m map[[sha256.Size]byte]map[string][]byte
}

// Variants derives the qpdf variants of data (see VariantNames) and returns
// them by variant name ("objstm", "linearize", …). name only labels errors.
// Every output has passed qpdf --check; a qpdf failure fails the test.
// Results are cached for the test binary's lifetime; each call returns fresh
// copies.
func Variants(t testing.TB, name string, data []byte) map[string][]byte {
	t.Helper()
	qpdf := testenv.Tool(t, "qpdf")
	key := sha256.Sum256(data)
	cache.Lock()
	defer cache.Unlock()
	if m, ok := cache.m[key]; ok {
		return clone(m)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	m := make(map[string][]byte, len(variants))
	for _, v := range VariantNames() {
		out := filepath.Join(dir, v+".pdf")
		args := append(slices.Clone(variants[v]), "--", in, out)
		if err := run(qpdf, args...); err != nil {
			t.Fatalf("testcorpus: %s/%s: %v", name, v, err)
		}
		if err := Check(qpdf, out); err != nil {
			t.Fatalf("testcorpus: %s/%s: %v", name, v, err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		m[v] = b
	}
	if cache.m == nil {
		cache.m = map[[sha256.Size]byte]map[string][]byte{}
	}
	cache.m[key] = m
	return clone(m)
}

// All returns every base file under its base name ("gs-letter") and every
// qpdf variant of it under "base/variant" ("gs-letter/linearize").
func All(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, data := range Base(t) {
		out[name] = data
		for v, b := range Variants(t, name, data) {
			out[name+"/"+v] = b
		}
	}
	return out
}

// Names returns the keys of a corpus map, sorted, for subtests in a stable
// order.
func Names(m map[string][]byte) []string { return slices.Sorted(maps.Keys(m)) }

// Check runs qpdf --check on a file and fails unless qpdf finds neither
// errors nor warnings (exit status 0).
func Check(qpdf, path string) error {
	if err := run(qpdf, "--check", path); err != nil {
		return fmt.Errorf("qpdf --check: %w", err)
	}
	return nil
}

func run(name string, args ...string) error {
	var out bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 3 {
			err = errors.New("qpdf reported warnings (exit status 3)")
		}
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, out.Bytes())
	}
	return nil
}

func clone(m map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = bytes.Clone(v)
	}
	return out
}
