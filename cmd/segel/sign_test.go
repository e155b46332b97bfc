package main

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/testpki"
)

// checkSignOutput checks a successful sign run's output file: the input is
// a byte prefix, pdfsig and openssl accept the signature.
func checkSignOutput(t *testing.T, r result, in []byte, out, root string) string {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	data := readFile(t, out)
	if !bytes.HasPrefix(data, in) {
		t.Errorf("the input is not a byte prefix of %s", out)
	}
	noTemp(t, filepath.Dir(out))
	return checkSigned(t, data, root)
}

func TestSignPEM(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	for _, kt := range []testpki.KeyType{testpki.ECDSAP256, testpki.RSA2048} {
		t.Run(string(kt), func(t *testing.T) {
			f := newFixture(t, p, testpki.SignerOptions{KeyType: kt, Subject: pkix.Name{CommonName: "Drs. Sri Purnomo"}})
			dir := t.TempDir()

			// Key and chain in one file.
			out := filepath.Join(dir, "one-file.pdf")
			r := segel(t, nil, "sign", "--key", f.key, "--reason", "Tanda tangan Bupati", "--location", "Sleman", f.in, out)
			report := checkSignOutput(t, r, f.data, out, f.root)
			if !strings.Contains(report, "Drs. Sri Purnomo") {
				t.Errorf("pdfsig does not show the signer:\n%s", report)
			}
			if len(r.stdout) != 0 {
				t.Errorf("stdout is not empty: %q", r.stdout)
			}
			if !strings.Contains(r.stderr, "signed ") || !strings.Contains(r.stderr, out) {
				t.Errorf("stderr: %q", r.stderr)
			}

			// Key alone, chain with --cert; flags after the files.
			out = filepath.Join(dir, "with-cert.pdf")
			r = segel(t, nil, "sign", f.in, out, "--key", f.bare, "--cert", f.cert, "--name", "Bupati Sleman", "--hash", "sha384")
			checkSignOutput(t, r, f.data, out, f.root)

			if kt == testpki.RSA2048 {
				out = filepath.Join(dir, "pss.pdf")
				r = segel(t, nil, "sign", "--key", f.key, "--pss", "--hash", "sha512", f.in, out)
				checkSignOutput(t, r, f.data, out, f.root)
			}
		})
	}
}

func TestSignPKCS12(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	f := newFixture(t, p, testpki.SignerOptions{})
	const password = "Kata-Sandi-P12"
	for name, encode := range map[string]func(string) ([]byte, error){"modern": f.id.PKCS12, "legacy": f.id.PKCS12Legacy} {
		t.Run(name, func(t *testing.T) {
			der, err := encode(password)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			p12 := writeFile(t, dir, "signer.p12", der)

			t.Setenv("SEGEL_KEY_PASSWORD", password)
			out := filepath.Join(dir, "signed.pdf")
			checkSignOutput(t, segel(t, nil, "sign", "--key", p12, f.in, out), f.data, out, f.root)
			out = filepath.Join(dir, "signed-by-binary.pdf")
			checkSignOutput(t, segelExec(t, nil, nil, "sign", "--key", p12, f.in, out), f.data, out, f.root)

			const wrong = "Bukan-Sandinya"
			t.Setenv("SEGEL_KEY_PASSWORD", wrong)
			out = filepath.Join(dir, "wrong.pdf")
			r := segel(t, nil, "sign", "--key", p12, f.in, out)
			if r.code != 1 || !strings.Contains(r.stderr, "segel: ") || !strings.Contains(r.stderr, "password") ||
				strings.Contains(r.stderr, wrong) || strings.Contains(r.stderr, password) {
				t.Errorf("wrong password: %v", r)
			}
			noOutput(t, out)

			os.Unsetenv("SEGEL_KEY_PASSWORD") // t.Setenv restores it
			r = segel(t, nil, "sign", "--key", p12, f.in, out)
			if r.code != 1 || !strings.Contains(r.stderr, "SEGEL_KEY_PASSWORD") {
				t.Errorf("no password: %v", r)
			}
			noOutput(t, out)
		})
	}
}

