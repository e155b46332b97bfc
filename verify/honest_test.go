package verify_test

import (
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/hex"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/tsa"
	"github.com/segel-id/segel/verify"
)

// TestHonestSingle: a Segel B-B signature, RSA and ECDSA, chained to a
// trusted root, revocation checked online against a live OCSP/CRL server.
func TestHonestSingle(t *testing.T) {
	t.Parallel()
	p := onlinePKIFor(t)
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.ECDSAP256} {
		t.Run(string(kt), func(t *testing.T) {
			t.Parallel()
			id := signerID(t, p, kt)
			signedAt := time.Now().Add(-time.Minute).Truncate(time.Second)
			opts := optsFor(id)
			opts.Time = signedAt
			opts.Reason = "Persetujuan"
			opts.Location = "Serang"
			out := signPDF(t, letterPDF(t), opts)
			rep := verifyPDF(t, out, &verify.Options{Trust: anchors(p.Root.Cert)})
			wantDoc(t, rep, 1, verify.TotalPassed)
			s := wantSig(t, rep, 0, verify.TotalPassed, "")
			sum := sha256.Sum256(out)
			if rep.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("report SHA256 %s, want %x", rep.SHA256, sum)
			}
			if rep.ValidationTime.IsZero() || rep.ValidationTime.Location() != time.UTC || rep.ValidationTime.Nanosecond() != 0 {
				t.Errorf("ValidationTime %v: want a UTC time to the second", rep.ValidationTime)
			}
			if s.Level != "PAdES-BASELINE-B" || s.SubFilter != "ETSI.CAdES.detached" || s.Type != "signature" {
				t.Errorf("level %q subFilter %q type %q", s.Level, s.SubFilter, s.Type)
			}
			if !s.CoversWholeDocument || len(s.ModifiedAfterSigning) != 0 {
				t.Errorf("covers whole %v, modified %q", s.CoversWholeDocument, s.ModifiedAfterSigning)
			}
			if s.Signer == nil || s.Signer.CommonName != "Budi Santoso" || s.Signer.Organization != "Pemerintah Kabupaten Serang" {
				t.Fatalf("signer %+v", s.Signer)
			}
			fp := sha256.Sum256(id.Cert.Raw)
			if s.Signer.SHA256 != hex.EncodeToString(fp[:]) || s.Signer.SerialNumber == "" || s.Signer.Issuer == "" || s.Signer.Subject == "" {
				t.Errorf("signer %+v", s.Signer)
			}
			if len(s.Chain) != 3 || s.Chain[0].SHA256 != s.Signer.SHA256 || s.Chain[2].CommonName != p.Root.Cert.Subject.CommonName {
				t.Errorf("chain %+v", s.Chain)
			}
			if s.TrustAnchor == "" {
				t.Errorf("no trust anchor named")
			}
			if got := s.ClaimedSigningTime; !got.Equal(signedAt) {
				t.Errorf("claimed signing time %q, want %s", s.ClaimedSigningTime, signedAt.UTC().Format(time.RFC3339))
			}
			if s.DigestAlgorithm != "SHA-256" || s.Reason != "Persetujuan" || s.Location != "Serang" {
				t.Errorf("digest %q reason %q location %q", s.DigestAlgorithm, s.Reason, s.Location)
			}
			if s.Field == "" || s.Revision != 2 || len(s.ByteRange) != 4 || s.ByteRange[2]+s.ByteRange[3] != int64(len(out)) {
				t.Errorf("field %q revision %d byte range %v", s.Field, s.Revision, s.ByteRange)
			}
			if s.Timestamp != nil {
				t.Errorf("B-B with a timestamp %+v", s.Timestamp)
			}
			// Revocation was checked online: no warning about it.
			if anyContains(s.Warnings, "revocation") {
				t.Errorf("warnings %q", s.Warnings)
			}
		})
	}
}

// TestHonestCorpus signs every corpus variant and verifies it.
func TestHonestCorpus(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	id := signerID(t, p, testpki.ECDSAP256)
	pool := anchors(p.Root.Cert)
	corpus := testcorpus.All(t)
	for _, name := range testcorpus.Names(corpus) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := signPDF(t, corpus[name], optsFor(id))
			rep := verifyPDF(t, out, &verify.Options{Trust: pool})
			wantDoc(t, rep, 1, verify.TotalPassed)
		})
	}
}

