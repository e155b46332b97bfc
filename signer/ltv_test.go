package signer_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/tsa"
	"github.com/segel-id/segel/verify"
)

// ltvWorld is a PKI with live OCSP/CRL and a TSA on loopback.
type ltvWorld struct {
	pki    *testpki.PKI
	signer *testpki.Identity
	ts     *tsa.Client
	tsa    *testpki.TSA
}

func newLTVWorld(t *testing.T) *ltvWorld {
	t.Helper()
	pki, _ := testpki.MustNewServer(t, testpki.Options{})
	id := pki.MustIssueSigner(t, testpki.SignerOptions{KeyType: testpki.RSA2048, NonRepudiation: true})
	tsaID, err := pki.IssueTSA(testpki.SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ts := testpki.NewTSA(tsaID, testpki.TSAOptions{})
	srv := httptest.NewServer(ts)
	t.Cleanup(srv.Close)
	client, err := tsa.New(tsa.Options{URLs: []string{srv.URL}, Roots: pki.Roots()})
	if err != nil {
		t.Fatal(err)
	}
	return &ltvWorld{pki: pki, signer: id, ts: client, tsa: ts}
}

func (w *ltvWorld) sign(t *testing.T, in []byte, level signer.Level) []byte {
	t.Helper()
	var out bytes.Buffer
	res, err := signer.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out, &signer.Options{
		Signer: w.signer.Key, Certificate: w.signer.Cert, Chain: w.signer.Chain,
		Level: level, Timestamper: w.ts,
	})
	if err != nil {
		t.Fatalf("%v: %v", level, err)
	}
	if res.Level != level || res.Size != int64(out.Len()) {
		t.Fatalf("result level %v size %d, want %v and %d", res.Level, res.Size, level, out.Len())
	}
	if !bytes.HasPrefix(out.Bytes(), in) {
		t.Fatal("the input is not a prefix of the output")
	}
	return out.Bytes()
}

func TestLevels(t *testing.T) {
	w := newLTVWorld(t)
	in := testcorpus.Base(t)["gs-letter"]
	for _, level := range []signer.Level{signer.LevelT, signer.LevelLT, signer.LevelLTA} {
		t.Run(level.String(), func(t *testing.T) {
			out := w.sign(t, in, level)
			r, err := pdf.Open(bytes.NewReader(out), int64(len(out)), nil)
			if err != nil {
				t.Fatal(err)
			}
			cat, _ := r.Catalog()
			dss, _ := r.GetDict(cat.Get("DSS"))
			if (level >= signer.LevelLT) != (dss.Len() > 0) {
				t.Fatalf("DSS present = %v at %v", dss.Len() > 0, level)
			}
			if level >= signer.LevelLT {
				vri, _ := r.GetDict(dss.Get("VRI"))
				ocsps, _ := r.GetArray(dss.Get("OCSPs"))
				certs, _ := r.GetArray(dss.Get("Certs"))
				// Segel writes no VRI (docs/decisions.md).
				if vri.Len() != 0 || len(ocsps) < 2 || len(certs) < 3 {
					t.Errorf("DSS: %d VRI entries, %d OCSP responses, %d certificates", vri.Len(), len(ocsps), len(certs))
				}
			}
			fields, _ := r.Fields()
			var docTS int
			for _, f := range fields {
				v, _ := r.GetDict(f.Dict.Get("V"))
				if t, _ := v.Name("Type"); t == "DocTimeStamp" {
					docTS++
				}
			}
			if (level == signer.LevelLTA) != (docTS == 1) {
				t.Errorf("%d document timestamps at %v", docTS, level)
			}
			pdfsigValid(t, out)

			// Offline, LT and LTA validate from the embedded data alone.
			pool := trust.NewPool()
			pool.AddCert(w.pki.Root.Cert, "test root")
			rep, err := verify.Verify(context.Background(), bytes.NewReader(out), int64(len(out)),
				&verify.Options{Trust: pool, Offline: true})
			if err != nil {
				t.Fatal(err)
			}
			wantLevel := map[signer.Level]string{signer.LevelT: "PAdES-BASELINE-T", signer.LevelLT: "PAdES-BASELINE-LT", signer.LevelLTA: "PAdES-BASELINE-LTA"}[level]
			sig := rep.Signatures[0]
			if level == signer.LevelT {
				// Without embedded data an offline check cannot
				// establish revocation status.
				if sig.Indication != verify.Indeterminate || sig.SubIndication != verify.TryLater {
					t.Errorf("offline B-T: %s/%s, want INDETERMINATE/TRY_LATER", sig.Indication, sig.SubIndication)
				}
				return
			}
			if rep.Indication != verify.TotalPassed || string(sig.Level) != wantLevel {
				t.Errorf("offline %v: %s, level %s; report %+v", level, rep.Indication, sig.Level, sig)
				for _, s := range rep.Signatures {
					t.Logf("%s %s %s %s %v %v", s.Field, s.Type, s.Indication, s.SubIndication, s.Errors, s.Warnings)
				}
			}
		})
	}
}

// pdfsigValid checks every signature with poppler's pdfsig.
func pdfsigValid(t *testing.T, data []byte) {
	t.Helper()
	bin := testenv.Tool(t, "pdfsig")
	p := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command(bin, p).CombinedOutput()
	s := string(out)
	if !strings.Contains(s, "Signature is Valid") || strings.Contains(s, "Signature is Invalid") {
		t.Errorf("pdfsig:\n%s", s)
	}
}

