package main

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/testpki"
)

// jsonReport is the report JSON of docs/contracts.md ("Report JSON").
type jsonReport struct {
	Indication string `json:"indication"`
	Signatures []struct {
		Field         string `json:"field"`
		Type          string `json:"type"`
		Indication    string `json:"indication"`
		SubIndication string `json:"subIndication"`
		Level         string `json:"level"`
		SubFilter     string `json:"subFilter"`
		Signer        *struct {
			CommonName   string `json:"commonName"`
			Subject      string `json:"subject"`
			Issuer       string `json:"issuer"`
			SerialNumber string `json:"serialNumber"`
		} `json:"signer"`
		ClaimedSigningTime   string   `json:"claimedSigningTime"`
		CoversWholeDocument  bool     `json:"coversWholeDocument"`
		ModifiedAfterSigning []string `json:"modifiedAfterSigning"`
		Errors               []string `json:"errors"`
		Warnings             []string `json:"warnings"`
		Reason               string   `json:"reason"`
		Location             string   `json:"location"`
	} `json:"signatures"`
}

// verifyJSON runs segel verify --json and decodes the report.
func verifyJSON(t *testing.T, args ...string) (result, *jsonReport, map[string]any) {
	t.Helper()
	r := segel(t, nil, append([]string{"verify", "--json"}, args...)...)
	var rep jsonReport
	var raw map[string]any
	if err := json.Unmarshal(r.stdout, &rep); err != nil {
		t.Fatalf("%v\nstdout is not a JSON report: %v\n%s", r, err, r.stdout)
	}
	if err := json.Unmarshal(r.stdout, &raw); err != nil {
		t.Fatal(err)
	}
	return r, &rep, raw
}

// signedFile signs f.in and writes the result to a new file.
func (f *fixture) signedFile(t *testing.T) (string, []byte) {
	t.Helper()
	data := f.signed(t)
	return writeFile(t, t.TempDir(), "signed.pdf", data), data
}

// onlySig returns the one signature's raw JSON object.
func onlySig(t *testing.T, raw map[string]any) map[string]any {
	t.Helper()
	sigs, ok := raw["signatures"].([]any)
	if !ok || len(sigs) != 1 {
		t.Fatalf("signatures: %v", raw["signatures"])
	}
	return sigs[0].(map[string]any)
}

func TestVerifyText(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	f := newFixture(t, p, testpki.SignerOptions{})
	signed, _ := f.signedFile(t)

	for _, c := range []struct {
		env, flag, want string
	}{
		{"", "", "Dokumen asli"},
		{"", "id", "Dokumen asli"},
		{"", "en", "Authentic document"},
		{"C.UTF-8", "", "Dokumen asli"},
		{"en_US.UTF-8", "", "Authentic document"},
		{"en_US.UTF-8", "id", "Dokumen asli"},
		{"id_ID.UTF-8", "en", "Authentic document"},
	} {
		t.Run("LANG="+c.env+"/--lang="+c.flag, func(t *testing.T) {
			t.Setenv("LANG", c.env)
			args := []string{"verify", "--trust", f.root}
			if c.flag != "" {
				args = append(args, "--lang", c.flag)
			}
			r := segel(t, nil, append(args, signed)...)
			if r.code != 0 {
				t.Fatalf("%v\n%s", r, r.stdout)
			}
			if !strings.HasPrefix(string(r.stdout), c.want) {
				t.Errorf("report begins %q, want %q", firstLine(r.stdout), c.want)
			}
			if !strings.Contains(string(r.stdout), "TOTAL_PASSED") {
				t.Errorf("report lacks TOTAL_PASSED:\n%s", r.stdout)
			}
		})
	}
	t.Setenv("LANG", "")
	if r := segel(t, nil, "verify", "--trust", f.root, "--lang", "fr", signed); r.code != 3 {
		t.Errorf("--lang fr: %v", r)
	}
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}

