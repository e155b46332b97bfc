package signer_test

import (
	"bytes"
	"context"
	"crypto"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// memoSigner signs with key once per distinct digest and then answers the
// same digest from memory, so that a benchmark signing the same document
// at a fixed time measures everything but the key (docs/decisions.md,
// "Signing through SoftHSM: overhead (issue 12)").
type memoSigner struct {
	key    crypto.Signer
	mu     sync.Mutex
	digest []byte
	sig    []byte
	signs  int
}

func (m *memoSigner) Public() crypto.PublicKey { return m.key.Public() }

func (m *memoSigner) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sig != nil && bytes.Equal(digest, m.digest) {
		return m.sig, nil
	}
	sig, err := m.key.Sign(rand, digest, opts)
	if err != nil {
		return nil, err
	}
	m.digest, m.sig = bytes.Clone(digest), sig
	m.signs++
	return sig, nil
}

// BenchmarkSignOverhead is BenchmarkSoftHSM's document (gs-letter, RSA-2048,
// certificate and chain) without the token: the key's signature is made
// once and remembered (a fixed signing time makes every document the
// same), so ns/op is Segel's own work per document — parsing, the
// update, hashing, the CMS and checking the signature — which
// BenchmarkSoftHSM adds to C_SignInit+C_Sign.
func BenchmarkSignOverhead(b *testing.B) {
	id := identity(b, testpki.RSA2048)
	key := &memoSigner{key: id.Key}
	src := testcorpus.Base(b)["gs-letter"]
	opts := &signer.Options{Signer: key, Certificate: id.Cert, Chain: id.Chain,
		Time: time.Now().Truncate(time.Second)}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if _, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), io.Discard, opts); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
	if key.signs != 1 {
		b.Fatalf("the key signed %d times, want once (the document changed between calls)", key.signs)
	}
}

// BenchmarkSignOverheadPrepared is BenchmarkSignOverhead through a
// Prepared, as the gateway and BenchmarkSoftHSM's segel loop sign: the
// CMS template is made once, so ns/op is Segel's own work per document
// in BenchmarkSoftHSM's ratio.
func BenchmarkSignOverheadPrepared(b *testing.B) {
	id := identity(b, testpki.RSA2048)
	key := &memoSigner{key: id.Key}
	src := testcorpus.Base(b)["gs-letter"]
	prep, err := signer.Prepare(&signer.Options{Signer: key, Certificate: id.Cert, Chain: id.Chain})
	if err != nil {
		b.Fatal(err)
	}
	opts := &signer.Options{Time: time.Now().Truncate(time.Second)}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	// An explicit ResetTimer (b.Loop's own is inlined) lets callgrind's
	// --zero-before find the start of the timed loop.
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		if _, err := prep.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), io.Discard, opts); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
	if key.signs != 1 {
		b.Fatalf("the key signed %d times, want once (the document changed between calls)", key.signs)
	}
}
