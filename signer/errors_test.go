package signer_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// encrypt runs qpdf --encrypt on src.
func encrypt(t testing.TB, src []byte, args ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	if err := os.WriteFile(in, src, 0o600); err != nil {
		t.Fatal(err)
	}
	var all []string
	if len(args) > 0 && strings.HasPrefix(args[0], "--") { // a global option
		all, args = append(all, args[0]), args[1:]
	}
	all = append(append(append(all, "--encrypt"), args...), "--", in, out)
	if msg, err := runTool(t, "qpdf", all...); err != nil {
		t.Fatalf("qpdf %q: %v\n%s", all, err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// corruptStartxref points the last startxref at a wrong offset.
func corruptStartxref(t testing.TB, src []byte) []byte {
	t.Helper()
	i := bytes.LastIndex(src, []byte("startxref"))
	if i < 0 {
		t.Fatal("no startxref")
	}
	rest := src[i+len("startxref"):]
	j := bytes.Index(rest, []byte("%%EOF"))
	return append(append(bytes.Clone(src[:i]), "startxref\n17\n"...), rest[j:]...)
}

// corruptXrefKeyword damages the xref table the last startxref points to.
func corruptXrefKeyword(t testing.TB, src []byte) []byte {
	t.Helper()
	i := bytes.LastIndex(src, []byte("\nxref"))
	if i < 0 {
		t.Fatal("no classic xref table")
	}
	b := bytes.Clone(src)
	copy(b[i+1:], "xreg")
	return b
}

// corruptXrefEntries points every in-use entry of the last xref table
// at offset 9 (the binary comment after the header), so that no object is
// where the table says.
func corruptXrefEntries(t testing.TB, src []byte) []byte {
	t.Helper()
	i := bytes.LastIndex(src, []byte("\nxref"))
	end := bytes.Index(src[i:], []byte("trailer")) + i
	table := xrefEntryRE.ReplaceAll(src[i:end], []byte("0000000009 $1 n"))
	if bytes.Equal(table, src[i:end]) {
		t.Fatal("no in-use xref entry")
	}
	return append(append(bytes.Clone(src[:i]), table...), src[end:]...)
}

var xrefEntryRE = regexp.MustCompile(`\d{10} (\d{5}) n`)

// TestSignBadInput checks that a source that is not a signable PDF is
// refused with its typed error before anything is written.
func TestSignBadInput(t *testing.T) {
	t.Parallel()
	id := identity(t, testpki.ECDSAP256)
	src := letter(t)
	cases := []struct {
		name  string
		data  []byte
		want  error
		cause error // the pdf package's error, when wrapped
	}{
		{"empty", nil, signer.ErrInvalidPDF, pdf.ErrNotPDF},
		{"text", []byte("Surat Keputusan Bupati Sleman\n"), signer.ErrInvalidPDF, pdf.ErrNotPDF},
		{"png", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 2000)...), signer.ErrInvalidPDF, pdf.ErrNotPDF},
		{"header-only", []byte("%PDF-1.7\n"), signer.ErrInvalidPDF, nil},
		{"truncated-half", src[:len(src)/2], signer.ErrInvalidPDF, nil},
		{"truncated-no-eof", src[:bytes.LastIndex(src, []byte("%%EOF"))], signer.ErrInvalidPDF, nil},
		{"broken-startxref", corruptStartxref(t, src), signer.ErrInvalidPDF, pdf.ErrBrokenXref},
		{"broken-xref-keyword", corruptXrefKeyword(t, src), signer.ErrInvalidPDF, pdf.ErrBrokenXref},
		{"encrypted-aes256", encrypt(t, src, "user", "owner", "256"), signer.ErrEncrypted, nil},
		{"encrypted-owner-only", encrypt(t, src, "", "owner", "128", "--use-aes=y"), signer.ErrEncrypted, nil},
		{"encrypted-rc4", encrypt(t, src, "--allow-weak-crypto", "user", "owner", "40"), signer.ErrEncrypted, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := signErr(t, tc.data, optionsFor(id), tc.want)
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Errorf("err = %v, want it to wrap %v", err, tc.cause)
			}
			if tc.want == signer.ErrEncrypted && (err == nil || !strings.Contains(err.Error(), "encrypted PDFs are not supported")) {
				t.Errorf("message %q does not say \"encrypted PDFs are not supported\"", err)
			}
		})
	}
}

