package verify_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509/pkix"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/revocation"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// TestExpiredSigner: a certificate valid when the letter was signed but
// expired now. Without a proof of existence the signature cannot be
// placed inside the validity period; validated as of a time inside it
// (segel verify --at), it passes.
func TestExpiredSigner(t *testing.T) {
	t.Parallel()
	now := time.Now()
	p := testpki.MustNew(t, testpki.Options{NotBefore: now.AddDate(-5, 0, 0)})
	id := p.MustIssueSigner(t, testpki.SignerOptions{
		NotBefore: now.AddDate(-3, 0, 0),
		NotAfter:  now.AddDate(-1, 0, 0),
		Subject:   pkix.Name{CommonName: "Pejabat Lama"},
	})
	signedAt := now.AddDate(-2, 0, 0)
	o := optsFor(id)
	o.Time = signedAt
	out := signPDF(t, letterPDF(t), o)

	rep := verifyPDF(t, out, &verify.Options{Trust: anchors(p.Root.Cert)})
	s := wantSig(t, rep, 0, verify.Indeterminate, verify.OutOfBoundsNoPOE)
	if s.Signer == nil || s.Signer.CommonName != "Pejabat Lama" || len(s.Chain) == 0 {
		t.Errorf("an expired signer is still described: %+v, chain %d", s.Signer, len(s.Chain))
	}

	rep = verifyPDF(t, out, &verify.Options{Trust: anchors(p.Root.Cert), Time: signedAt.Add(time.Hour)})
	wantSig(t, rep, 0, verify.TotalPassed, "")
	if want := signedAt.Add(time.Hour).UTC().Truncate(time.Second); !rep.ValidationTime.Equal(want) || rep.ValidationTime.Location() != time.UTC {
		t.Errorf("validation time %q", rep.ValidationTime)
	}

	// As of a time before the certificate was issued.
	rep = verifyPDF(t, out, &verify.Options{Trust: anchors(p.Root.Cert), Time: now.AddDate(-4, 0, 0)})
	if rep.Indication == verify.TotalPassed {
		t.Errorf("passes before the certificate was valid\n%s", dumpReport(rep))
	}
}

// revocationWorld is a PKI with a live OCSP/CRL server for one test.
func revocationWorld(t *testing.T) (*testpki.PKI, *testpki.Identity, *verify.Options, func()) {
	t.Helper()
	p, srv := testpki.MustNewServer(t, testpki.Options{})
	id := p.MustIssueSigner(t, testpki.SignerOptions{})
	return p, id, &verify.Options{Trust: anchors(p.Root.Cert)}, srv.Close
}

