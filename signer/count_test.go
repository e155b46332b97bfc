package signer_test

import (
	"testing"

	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/testpki"
)

// TestSignCallCount checks that the key signs exactly once per document,
// whatever the key type, digest, padding or document.
func TestSignCallCount(t *testing.T) {
	t.Parallel()
	bases := testcorpus.Base(t)
	for _, tc := range []struct {
		name string
		key  testpki.KeyType
		pss  bool
	}{
		{"rsa2048", testpki.RSA2048, false},
		{"rsa2048-pss", testpki.RSA2048, true},
		{"ecdsa-p256", testpki.ECDSAP256, false},
		{"ecdsa-p384", testpki.ECDSAP384, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id := identity(t, tc.key)
			for _, name := range testcorpus.Names(bases) {
				doc := bases[name]
				for i := range 2 { // a first and a second signature
					key := &countingSigner{Signer: id.Key}
					opts := optionsFor(id)
					opts.Signer = key
					opts.PSS = tc.pss
					out, res := signBytes(t, doc, opts)
					if n := key.calls.Load(); n != 1 {
						t.Errorf("%s, signature %d: the key signed %d times, want 1", name, i+1, n)
					}
					checkExternal(t, out, res, allSegel(i+1))
					doc = out
				}
			}
		})
	}
	// A key with SignContext is called through it, once.
	t.Run("context-signer", func(t *testing.T) {
		t.Parallel()
		id := identity(t, testpki.ECDSAP256)
		key := &countingContextSigner{countingSigner: countingSigner{Signer: ctxKey{id.Key}}}
		opts := optionsFor(id)
		opts.Signer = key
		out, res := signBytes(t, letter(t), opts)
		if key.ctxCalls.Load() != 1 || key.calls.Load() != 0 {
			t.Errorf("SignContext called %d times, Sign %d times; want 1 and 0", key.ctxCalls.Load(), key.calls.Load())
		}
		checkExternal(t, out, res, allSegel(1))
	})
}
