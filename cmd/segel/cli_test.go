package main

import (
	"bytes"
	"context"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"github.com/segel-id/segel/internal/pgtest"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/testpki"
)

// Helpers shared by sign_test.go and verify_test.go.

// result is what one run of segel gave.
type result struct {
	code   int
	stdout []byte
	stderr string
	args   []string
}

func (r result) String() string {
	return fmt.Sprintf("segel %q: exit %d\nstderr:\n%s", r.args, r.code, r.stderr)
}

// segel runs the command line in-process through run.
func segel(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), args, stdin, &out, &errb)
	return result{code: code, stdout: out.Bytes(), stderr: errb.String(), args: args}
}

// mustSegel is segel that fails the test unless the exit code is 0.
func mustSegel(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	r := segel(t, stdin, args...)
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	return r
}

var bin struct {
	once sync.Once
	tmp  string // $TMPDIR when the tests started (tests may change it)
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	bin.tmp = os.TempDir()
	code := m.Run()
	pgtest.Stop()
	if bin.dir != "" {
		os.RemoveAll(bin.dir)
	}
	os.Exit(code)
}

// segelBinary builds the segel command once per test binary and returns
// its path.
func segelBinary(t *testing.T) string {
	t.Helper()
	bin.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			//lint:ignore SA1019 the test binary runs on the machine that built it
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		if bin.dir, bin.err = os.MkdirTemp(bin.tmp, "segel-bin-*"); bin.err != nil {
			return
		}
		bin.path = filepath.Join(bin.dir, "segel")
		cmd := exec.Command(goTool, "build", "-o", bin.path, ".")
		cmd.Env = append(os.Environ(), "TMPDIR="+bin.tmp)
		out, err := cmd.CombinedOutput()
		if err != nil {
			bin.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if bin.err != nil {
		t.Fatal(bin.err)
	}
	return bin.path
}

// segelExec runs the built binary with the test's environment plus env.
func segelExec(t *testing.T, stdin io.Reader, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, segelBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("segel %q: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return result{code: code, stdout: out.Bytes(), stderr: errb.String(), args: args}
}

// fixture is a PKI with a signer and its files, and an unsigned input.
type fixture struct {
	dir  string
	pki  *testpki.PKI
	id   *testpki.Identity
	root string // root CA certificate, PEM
	key  string // private key and full chain, PEM
	bare string // private key only, PEM
	cert string // certificate and chain, PEM (for --cert)
	in   string // an unsigned PDF
	data []byte // its bytes
}

func newFixture(t *testing.T, p *testpki.PKI, opts testpki.SignerOptions) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), pki: p, id: p.MustIssueSigner(t, opts)}
	keyPEM, err := f.id.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	f.root = filepath.Join(f.dir, "root.pem")
	writePEM(t, f.root, p.Root.Cert)
	f.key = writeFile(t, f.dir, "signer.pem", keyPEM, f.id.FullChainPEM())
	f.bare = writeFile(t, f.dir, "signer-key.pem", keyPEM)
	f.cert = writeFile(t, f.dir, "signer-chain.pem", f.id.FullChainPEM())
	f.data = letter(t)
	f.in = writeFile(t, f.dir, "surat.pdf", f.data)
	return f
}

// signed signs f.in with f.key and returns the output's bytes.
func (f *fixture) signed(t *testing.T, extra ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "signed.pdf")
	args := append([]string{"sign", "--key", f.key, "--reason", "Tanda tangan Bupati", "--location", "Sleman"}, extra...)
	mustSegel(t, nil, append(args, f.in, out)...)
	return readFile(t, out)
}

// letter returns the unsigned letter used as input.
func letter(t *testing.T) []byte {
	t.Helper()
	return testcorpus.Base(t)["gs-letter"]
}

