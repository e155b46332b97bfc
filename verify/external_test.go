package verify_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dpdf "github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"

	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// runCmd runs a tool with a timeout and returns its combined output.
func runCmd(t testing.TB, name string, args ...string) (string, error) {
	t.Helper()
	bin := testenv.Tool(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	return string(out), err
}

// nssDB makes an NSS database holding id's key and certificate (and its
// CAs, trusted) and returns its directory and the key's nickname.
func nssDB(t testing.TB, id *testpki.Identity) (string, string) {
	t.Helper()
	dir := t.TempDir()
	db := "sql:" + dir
	if out, err := runCmd(t, "certutil", "-N", "-d", db, "--empty-password"); err != nil {
		t.Fatalf("certutil -N: %v\n%s", err, out)
	}
	p12, err := id.PKCS12("test")
	if err != nil {
		t.Fatal(err)
	}
	p12Path := filepath.Join(dir, "id.p12")
	if err := os.WriteFile(p12Path, p12, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd(t, "pk12util", "-i", p12Path, "-d", db, "-W", "test", "-K", ""); err != nil {
		t.Fatalf("pk12util: %v\n%s", err, out)
	}
	for i, ca := range id.Chain {
		p := filepath.Join(dir, fmt.Sprintf("ca%d.pem", i))
		if err := os.WriteFile(p, (&testpki.Identity{Cert: ca}).CertPEM(), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := runCmd(t, "certutil", "-A", "-d", db, "-n", fmt.Sprintf("ca%d", i), "-t", "CT,C,C", "-a", "-i", p); err != nil {
			t.Fatalf("certutil -A: %v\n%s", err, out)
		}
	}
	out, err := runCmd(t, "pdfsig", "-nssdir", db, "-list-nicks")
	if err != nil {
		t.Fatalf("pdfsig -list-nicks: %v\n%s", err, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if n := strings.TrimSpace(line); n != "" && !strings.Contains(n, ":") {
			return db, n
		}
	}
	t.Fatalf("no nickname in the NSS database:\n%s", out)
	return "", ""
}

// TestPdfsigSigned: signatures made by poppler's pdfsig (NSS), both
// adbe.pkcs7.detached and ETSI.CAdES.detached, and after a Segel
// signature.
func TestPdfsigSigned(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "pdfsig")
	testenv.Tool(t, "certutil")
	testenv.Tool(t, "pk12util")
	p := offlinePKIFor(t)
	id := signerID(t, p, testpki.RSA2048)
	db, nick := nssDB(t, id)
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	pdfsig := func(t *testing.T, in []byte, etsi bool) []byte {
		t.Helper()
		dir := t.TempDir()
		src, dst := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
		if err := os.WriteFile(src, in, 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"-nssdir", db, "-nick", nick, "-add-signature", "-new-signature-field-name", "Poppler", "-reason", "Paraf"}
		if etsi {
			args = append(args, "-etsi")
		}
		out, err := runCmd(t, "pdfsig", append(args, src, dst)...)
		if err != nil && etsi && strings.Contains(out, "not supported") {
			// pdfsig is installed but too old for -etsi with
			// -add-signature (Debian bookworm's 22.12): a missing
			// feature, not a missing tool, so this skips in CI too. The
			// CAdES case runs wherever poppler is new enough.
			t.Skipf("this pdfsig cannot add ETSI.CAdES.detached signatures: %s", strings.TrimSpace(out))
		}
		if err != nil {
			t.Fatalf("pdfsig -add-signature: %v\n%s", err, out)
		}
		data, err := os.ReadFile(dst)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	for _, etsi := range []bool{false, true} {
		name := map[bool]string{false: "adbe.pkcs7.detached", true: "ETSI.CAdES.detached"}[etsi]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := pdfsig(t, letterPDF(t), etsi)
			rep := verifyPDF(t, out, opts)
			checkDocLen(t, rep, 1)
			s := wantSig(t, rep, 0, verify.TotalPassed, "")
			if s.SubFilter != name || s.Signer.CommonName != "Budi Santoso" || !s.CoversWholeDocument || s.Reason != "Paraf" {
				t.Errorf("subFilter %q signer %q whole %v reason %q", s.SubFilter, s.Signer.CommonName, s.CoversWholeDocument, s.Reason)
			}
			t.Logf("pdfsig %s: level %s, warnings %q", name, s.Level, s.Warnings)
			if !etsi && s.Level != "NONE" {
				t.Errorf("level %q, want NONE for adbe.pkcs7.detached", s.Level)
			}
			// Then Segel signs after poppler.
			two := signPDF(t, out, optsFor(signerID(t, p, testpki.ECDSAP256)))
			rep = verifyPDF(t, two, opts)
			checkDocLen(t, rep, 2)
			wantSig(t, rep, 0, verify.TotalPassed, "")
			wantSig(t, rep, 1, verify.TotalPassed, "")
			// And poppler after Segel. Poppler adds /DR (default
			// resources: the font of its appearance) to the form
			// dictionary with its field: housekeeping of a new signature.
			segel := signPDF(t, letterPDF(t), optsFor(signerID(t, p, testpki.ECDSAP256)))
			rep = verifyPDF(t, pdfsig(t, segel, etsi), opts)
			checkDocLen(t, rep, 2)
			wantSig(t, rep, 0, verify.TotalPassed, "")
			wantSig(t, rep, 1, verify.TotalPassed, "")
			wantChange(t, rep, 0, "FORM_FILLING", "signature-field")
		})
	}
}

// pdfsignSign signs src with digitorus/pdfsign.
func pdfsignSign(t testing.TB, src []byte, data sign.SignData) (out []byte) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("pdfsign panicked: %v", r)
		}
	}()
	rd := bytes.NewReader(src)
	r, err := dpdf.NewReader(rd, int64(len(src)))
	if err != nil {
		t.Fatalf("pdfsign reader: %v", err)
	}
	var buf bytes.Buffer
	if err := sign.Sign(rd, &buf, r, int64(len(src)), data); err != nil {
		t.Fatalf("pdfsign: %v", err)
	}
	return buf.Bytes()
}

