package signer_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/internal/testpeers"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/tsa"
	"github.com/segel-id/segel/verify"
)

// TestIndependentPeers signs at every level against peers that are not
// Segel's: OpenSSL's OCSP responder and OpenSSL's TSA. Then the signer is
// revoked, and the verdicts follow: a B-B signature loses its standing,
// the timestamped levels keep it (their proof of existence predates the
// revocation).
func TestIndependentPeers(t *testing.T) {
	pki, _ := testpki.MustNewServer(t, testpki.Options{})
	relay := testpeers.NewRelay(t)
	ocspOnly := testpki.SignerOptions{OCSPServer: []string{relay.URL}, CRLDistributionPoints: []string{}}
	ocspOnly.KeyType = testpki.RSA2048
	id := pki.MustIssueSigner(t, ocspOnly)
	ocspOnly.KeyType = ""
	tsaID, err := pki.IssueTSA(ocspOnly)
	if err != nil {
		t.Fatal(err)
	}
	responder, err := pki.IssueOCSPResponder(pki.Issuing)
	if err != nil {
		t.Fatal(err)
	}
	index := []testpeers.IndexEntry{{Serial: id.Cert.SerialNumber}, {Serial: tsaID.Cert.SerialNumber}}
	if err := relay.SetTarget(testpeers.OpenSSLOCSP(t, pki.Issuing.Cert, responder.Cert, responder.Key, index)); err != nil {
		t.Fatal(err)
	}
	ts, err := tsa.New(tsa.Options{URLs: []string{testpeers.OpenSSLTSA(t, tsaID.Cert, tsaID.Key, tsaID.Chain)}, Roots: pki.Roots()})
	if err != nil {
		t.Fatal(err)
	}
	pool := trust.NewPool()
	pool.AddCert(pki.Root.Cert, "test root")
	in := testcorpus.Base(t)["gs-letter"]

	signed := map[signer.Level][]byte{}
	for _, level := range []signer.Level{signer.LevelB, signer.LevelT, signer.LevelLT, signer.LevelLTA} {
		var out bytes.Buffer
		if _, err := signer.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out, &signer.Options{
			Signer: id.Key, Certificate: id.Cert, Chain: id.Chain, Level: level, Timestamper: ts,
		}); err != nil {
			t.Fatalf("%v: %v", level, err)
		}
		pdfsigValid(t, out.Bytes())
		signed[level] = out.Bytes()
	}
	check := func(level signer.Level, offline bool, want verify.Indication, wantSub verify.SubIndication) {
		t.Helper()
		doc := signed[level]
		rep, err := verify.Verify(context.Background(), bytes.NewReader(doc), int64(len(doc)), &verify.Options{Trust: pool, Offline: offline})
		if err != nil {
			t.Fatal(err)
		}
		s := rep.Signatures[0]
		if s.Indication != want || s.SubIndication != wantSub {
			t.Errorf("%v offline=%v: %s/%s, want %s/%s: %v %v", level, offline, s.Indication, s.SubIndication, want, wantSub, s.Errors, s.Warnings)
		}
	}
	for _, level := range []signer.Level{signer.LevelB, signer.LevelT, signer.LevelLT, signer.LevelLTA} {
		check(level, false, verify.TotalPassed, "")
	}
	check(signer.LevelLT, true, verify.TotalPassed, "")
	check(signer.LevelLTA, true, verify.TotalPassed, "")

	// Revoke the signer: a new responder answers from the new index.
	time.Sleep(1100 * time.Millisecond) // revocation strictly after the timestamps
	index[0].RevokedAt = time.Now().UTC().Truncate(time.Second)
	if err := relay.SetTarget(testpeers.OpenSSLOCSP(t, pki.Issuing.Cert, responder.Cert, responder.Key, index)); err != nil {
		t.Fatal(err)
	}
	check(signer.LevelB, false, verify.Indeterminate, verify.RevokedNoPOE)
	check(signer.LevelT, false, verify.TotalPassed, "")
	check(signer.LevelLTA, true, verify.TotalPassed, "")
}