// TestSignBrokenXrefEntries: an xref table whose offsets point at the
// wrong bytes is a broken PDF (the reader does not reconstruct).
func TestSignBrokenXrefEntries(t *testing.T) {
	t.Parallel()
	src := corruptXrefEntries(t, letter(t))
	signErr(t, src, optionsFor(identity(t, testpki.ECDSAP256)), signer.ErrInvalidPDF)
}

// issueRaw issues a certificate from the shared issuing CA with a
// template crypto/x509 fills, for what testpki will not make.
func issueRaw(t testing.TB, pub crypto.PublicKey, ku x509.KeyUsage, notBefore, notAfter time.Time) *x509.Certificate {
	t.Helper()
	ca := testPKI(t).Issuing
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Siti Rahayu", Organization: []string{"Pemerintah Kabupaten Contoh"}, Country: []string{"ID"}},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     ku,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, pub, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return parseCert(t, der)
}

// TestSignKeyAndCertificateErrors checks the key and certificate checks,
// made before the source is read.
func TestSignKeyAndCertificateErrors(t *testing.T) {
	t.Parallel()
	p := testPKI(t)
	rsaID := identity(t, testpki.RSA2048)
	ecID := identity(t, testpki.ECDSAP256)
	now := time.Now()
	expired := p.MustIssueSigner(t, testpki.SignerOptions{NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(-1, 0, 0)})
	future := p.MustIssueSigner(t, testpki.SignerOptions{NotBefore: now.AddDate(0, 0, 1), NotAfter: now.AddDate(1, 0, 0)})
	otherEC, err := testpki.GenerateKey(testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	otherRSA, err := testpki.GenerateKey(testpki.RSA2048)
	if err != nil {
		t.Fatal(err)
	}
	// The certificate's modulus with another exponent.
	rsaPub := rsaID.Key.Public().(*rsa.PublicKey)
	otherE := publicOverride{Signer: rsaID.Key, pub: &rsa.PublicKey{N: rsaPub.N, E: 3}}
	encipherOnly := issueRaw(t, ecID.Key.Public(), x509.KeyUsageKeyEncipherment, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	certSignOnly := issueRaw(t, ecID.Key.Public(), x509.KeyUsageCertSign|x509.KeyUsageCRLSign, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	nonRepOnly := issueRaw(t, ecID.Key.Public(), x509.KeyUsageContentCommitment, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	noKU := issueRaw(t, ecID.Key.Public(), 0, now.Add(-time.Hour), now.AddDate(1, 0, 0))

	src := letter(t)
	cases := []struct {
		name string
		opts *signer.Options
		want error
	}{
		{"rsa-key-ec-cert", &signer.Options{Signer: rsaID.Key, Certificate: ecID.Cert}, signer.ErrKeyMismatch},
		{"ec-key-rsa-cert", &signer.Options{Signer: ecID.Key, Certificate: rsaID.Cert}, signer.ErrKeyMismatch},
		{"other-ec-key", &signer.Options{Signer: otherEC, Certificate: ecID.Cert}, signer.ErrKeyMismatch},
		{"other-rsa-key", &signer.Options{Signer: otherRSA, Certificate: rsaID.Cert}, signer.ErrKeyMismatch},
		{"rsa-other-exponent", &signer.Options{Signer: otherE, Certificate: rsaID.Cert}, signer.ErrKeyMismatch},
		{"expired", &signer.Options{Signer: expired.Key, Certificate: expired.Cert, Chain: expired.Chain}, signer.ErrCertificateExpired},
		{"not-yet-valid", &signer.Options{Signer: future.Key, Certificate: future.Cert, Chain: future.Chain}, signer.ErrCertificateExpired},
		{"time-after-expiry", &signer.Options{Signer: ecID.Key, Certificate: ecID.Cert, Time: ecID.Cert.NotAfter.Add(time.Second)}, signer.ErrCertificateExpired},
		{"time-before-validity", &signer.Options{Signer: ecID.Key, Certificate: ecID.Cert, Time: ecID.Cert.NotBefore.Add(-time.Second)}, signer.ErrCertificateExpired},
		{"key-encipherment-only", &signer.Options{Signer: ecID.Key, Certificate: encipherOnly}, signer.ErrKeyUsage},
		{"cert-sign-only", &signer.Options{Signer: ecID.Key, Certificate: certSignOnly}, signer.ErrKeyUsage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			signErr(t, src, tc.opts, tc.want)
		})
	}
	// nonRepudiation alone, or no key usage extension at all, may sign.
	for name, cert := range map[string]*x509.Certificate{"non-repudiation-only": nonRepOnly, "no-key-usage": noKU} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			opts := &signer.Options{Signer: ecID.Key, Certificate: cert, Chain: ecID.Chain}
			out, res := signBytes(t, src, opts)
			checkExternal(t, out, res, allSegel(1))
		})
	}
}

