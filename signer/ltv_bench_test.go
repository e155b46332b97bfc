package signer_test

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/revocation"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/tsa"
)

// BenchmarkLevels signs a one-page letter at every level over loopback
// peers (testpki's OCSP responder and TSA). "cached" shares one
// revocation.Checker between signatures, as the service does; "uncached"
// makes a new one each time, which is what the cache saves.
func BenchmarkLevels(b *testing.B) {
	pki, _ := testpki.MustNewServer(b, testpki.Options{})
	id := pki.MustIssueSigner(b, testpki.SignerOptions{KeyType: testpki.RSA2048})
	tsaID, err := pki.IssueTSA(testpki.SignerOptions{})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(testpki.NewTSA(tsaID, testpki.TSAOptions{}))
	b.Cleanup(srv.Close)
	ts, err := tsa.New(tsa.Options{URLs: []string{srv.URL}, Roots: pki.Roots()})
	if err != nil {
		b.Fatal(err)
	}
	in := testcorpus.Base(b)["gs-letter"]
	shared := revocation.New(revocation.Options{})
	for _, level := range []signer.Level{signer.LevelB, signer.LevelT, signer.LevelLT, signer.LevelLTA} {
		for _, cached := range []bool{true, false} {
			name := level.String() + "/cached"
			if !cached {
				if level < signer.LevelLT {
					continue
				}
				name = level.String() + "/uncached"
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(in)))
				for b.Loop() {
					checker := shared
					if !cached {
						checker = revocation.New(revocation.Options{})
					}
					if _, err := signer.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), io.Discard, &signer.Options{
						Signer: id.Key, Certificate: id.Cert, Chain: id.Chain, Level: level,
						Timestamper: ts, Revocation: checker,
					}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
