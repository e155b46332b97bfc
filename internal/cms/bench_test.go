package cms

import (
	"context"
	"crypto/x509"
	"testing"
)

func BenchmarkBuildRSA2048(b *testing.B) {
	p := newPKI(b, "rsa2048")
	bl, err := NewBuilder(p.leaf, p.leafKey, BuildOptions{Certificates: []*x509.Certificate{p.root}})
	if err != nil {
		b.Fatal(err)
	}
	digest := make([]byte, 32)
	ctx := context.Background()
	for b.Loop() {
		if _, err := bl.Build(ctx, digest, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseVerifyRSA2048(b *testing.B) {
	p, der, digest := buildTestSignature(b, "rsa2048", []byte("bench"))
	_ = p
	for b.Loop() {
		sd, err := Parse(der)
		if err != nil {
			b.Fatal(err)
		}
		si := sd.SignerInfos[0]
		cert, err := si.FindCertificate(sd.ParsedCertificates())
		if err != nil {
			b.Fatal(err)
		}
		if err := sd.VerifyDetached(si, cert, digest); err != nil {
			b.Fatal(err)
		}
	}
}