// handToken is a SoftHSM2 token made outside Segel, the way an operator
// (and the acceptance test) makes one: softhsm2-util --init-token, then
// pkcs11-tool for key pairs and certificate objects.
type handToken struct {
	module, label, pin string
	tool               string
}

func newHandToken(t *testing.T, label, pin string) *handToken {
	t.Helper()
	// softhsmtest gives the test its own SOFTHSM2_CONF (its own token is
	// not used).
	st := softhsmtest.New(t, "unused", "0000")
	st.Util(t, "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", "55555555")
	return &handToken{module: st.Module, label: label, pin: pin, tool: testenv.Tool(t, "pkcs11-tool")}
}

func (h *handToken) run(t *testing.T, args ...string) string {
	t.Helper()
	all := append([]string{"--module", h.module, "--token-label", h.label, "--login", "--pin", h.pin}, args...)
	out, err := exec.Command(h.tool, all...).CombinedOutput()
	if err != nil {
		t.Fatalf("pkcs11-tool %q: %v\n%s", args, err, out)
	}
	return string(out)
}

// keypair makes a key pair with pkcs11-tool and returns its public key,
// read back with pkcs11-tool --read-object.
func (h *handToken) keypair(t *testing.T, keyType, id, label string) crypto.PublicKey {
	t.Helper()
	h.run(t, "--keypairgen", "--key-type", keyType, "--id", id, "--label", label)
	file := filepath.Join(t.TempDir(), "pub.der")
	h.run(t, "--read-object", "--type", "pubkey", "--id", id, "-o", file)
	der := readFile(t, file)
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		if rsaPub, err2 := x509.ParsePKCS1PublicKey(der); err2 == nil {
			return rsaPub
		}
		t.Fatalf("public key of %s read by pkcs11-tool: %v", label, err)
	}
	return pub
}

// writeCert stores a certificate object with pkcs11-tool.
func (h *handToken) writeCert(t *testing.T, c *x509.Certificate, id, label string) {
	t.Helper()
	file := writeFile(t, t.TempDir(), "cert.der", c.Raw)
	h.run(t, "--write-object", file, "--type", "cert", "--id", id, "--label", label)
}

func (h *handToken) uri(attrs string, withPIN bool) string {
	u := "pkcs11:token=" + h.label + ";" + attrs + "?module-path=" + h.module
	if withPIN {
		u += "&pin-value=" + h.pin
	}
	return u
}

