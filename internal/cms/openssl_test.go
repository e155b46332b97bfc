package cms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/oids"
	"github.com/segel-id/segel/internal/testenv"
)

// runOpenSSL runs openssl in dir and returns its combined output.
func runOpenSSL(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	bin := testenv.Tool(t, "openssl")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustOpenSSL(t *testing.T, dir string, args ...string) {
	t.Helper()
	if out, err := runOpenSSL(t, dir, args...); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func writeFile(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpenSSLVerifiesOurs(t *testing.T) {
	testenv.Tool(t, "openssl")
	content := bytes.Repeat([]byte("detached PDF byte ranges\n"), 100)
	for _, tc := range buildCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.key == "ed25519" {
				t.Skip("OpenSSL 3.0 cms does not support Ed25519 with signed attributes")
			}
			dir := t.TempDir()
			p := newPKI(t, tc.key)
			p.writePEM(t, dir)
			b, err := NewBuilder(p.leaf, p.leafKey, BuildOptions{Hash: tc.hash, Scheme: tc.scheme, Certificates: []*x509.Certificate{p.root}})
			if err != nil {
				t.Fatal(err)
			}
			der, err := b.Build(context.Background(), digestOf(b.Hash(), content), func(context.Context, []byte) ([]Attribute, error) {
				return []Attribute{TimeStampTokenAttribute(fakeToken(64))}, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, "sig.der", der)
			writeFile(t, dir, "data.bin", content)
			mustOpenSSL(t, dir, "cms", "-verify", "-inform", "DER", "-in", "sig.der", "-content", "data.bin",
				"-binary", "-CAfile", "root.pem", "-purpose", "any", "-out", os.DevNull)
			tampered := bytes.Clone(content)
			tampered[10] ^= 1
			writeFile(t, dir, "bad.bin", tampered)
			if out, err := runOpenSSL(t, dir, "cms", "-verify", "-inform", "DER", "-in", "sig.der", "-content", "bad.bin",
				"-binary", "-CAfile", "root.pem", "-purpose", "any", "-out", os.DevNull); err == nil {
				t.Fatalf("openssl accepted tampered content:\n%s", out)
			}
		})
	}
}

func TestParseOpenSSLSignatures(t *testing.T) {
	testenv.Tool(t, "openssl")
	content := []byte("content signed by openssl\x00\x01\x02")
	cases := []struct {
		name    string
		key     string
		md      string
		args    []string
		noAttrs bool
		ski     bool
	}{
		{name: "rsa-sha256", key: "rsa2048", md: "sha256"},
		{name: "rsa-pss-sha256", key: "rsa2048", md: "sha256", args: []string{"-keyopt", "rsa_padding_mode:pss"}},
		{name: "rsa-pss-sha384-maxsalt", key: "rsa3072", md: "sha384", args: []string{"-keyopt", "rsa_padding_mode:pss", "-keyopt", "rsa_pss_saltlen:max"}},
		{name: "rsa-noattr", key: "rsa2048", md: "sha256", args: []string{"-noattr"}, noAttrs: true},
		{name: "rsa-pss-noattr", key: "rsa2048", md: "sha512", args: []string{"-noattr", "-keyopt", "rsa_padding_mode:pss"}, noAttrs: true},
		{name: "rsa-keyid", key: "rsa2048", md: "sha256", args: []string{"-keyid"}, ski: true},
		{name: "p256-sha256", key: "p256", md: "sha256"},
		{name: "p384-sha384-keyid", key: "p384", md: "sha384", args: []string{"-keyid", "-nosmimecap"}, ski: true},
		{name: "p521-noattr", key: "p521", md: "sha512", args: []string{"-noattr"}, noAttrs: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := newPKI(t, tc.key)
			p.writePEM(t, dir)
			writeFile(t, dir, "data.bin", content)
			args := append([]string{"cms", "-sign", "-binary", "-in", "data.bin", "-signer", "leaf.pem", "-inkey", "key.pem",
				"-certfile", "root.pem", "-outform", "DER", "-out", "sig.der", "-md", tc.md}, tc.args...)
			mustOpenSSL(t, dir, args...)
			der := readFile(t, dir, "sig.der")
			// PDF /Contents padding.
			der = append(der, make([]byte, 100)...)
			sd, err := Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if len(sd.SignerInfos) != 1 || sd.HasEContent {
				t.Fatalf("%d signer infos, eContent %v", len(sd.SignerInfos), sd.HasEContent)
			}
			si := sd.SignerInfos[0]
			if (si.SID.SubjectKeyID != nil) != tc.ski || (tc.ski && si.Version != 3) {
				t.Errorf("sid %+v version %d", si.SID, si.Version)
			}
			cert, err := si.FindCertificate(sd.ParsedCertificates())
			if err != nil || !cert.Equal(p.leaf) {
				t.Fatalf("FindCertificate: %v", err)
			}
			h, err := si.Hash()
			if err != nil {
				t.Fatal(err)
			}
			digest := digestOf(h, content)
			if tc.noAttrs {
				if si.RawSignedAttrs != nil {
					t.Fatal("signed attributes present")
				}
				if err := si.VerifySignatureNoAttrs(cert, digest); err != nil {
					t.Fatalf("VerifySignatureNoAttrs: %v", err)
				}
				bad := bytes.Clone(digest)
				bad[0] ^= 1
				if err := si.VerifySignatureNoAttrs(cert, bad); !errors.Is(err, ErrSignatureInvalid) {
					t.Errorf("tampered: %v", err)
				}
			} else {
				if err := si.VerifySignature(cert); err != nil {
					t.Fatalf("VerifySignature: %v", err)
				}
				if md, err := si.MessageDigest(); err != nil || !bytes.Equal(md, digest) {
					t.Errorf("messageDigest %x, %v", md, err)
				}
				if st, ok := si.SigningTime(); !ok || time.Since(st) > time.Hour {
					t.Errorf("signingTime %v %v", st, ok)
				}
				scv2, err := si.SigningCertificateV2()
				if err == nil {
					if !scv2.Certs[0].Matches(p.leaf) {
						t.Error("signingCertificateV2 does not match")
					}
				} else if sc, err := si.SigningCertificate(); err == nil && !sc.Certs[0].Matches(p.leaf) {
					t.Error("signingCertificate does not match")
				}
			}
			if err := sd.VerifyDetached(si, cert, digest); err != nil {
				t.Fatalf("VerifyDetached: %v", err)
			}
			if err := sd.VerifyDetached(si, cert, digestOf(h, []byte("other"))); !errors.Is(err, ErrSignatureInvalid) {
				t.Errorf("VerifyDetached other content: %v", err)
			}
			if sd2, err := Parse(append(append(bytes.Clone(der), 0, 0), 1)); err != nil {
				t.Errorf("garbage after padding: %v", err)
			} else if !bytes.HasSuffix(sd2.TrailingData, []byte{0, 0, 1}) || len(sd2.TrailingData) != len(der)+3-len(sd2.Raw) {
				t.Errorf("garbage after padding: trailing %x", sd2.TrailingData)
			}
		})
	}
}