func TestVerifyJSON(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	f := newFixture(t, p, testpki.SignerOptions{})
	signed, _ := f.signedFile(t)
	before := time.Now()

	r, rep, raw := verifyJSON(t, "--trust", f.root, signed)
	if r.code != 0 || rep.Indication != "TOTAL_PASSED" || len(rep.Signatures) != 1 {
		t.Fatalf("%v\n%s", r, r.stdout)
	}
	s := rep.Signatures[0]
	if s.Field == "" || s.Type != "signature" || s.Indication != "TOTAL_PASSED" || s.SubIndication != "" ||
		s.Level != "PAdES-BASELINE-B" || s.SubFilter != "ETSI.CAdES.detached" || !s.CoversWholeDocument ||
		len(s.ModifiedAfterSigning) != 0 || len(s.Errors) != 0 {
		t.Errorf("signature: %+v", s)
	}
	if s.Reason != "Tanda tangan Bupati" || s.Location != "Sleman" {
		t.Errorf("reason %q, location %q", s.Reason, s.Location)
	}
	cert := f.id.Cert
	if s.Signer == nil {
		t.Fatal("no signer")
	}
	if s.Signer.CommonName != cert.Subject.CommonName || !strings.Contains(s.Signer.Subject, cert.Subject.CommonName) ||
		!strings.Contains(s.Signer.Issuer, p.Issuing.Cert.Subject.CommonName) {
		t.Errorf("signer: %+v", s.Signer)
	}
	if !serialMatches(s.Signer.SerialNumber, cert.SerialNumber) {
		t.Errorf("signer serialNumber %q, certificate's %s (%x)", s.Signer.SerialNumber, cert.SerialNumber, cert.SerialNumber)
	}
	claimed, err := time.Parse(time.RFC3339, s.ClaimedSigningTime)
	if err != nil || claimed.Before(before.Add(-time.Minute)) || claimed.After(time.Now().Add(time.Minute)) {
		t.Errorf("claimedSigningTime %q: %v", s.ClaimedSigningTime, err)
	}

	// The keys of docs/contracts.md are in the raw JSON, lists as arrays.
	if _, ok := raw["indication"].(string); !ok {
		t.Errorf("no indication: %s", r.stdout)
	}
	sig := onlySig(t, raw)
	for _, k := range []string{"field", "type", "indication", "level", "subFilter", "signer", "claimedSigningTime", "coversWholeDocument"} {
		if _, ok := sig[k]; !ok {
			t.Errorf("signature lacks %q: %s", k, r.stdout)
		}
	}
	for _, k := range []string{"modifiedAfterSigning", "errors", "warnings"} {
		if _, ok := sig[k].([]any); !ok {
			t.Errorf("signature's %q is %v, want an array: %s", k, sig[k], r.stdout)
		}
	}
	signer, _ := sig["signer"].(map[string]any)
	for _, k := range []string{"commonName", "subject", "issuer", "serialNumber"} {
		if _, ok := signer[k].(string); !ok {
			t.Errorf("signer lacks %q: %s", k, r.stdout)
		}
	}

	// Untrusted: INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND, with the key.
	r, rep, raw = verifyJSON(t, "--no-default-trust", signed)
	if r.code != 2 || rep.Indication != "INDETERMINATE" || rep.Signatures[0].SubIndication != "NO_CERTIFICATE_CHAIN_FOUND" {
		t.Errorf("untrusted: %v\n%s", r, r.stdout)
	}
	if _, ok := onlySig(t, raw)["subIndication"].(string); !ok {
		t.Errorf("no subIndication key: %s", r.stdout)
	}
}

// serialMatches accepts the serial number in decimal or hexadecimal (with
// or without colons).
func serialMatches(s string, n *big.Int) bool {
	clean := strings.ToLower(strings.ReplaceAll(s, ":", ""))
	return clean == n.String() || clean == n.Text(16) || strings.TrimLeft(clean, "0") == n.Text(16)
}

