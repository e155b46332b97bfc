package signer_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// The tests share one PKI and one identity per key type: RSA key
// generation is slow and no test changes them.
var sharedPKI = sync.OnceValues(func() (*testpki.PKI, error) {
	return testpki.New(testpki.Options{Name: "Segel Signer Test"})
})

var (
	identitiesMu sync.Mutex
	identities   = map[testpki.KeyType]*testpki.Identity{}
)

// testPKI returns the shared PKI.
func testPKI(t testing.TB) *testpki.PKI {
	t.Helper()
	p, err := sharedPKI()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// identity returns the shared signer identity of the given key type,
// issued by the shared PKI with nonRepudiation and digitalSignature.
func identity(t testing.TB, kt testpki.KeyType) *testpki.Identity {
	t.Helper()
	p := testPKI(t)
	identitiesMu.Lock()
	defer identitiesMu.Unlock()
	if id, ok := identities[kt]; ok {
		return id
	}
	id, err := p.IssueSigner(testpki.SignerOptions{
		KeyType:         kt,
		Subject:         pkix.Name{CommonName: "Budi Santoso " + string(kt), SerialNumber: "NIP 198001012005011001"},
		NonRepudiation:  true,
		DocumentSigning: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	identities[kt] = id
	return id
}

// rootPEM writes the shared PKI's root certificate to a file and returns
// its path.
func rootPEM(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "root.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: testPKI(t).Root.Cert.Raw})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// optionsFor returns signing options for id with its whole chain.
func optionsFor(id *testpki.Identity) *signer.Options {
	return &signer.Options{Signer: id.Key, Certificate: id.Cert, Chain: id.Chain}
}

// signBytes signs src with opts and returns the output.
func signBytes(t testing.TB, src []byte, opts *signer.Options) ([]byte, *signer.Result) {
	t.Helper()
	var out bytes.Buffer
	res, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &out, opts)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	if res.Size != int64(out.Len()) {
		t.Errorf("Result.Size = %d, wrote %d bytes", res.Size, out.Len())
	}
	if !bytes.HasPrefix(out.Bytes(), src) {
		t.Errorf("the input is not a byte prefix of the output")
	}
	return out.Bytes(), res
}

// runTool runs a command with a timeout and returns its combined output.
func runTool(t testing.TB, name string, args ...string) (string, error) {
	t.Helper()
	bin := testenv.Tool(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	return string(out), err
}

// writeTemp writes data to a new file in a temporary directory.
func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// fileSig is a signature found in a PDF by scanning its bytes: the
// /ByteRange and the DER of /Contents.
type fileSig struct {
	ByteRange [4]int64
	DER       []byte
}

var byteRangeRE = regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`)

// scanSignatures finds every /ByteRange in data and decodes the /Contents
// hole it describes, independently of the signer's and pdf package's code.
func scanSignatures(t testing.TB, data []byte) []fileSig {
	t.Helper()
	var sigs []fileSig
	for _, m := range byteRangeRE.FindAllSubmatch(data, -1) {
		var br [4]int64
		for i := range 4 {
			n, err := strconv.ParseInt(string(m[i+1]), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			br[i] = n
		}
		sigs = append(sigs, fileSig{ByteRange: br, DER: contentsAt(t, data, br)})
	}
	return sigs
}

// contentsAt checks a byte range against data and returns the DER in its
// hole, without the zero padding.
func contentsAt(t testing.TB, data []byte, br [4]int64) []byte {
	t.Helper()
	a, b, c := br[1], br[2], br[3]
	if br[0] != 0 || a <= 0 || b <= a+2 || c < 0 || b+c > int64(len(data)) {
		t.Fatalf("/ByteRange %v does not fit a file of %d bytes", br, len(data))
	}
	if rev := bytes.TrimRight(data[:b+c], "\r\n"); !bytes.HasSuffix(rev, []byte("%%EOF")) {
		t.Fatalf("/ByteRange %v does not end at a revision's %%%%EOF", br)
	}
	if data[a] != '<' || data[b-1] != '>' {
		t.Fatalf("/ByteRange %v: the hole is not a hex string (%q … %q)", br, data[a], data[b-1])
	}
	raw, err := hex.DecodeString(string(data[a+1 : b-1]))
	if err != nil {
		t.Fatalf("/ByteRange %v: /Contents is not hex: %v", br, err)
	}
	return derPrefix(raw)
}

// derPrefix returns the first DER element of b (dropping the zero
// padding), or b without trailing zero pairs when it is not DER.
func derPrefix(b []byte) []byte {
	var rv asn1.RawValue
	if _, err := asn1.Unmarshal(b, &rv); err == nil {
		return rv.FullBytes
	}
	for len(b) >= 2 && b[len(b)-1] == 0 && b[len(b)-2] == 0 {
		b = b[:len(b)-2]
	}
	return b
}

// signedContent returns the bytes a /ByteRange covers.
func signedContent(data []byte, br [4]int64) []byte {
	out := make([]byte, 0, br[1]+br[3])
	out = append(out, data[br[0]:br[0]+br[1]]...)
	return append(out, data[br[2]:br[2]+br[3]]...)
}

// opensslVerify checks a detached CMS signature over the byte ranges of
// data with openssl cms -verify, trusting rootFile.
func opensslVerify(t testing.TB, data []byte, br [4]int64, der []byte, rootFile string) error {
	t.Helper()
	dir := t.TempDir()
	sigFile := filepath.Join(dir, "sig.der")
	contentFile := filepath.Join(dir, "ranges.bin")
	if err := os.WriteFile(sigFile, der, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(contentFile, signedContent(data, br), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runTool(t, "openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sigFile,
		"-content", contentFile, "-CAfile", rootFile, "-purpose", "any", "-out", os.DevNull)
	if err != nil || !strings.Contains(out, "Verification successful") {
		return fmt.Errorf("openssl cms -verify (ByteRange %v): %v\n%s", br, err, out)
	}
	return nil
}

// pdfsigSig is one signature as reported by pdfsig. (poppler 22.12's
// pdfsig prints neither /Reason nor /Location; TestSignDictionary reads
// them back with qpdf.)
type pdfsigSig struct {
	Field, SubFilter, Validation, Name string
	Total                              bool
	Text                               string
}

// runPdfsig runs poppler's pdfsig on data and parses its report.
func runPdfsig(t testing.TB, data []byte) ([]pdfsigSig, string) {
	t.Helper()
	path := writeTemp(t, "signed.pdf", data)
	out, err := runTool(t, "pdfsig", path)
	if err != nil {
		t.Fatalf("pdfsig: %v\n%s", err, out)
	}
	var sigs []pdfsigSig
	for _, block := range strings.Split(out, "\nSignature #")[1:] {
		if strings.Contains(block, "signature form field is not signed") {
			continue // an empty signature field
		}
		s := pdfsigSig{Text: block}
		for _, line := range strings.Split(block, "\n") {
			line = strings.TrimSpace(line)
			key, val, ok := strings.Cut(strings.TrimPrefix(line, "- "), ": ")
			if !ok {
				if line == "- Total document signed" {
					s.Total = true
				}
				continue
			}
			switch key {
			case "Signature Field Name":
				s.Field = val
			case "Signature Type":
				s.SubFilter = val
			case "Signature Validation":
				s.Validation = val
			case "Signer Certificate Common Name":
				s.Name = val
			}
		}
		sigs = append(sigs, s)
	}
	return sigs, out
}

// checkExternal is the independent check run on every signed output:
// pdfsig must find n signatures, all valid, only the last covering the
// whole document, the Segel ones (segel[i]) with SubFilter
// ETSI.CAdES.detached; every signature found in the bytes must pass
// openssl cms -verify over its byte ranges. last, when not nil, is the
// Result of the newest signature and must match the last /ByteRange.
func checkExternal(t testing.TB, data []byte, last *signer.Result, segel []bool) {
	t.Helper()
	root := rootPEM(t)
	sigs := scanSignatures(t, data)
	if len(sigs) != len(segel) {
		t.Fatalf("found %d /ByteRange entries, want %d", len(sigs), len(segel))
	}
	for i, s := range sigs {
		if err := opensslVerify(t, data[:s.ByteRange[2]+s.ByteRange[3]], s.ByteRange, s.DER, root); err != nil {
			t.Errorf("signature %d: %v", i+1, err)
		}
	}
	if l := sigs[len(sigs)-1]; l.ByteRange[2]+l.ByteRange[3] != int64(len(data)) {
		t.Errorf("the last /ByteRange %v does not reach the end of the file (%d bytes)", l.ByteRange, len(data))
	}
	if last != nil {
		l := sigs[len(sigs)-1]
		if l.ByteRange != last.ByteRange {
			t.Errorf("Result.ByteRange = %v, the file's last /ByteRange is %v", last.ByteRange, l.ByteRange)
		}
		if !bytes.Equal(l.DER, last.Signature) {
			t.Errorf("Result.Signature differs from the DER in the file's /Contents")
		}
	}
	checkPdfsig(t, data, segel)
}

// checkPdfsig runs pdfsig only (see checkExternal).
func checkPdfsig(t testing.TB, data []byte, segel []bool) []pdfsigSig {
	t.Helper()
	ps, out := runPdfsig(t, data)
	if len(ps) != len(segel) {
		t.Fatalf("pdfsig reports %d signatures, want %d:\n%s", len(ps), len(segel), out)
	}
	for i, s := range ps {
		if !strings.Contains(s.Text, "Signature is Valid") {
			t.Errorf("pdfsig: signature #%d is not valid: %q\n%s", i+1, s.Validation, out)
		}
		if lastOne := i == len(ps)-1; s.Total != lastOne {
			t.Errorf("pdfsig: signature #%d: total document signed = %v, want %v\n%s", i+1, s.Total, lastOne, out)
		}
		if segel[i] && s.SubFilter != "ETSI.CAdES.detached" {
			t.Errorf("pdfsig: signature #%d: type %q, want ETSI.CAdES.detached\n%s", i+1, s.SubFilter, out)
		}
	}
	if len(ps) > 0 && !strings.Contains(out, "Total document signed") {
		t.Errorf("pdfsig does not report \"Total document signed\":\n%s", out)
	}
	return ps
}

// allSegel returns n trues: n signatures, all made by Segel.
func allSegel(n int) []bool {
	b := make([]bool, n)
	for i := range b {
		b[i] = true
	}
	return b
}

// qpdfCheck runs qpdf --check on data; warnings (exit 3) fail too.
func qpdfCheck(t testing.TB, data []byte) {
	t.Helper()
	path := writeTemp(t, "check.pdf", data)
	if out, err := runTool(t, "qpdf", "--check", path); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
}

// countingSigner counts the calls of Sign and SignContext.
type countingSigner struct {
	crypto.Signer
	calls atomic.Int64
}

func (c *countingSigner) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	c.calls.Add(1)
	return c.Signer.Sign(rand, digest, opts)
}

// countingContextSigner also passes SignContext through, as pkcs11.Key
// implements it.
type countingContextSigner struct {
	countingSigner
	ctxCalls atomic.Int64
}

type contextSigner interface {
	SignContext(ctx context.Context, rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error)
}

func (c *countingContextSigner) SignContext(ctx context.Context, rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	c.ctxCalls.Add(1)
	cs, ok := c.Signer.(contextSigner)
	if !ok {
		return nil, errors.New("wrapped key has no SignContext")
	}
	return cs.SignContext(ctx, rand, digest, opts)
}

func (c *countingContextSigner) total() int64 { return c.calls.Load() + c.ctxCalls.Load() }

// parseCert parses DER or fails the test.
func parseCert(t testing.TB, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ctxKey gives a software key a SignContext method.
type ctxKey struct{ crypto.Signer }

func (k ctxKey) SignContext(ctx context.Context, rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return k.Signer.Sign(rand, digest, opts)
}
