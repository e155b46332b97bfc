package trust

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/testpki"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// withNegativeSerial re-encodes a certificate with serial number -5 (its
// signature no longer matches, which does not matter to a parser that
// stops at the serial).
func withNegativeSerial(t *testing.T, der []byte) []byte {
	t.Helper()
	s := cryptobyte.String(der)
	var cert, tbs, version cryptobyte.String
	var serial big.Int
	if !s.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&version, cbasn1.Tag(0).Constructed().ContextSpecific()) || !tbs.ReadASN1Integer(&serial) {
		t.Fatal("cannot take the certificate apart")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddBytes(version)
			b.AddASN1BigInt(big.NewInt(-5))
			b.AddBytes(tbs)
		})
		b.AddBytes(cert)
	})
	return b.BytesOrPanic()
}

func TestAddPEM(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	signer := p.MustIssueSigner(t, testpki.SignerOptions{})
	negative := p.MustIssueSigner(t, testpki.SignerOptions{Subject: pkixName("Negatif")})
	keyPEM, err := signer.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	var data []byte
	data = append(data, "Bundle of test anchors\n"...)
	data = append(data, p.Root.CertPEM()...)                                                                          // block 1
	data = append(data, pemBlock("CERTIFICATE", []byte("garbage, not DER"))...)                                       // block 2
	data = append(data, keyPEM...)                                                                                    // block 3
	data = append(data, pemBlock("CERTIFICATE", withNegativeSerial(t, negative.Cert.Raw))...)                         // block 4
	data = append(data, pemBlock("TRUSTED CERTIFICATE", append(append([]byte{}, signer.Cert.Raw...), 0x30, 0x00))...) // block 5
	data = append(data, p.Root.CertPEM()...)                                                                          // block 6, a duplicate
	data = append(data, "-----BEGIN CERTIFICATE-----\n!!!! not base64 !!!!\n-----END CERTIFICATE-----\n"...)

	var pool Pool // the zero value is ready to use
	added, warnings := pool.AddPEM(data, "bundle.pem")
	if added != 2 || pool.Len() != 2 {
		t.Errorf("added %d, pool has %d anchors; want 2 (root and pinned signer)", added, pool.Len())
	}
	if !pool.Contains(p.Root.Cert) || !pool.Contains(signer.Cert) {
		t.Error("pool lacks the root or the pinned signer")
	}
	want := []string{
		"bundle.pem: PEM block 2: skipped: x509: malformed certificate",
		`bundle.pem: PEM block 3: skipped: type "PRIVATE KEY" is not a certificate`,
		`bundle.pem: PEM block 4: skipped: x509: negative serial number (subject "CN=Negatif,O=Pemerintah Kabupaten Contoh,C=ID", serial -5); Go refuses negative serial numbers unless GODEBUG=x509negativeserial=1`,
		"bundle.pem: skipped 1 malformed PEM block(s)",
	}
	if strings.Join(warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(warnings, "\n"), strings.Join(want, "\n"))
	}

	if added, warnings := pool.AddPEM([]byte("hello"), "hello.txt"); added != 0 || len(warnings) != 1 || !strings.Contains(warnings[0], "no PEM certificate") {
		t.Errorf("text without PEM: added %d, warnings %q", added, warnings)
	}
}

func TestPool(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	signer := p.MustIssueSigner(t, testpki.SignerOptions{DocumentSigning: true})

	a := NewPool()
	if !a.AddIntermediate(p.Issuing.Cert, "inter.pem") || a.AddIntermediate(p.Issuing.Cert, "again.pem") {
		t.Error("AddIntermediate did not report a new and a repeated certificate")
	}
	if a.Contains(p.Issuing.Cert) || a.Len() != 0 {
		t.Error("an intermediate counts as an anchor")
	}
	if !a.AddCert(p.Issuing.Cert, "pinned-ca.pem") || a.AddCert(p.Issuing.Cert, "x") {
		t.Error("AddCert did not promote the intermediate exactly once")
	}
	if !a.Contains(p.Issuing.Cert) || len(a.Intermediates()) != 0 {
		t.Error("the promoted intermediate is still an intermediate")
	}
	if src, _ := a.Source(p.Issuing.Cert); src != "pinned-ca.pem" {
		t.Errorf("source %q, want pinned-ca.pem", src)
	}
	if a.AddIntermediate(p.Issuing.Cert, "y") {
		t.Error("an anchor was demoted to intermediate")
	}

	b := NewPool()
	b.AddCert(signer.Cert, "signer.pem") // a pinned end-entity certificate
	b.AddIntermediate(p.Root.Cert, "root-as-intermediate.pem")
	a.Merge(b)
	a.Merge(nil)
	if a.Len() != 2 || len(a.Intermediates()) != 1 {
		t.Errorf("after Merge: %d anchors, %d intermediates; want 2 and 1", a.Len(), len(a.Intermediates()))
	}
	if src, ok := a.Source(signer.Cert); !ok || src != "signer.pem" {
		t.Errorf("merged source %q %v", src, ok)
	}
	if _, ok := a.Source(p.MustIssueSigner(t, testpki.SignerOptions{}).Cert); ok {
		t.Error("Source found a certificate not in the pool")
	}

	// A pinned end-entity certificate verifies as its own one-element chain.
	chains, err := signer.Cert.Verify(x509.VerifyOptions{Roots: b.CertPool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil || len(chains[0]) != 1 {
		t.Errorf("pinned signer: %v %v", chains, err)
	}
	// Intermediates serve path building to the anchors.
	c := NewPool()
	c.AddCert(p.Root.Cert, "root.pem")
	c.AddIntermediate(p.Issuing.Cert, "inter.pem")
	if _, err := signer.Cert.Verify(x509.VerifyOptions{
		Roots: c.CertPool(), Intermediates: c.IntermediatePool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		CurrentTime: time.Now(),
	}); err != nil {
		t.Errorf("path through the pool's intermediate: %v", err)
	}
	// Another PKI with the same names is not trusted.
	other := testpki.MustNew(t, testpki.Options{})
	if c.Contains(other.Root.Cert) {
		t.Error("Contains matched another PKI's root by name")
	}
}

func pkixName(cn string) pkix.Name { return pkix.Name{CommonName: cn} }