func writeFile(t *testing.T, dir, name string, parts ...[]byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, bytes.Join(parts, nil), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// byteRange is a signature's /ByteRange with the DER in its hole.
type byteRange struct {
	br  [4]int64
	der []byte
}

var byteRangeRE = regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`)

// signatures finds every /ByteRange of data and decodes the hex /Contents
// in its gap, trimmed to the outer DER element's length.
func signatures(t *testing.T, data []byte) []byteRange {
	t.Helper()
	var sigs []byteRange
	for _, m := range byteRangeRE.FindAllSubmatch(data, -1) {
		var br [4]int64
		for i := range 4 {
			n, err := strconv.ParseInt(string(m[i+1]), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			br[i] = n
		}
		a, b, c := br[1], br[2], br[3]
		if br[0] != 0 || a <= 0 || b <= a+2 || b+c > int64(len(data)) {
			t.Fatalf("/ByteRange %v does not fit a file of %d bytes", br, len(data))
		}
		if data[a] != '<' || data[b-1] != '>' {
			t.Fatalf("/ByteRange %v: the gap is not a hex string", br)
		}
		raw, err := hex.DecodeString(string(data[a+1 : b-1]))
		if err != nil {
			t.Fatalf("/ByteRange %v: /Contents is not hex: %v", br, err)
		}
		var rv asn1.RawValue
		if _, err := asn1.Unmarshal(raw, &rv); err != nil {
			t.Fatalf("/ByteRange %v: /Contents is not DER: %v", br, err)
		}
		sigs = append(sigs, byteRange{br: br, der: rv.FullBytes})
	}
	return sigs
}

// checkSigned checks a PDF with one Segel signature independently of
// Segel: pdfsig must find it valid, of type ETSI.CAdES.detached and
// covering the whole document, and openssl cms -verify must accept the
// CMS over the byte ranges with rootFile as the only trust anchor (so the
// CMS must carry the intermediate). It returns pdfsig's report.
func checkSigned(t *testing.T, data []byte, rootFile string) string {
	t.Helper()
	sigs := signatures(t, data)
	if len(sigs) != 1 {
		t.Fatalf("%d /ByteRange entries, want 1", len(sigs))
	}
	s := sigs[0]
	if end := s.br[2] + s.br[3]; end != int64(len(data)) {
		t.Errorf("/ByteRange %v ends at %d, the file at %d", s.br, end, len(data))
	}
	dir := t.TempDir()
	content := append(append([]byte{}, data[:s.br[1]]...), data[s.br[2]:s.br[2]+s.br[3]]...)
	sigFile := writeFile(t, dir, "sig.der", s.der)
	contentFile := writeFile(t, dir, "ranges.bin", content)
	pdfFile := writeFile(t, dir, "signed.pdf", data)

	out, err := exec.Command(testenv.Tool(t, "openssl"), "cms", "-verify", "-binary", "-inform", "DER", "-in", sigFile,
		"-content", contentFile, "-CAfile", rootFile, "-purpose", "any", "-out", os.DevNull).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verification successful") {
		t.Errorf("openssl cms -verify: %v\n%s", err, out)
	}
	out, err = exec.Command(testenv.Tool(t, "pdfsig"), pdfFile).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfsig: %v\n%s", err, out)
	}
	report := string(out)
	for _, want := range []string{"Signature is Valid", "Total document signed", "ETSI.CAdES.detached"} {
		if !strings.Contains(report, want) {
			t.Errorf("pdfsig does not say %q:\n%s", want, report)
		}
	}
	return report
}

// noOutput checks that a failed run left neither out nor a temporary file
// in out's directory.
func noOutput(t *testing.T, out string) {
	t.Helper()
	if _, err := os.Lstat(out); err == nil {
		t.Errorf("%s exists after a failure", out)
	}
	noTemp(t, filepath.Dir(out))
}

// noTemp checks that dir holds no temporary file of segel's.
func noTemp(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".segel-") || strings.HasPrefix(e.Name(), "segel-") {
			t.Errorf("temporary file left behind: %s", filepath.Join(dir, e.Name()))
		}
	}
}