// TestRevokedSigner: revoked after signing.
func TestRevokedSigner(t *testing.T) {
	t.Parallel()
	t.Run("B-B", func(t *testing.T) {
		t.Parallel()
		p, id, opts, _ := revocationWorld(t)
		out := signPDF(t, letterPDF(t), optsFor(id))
		wantSig(t, verifyPDF(t, out, opts), 0, verify.TotalPassed, "")
		if err := p.Revoke(id.Cert, time.Now().Add(-time.Second), revocation.ReasonKeyCompromise); err != nil {
			t.Fatal(err)
		}
		wantSig(t, verifyPDF(t, out, opts), 0, verify.Indeterminate, verify.RevokedNoPOE)
		// A fresh checker each time: the cache must not hide it.
		opts.Revocation = revocation.New(revocation.Options{})
		wantSig(t, verifyPDF(t, out, opts), 0, verify.Indeterminate, verify.RevokedNoPOE)
	})
	t.Run("B-B issuing CA revoked", func(t *testing.T) {
		t.Parallel()
		p, id, opts, _ := revocationWorld(t)
		out := signPDF(t, letterPDF(t), optsFor(id))
		if err := p.Revoke(p.Issuing.Cert, time.Now().Add(-time.Second), revocation.ReasonCACompromise); err != nil {
			t.Fatal(err)
		}
		wantSig(t, verifyPDF(t, out, opts), 0, verify.Indeterminate, verify.RevokedNoPOE)
	})
	t.Run("B-T timestamp before revocation", func(t *testing.T) {
		t.Parallel()
		p, id, opts, _ := revocationWorld(t)
		now := time.Now()
		o := optsFor(id)
		o.Time = now.Add(-31 * time.Minute)
		o.Level = signer.LevelT
		o.Timestamper = newTestTSA(t, p, func() time.Time { return now.Add(-30 * time.Minute) })
		out := signPDF(t, letterPDF(t), o)
		if err := p.Revoke(id.Cert, now.Add(-10*time.Minute), revocation.ReasonKeyCompromise); err != nil {
			t.Fatal(err)
		}
		rep := verifyPDF(t, out, opts)
		s := rep.Signatures[0]
		if s.SubIndication == verify.Revoked || s.SubIndication == verify.RevokedNoPOE {
			t.Errorf("revoked after the timestamp: %s/%s\n%s", s.Indication, s.SubIndication, dumpReport(rep))
		}
		wantSig(t, rep, 0, verify.TotalPassed, "")
		if !anyContains(s.Warnings, "revoked") {
			t.Errorf("no warning about the later revocation: %q", s.Warnings)
		}
	})
	t.Run("B-T timestamp after revocation", func(t *testing.T) {
		t.Parallel()
		p, id, opts, _ := revocationWorld(t)
		now := time.Now()
		o := optsFor(id)
		o.Time = now.Add(-31 * time.Minute)
		o.Level = signer.LevelT
		o.Timestamper = newTestTSA(t, p, func() time.Time { return now.Add(-30 * time.Minute) })
		out := signPDF(t, letterPDF(t), o)
		if err := p.Revoke(id.Cert, now.Add(-40*time.Minute), revocation.ReasonKeyCompromise); err != nil {
			t.Fatal(err)
		}
		wantSig(t, verifyPDF(t, out, opts), 0, verify.TotalFailed, verify.Revoked)
	})
	t.Run("server down", func(t *testing.T) {
		t.Parallel()
		_, id, opts, closeServer := revocationWorld(t)
		out := signPDF(t, letterPDF(t), optsFor(id))
		closeServer()
		wantSig(t, verifyPDF(t, out, opts), 0, verify.Indeterminate, verify.TryLater)
	})
	t.Run("offline without embedded data", func(t *testing.T) {
		t.Parallel()
		_, id, opts, _ := revocationWorld(t)
		out := signPDF(t, letterPDF(t), optsFor(id))
		opts.Offline = true
		wantSig(t, verifyPDF(t, out, opts), 0, verify.Indeterminate, verify.TryLater)
	})
}

// TestWeakRSAKey: an RSA key of 1024 bits.
func TestWeakRSAKey(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		testenv.SkipLocally(t, "RSA-1024 keys cannot be generated here: %v", err)
	}
	id, err := p.IssueSigner(testpki.SignerOptions{PublicKey: &key.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	o := &signer.Options{Signer: key, Certificate: id.Cert, Chain: id.Chain}
	out := signPDF(t, letterPDF(t), o)
	s := wantSig(t, verifyPDF(t, out, &verify.Options{Trust: anchors(p.Root.Cert)}), 0, verify.Indeterminate, verify.CryptoConstraintsFailureNoPOE)
	if !anyContains(s.Errors, "1024") {
		t.Errorf("errors %q", s.Errors)
	}
}

// opensslCMS signs content with openssl cms (detached, DER) and the given
// digest: an independent producer, and the only one here that still
// makes SHA-1 signatures.
func opensslCMS(t testing.TB, id *testpki.Identity, md string, content []byte, extra ...string) []byte {
	t.Helper()
	bin := testenv.Tool(t, "openssl")
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	keyPEM, err := id.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"cms", "-sign", "-binary", "-md", md, "-in", write("content", content),
		"-signer", write("cert.pem", id.CertPEM()), "-inkey", write("key.pem", keyPEM),
		"-certfile", write("chain.pem", id.ChainPEM()), "-outform", "DER", "-nosmimecap",
		"-out", filepath.Join(dir, "sig.der")}
	args = append(args, extra...)
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	der, err := os.ReadFile(filepath.Join(dir, "sig.der"))
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestSHA1: a SHA-1 signature (made by openssl into the hole of a Segel
// signature) is INDETERMINATE with CRYPTO_CONSTRAINTS_FAILURE_NO_POE.
func TestSHA1(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.RSA2048)
	l := sigsOf(t, w.signed)[0]
	// The same producer with SHA-256 passes: the re-signing is sound.
	out := resign(t, w.signed, l, nil, func(c []byte) []byte { return opensslCMS(t, w.id, "sha256", c) })
	s := wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalPassed, "")
	if s.Level != "NONE" { // openssl adds signingTime
		t.Errorf("level %q", s.Level)
	}
	out = resign(t, w.signed, l, nil, func(c []byte) []byte { return opensslCMS(t, w.id, "sha1", c) })
	s = wantSig(t, verifyPDF(t, out, w.opts), 0, verify.Indeterminate, verify.CryptoConstraintsFailureNoPOE)
	if s.DigestAlgorithm != "SHA-1" {
		t.Errorf("digest %q", s.DigestAlgorithm)
	}
	// The same as adbe.pkcs7.detached (same length in the dictionary).
	out = resign(t, w.signed, l, func(d []byte) {
		copy(d, patchObject(t, d, l.Ref, "/ETSI.CAdES.detached", "/adbe.pkcs7.detached"))
	}, func(c []byte) []byte { return opensslCMS(t, w.id, "sha1", c) })
	wantSig(t, verifyPDF(t, out, w.opts), 0, verify.Indeterminate, verify.CryptoConstraintsFailureNoPOE)
}