func TestLTFailsWhenRevocationIsUnavailable(t *testing.T) {
	w := newLTVWorld(t)
	// A signer whose OCSP responder and CRL cannot be reached.
	id := w.pki.MustIssueSigner(t, testpki.SignerOptions{
		OCSPServer: []string{"http://127.0.0.1:1/ocsp"}, CRLDistributionPoints: []string{"http://127.0.0.1:1/crl"},
	})
	in := testcorpus.Base(t)["gs-letter"]
	var out bytes.Buffer
	key := &countingSigner{Signer: id.Key}
	_, err := signer.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out, &signer.Options{
		Signer: key, Certificate: id.Cert, Chain: id.Chain, Level: signer.LevelLT, Timestamper: w.ts,
	})
	if err == nil || !strings.Contains(err.Error(), "validation data") {
		t.Fatalf("err = %v, want a validation data error", err)
	}
	if key.calls.Load() != 0 || out.Len() != 0 {
		t.Errorf("the key signed %d times and %d bytes were written before the failure", key.calls.Load(), out.Len())
	}
}

func TestLTRefusesRevokedSigner(t *testing.T) {
	w := newLTVWorld(t)
	if err := w.pki.Revoke(w.signer.Cert, time.Now().Add(-time.Minute), 1); err != nil {
		t.Fatal(err)
	}
	in := testcorpus.Base(t)["gs-letter"]
	_, err := signer.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &bytes.Buffer{}, &signer.Options{
		Signer: w.signer.Key, Certificate: w.signer.Cert, Chain: w.signer.Chain, Level: signer.LevelLT, Timestamper: w.ts,
	})
	if err == nil || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("err = %v, want ErrRevoked", err)
	}
}

func TestAugment(t *testing.T) {
	w := newLTVWorld(t)
	in := testcorpus.Base(t)["gs-letter"]
	pool := trust.NewPool()
	pool.AddCert(w.pki.Root.Cert, "test root")
	check := func(t *testing.T, doc []byte, wantLevel string, wantSigs int) {
		t.Helper()
		rep, err := verify.Verify(context.Background(), bytes.NewReader(doc), int64(len(doc)),
			&verify.Options{Trust: pool, Offline: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Indication != verify.TotalPassed || len(rep.Signatures) != wantSigs {
			for _, s := range rep.Signatures {
				t.Logf("%s %s %s %s %v", s.Field, s.Type, s.Indication, s.SubIndication, s.Errors)
			}
			t.Fatalf("offline verdict %s with %d entries, want TOTAL_PASSED with %d", rep.Indication, len(rep.Signatures), wantSigs)
		}
		if got := string(rep.Signatures[0].Level); got != wantLevel {
			t.Errorf("level %s, want %s", got, wantLevel)
		}
		pdfsigValid(t, doc)
	}
	augment := func(t *testing.T, doc []byte, level signer.Level) ([]byte, *signer.AugmentResult) {
		t.Helper()
		var out bytes.Buffer
		res, err := signer.Augment(context.Background(), bytes.NewReader(doc), int64(len(doc)), &out,
			&signer.AugmentOptions{Level: level, Timestamper: w.ts, Certificates: []*x509.Certificate{w.pki.Root.Cert}})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(out.Bytes(), doc) || res.Size != int64(out.Len()) {
			t.Fatal("augment changed the document instead of appending to it")
		}
		return out.Bytes(), res
	}

	bb := w.sign(t, in, signer.LevelB)
	lt, res := augment(t, bb, signer.LevelLT)
	if want := []string{"validation data (DSS)", "document timestamp Timestamp1", "validation data (DSS)"}; !slices.Equal(res.Added, want) {
		t.Errorf("B-B to B-LT added %v, want %v", res.Added, want)
	}
	check(t, lt, "PAdES-BASELINE-LT", 2)

	// The signer's data first, then the timestamp that covers it, its
	// TSA's data and the archive timestamp.
	lta, res := augment(t, bb, signer.LevelLTA)
	if want := []string{"validation data (DSS)", "document timestamp Timestamp1", "validation data (DSS)", "document timestamp Timestamp2"}; !slices.Equal(res.Added, want) {
		t.Errorf("B-B to B-LTA added %v, want %v", res.Added, want)
	}
	check(t, lta, "PAdES-BASELINE-LTA", 3)

	// Renewal: new data for the last timestamp, then a new one.
	renewed, res := augment(t, lta, signer.LevelLTA)
	if want := []string{"validation data (DSS)", "document timestamp Timestamp3"}; !slices.Equal(res.Added, want) {
		t.Errorf("renewal added %v, want %v", res.Added, want)
	}
	check(t, renewed, "PAdES-BASELINE-LTA", 4)

	// A B-T signature needs no document timestamp for B-LT.
	bt := w.sign(t, in, signer.LevelT)
	lt2, res := augment(t, bt, signer.LevelLT)
	if len(res.Added) != 1 {
		t.Errorf("B-T to B-LT added %v, want only the DSS", res.Added)
	}
	check(t, lt2, "PAdES-BASELINE-LT", 1)
}