// TestHonestParafThenHead: two and three signatures on one letter, each
// passing, the earlier ones not covering the whole document.
func TestHonestParafThenHead(t *testing.T) {
	t.Parallel()
	p := onlinePKIFor(t)
	pool := anchors(p.Root.Cert)
	staff, err := p.IssueSigner(testpki.SignerOptions{Subject: pkix.Name{CommonName: "Siti Kasubag"}})
	if err != nil {
		t.Fatal(err)
	}
	head := signerID(t, p, testpki.RSA2048)
	sekda := signerID(t, p, testpki.ECDSAP256)

	for _, name := range []string{"gs-letter", "form-2page", "gs-letter/objstm", "cairo-letter"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := testcorpus.All(t)[name]
			o := optsFor(staff)
			o.Reason = "Paraf"
			one := signPDF(t, in, o)
			o = optsFor(head)
			o.Reason = "Disetujui"
			if name == "form-2page" {
				o.Field = "Signature1" // the document's own empty field
			}
			two := signPDF(t, one, o)
			rep := verifyPDF(t, two, &verify.Options{Trust: pool})
			wantDoc(t, rep, 2, verify.TotalPassed)
			for i := range 2 {
				s := wantSig(t, rep, i, verify.TotalPassed, "")
				if s.CoversWholeDocument != (i == 1) {
					t.Errorf("signature %d covers the whole document: %v", i, s.CoversWholeDocument)
				}
			}
			if rep.Signatures[0].Signer.CommonName != "Siti Kasubag" || rep.Signatures[1].Reason != "Disetujui" {
				t.Errorf("order: %s then %s", rep.Signatures[0].Signer.CommonName, rep.Signatures[1].Signer.CommonName)
			}
			three := signPDF(t, two, optsFor(sekda))
			rep = verifyPDF(t, three, &verify.Options{Trust: pool})
			wantDoc(t, rep, 3, verify.TotalPassed)
			for i := range 3 {
				s := wantSig(t, rep, i, verify.TotalPassed, "")
				if s.CoversWholeDocument != (i == 2) || s.Revision != i+2 {
					t.Errorf("signature %d: covers whole %v, revision %d", i, s.CoversWholeDocument, s.Revision)
				}
			}
		})
	}
}