// TestSHA1SubFilter: adbe.pkcs7.sha1, where the CMS encapsulates the SHA-1
// digest of the ranges.
func TestSHA1SubFilter(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.RSA2048)
	l := sigsOf(t, w.signed)[0]
	out := resign(t, w.signed, l, func(d []byte) {
		copy(d, patchObject(t, d, l.Ref, "/ETSI.CAdES.detached", "/adbe.pkcs7.sha1    "))
	}, func(c []byte) []byte {
		h := sha1Sum(c)
		return opensslCMS(t, w.id, "sha256", h, "-nodetach")
	})
	rep := verifyPDF(t, out, w.opts)
	s := wantSig(t, rep, 0, verify.Indeterminate, verify.CryptoConstraintsFailureNoPOE)
	if s.SubFilter != "adbe.pkcs7.sha1" || s.Level != "NONE" {
		t.Errorf("subFilter %q level %q", s.SubFilter, s.Level)
	}
	// The encapsulated digest of other bytes.
	out = resign(t, w.signed, l, func(d []byte) {
		copy(d, patchObject(t, d, l.Ref, "/ETSI.CAdES.detached", "/adbe.pkcs7.sha1    "))
	}, func(c []byte) []byte {
		return opensslCMS(t, w.id, "sha256", sha1Sum([]byte("other")), "-nodetach")
	})
	wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalFailed, verify.HashFailure)
}

// TestForgedTimestamp: a signature timestamp from a TSA that chains to no
// trust anchor gives no proof of existence: a revoked signer stays
// REVOKED_NO_POE however early the forged time.
func TestForgedTimestamp(t *testing.T) {
	t.Parallel()
	p, id, opts, _ := revocationWorld(t)
	rogue := testpki.MustNew(t, testpki.Options{Name: "Rogue"})
	now := time.Now()
	o := optsFor(id)
	o.Time = now.Add(-31 * time.Minute)
	o.Level = signer.LevelT
	o.Timestamper = newTestTSA(t, rogue, func() time.Time { return now.Add(-30 * time.Minute) })
	out := signPDF(t, letterPDF(t), o)
	s := wantSig(t, verifyPDF(t, out, opts), 0, verify.TotalPassed, "")
	if s.Level != "PAdES-BASELINE-B" || s.Timestamp != nil || !anyContains(s.Warnings, "timestamp") {
		t.Errorf("untrusted timestamp: level %q, timestamp %+v, warnings %q", s.Level, s.Timestamp, s.Warnings)
	}
	if err := p.Revoke(id.Cert, now.Add(-10*time.Minute), revocation.ReasonKeyCompromise); err != nil {
		t.Fatal(err)
	}
	wantSig(t, verifyPDF(t, out, opts), 0, verify.Indeterminate, verify.RevokedNoPOE)
}

// TestPinnedRevoked: a pinned signer certificate that its CA has revoked.
// The pin makes it an anchor, but nothing about it is checked: at least
// the report must say its revocation status was not established.
func TestPinnedRevoked(t *testing.T) {
	t.Parallel()
	p, id, _, _ := revocationWorld(t)
	out := signPDF(t, letterPDF(t), optsFor(id))
	if err := p.Revoke(id.Cert, time.Now().Add(-time.Second), revocation.ReasonKeyCompromise); err != nil {
		t.Fatal(err)
	}
	pool := anchors(id.Cert)
	rep := verifyPDF(t, out, &verify.Options{Trust: pool})
	s := rep.Signatures[0]
	if s.Indication == verify.TotalPassed && len(s.Warnings) == 0 {
		t.Errorf("a revoked pinned signer passes without a word\n%s", dumpReport(rep))
	}
}
