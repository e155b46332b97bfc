package cms

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// walk calls every helper on a parsed SignedData; it must not panic.
func walk(t *testing.T, sd *SignedData, depth int) {
	certs := sd.ParsedCertificates()
	_, _ = ParseTSTInfo(sd.EContent)
	_, _ = sd.TSTInfo()
	for _, si := range sd.SignerInfos {
		_, _ = si.Hash()
		_, _ = si.ContentType()
		_, _ = si.MessageDigest()
		_, _ = si.SigningTime()
		if sc, err := si.SigningCertificateV2(); err == nil {
			for _, c := range certs {
				sc.Certs[0].Matches(c)
			}
		}
		if sc, err := si.SigningCertificate(); err == nil {
			for _, c := range certs {
				sc.Certs[0].Matches(c)
			}
		}
		_, _ = si.RevocationInfoArchival()
		_ = si.SignedAttrsDER()
		_, _ = si.FindCertificate(certs)
		for _, c := range certs {
			_ = si.VerifySignature(c)
			_ = si.VerifySignatureNoAttrs(c, make([]byte, 32))
			_ = sd.VerifyDetached(si, c, make([]byte, 32))
			_ = sd.VerifyContent(si, c)
		}
		if depth == 0 {
			for _, tok := range si.TimeStampTokens() {
				if tsd, err := Parse(tok); err == nil {
					walk(t, tsd, depth+1)
				}
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		sd, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupportedAlgorithm) {
				t.Fatalf("Parse error of no class: %v", err)
			}
			_, _ = ParseTSTInfo(data)
			return
		}
		again, err := Parse(sd.Raw)
		if err != nil {
			t.Fatalf("Raw does not parse again: %v", err)
		}
		if !bytes.Equal(again.Raw, sd.Raw) {
			t.Fatal("Raw changes on a second parse")
		}
		walk(t, sd, 0)
	})
}

// TestWriteFuzzSeeds regenerates the committed seed corpus of FuzzParse
// when SEGEL_WRITE_FUZZ_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("SEGEL_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("set SEGEL_WRITE_FUZZ_SEEDS=1 to regenerate testdata/fuzz/FuzzParse")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	seeds := map[string][]byte{}
	// Ours: RSA-PSS with a revocation archival and a (real) timestamp token.
	p := newPKI(t, "rsa2048")
	token, _ := openSSLTimestampToken(t, []byte("sig"))
	seeds["tst-token-openssl"] = token
	ria, _ := RevocationInfoArchivalAttribute([][]byte{{0x30, 0x00}}, [][]byte{{0x30, 0x03, 0x0a, 0x01, 0x00}})
	b, err := NewBuilder(p.leaf, p.leafKey, BuildOptions{Scheme: SchemeRSAPSS, Certificates: []*x509.Certificate{p.root}, SignedAttributes: []Attribute{ria}})
	if err != nil {
		t.Fatal(err)
	}
	der, err := b.Build(context.Background(), make([]byte, 32), func(context.Context, []byte) ([]Attribute, error) {
		return []Attribute{TimeStampTokenAttribute(token)}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seeds["ours-rsa-pss-tst"] = append(bytes.Clone(der), 0, 0, 0, 0)
	pe, derEC, _ := buildTestSignature(t, "p256", []byte("seed"))
	_ = pe
	seeds["ours-p256-ber"] = toIndefinite(t, derEC, 4)
	// openssl: ECDSA with SKI, and RSA without signed attributes.
	dir2 := t.TempDir()
	pk := newPKI(t, "p384")
	pk.writePEM(t, dir2)
	writeFile(t, dir2, "data.bin", []byte("seed"))
	mustOpenSSL(t, dir2, "cms", "-sign", "-binary", "-in", "data.bin", "-signer", "leaf.pem", "-inkey", "key.pem",
		"-outform", "DER", "-out", "ski.der", "-md", "sha384", "-keyid")
	seeds["openssl-p384-keyid"] = readFile(t, dir2, "ski.der")
	pr := newPKI(t, "rsa2048")
	pr.writePEM(t, dir2)
	mustOpenSSL(t, dir2, "cms", "-sign", "-binary", "-in", "data.bin", "-signer", "leaf.pem", "-inkey", "key.pem",
		"-outform", "DER", "-out", "noattr.der", "-md", "sha256", "-noattr")
	seeds["openssl-rsa-noattr"] = readFile(t, dir2, "noattr.der")
	for name, data := range seeds {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