// TestSignHandMadeToken signs with keys on a token made by softhsm2-util
// and pkcs11-tool: the certificate and CA certificates from the token
// (no --cert), a key without certificate with --cert, --cert replacing the
// token's certificate, and a personal key (URI without PIN) with the
// passphrase on stdin or in $SEGEL_PASSPHRASE; in-process and through the
// built binary.
func TestSignHandMadeToken(t *testing.T) {
	h := newHandToken(t, "bupati", "246810")
	p := testpki.MustNew(t, testpki.Options{})
	root := filepath.Join(t.TempDir(), "root.pem")
	writePEM(t, root, p.Root.Cert)
	data := letter(t)

	rsaPub := h.keypair(t, "rsa:2048", "01", "signer")
	id := p.MustIssueSigner(t, testpki.SignerOptions{PublicKey: rsaPub, Subject: pkix.Name{CommonName: "Bupati Token"}, NonRepudiation: true})
	h.writeCert(t, id.Cert, "01", "signer")
	h.writeCert(t, id.Chain[0], "a1", "issuing-ca") // CA certificates found by subject
	h.writeCert(t, id.Chain[1], "a2", "root-ca")

	ecPub := h.keypair(t, "EC:prime256v1", "02", "ec-signer")
	ecID := p.MustIssueSigner(t, testpki.SignerOptions{PublicKey: ecPub, Subject: pkix.Name{CommonName: "EC No Cert On Token"}})
	ecChain := writeFile(t, t.TempDir(), "ec-chain.pem", ecID.FullChainPEM())

	renewed := p.MustIssueSigner(t, testpki.SignerOptions{PublicKey: rsaPub, Subject: pkix.Name{CommonName: "Bupati Renewed"}})
	renewedChain := writeFile(t, t.TempDir(), "renewed.pem", renewed.FullChainPEM())

	in := writeFile(t, t.TempDir(), "in.pdf", data)
	cases := []struct {
		name  string
		args  []string
		stdin string
		env   []string
		cn    string
	}{
		{"token-chain/object", []string{"--key", h.uri("object=signer", true)}, "", nil, "Bupati Token"},
		{"token-chain/id", []string{"--key", h.uri("id=%01", true)}, "", nil, "Bupati Token"},
		{"no-cert-on-token/--cert", []string{"--key", h.uri("object=ec-signer", true), "--cert", ecChain}, "", nil, "EC No Cert On Token"},
		{"--cert-replaces", []string{"--key", h.uri("object=signer", true), "--cert", renewedChain}, "", nil, "Bupati Renewed"},
		{"personal/stdin", []string{"--key", h.uri("object=signer", false)}, h.pin + "\n", nil, "Bupati Token"},
		{"personal/env", []string{"--key", h.uri("object=signer", false)}, "", []string{"SEGEL_PASSPHRASE=" + h.pin}, "Bupati Token"},
	}
	for _, c := range cases {
		for _, how := range []string{"run", "binary"} {
			t.Run(c.name+"/"+how, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "signed.pdf")
				args := append(append([]string{"sign"}, c.args...), in, out)
				var r result
				if how == "binary" {
					r = segelExec(t, strings.NewReader(c.stdin), c.env, args...)
				} else {
					for _, kv := range c.env {
						k, v, _ := strings.Cut(kv, "=")
						t.Setenv(k, v)
					}
					r = segel(t, strings.NewReader(c.stdin), args...)
				}
				report := checkSignOutput(t, r, data, out, root)
				if !strings.Contains(report, c.cn) {
					t.Errorf("pdfsig does not name %q:\n%s", c.cn, report)
				}
				if strings.Contains(r.stderr, h.pin) {
					t.Errorf("stderr shows the PIN: %s", r.stderr)
				}
			})
		}
	}

	// A personal key with a wrong passphrase, or with the PDF on stdin and
	// no $SEGEL_PASSPHRASE.
	out := filepath.Join(t.TempDir(), "signed.pdf")
	r := segel(t, strings.NewReader("999999\n"), "sign", "--key", h.uri("object=signer", false), in, out)
	if r.code != 1 || strings.Contains(r.stderr, "999999") || !strings.Contains(r.stderr, "hint: ") {
		t.Errorf("wrong passphrase: %v", r)
	}
	noOutput(t, out)
	r = segel(t, bytes.NewReader(data), "sign", "--key", h.uri("object=signer", false), "-", out)
	if r.code != 1 || !strings.Contains(r.stderr, "SEGEL_PASSPHRASE") {
		t.Errorf("personal key, PDF on stdin: %v", r)
	}
	noOutput(t, out)

	// A key without a certificate on the token and no --cert.
	r = segel(t, nil, "sign", "--key", h.uri("object=ec-signer", true), in, out)
	if r.code != 1 || !strings.Contains(r.stderr, "certificate") || !strings.Contains(r.stderr, "hint: ") {
		t.Errorf("token key without certificate: %v", r)
	}
	noOutput(t, out)
}

func TestSignWrongPIN(t *testing.T) {
	tok := softhsmtest.New(t, "pin", "1234")
	p := testpki.MustNew(t, testpki.Options{})
	pub := tok.GenerateKey(t, "signer", "ec-p256")
	id := p.MustIssueSigner(t, testpki.SignerOptions{PublicKey: pub})
	tok.ImportCert(t, "signer", id.Cert, id.Chain...)
	in := writeFile(t, t.TempDir(), "in.pdf", letter(t))
	const secret = "Salah-PIN-8642"
	bad := strings.Replace(tok.KeyURI("signer"), "pin-value=1234", "pin-value="+secret, 1)
	out := filepath.Join(t.TempDir(), "out.pdf")
	for _, how := range []string{"run", "binary"} {
		var r result
		if how == "run" {
			r = segel(t, nil, "sign", "--key", bad, in, out)
		} else {
			r = segelExec(t, nil, nil, "sign", "--key", bad, in, out)
		}
		if r.code != 1 || !strings.Contains(r.stderr, "segel: ") || !strings.Contains(r.stderr, "PIN") || !strings.Contains(r.stderr, "hint: ") {
			t.Errorf("%s: %v", how, r)
		}
		if strings.Contains(r.stderr, secret) || bytes.Contains(r.stdout, []byte(secret)) {
			t.Errorf("%s: the PIN is shown: %v", how, r)
		}
		noOutput(t, out)
	}
}

