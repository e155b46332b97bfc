// Package testenv finds the outside tools that Segel's tests use (pdfsig,
// openssl, softhsm2-util, qpdf, …) and decides what happens when one is
// missing: locally the test is skipped with the package to install; in CI
// (CI=true) a missing tool fails the test, so a green CI run always means the
// tool really ran. SkipLocally does the same for any other reason a test
// cannot run.
package testenv

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// debianPackage names the Debian package that ships each tool.
var debianPackage = map[string]string{
	"pdfsig":        "poppler-utils",
	"pdftoppm":      "poppler-utils",
	"pdftotext":     "poppler-utils",
	"pdffonts":      "poppler-utils",
	"certutil":      "libnss3-tools",
	"pk12util":      "libnss3-tools",
	"openssl":       "openssl",
	"softhsm2-util": "softhsm2",
	"pkcs11-tool":   "opensc",
	"qpdf":          "qpdf",
	"zbarimg":       "zbar-tools",
	"chromium":      "chromium",
	"pg_ctl":        "postgresql",
	"initdb":        "postgresql",
}

// InCI reports whether the tests run in CI, where every tool must be present.
func InCI() bool {
	v, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && v
}

// Tool returns the path of the named executable. When it is missing the test
// is skipped, or failed when running in CI.
func Tool(t testing.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	missing(t, name)
	return ""
}

// File returns path if it exists; otherwise the test is skipped, or failed
// in CI. pkg names the Debian package that provides it.
func File(t testing.TB, path, pkg string) string {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		return path
	}
	msg := path + " is missing (apt-get install " + pkg + ")"
	if InCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// SkipLocally skips the test with the message outside CI and fails it in
// CI. It is for what a test needs besides a tool: a tool's version that can
// do what the test exercises, a fixture of the shape the test attacks, a key
// size the platform allows. A green CI run then means every test ran.
func SkipLocally(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf(format+" (CI=true: a test that cannot run is a failure)", args...)
	}
	t.Skipf(format, args...)
}

func missing(t testing.TB, name string) {
	t.Helper()
	pkg := debianPackage[name]
	if pkg == "" {
		pkg = name
	}
	msg := name + " is not installed (apt-get install " + pkg + ")"
	if InCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
