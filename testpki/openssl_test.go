package testpki

import (
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testenv"
	"golang.org/x/crypto/ocsp"
)

// openssl runs openssl with args in dir and returns its combined output.
func openssl(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(testenv.Tool(t, "openssl"), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOpenSSL checks testpki's output with an independent implementation.
func TestOpenSSL(t *testing.T) {
	testenv.Tool(t, "openssl")
	p := MustNew(t, Options{DelegatedOCSP: true})
	leaf := p.MustIssueSigner(t, SignerOptions{NonRepudiation: true, DocumentSigning: true})
	revoked := p.MustIssueSigner(t, SignerOptions{})
	if err := p.Revoke(revoked.Cert, time.Time{}, ocsp.KeyCompromise); err != nil {
		t.Fatal(err)
	}
	tsa, err := p.IssueTSA(SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	crl, err := p.CRL(p.Issuing, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	ocspGood, err := p.OCSPResponseFor(leaf.Cert, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	ocspRevoked, err := p.OCSPResponseFor(revoked.Cert, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	pfx, err := leaf.PKCS12("rahasia")
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := leaf.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{
		"root.pem":         p.Root.CertPEM(),
		"inter.pem":        p.Issuing.CertPEM(),
		"leaf.pem":         leaf.CertPEM(),
		"leaf.key":         keyPEM,
		"revoked.pem":      revoked.CertPEM(),
		"tsa.pem":          tsa.CertPEM(),
		"crl.pem":          pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crl}),
		"ocsp-good.der":    ocspGood,
		"ocsp-revoked.der": ocspRevoked,
		"leaf.p12":         pfx,
	})

	t.Run("verify chain", func(t *testing.T) {
		out, err := openssl(t, dir, "verify", "-CAfile", "root.pem", "-untrusted", "inter.pem", "leaf.pem")
		if err != nil || !strings.Contains(out, "leaf.pem: OK") {
			t.Errorf("openssl verify: %v\n%s", err, out)
		}
	})
	t.Run("document signing EKU", func(t *testing.T) {
		out, err := openssl(t, dir, "x509", "-in", "leaf.pem", "-noout", "-text")
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		// OpenSSL 3.0 prints the OID; later versions name it.
		if !strings.Contains(out, "1.3.6.1.5.5.7.3.36") && !strings.Contains(out, "Document Signing") {
			t.Errorf("x509 -text shows no document-signing EKU:\n%s", out)
		}
		if !strings.Contains(out, "Digital Signature, Non Repudiation") {
			t.Errorf("x509 -text shows no nonRepudiation:\n%s", out)
		}
	})
	t.Run("TSA purpose", func(t *testing.T) {
		out, err := openssl(t, dir, "verify", "-purpose", "timestampsign", "-CAfile", "root.pem", "-untrusted", "inter.pem", "tsa.pem")
		if err != nil || !strings.Contains(out, "tsa.pem: OK") {
			t.Errorf("openssl verify -purpose timestampsign: %v\n%s", err, out)
		}
	})
	t.Run("CRL", func(t *testing.T) {
		out, err := openssl(t, dir, "crl", "-in", "crl.pem", "-CAfile", "inter.pem", "-noout", "-text")
		if err != nil || !strings.Contains(out, "verify OK") || !strings.Contains(out, "Key Compromise") {
			t.Errorf("openssl crl: %v\n%s", err, out)
		}
		out, err = openssl(t, dir, "verify", "-crl_check", "-CRLfile", "crl.pem", "-CAfile", "root.pem", "-untrusted", "inter.pem", "revoked.pem")
		if err == nil || !strings.Contains(out, "certificate revoked") {
			t.Errorf("openssl verify -crl_check of a revoked certificate: %v\n%s", err, out)
		}
	})
	t.Run("OCSP", func(t *testing.T) {
		for file, want := range map[string]string{"ocsp-good.der": "leaf.pem: good", "ocsp-revoked.der": "revoked.pem: revoked"} {
			cert := strings.SplitN(want, ":", 2)[0]
			out, err := openssl(t, dir, "ocsp", "-respin", file, "-issuer", "inter.pem", "-cert", cert,
				"-CAfile", "root.pem", "-verify_other", "inter.pem")
			if err != nil || !strings.Contains(out, "Response verify OK") || !strings.Contains(out, want) {
				t.Errorf("openssl ocsp -respin %s: %v\n%s", file, err, out)
			}
		}
	})
	t.Run("PKCS12", func(t *testing.T) {
		out, err := openssl(t, dir, "pkcs12", "-in", "leaf.p12", "-passin", "pass:rahasia", "-nokeys", "-info")
		if err != nil || strings.Count(out, "BEGIN CERTIFICATE") != 3 {
			t.Errorf("openssl pkcs12: %v\n%s", err, out)
		}
	})
}