// TestPdfsignSigned: an approval signature by digitorus/pdfsign
// (adbe.pkcs7.detached with a signingTime attribute) passes, level NONE.
func TestPdfsignSigned(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.ECDSAP256} {
		t.Run(string(kt), func(t *testing.T) {
			t.Parallel()
			id := signerID(t, p, kt)
			out := pdfsignSign(t, letterPDF(t), sign.SignData{
				Signature: sign.SignDataSignature{
					CertType: sign.ApprovalSignature,
					Info: sign.SignDataSignatureInfo{
						Name: "Rina Wulandari", Location: "Serang", Reason: "Paraf",
						Date: time.Now().Add(-time.Minute),
					},
				},
				Signer:            id.Key,
				DigestAlgorithm:   crypto.SHA256,
				Certificate:       id.Cert,
				CertificateChains: [][]*x509.Certificate{append([]*x509.Certificate{id.Cert}, id.Chain...)},
			})
			rep := verifyPDF(t, out, opts)
			checkDocLen(t, rep, 1)
			s := wantSig(t, rep, 0, verify.TotalPassed, "")
			if s.SubFilter != "adbe.pkcs7.detached" || s.Level != "NONE" || s.Signer.CommonName != "Budi Santoso" {
				t.Errorf("subFilter %q level %q signer %q", s.SubFilter, s.Level, s.Signer.CommonName)
			}
			if s.ClaimedSigningTime.IsZero() {
				t.Error("no claimed signing time")
			}
			// Segel after pdfsign.
			two := signPDF(t, out, optsFor(signerID(t, p, testpki.ECDSAP256)))
			rep = verifyPDF(t, two, opts)
			checkDocLen(t, rep, 2)
			wantSig(t, rep, 0, verify.TotalPassed, "")
			wantSig(t, rep, 1, verify.TotalPassed, "")
			// A covered byte changed in pdfsign's output.
			bad := append([]byte{}, out...)
			i := bytes.Index(bad, []byte("Surat Keluar"))
			bad[i] = 'B'
			wantSig(t, verifyPDF(t, bad, opts), 0, verify.TotalFailed, verify.HashFailure)
		})
	}
}