func TestSignErrors(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	f := newFixture(t, p, testpki.SignerOptions{})
	other := newFixture(t, p, testpki.SignerOptions{})
	now := time.Now()
	expired := newFixture(t, p, testpki.SignerOptions{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-24 * time.Hour)})
	notYet := newFixture(t, p, testpki.SignerOptions{NotBefore: now.Add(24 * time.Hour), NotAfter: now.Add(48 * time.Hour)})
	dir := t.TempDir()

	notPDF := writeFile(t, dir, "letter.pdf", []byte("Surat ini bukan PDF.\n"))
	truncated := writeFile(t, dir, "truncated.pdf", f.data[:len(f.data)/2])
	empty := writeFile(t, dir, "empty.pdf", nil)
	encrypted := filepath.Join(dir, "encrypted.pdf")
	if out, err := exec.Command(testenv.Tool(t, "qpdf"), "--encrypt", "u", "o", "256", "--", f.in, encrypted).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --encrypt: %v\n%s", err, out)
	}
	form := writeFile(t, dir, "form.pdf", readFile(t, filepath.Join("..", "..", "testdata", "pdf", "form-2page.pdf")))
	certified := map[string]string{}
	for _, p := range []string{"1", "2"} {
		certified[p] = filepath.Join(dir, "certified-p"+p+".pdf")
		if r := segel(t, nil, "sign", "--key", f.key, "--certify", p, f.in, certified[p]); r.code != 0 {
			t.Fatalf("certify P=%s: %v", p, r)
		}
	}

	cases := []struct {
		name string
		args []string // OUT is appended
		code int
		want []string
	}{
		{"not a PDF", []string{"--key", f.key, notPDF}, 3, []string{"not a readable PDF"}},
		{"truncated PDF", []string{"--key", f.key, truncated}, 3, []string{"not a readable PDF"}},
		{"empty file", []string{"--key", f.key, empty}, 3, []string{"not a readable PDF"}},
		{"encrypted PDF", []string{"--key", f.key, encrypted}, 3, []string{"encrypted PDFs are not supported", "qpdf --decrypt"}},
		{"missing input", []string{"--key", f.key, filepath.Join(dir, "nope.pdf")}, 3, []string{"nope.pdf"}},
		{"field not found", []string{"--key", f.key, "--field", "TandaTangan9", form}, 1, []string{"signature field not found", "field name"}},
		{"field not found, no form", []string{"--key", f.key, "--field", "Signature1", f.in}, 1, []string{"signature field not found"}},
		{"key does not match --cert", []string{"--key", f.bare, "--cert", other.cert, f.in}, 1, []string{"certificate", "--cert"}},
		{"key file without certificate", []string{"--key", f.bare, f.in}, 1, []string{"no certificate", "--cert"}},
		{"expired certificate", []string{"--key", expired.key, f.in}, 1, []string{"not valid at the signing time", "renew"}},
		{"not yet valid certificate", []string{"--key", notYet.key, f.in}, 1, []string{"not valid at the signing time"}},
		{"missing key file", []string{"--key", filepath.Join(dir, "nokey.pem"), f.in}, 1, []string{"nokey.pem"}},
		{"missing --cert file", []string{"--key", f.bare, "--cert", filepath.Join(dir, "nocert.pem"), f.in}, 1, []string{"nocert.pem"}},
		{"missing --key", []string{f.in}, 3, []string{"--key is required"}},
		{"one positional argument", []string{"--key", f.key, f.in}, 3, []string{"IN.pdf and OUT.pdf"}},
		{"unknown flag", []string{"--kye", f.key, f.in}, 3, []string{"kye"}},
		{"bad --level", []string{"--key", f.key, "--level", "B-X", f.in}, 3, []string{"--level"}},
		{"--level B-T without --tsa", []string{"--key", f.key, "--level", "B-T", f.in}, 3, []string{"--tsa"}},
		{"--level B-LTA, TSA down", []string{"--key", f.key, "--level", "B-LTA", "--tsa", "http://127.0.0.1:1/", f.in}, 1, []string{"127.0.0.1:1", "no lower level"}},
		{"--visible, a bad spec", []string{"--key", f.key, "--visible", "page=1;rect=10,10", f.in}, 3, []string{"rect"}},
		{"bad --hash", []string{"--key", f.key, "--hash", "md5", f.in}, 3, []string{"md5"}},
		{"bad --certify", []string{"--key", f.key, "--certify", "7", f.in}, 3, []string{"7"}},
		{"--page out of range", []string{"--key", f.key, "--page", "9", f.in}, 1, []string{"page"}},
		{"visible after a P=2 certification", []string{"--key", other.key, "--visible", "page=1;rect=330,60,560,150", certified["2"]}, 3,
			[]string{"certified document allows no new visible signature", "drop --visible"}},
		{"signing a P=1 certification", []string{"--key", other.key, certified["1"]}, 1, []string{"no changes allowed", "segel augment"}},
		{"input is a directory", []string{"--key", f.key, dir}, 3, []string{"not a regular file"}},
	}
	// A hint line is welcome but not required for these.
	optionalHint := map[string]bool{"missing key file": true, "missing --cert file": true, "--page out of range": true}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "signed.pdf")
			args := append([]string{"sign"}, c.args...)
			if c.name != "one positional argument" {
				args = append(args, out)
			}
			r := segel(t, nil, args...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d\n%v", r.code, c.code, r)
			}
			if !strings.HasPrefix(r.stderr, "segel: ") && !strings.Contains(r.stderr, "\nsegel: ") {
				t.Errorf("no 'segel: ' message:\n%s", r.stderr)
			}
			if !optionalHint[c.name] && !strings.Contains(r.stderr, "\nhint: ") {
				t.Errorf("no 'hint: ' line:\n%s", r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if len(r.stdout) != 0 {
				t.Errorf("stdout: %q", r.stdout)
			}
			noOutput(t, out)
		})
	}
	// OUT in a directory that does not exist.
	out := filepath.Join(dir, "no-such-dir", "signed.pdf")
	if r := segel(t, nil, "sign", "--key", f.key, f.in, out); r.code != 1 || !strings.Contains(r.stderr, "no-such-dir") {
		t.Errorf("OUT in a missing directory: %v", r)
	}
	if _, err := os.Stat(filepath.Dir(out)); err == nil {
		t.Errorf("%s was created", filepath.Dir(out))
	}

	// The inputs are untouched.
	if !bytes.Equal(readFile(t, f.in), f.data) {
		t.Error("the input changed")
	}
	noTemp(t, dir)
}