const tsaConfig = `
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = .
serial = ./tsaserial
crypto_device = builtin
signer_cert = ./leaf.pem
certs = ./root.pem
signer_key = ./key.pem
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5.6
digests = sha256, sha384, sha512
accuracy = secs:1, millisecs:500, microsecs:100
clock_precision_digits = 3
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`

// openSSLTimestampToken makes an RFC 3161 token over data with openssl ts
// and returns the token, the TSA's PKI and the query's nonce.
func openSSLTimestampToken(t *testing.T, data []byte) ([]byte, *testPKI) {
	t.Helper()
	dir := t.TempDir()
	p := newPKI(t, "rsa2048", x509.ExtKeyUsageTimeStamping)
	p.writePEM(t, dir)
	writeFile(t, dir, "ts.cnf", []byte(tsaConfig))
	writeFile(t, dir, "tsaserial", []byte("0A\n"))
	writeFile(t, dir, "data.bin", data)
	mustOpenSSL(t, dir, "ts", "-query", "-data", "data.bin", "-sha256", "-cert", "-out", "q.tsq")
	mustOpenSSL(t, dir, "ts", "-reply", "-config", "ts.cnf", "-queryfile", "q.tsq", "-chain", "root.pem",
		"-out", "token.der", "-token_out")
	return readFile(t, dir, "token.der"), p
}

func TestParseOpenSSLTimestampToken(t *testing.T) {
	testenv.Tool(t, "openssl")
	sig := []byte("the signature value being timestamped")
	before := time.Now().Add(-2 * time.Second)
	token, p := openSSLTimestampToken(t, sig)
	sd, err := Parse(token)
	if err != nil {
		t.Fatal(err)
	}
	if !sd.EContentType.Equal(oids.TSTInfo) || !sd.HasEContent {
		t.Fatalf("eContentType %v", sd.EContentType)
	}
	tst, err := sd.TSTInfo()
	if err != nil {
		t.Fatal(err)
	}
	if tst.Version != 1 || !tst.Policy.Equal([]int{1, 2, 3, 4, 1}) {
		t.Errorf("version %d policy %v", tst.Version, tst.Policy)
	}
	if tst.MessageImprint.Hash != crypto.SHA256 || !bytes.Equal(tst.MessageImprint.HashedMessage, digestOf(crypto.SHA256, sig)) {
		t.Errorf("imprint %+v", tst.MessageImprint)
	}
	if tst.SerialNumber.Int64() != 11 { // openssl increments the serial file first
		t.Errorf("serial %v", tst.SerialNumber)
	}
	if tst.Nonce == nil || tst.Nonce.Sign() == 0 {
		t.Errorf("nonce %v", tst.Nonce)
	}
	if tst.GenTime.Before(before) || tst.GenTime.After(time.Now().Add(2*time.Second)) || tst.GenTime.Location() != time.UTC {
		t.Errorf("genTime %v", tst.GenTime)
	}
	if tst.Accuracy == nil || tst.Accuracy.Duration() != time.Second+500*time.Millisecond+100*time.Microsecond {
		t.Errorf("accuracy %+v", tst.Accuracy)
	}
	if !tst.Ordering || tst.TSA == nil {
		t.Errorf("ordering %v tsa %x", tst.Ordering, tst.TSA)
	}
	si := sd.SignerInfos[0]
	cert, err := si.FindCertificate(sd.ParsedCertificates())
	if err != nil || !cert.Equal(p.leaf) {
		t.Fatalf("FindCertificate: %v", err)
	}
	if err := sd.VerifyContent(si, cert); err != nil {
		t.Fatalf("VerifyContent: %v", err)
	}
	if sc, err := si.SigningCertificateV2(); err != nil || !sc.Certs[0].Matches(cert) {
		t.Errorf("signingCertificateV2: %v", err)
	}
	sd.EContent[len(sd.EContent)-1] ^= 1
	if err := sd.VerifyContent(si, cert); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("tampered TSTInfo: %v", err)
	}
}