func TestVerifyIndications(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	f := newFixture(t, p, testpki.SignerOptions{})
	signed, data := f.signedFile(t)
	dir := t.TempDir()

	// Change one byte of the signed /Reason (outside the /Contents gap).
	i := bytes.LastIndex(data, []byte("Bupati"))
	br := signatures(t, data)[0].br
	if i < 0 || int64(i) >= br[1] && int64(i) < br[2] {
		t.Fatalf("the reason is not in the signed bytes (at %d, /ByteRange %v)", i, br)
	}
	tampered := append([]byte{}, data...)
	tampered[i] ^= 0x01
	tamperedFile := writeFile(t, dir, "tampered.pdf", tampered)

	notPDF := writeFile(t, dir, "letter.pdf", []byte("Surat ini bukan PDF.\n"))
	// An update after the signature whose xref was cut off: a damaged
	// PDF is a PDF (exit 1, not 3).
	damaged := writeFile(t, dir, "damaged.pdf", append(append([]byte{}, data...), "\n9 0 obj\n<< /Type /Annot >>\nendobj\nxref\n0 1\n"...))

	cases := []struct {
		name       string
		args       []string
		code       int
		indication string
		sub        string
	}{
		{"trusted root", []string{"--trust", f.root, signed}, 0, "TOTAL_PASSED", ""},
		{"no trust, no default", []string{"--no-default-trust", signed}, 2, "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND"},
		{"national bundle only", []string{signed}, 2, "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND"},
		{"tampered", []string{"--trust", f.root, tamperedFile}, 1, "TOTAL_FAILED", "HASH_FAILURE"},
		{"unsigned", []string{"--trust", f.root, f.in}, 1, "NO_SIGNATURE", ""},
		{"damaged after signing", []string{"--trust", f.root, damaged}, 1, "TOTAL_FAILED", "MODIFIED_AFTER_SIGNING"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, rep, _ := verifyJSON(t, c.args...)
			if r.code != c.code || rep.Indication != c.indication {
				t.Errorf("exit %d, indication %s; want %d, %s\n%v\n%s", r.code, rep.Indication, c.code, c.indication, r, r.stdout)
			}
			if c.sub != "" && (len(rep.Signatures) != 1 || rep.Signatures[0].SubIndication != c.sub) {
				t.Errorf("want sub-indication %s:\n%s", c.sub, r.stdout)
			}
			// The text report gives the same exit code and names the indication.
			t.Setenv("LANG", "")
			rt := segel(t, nil, append([]string{"verify"}, c.args...)...)
			if rt.code != c.code || !strings.Contains(string(rt.stdout), c.indication) {
				t.Errorf("text: %v\n%s", rt, rt.stdout)
			}
		})
	}

	// Exit 3: not a PDF, bad arguments.
	for name, args := range map[string][]string{
		"not a PDF":       {"--trust", f.root, notPDF},
		"empty file":      {"--trust", f.root, writeFile(t, dir, "empty.pdf", nil)},
		"missing file":    {"--trust", f.root, filepath.Join(dir, "nope.pdf")},
		"unknown flag":    {"--trusted", f.root, signed},
		"no file":         {"--trust", f.root},
		"two files":       {signed, signed},
		"bad --at":        {"--at", "kemarin", signed},
		"missing --trust": {"--trust", filepath.Join(dir, "nope.pem"), signed},
		"--trust garbage": {"--trust", notPDF, signed},
	} {
		t.Run(name, func(t *testing.T) {
			r := segel(t, nil, append([]string{"verify"}, args...)...)
			if r.code != 3 || !strings.Contains(r.stderr, "segel: ") {
				t.Errorf("%v", r)
			}
			if len(r.stdout) != 0 {
				t.Errorf("stdout: %s", r.stdout)
			}
		})
	}
}

// TestVerifyTrustDir trusts a directory holding a garbage .pem next to the
// root: the garbage is skipped with a warning.
func TestVerifyTrustDir(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	f := newFixture(t, p, testpki.SignerOptions{})
	signed, _ := f.signedFile(t)
	dir := t.TempDir()
	writeFile(t, dir, "00-garbage.pem", []byte("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"))
	writeFile(t, dir, "01-notes.pem", []byte("nothing here\n"))
	writeFile(t, dir, "root.pem", readFile(t, f.root))
	writeFile(t, dir, "README", []byte("ignored\n"))

	r := segel(t, nil, "verify", "--no-default-trust", "--trust", dir, "--lang", "en", signed)
	if r.code != 0 || !strings.HasPrefix(string(r.stdout), "Authentic document") {
		t.Errorf("%v\n%s", r, r.stdout)
	}
	if !strings.Contains(r.stderr, "warning") || !strings.Contains(r.stderr, "00-garbage.pem") {
		t.Errorf("no warning about the garbage file:\n%s", r.stderr)
	}
	if strings.Contains(string(r.stdout), "warning") {
		t.Errorf("the warning went to stdout:\n%s", r.stdout)
	}

	// A directory with no certificate at all is an error.
	empty := t.TempDir()
	writeFile(t, empty, "garbage.pem", []byte("nothing\n"))
	if r := segel(t, nil, "verify", "--no-default-trust", "--trust", empty, signed); r.code != 3 {
		t.Errorf("--trust with no certificate: %v", r)
	}
}

