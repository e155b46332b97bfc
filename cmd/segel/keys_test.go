package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/pkcs11"
)

func keys(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runKeys(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func mustKeys(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := keys(t, "", args...)
	if code != 0 {
		t.Fatalf("segel keys %q: exit %d\n%s%s", args, code, out, errs)
	}
	return out
}

// verifyCSR checks a PEM CSR with openssl and returns it parsed.
func verifyCSR(t *testing.T, pemCSR string) *x509.CertificateRequest {
	t.Helper()
	openssl := testenv.Tool(t, "openssl")
	file := filepath.Join(t.TempDir(), "req.pem")
	if err := os.WriteFile(file, []byte(pemCSR), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(openssl, "req", "-in", file, "-verify", "-noout").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "verify OK") {
		t.Fatalf("openssl req -verify: %v\n%s", err, out)
	}
	b, _ := pem.Decode([]byte(pemCSR))
	if b == nil || b.Type != "CERTIFICATE REQUEST" {
		t.Fatalf("not a PEM CSR:\n%s", pemCSR)
	}
	csr, err := x509.ParseCertificateRequest(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return csr
}

func TestKeysGenerateCSRImportList(t *testing.T) {
	tok := softhsmtest.New(t, "sleman", "1234")
	for _, kt := range []string{"rsa-2048", "ec-p256", "ec-p384"} {
		t.Run(kt, func(t *testing.T) {
			label := "pejabat-" + kt
			uri := tok.KeyURI(label)
			out := mustKeys(t, "generate", "--key", uri, "--type", kt)
			if !strings.Contains(out, "PUBLIC KEY") || !strings.Contains(out, "object="+label) || strings.Contains(out, "pin-value") {
				t.Fatalf("generate output:\n%s", out)
			}
			out = mustKeys(t, "csr", "--key", uri, "--subject", `CN=Drs. Budi\, M.Si,O=Pemerintah Kabupaten Sleman,OU=BKAD,C=ID,serialNumber=197001012000031001`, "--email", "budi@slemankab.go.id")
			csr := verifyCSR(t, out)
			if csr.Subject.CommonName != "Drs. Budi, M.Si" || csr.Subject.Organization[0] != "Pemerintah Kabupaten Sleman" ||
				csr.Subject.SerialNumber != "197001012000031001" || csr.EmailAddresses[0] != "budi@slemankab.go.id" {
				t.Fatalf("CSR subject %v, emails %v", csr.Subject, csr.EmailAddresses)
			}
			want := map[string]x509.SignatureAlgorithm{"rsa-2048": x509.SHA256WithRSA, "ec-p256": x509.ECDSAWithSHA256, "ec-p384": x509.ECDSAWithSHA384}[kt]
			if csr.SignatureAlgorithm != want {
				t.Fatalf("CSR signature algorithm %v, want %v", csr.SignatureAlgorithm, want)
			}

			// Issue a certificate for the CSR and import it, flags after the files.
			leaf, inter, root := issue(t, csr)
			dir := t.TempDir()
			certFile, chainFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "chain.pem")
			writePEM(t, certFile, leaf)
			writePEM(t, chainFile, inter, root)
			out = mustKeys(t, "import-cert", certFile, chainFile, "--key", uri)
			if !strings.Contains(out, "2 CA certificate") {
				t.Fatalf("import-cert output: %s", out)
			}
			mustKeys(t, "import-cert", "--key", uri, certFile, chainFile) // again: nothing new

			k, err := pkcs11.Open(context.Background(), uri, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			if c := k.Chain(); len(c) != 3 || !c[0].Equal(leaf) || !c[2].Equal(root) {
				t.Fatalf("chain after import: %d certificates", len(c))
			}
		})
	}
	out := mustKeys(t, "list", "--token", tok.URI())
	for _, w := range []string{`token "sleman"`, "private-key", `"pejabat-rsa-2048"`, "RSA-2048", "EC-256", "EC-384", "X.509", "Test Root CA"} {
		if !strings.Contains(out, w) {
			t.Errorf("list output lacks %q:\n%s", w, out)
		}
	}
	// Every token of the module, no PIN.
	out = mustKeys(t, "list", "--token", "pkcs11:?module-path="+tok.Module)
	if !strings.Contains(out, "not logged in") || strings.Contains(out, "private-key") {
		t.Errorf("list without PIN:\n%s", out)
	}
}

// TestKeysOutsideToken runs list and csr on a token and key made by
// softhsm2-util and pkcs11-tool.
func TestKeysOutsideToken(t *testing.T) {
	tok := softhsmtest.New(t, "outside", "4321")
	tool := testenv.Tool(t, "pkcs11-tool")
	out, err := exec.Command(tool, "--module", tok.Module, "--token-label", "outside", "--login", "--pin", "4321",
		"--keypairgen", "--key-type", "rsa:2048", "--id", "01", "--label", "signer").CombinedOutput()
	if err != nil {
		t.Fatalf("pkcs11-tool: %v\n%s", err, out)
	}
	list := mustKeys(t, "list", "--token", tok.URI())
	if !strings.Contains(list, `"signer"`) || !strings.Contains(list, "id 01") || !strings.Contains(list, "RSA-2048") {
		t.Fatalf("list:\n%s", list)
	}
	uri := "pkcs11:token=outside;id=%01?module-path=" + tok.Module + "&pin-value=4321"
	csr := verifyCSR(t, mustKeys(t, "csr", "--key", uri, "--subject", "CN=Outside Key,O=Kabupaten Bantul,C=ID"))
	if csr.Subject.CommonName != "Outside Key" {
		t.Fatalf("subject %v", csr.Subject)
	}
	// A personal key: no PIN in the URI, passphrase on stdin.
	code, pemCSR, errs := keys(t, "4321\n", "csr", "--subject", "CN=Personal", "--key", "pkcs11:token=outside;object=signer?module-path="+tok.Module)
	if code != 0 {
		t.Fatalf("personal csr: exit %d: %s", code, errs)
	}
	verifyCSR(t, pemCSR)
	code, _, errs = keys(t, "wrong-pass\n", "csr", "--subject", "CN=Personal", "--key", "pkcs11:token=outside;object=signer?module-path="+tok.Module)
	if code != 1 || !strings.Contains(errs, "passphrase") || strings.Contains(errs, "wrong-pass") {
		t.Fatalf("personal csr, wrong passphrase: exit %d: %s", code, errs)
	}
}

func TestKeysErrors(t *testing.T) {
	tok := softhsmtest.New(t, "errs", "1234")
	mustKeys(t, "generate", "--key", tok.KeyURI("k"), "--type", "ec-p256")
	const secret = "Very-Secret-PIN-31337"
	bad := "pkcs11:token=errs;object=k?module-path=" + tok.Module + "&pin-value=" + secret
	for name, c := range map[string]struct {
		args []string
		code int
		want string
	}{
		"no command":      {nil, 3, "usage"},
		"unknown command": {[]string{"frobnicate"}, 3, "unknown command"},
		"list no token":   {[]string{"list"}, 3, "--token"},
		"list bad flag":   {[]string{"list", "--tokn", "x"}, 3, "tokn"},
		"generate type":   {[]string{"generate", "--key", tok.KeyURI("n"), "--type", "dsa-1024"}, 3, "dsa-1024"},
		"generate exists": {[]string{"generate", "--key", tok.KeyURI("k"), "--type", "ec-p256"}, 1, "already exists"},
		"csr no subject":  {[]string{"csr", "--key", tok.KeyURI("k")}, 3, "--subject"},
		"csr bad subject": {[]string{"csr", "--key", tok.KeyURI("k"), "--subject", "CN=x,FOO=bar"}, 3, "FOO"},
		"csr bad country": {[]string{"csr", "--key", tok.KeyURI("k"), "--subject", "CN=x,C=IDN"}, 3, "country"},
		"csr wrong PIN":   {[]string{"csr", "--key", bad, "--subject", "CN=x"}, 1, "PIN"},
		"csr bad URI":     {[]string{"csr", "--key", bad + "%zz", "--subject", "CN=x"}, 1, "percent-encoding"},
		"csr no key":      {[]string{"csr", "--key", tok.KeyURI("nokey"), "--subject", "CN=x"}, 1, "not found"},
		"import no file":  {[]string{"import-cert", "--key", tok.KeyURI("k")}, 3, "certificate file"},
		"import missing":  {[]string{"import-cert", "--key", tok.KeyURI("k"), "/nonexistent.pem"}, 1, "nonexistent"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errs := keys(t, "", c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, c.code, errs)
			}
			if !strings.Contains(errs, c.want) {
				t.Errorf("stderr lacks %q:\n%s", c.want, errs)
			}
			if strings.Contains(errs, secret) {
				t.Errorf("stderr shows the PIN:\n%s", errs)
			}
			if c.args != nil && (!strings.Contains(errs, "segel: ") || !strings.Contains(errs, "hint: ")) {
				t.Errorf("stderr lacks segel:/hint: lines:\n%s", errs)
			}
		})
	}
	if code, out, _ := keys(t, "", "help"); code != 0 || !strings.Contains(out, "import-cert") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
}

func TestParseDN(t *testing.T) {
	n, err := parseDN(`CN=Budi\, S.H.,O=Pemkab Sleman, OU=BKAD,OU=TI,C=id,L=Sleman,ST=DI Yogyakarta,SERIALNUMBER=123,emailAddress=a@b.id,CN2\3D=x`)
	if err == nil {
		t.Fatal("unknown attribute accepted")
	}
	n, err = parseDN(`CN=Budi\, S.H.,O=Pemkab Sleman, OU=BKAD,OU=TI,C=id,L=Sleman,ST=DI Yogyakarta,SERIALNUMBER=123,emailAddress=a@b.id,STREET=Jl. Parasamya \2C 1`)
	if err != nil {
		t.Fatal(err)
	}
	if n.CommonName != "Budi, S.H." || n.Organization[0] != "Pemkab Sleman" || len(n.OrganizationalUnit) != 2 ||
		n.Country[0] != "ID" || n.Locality[0] != "Sleman" || n.Province[0] != "DI Yogyakarta" || n.SerialNumber != "123" ||
		len(n.ExtraNames) != 1 || n.StreetAddress[0] != "Jl. Parasamya , 1" {
		t.Fatalf("%+v", n)
	}
	for _, s := range []string{"", "CN", "=x", "CN=", `CN=x\`, "CN=a,CN=b", "C=Indonesia", "X=1"} {
		if _, err := parseDN(s); err == nil {
			t.Errorf("parseDN(%q) succeeded", s)
		}
	}
}