// TestSignInPlace signs with OUT = IN: written to a temporary file and
// renamed over the input.
func TestSignInPlace(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	f := newFixture(t, p, testpki.SignerOptions{})
	dir := t.TempDir()
	file := writeFile(t, dir, "surat.pdf", f.data)
	r := segel(t, nil, "sign", "--key", f.key, file, file)
	checkSignOutput(t, r, f.data, file, f.root)
	if st, err := os.Stat(file); err != nil || st.Mode().Perm()&0o044 == 0 {
		t.Errorf("output mode: %v %v", st.Mode(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the directory, want 1", len(entries))
	}
	// A failure in place leaves the input as it was.
	r = segel(t, nil, "sign", "--key", f.key, "--field", "Nope", file, file)
	if r.code == 0 {
		t.Fatal("signing into a missing field succeeded")
	}
	checkSigned(t, readFile(t, file), f.root)
	noTemp(t, dir)
}

// TestSignStdio reads the PDF from stdin and writes the signed PDF to
// stdout: stdout holds exactly the signed PDF.
func TestSignStdio(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // segel's spool files go here
	p := testpki.MustNew(t, testpki.Options{})
	f := newFixture(t, p, testpki.SignerOptions{})

	for _, how := range []string{"run", "binary"} {
		t.Run(how, func(t *testing.T) {
			do := func(stdin []byte, args ...string) result {
				if how == "binary" {
					return segelExec(t, bytes.NewReader(stdin), nil, args...)
				}
				return segel(t, bytes.NewReader(stdin), args...)
			}
			// stdin → stdout
			r := do(f.data, "sign", "--key", f.key, "-", "-")
			if r.code != 0 {
				t.Fatalf("%v", r)
			}
			if !bytes.HasPrefix(r.stdout, f.data) {
				t.Fatalf("stdout (%d bytes) does not begin with the input", len(r.stdout))
			}
			checkSigned(t, r.stdout, f.root) // the /ByteRange reaches the end of stdout: nothing after
			if strings.TrimSpace(r.stderr) != "" {
				t.Errorf("stderr: %q", r.stderr)
			}
			noTemp(t, tmp)

			// file → stdout
			r = do(nil, "sign", "--key", f.key, f.in, "-")
			if r.code != 0 {
				t.Fatalf("%v", r)
			}
			checkSigned(t, r.stdout, f.root)
			noTemp(t, tmp)

			// stdin → file
			out := filepath.Join(t.TempDir(), "signed.pdf")
			r = do(f.data, "sign", "--key", f.key, "-", out)
			checkSignOutput(t, r, f.data, out, f.root)
			if len(r.stdout) != 0 {
				t.Errorf("stdout: %d bytes", len(r.stdout))
			}
			noTemp(t, tmp)

			// A failure with stdout as output writes nothing to stdout.
			r = do([]byte("bukan PDF"), "sign", "--key", f.key, "-", "-")
			if r.code != 3 || len(r.stdout) != 0 || !strings.Contains(r.stderr, "hint: ") {
				t.Errorf("not a PDF on stdin: %v\nstdout %q", r, r.stdout)
			}
			noTemp(t, tmp)
		})
	}
}

// TestBinary runs the built command: exit codes and messages go through
// main.
func TestBinary(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	f := newFixture(t, p, testpki.SignerOptions{})
	out := filepath.Join(t.TempDir(), "signed.pdf")
	r := segelExec(t, nil, nil, "sign", "--key", f.key, "--reason", "Persetujuan", f.in, out)
	checkSignOutput(t, r, f.data, out, f.root)

	r = segelExec(t, nil, nil, "verify", "--trust", f.root, "--lang", "en", out)
	if r.code != 0 || !strings.HasPrefix(string(r.stdout), "Authentic document") {
		t.Errorf("verify: %v\n%s", r, r.stdout)
	}
	bad := filepath.Join(t.TempDir(), "bad.pdf")
	r = segelExec(t, nil, nil, "sign", "--key", f.key, f.key, bad)
	if r.code != 3 || !strings.Contains(r.stderr, "hint: ") {
		t.Errorf("sign, not a PDF: %v", r)
	}
	noOutput(t, bad)
	if r = segelExec(t, nil, nil, "verify", f.in); r.code != 1 {
		t.Errorf("verify unsigned: %v", r)
	}
	if r = segelExec(t, nil, nil, "verify", "--no-default-trust", out); r.code != 2 {
		t.Errorf("verify untrusted: %v", r)
	}
	if r = segelExec(t, nil, nil, "verify", f.key); r.code != 3 {
		t.Errorf("verify, not a PDF: %v", r)
	}
	if r = segelExec(t, nil, nil); r.code != 3 || !strings.Contains(r.stderr, "usage") {
		t.Errorf("no arguments: %v", r)
	}
	if r = segelExec(t, nil, nil, "version"); r.code != 0 || !strings.HasPrefix(string(r.stdout), "segel ") {
		t.Errorf("version: %v", r)
	}
	if r = segelExec(t, nil, nil, "sign", "-h"); r.code != 0 || !strings.Contains(r.stderr, "--key") {
		t.Errorf("sign -h: %v", r)
	}
}