// TestVerifyPinned trusts the signer's own certificate only.
func TestVerifyPinned(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	f := newFixture(t, p, testpki.SignerOptions{})
	signed, _ := f.signedFile(t)
	leaf := filepath.Join(t.TempDir(), "leaf.pem")
	writePEM(t, leaf, f.id.Cert)
	r, rep, _ := verifyJSON(t, "--no-default-trust", "--trust", leaf, signed)
	if r.code != 0 || rep.Indication != "TOTAL_PASSED" {
		t.Errorf("pinned signer: %v\n%s", r, r.stdout)
	}
	// Another signer's certificate pinned does not help.
	other := newFixture(t, p, testpki.SignerOptions{})
	otherLeaf := filepath.Join(t.TempDir(), "other.pem")
	writePEM(t, otherLeaf, other.id.Cert)
	if r, _, _ := verifyJSON(t, "--no-default-trust", "--trust", otherLeaf, signed); r.code != 2 {
		t.Errorf("another signer pinned: %v\n%s", r, r.stdout)
	}
}

// TestVerifyAt validates as of a time before the certificate was valid.
func TestVerifyAt(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	f := newFixture(t, p, testpki.SignerOptions{}) // valid from an hour ago
	signed, _ := f.signedFile(t)
	for _, at := range []string{
		time.Now().Add(-48 * time.Hour).Format(time.RFC3339),
		time.Now().Add(-72 * time.Hour).Format("2006-01-02"),
	} {
		r, rep, _ := verifyJSON(t, "--trust", f.root, "--at", at, signed)
		if r.code == 0 || rep.Indication == "TOTAL_PASSED" {
			t.Errorf("--at %s: %v\n%s", at, r, r.stdout)
		}
	}
	// Now, spelled out.
	if r, _, _ := verifyJSON(t, "--trust", f.root, "--at", time.Now().Add(time.Minute).Format(time.RFC3339), signed); r.code != 0 {
		t.Errorf("--at now: %v\n%s", r, r.stdout)
	}
}

// TestVerifyRevocation uses a PKI whose certificates name a live OCSP
// responder and CRL: online the signature passes; --offline, with no
// revocation data in a B-B document, it is INDETERMINATE / TRY_LATER.
func TestVerifyRevocation(t *testing.T) {
	p, _ := testpki.MustNewServer(t, testpki.Options{})
	f := newFixture(t, p, testpki.SignerOptions{})
	if len(f.id.Cert.OCSPServer) == 0 {
		t.Fatal("the signer certificate names no OCSP responder")
	}
	signed, _ := f.signedFile(t)
	r, rep, _ := verifyJSON(t, "--trust", f.root, signed)
	if r.code != 0 || rep.Indication != "TOTAL_PASSED" {
		t.Errorf("online: %v\n%s", r, r.stdout)
	}
	r, rep, _ = verifyJSON(t, "--trust", f.root, "--offline", signed)
	if r.code != 2 || rep.Indication != "INDETERMINATE" || len(rep.Signatures) != 1 || rep.Signatures[0].SubIndication != "TRY_LATER" {
		t.Errorf("offline: %v\n%s", r, r.stdout)
	}
	// Revoked: online the CA says so.
	if err := p.Revoke(f.id.Cert, time.Now().Add(-time.Minute), 1); err != nil {
		t.Fatal(err)
	}
	if r, rep, _ := verifyJSON(t, "--trust", f.root, signed); r.code == 0 || rep.Indication == "TOTAL_PASSED" {
		t.Errorf("revoked: %v\n%s", r, r.stdout)
	}
}

// TestVerifyStdin reads the PDF from stdin.
func TestVerifyStdin(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	f := newFixture(t, p, testpki.SignerOptions{})
	_, data := f.signedFile(t)
	t.Setenv("TMPDIR", t.TempDir())
	r := segel(t, bytes.NewReader(data), "verify", "--trust", f.root, "--lang", "en", "-")
	if r.code != 0 || !strings.HasPrefix(string(r.stdout), "Authentic document") {
		t.Errorf("%v\n%s", r, r.stdout)
	}
	noTemp(t, os.Getenv("TMPDIR"))
	if r := segel(t, strings.NewReader("bukan PDF"), "verify", "-"); r.code != 3 {
		t.Errorf("not a PDF on stdin: %v", r)
	}
}
