package verify_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// BenchmarkVerifyRSA is BenchmarkVerify's 374 KB case with RSA keys all
// the way up (RSA-2048 signer, RSA CAs), the shape of BSrE's PKI: RSA
// signatures verify several times faster than ECDSA ones.
func BenchmarkVerifyRSA(b *testing.B) {
	p := testpki.MustNew(b, testpki.Options{KeyType: testpki.RSA2048})
	id := p.MustIssueSigner(b, testpki.SignerOptions{KeyType: testpki.RSA2048})
	opts := &verify.Options{Trust: anchors(p.Root.Cert), Offline: true}
	path := filepath.Join(b.TempDir(), "374KB.pdf")
	size := makeSignedFile(b, path, 366<<10, &signer.Options{Signer: id.Key, Certificate: id.Cert, Chain: id.Chain})
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		rep, err := verify.Verify(context.Background(), f, size, opts)
		if err != nil || rep.Indication != verify.TotalPassed {
			b.Fatalf("%v %v", err, rep)
		}
	}
}