// tsaWorld is a TSA on loopback issued by p, and a client for it.
func newTestTSA(t *testing.T, p *testpki.PKI, now func() time.Time) *tsa.Client {
	t.Helper()
	id, err := p.IssueTSA(testpki.SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(testpki.NewTSA(id, testpki.TSAOptions{Now: now}))
	t.Cleanup(srv.Close)
	c, err := tsa.New(tsa.Options{URLs: []string{srv.URL}, Roots: p.Roots(), MaxSkew: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestHonestBT: a B-T signature with a signature timestamp.
func TestHonestBT(t *testing.T) {
	t.Parallel()
	p := onlinePKIFor(t)
	id := signerID(t, p, testpki.ECDSAP256)
	o := optsFor(id)
	o.Level = signer.LevelT
	o.Timestamper = newTestTSA(t, p, nil)
	out := signPDF(t, letterPDF(t), o)
	rep := verifyPDF(t, out, &verify.Options{Trust: anchors(p.Root.Cert)})
	wantDoc(t, rep, 1, verify.TotalPassed)
	s := wantSig(t, rep, 0, verify.TotalPassed, "")
	if s.Level != "PAdES-BASELINE-T" {
		t.Errorf("level %q", s.Level)
	}
	if s.Timestamp == nil || !strings.Contains(s.Timestamp.TSA, "Timestamp") {
		t.Fatalf("timestamp %+v", s.Timestamp)
	}
	if ts := s.Timestamp.Time; time.Since(ts) > time.Minute || time.Until(ts) > time.Minute {
		t.Errorf("timestamp time %q", s.Timestamp.Time)
	}
}

// TestHonestLTOffline: B-LT and B-LTA validate offline from the DSS.
func TestHonestLTOffline(t *testing.T) {
	t.Parallel()
	p, _ := testpki.MustNewServer(t, testpki.Options{})
	id := p.MustIssueSigner(t, testpki.SignerOptions{})
	ts := newTestTSA(t, p, nil)
	for _, lv := range []struct {
		level signer.Level
		want  verify.Level
	}{{signer.LevelLT, verify.BaselineLT}, {signer.LevelLTA, verify.BaselineLTA}} {
		t.Run(lv.level.String(), func(t *testing.T) {
			o := optsFor(id)
			o.Level = lv.level
			o.Timestamper = ts
			out := signPDF(t, letterPDF(t), o)
			rep := verifyPDF(t, out, &verify.Options{Trust: anchors(p.Root.Cert), Offline: true})
			if rep.Indication != verify.TotalPassed {
				t.Fatalf("%s", dumpReport(rep))
			}
			if s := rep.Signatures[0]; s.Level != lv.want {
				t.Errorf("level %q, want %q\n%s", s.Level, lv.want, dumpReport(rep))
			}
		})
	}
}

// TestHonestPinnedEndEntity: the signer's own certificate pinned in the
// pool, no CA.
func TestHonestPinnedEndEntity(t *testing.T) {
	t.Parallel()
	p := onlinePKIFor(t)
	id := signerID(t, p, testpki.ECDSAP256)
	out := signPDF(t, letterPDF(t), optsFor(id))
	pool := trust.NewPool()
	pool.AddCert(id.Cert, "pinned.pem")
	rep := verifyPDF(t, out, &verify.Options{Trust: pool})
	s := wantSig(t, rep, 0, verify.TotalPassed, "")
	if s.TrustAnchor != "pinned.pem" || len(s.Chain) != 1 {
		t.Errorf("anchor %q chain %d", s.TrustAnchor, len(s.Chain))
	}
	// Pinned without its chain in the PDF either.
	o := optsFor(id)
	o.Chain = nil
	out = signPDF(t, letterPDF(t), o)
	wantSig(t, verifyPDF(t, out, &verify.Options{Trust: pool}), 0, verify.TotalPassed, "")
}

// TestHonestNoRevocationSource: a signer certificate that names no OCSP or
// CRL passes, with a warning saying its status is unknown.
func TestHonestNoRevocationSource(t *testing.T) {
	t.Parallel()
	p := onlinePKIFor(t)
	id, err := p.IssueSigner(testpki.SignerOptions{OCSPServer: []string{}, CRLDistributionPoints: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	out := signPDF(t, letterPDF(t), optsFor(id))
	rep := verifyPDF(t, out, &verify.Options{Trust: anchors(p.Root.Cert)})
	s := wantSig(t, rep, 0, verify.TotalPassed, "")
	if !anyContains(s.Warnings, "no revocation source") {
		t.Errorf("no warning about the missing revocation source: %q", s.Warnings)
	}
	// The offline PKI: no certificate of the path names a source.
	q := offlinePKIFor(t)
	out = signPDF(t, letterPDF(t), optsFor(signerID(t, q, testpki.ECDSAP256)))
	rep = verifyPDF(t, out, &verify.Options{Trust: anchors(q.Root.Cert), Offline: true})
	s = wantSig(t, rep, 0, verify.TotalPassed, "")
	if len(s.Warnings) == 0 {
		t.Errorf("no warning")
	}
}

// TestNameIsOnlyAClaim: /Name says "Bupati Serang", the certificate says
// otherwise: the report names the certificate's holder as signer.
func TestNameIsOnlyAClaim(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	id := signerID(t, p, testpki.ECDSAP256)
	o := optsFor(id)
	o.Name = "Bupati Serang"
	o.Reason = "Ditandatangani oleh Bupati Serang"
	out := signPDF(t, letterPDF(t), o)
	rep := verifyPDF(t, out, &verify.Options{Trust: anchors(p.Root.Cert)})
	s := wantSig(t, rep, 0, verify.TotalPassed, "")
	if s.Signer.CommonName != "Budi Santoso" || strings.Contains(s.Signer.Subject, "Bupati") {
		t.Errorf("signer %+v", s.Signer)
	}
	if s.Name != "Bupati Serang" {
		t.Errorf("claimed name %q", s.Name)
	}
	for _, c := range s.Chain {
		if strings.Contains(c.Subject, "Bupati") {
			t.Errorf("chain names the claim: %+v", c)
		}
	}
}

// TestNoSignature: unsigned corpus files.
func TestNoSignature(t *testing.T) {
	t.Parallel()
	p := offlinePKIFor(t)
	corpus := testcorpus.Base(t)
	for _, name := range testcorpus.Names(corpus) {
		rep := verifyPDF(t, corpus[name], &verify.Options{Trust: anchors(p.Root.Cert)})
		if rep.Indication != verify.NoSignature || len(rep.Signatures) != 0 {
			t.Errorf("%s: %s with %d signatures", name, rep.Indication, len(rep.Signatures))
		}
	}
}
