package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	api "github.com/segel-id/segel/httpapi"
)

// notInRepo are top-level names that are made by building or running
// Segel (and ignored by git), so a document may name paths below them
// that a checkout does not hold.
var notInRepo = map[string]bool{"bin": true, "segel-dev": true, ".git": true}

var (
	// repoPathRe finds a relative path such as docs/contracts.md or
	// testdata/pdf, standing alone or after a quote, a parenthesis, @ or
	// =, but not inside a URL or an absolute path.
	repoPathRe = regexp.MustCompile("(?:^|[\\s(\\[`'\"@=,])(\\.?[A-Za-z0-9_-]+(?:/[A-Za-z0-9_.-]*)+)")
	// mdLinkRe finds the target of a Markdown link.
	mdLinkRe = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	// sectionRe finds a section cited as docs/FILE.md, "Heading".
	sectionRe = regexp.MustCompile(`((?:docs/)?[A-Za-z0-9_./-]+\.md), "([^"]+)"`)
)

// citedPaths returns the repository paths that text names: every
// relative path whose first element is a top-level file or directory of
// the repository at root (so "signer/" and "docs/faults.md", not
// "sign/verify" or "$T/ca.pem"), without a trailing full stop or colon.
func citedPaths(top map[string]bool, text string) []string {
	var out []string
	for _, m := range repoPathRe.FindAllStringSubmatch(text, -1) {
		p := strings.TrimRight(m[1], ".:,")
		if first, _, _ := strings.Cut(p, "/"); top[first] && !notInRepo[first] {
			out = append(out, p)
		}
	}
	return out
}

// headingSlug is the anchor GitHub gives a Markdown heading.
func headingSlug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// headings returns the headings of a Markdown file, as written and as
// #anchors; none when it cannot be read.
func headings(path string) map[string]bool {
	hs := map[string]bool{}
	data, _ := os.ReadFile(path)
	inCode := false
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "```") {
			inCode = !inCode
		}
		if inCode || !strings.HasPrefix(l, "#") {
			continue
		}
		h := strings.TrimSpace(strings.TrimLeft(l, "#"))
		hs[h] = true
		hs["#"+headingSlug(h)] = true
	}
	return hs
}

// citedMissing returns what doc (at the root-relative path name) cites
// and the repository at root lacks: Markdown links (with their #anchors)
// relative to the document's directory, paths from the repository root,
// and sections cited as FILE.md, "Heading"; and how many citations it
// checked.
func citedMissing(root, name, doc string) (missing []string, n int, err error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, 0, err
	}
	top := map[string]bool{}
	for _, e := range entries {
		top[e.Name()] = true
	}
	// Each missing path is reported once, even when a link and the
	// path in it both name it.
	reported := map[string]bool{}
	exists := func(rel string) bool {
		_, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel)))
		if err == nil || reported[path.Clean(rel)] {
			return true
		}
		reported[path.Clean(rel)] = true
		return false
	}
	for _, p := range citedPaths(top, doc) {
		n++
		if !exists(p) {
			missing = append(missing, fmt.Sprintf("%s names %s, which the repository does not have", name, p))
		}
	}
	for _, m := range mdLinkRe.FindAllStringSubmatch(doc, -1) {
		target := m[1]
		if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
			continue
		}
		n++
		file, anchor, _ := strings.Cut(target, "#")
		rel := name
		if file != "" {
			rel = filepath.ToSlash(filepath.Join(filepath.Dir(name), file))
		}
		switch {
		case !exists(rel):
			missing = append(missing, fmt.Sprintf("%s links %s, which the repository does not have", name, target))
		case anchor != "" && !headings(filepath.Join(root, rel))["#"+anchor]:
			missing = append(missing, fmt.Sprintf("%s links %s, but %s has no such heading", name, target, rel))
		}
	}
	for _, m := range sectionRe.FindAllStringSubmatch(doc, -1) {
		n++
		switch {
		case !exists(m[1]):
			missing = append(missing, fmt.Sprintf("%s cites %s, which the repository does not have", name, m[1]))
		case !headings(filepath.Join(root, m[1]))[m[2]]:
			missing = append(missing, fmt.Sprintf("%s cites the section %q of %s, which has no such heading", name, m[2], m[1]))
		}
	}
	return missing, n, nil
}

// TestDocsCiteExistingFiles: every document, directory or file that
// httpapi/openapi.yaml (as served at /openapi.yaml) and README.md cite
// exists in the repository, and so does every section they cite.
func TestDocsCiteExistingFiles(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for name, min := range map[string]int{"httpapi/openapi.yaml": 1, "README.md": 10} {
		doc := readFile(t, filepath.Join(root, name))
		if name == "httpapi/openapi.yaml" && string(doc) != string(api.OpenAPI) {
			t.Fatal("httpapi.OpenAPI is not httpapi/openapi.yaml")
		}
		missing, n, err := citedMissing(root, name, string(doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range missing {
			t.Error(m)
		}
		if n < min {
			t.Errorf("found %d citations in %s, want at least %d: the test looks for the wrong thing", n, name, min)
		}
	}
}

// TestCitedMissingFindsEach: citedMissing reports a missing document, a
// missing link target, a missing anchor, a missing cited section and a
// missing test file, and leaves URLs, absolute paths and shell variables
// alone.
func TestCitedMissingFindsEach(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"docs", "testdata/pdf", "bin"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "docs", "a.md"), []byte("# A\n\n## Report JSON\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := "see docs/a.md, \"Report JSON\"; [a](docs/a.md#report-json) `testdata/pdf/` bin/segel " +
		"https://x.example/docs/none.md /var/docs/none.md $T/docs/none.md @testdata/pdf, (docs/a.md)."
	if missing, n, err := citedMissing(root, "README.md", good); err != nil || len(missing) != 0 || n != 7 {
		t.Errorf("a document citing what exists: %v, %d citations, %v", missing, n, err)
	}
	for _, bad := range []string{"see docs/b.md.", "[b](docs/b.md)", "[a](docs/a.md#nothing)", `docs/a.md, "No Such"`, "`testdata/none.pdf`"} {
		if missing, _, _ := citedMissing(root, "README.md", bad); len(missing) != 1 {
			t.Errorf("%q: %v, want one", bad, missing)
		}
	}
}