// TestSignOptionErrors checks options Sign refuses with ErrOptions.
func TestSignOptionErrors(t *testing.T) {
	t.Parallel()
	rsaID := identity(t, testpki.RSA2048)
	ecID := identity(t, testpki.ECDSAP256)
	src := letter(t)
	with := func(f func(*signer.Options)) *signer.Options {
		o := optionsFor(rsaID)
		f(o)
		return o
	}
	cases := []struct {
		name string
		opts *signer.Options
	}{
		{"nil", nil},
		{"no-signer", &signer.Options{Certificate: rsaID.Cert}},
		{"no-certificate", &signer.Options{Signer: rsaID.Key}},
		{"sha1", with(func(o *signer.Options) { o.Hash = crypto.SHA1 })},
		{"md5", with(func(o *signer.Options) { o.Hash = crypto.MD5 })},
		{"sha3", with(func(o *signer.Options) { o.Hash = crypto.SHA3_256 })},
		{"pss-ecdsa", &signer.Options{Signer: ecID.Key, Certificate: ecID.Cert, PSS: true}},
		{"level-t-no-tsa", with(func(o *signer.Options) { o.Level = signer.LevelT })},
		{"level-lt", with(func(o *signer.Options) { o.Level = signer.LevelLT })},
		{"level-unknown", with(func(o *signer.Options) { o.Level = 9 })},
		{"negative-reserve", with(func(o *signer.Options) { o.Reserve = -1 })},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			signErr(t, src, tc.opts, signer.ErrOptions)
		})
	}
}

// TestSignReserve: extra reserved space is zero padding after the DER
// that every validator ignores.
func TestSignReserve(t *testing.T) {
	t.Parallel()
	src := letter(t)
	id := identity(t, testpki.RSA2048)
	plainOut, plain := signBytes(t, src, optionsFor(id))
	checkExternal(t, plainOut, plain, allSegel(1))
	opts := optionsFor(id)
	opts.Reserve = 4096
	out, res := signBytes(t, src, opts)
	hole := func(br [4]int64) int64 { return br[2] - br[1] }
	if got, want := hole(res.ByteRange)-hole(plain.ByteRange), int64(2*4096); got != want {
		t.Errorf("the /Contents hole grew by %d bytes, want %d", got, want)
	}
	checkExternal(t, out, res, allSegel(1))
}

// publicOverride is a key whose Public is pub, not its own.
type publicOverride struct {
	crypto.Signer
	pub crypto.PublicKey
}

func (p publicOverride) Public() crypto.PublicKey { return p.pub }
