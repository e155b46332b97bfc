package signer_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// earlyKey is a software key that begins its signatures early, as
// pkcs11.Key does, and counts what Sign asks of it.
type earlyKey struct {
	crypto.Signer
	other                               crypto.Signer // when set, the begun signature is made with this key
	beginErr                            error         // BeginSign fails with it
	block                               bool          // BeginSign waits for its context to end
	begins, signs, closes, direct, open atomic.Int64
	opts                                atomic.Value // crypto.SignerOpts given to BeginSign
}

func (k *earlyKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	k.direct.Add(1)
	if k.other != nil {
		return k.other.Sign(rand, digest, opts)
	}
	return k.Signer.Sign(rand, digest, opts)
}

func (k *earlyKey) BeginSign(ctx context.Context, opts crypto.SignerOpts) (signer.PendingSigner, error) {
	k.begins.Add(1)
	if k.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if k.beginErr != nil {
		return nil, k.beginErr
	}
	k.opts.Store(opts)
	k.open.Add(1)
	key := k.Signer
	if k.other != nil {
		key = k.other
	}
	return &earlyPending{k: k, key: key, opts: opts}, nil
}

type earlyPending struct {
	k    *earlyKey
	key  crypto.Signer
	opts crypto.SignerOpts
	done bool
}

func (p *earlyPending) Public() crypto.PublicKey { return p.k.Public() }

func (p *earlyPending) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if p.done {
		return nil, errors.New("signed twice")
	}
	p.done = true
	p.k.open.Add(-1)
	p.k.signs.Add(1)
	if opts.HashFunc() != p.opts.HashFunc() {
		return nil, errors.New("begun for another hash")
	}
	_, begunPSS := p.opts.(*rsa.PSSOptions)
	if _, pss := opts.(*rsa.PSSOptions); pss != begunPSS {
		return nil, errors.New("begun for another scheme")
	}
	return p.key.Sign(rand, digest, opts)
}

func (p *earlyPending) Close() error {
	p.k.closes.Add(1)
	if !p.done {
		p.done = true
		p.k.open.Add(-1)
	}
	return nil
}

// settledGoroutines waits for the goroutine count to come down to want.
func settledGoroutines(t *testing.T, want int) {
	t.Helper()
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(2 * time.Second); n > want && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		time.Sleep(5 * time.Millisecond)
	}
	if n > want {
		t.Errorf("goroutines: %d before Sign, %d after", want, n)
	}
}

// TestEarlySigner checks that Sign makes the signature of a key that can
// begin early with the begun signature, begun with the options the
// signature is made with (hash, PSS), and that the document is valid.
func TestEarlySigner(t *testing.T) {
	src := testcorpus.Base(t)["gs-letter"]
	cases := []struct {
		name string
		kt   testpki.KeyType
		hash crypto.Hash
		pss  bool
	}{
		{"rsa", testpki.RSA2048, crypto.SHA256, false},
		{"rsa-pss-sha384", testpki.RSA2048, crypto.SHA384, true},
		{"ecdsa", testpki.ECDSAP256, crypto.SHA256, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := identity(t, tc.kt)
			key := &earlyKey{Signer: id.Key}
			opts := &signer.Options{Signer: key, Certificate: id.Cert, Chain: id.Chain, Hash: tc.hash, PSS: tc.pss}
			before := runtime.NumGoroutine()
			// The signature is begun unless Sign needs it before the
			// goroutine that begins it has started (every core busy);
			// TestEarlyBegun and TestEarlyDropped (early_internal_test.go)
			// take each way for certain.
			const docs = 10
			for i := range docs {
				out, res := signBytes(t, src, opts)
				if i == 0 {
					checkExternal(t, out, res, allSegel(1))
				}
			}
			b, s, c, d := key.begins.Load(), key.signs.Load(), key.closes.Load(), key.direct.Load()
			t.Logf("%d of %d signatures begun early", s, docs)
			if b != s || c != b || s+d != docs || key.open.Load() != 0 {
				t.Errorf("BeginSign %d, begun Sign %d, Close %d, key's own Sign %d for %d documents; want every begun signature made and closed, one signature per document",
					b, s, c, d, docs)
			}
			if begun, _ := key.opts.Load().(crypto.SignerOpts); begun != nil {
				if _, pss := begun.(*rsa.PSSOptions); begun.HashFunc() != tc.hash || pss != tc.pss {
					t.Errorf("begun with %T %v, want hash %v, PSS %v", begun, begun.HashFunc(), tc.hash, tc.pss)
				}
			}
			settledGoroutines(t, before)
		})
	}
}

// TestEarlySignerFallback checks that a key whose BeginSign fails signs
// through its own Sign, once.
func TestEarlySignerFallback(t *testing.T) {
	id := identity(t, testpki.ECDSAP256)
	key := &earlyKey{Signer: id.Key, beginErr: errors.New("no session")}
	out, res := signBytes(t, testcorpus.Base(t)["gs-letter"], &signer.Options{Signer: key, Certificate: id.Cert, Chain: id.Chain})
	if b, d := key.begins.Load(), key.direct.Load(); b > 1 || d != 1 {
		t.Errorf("BeginSign %d, key's own Sign %d; want at most 1, 1", b, d)
	}
	checkExternal(t, out, res, allSegel(1))
}

// TestEarlySignerAbort checks that errors before the signature end the
// begun signature without making it, and that no goroutine is left,
// also when BeginSign is still waiting (for a token session, say).
func TestEarlySignerAbort(t *testing.T) {
	id := identity(t, testpki.ECDSAP256)
	src := testcorpus.Base(t)["gs-letter"]
	for _, tc := range []struct {
		name  string
		src   []byte
		block bool
		want  error
	}{
		{"invalid-pdf", []byte("%PDF-1.7\nnot a PDF at all\n"), false, signer.ErrInvalidPDF},
		{"invalid-pdf-begin-waiting", []byte("%PDF-1.7\nnot a PDF at all\n"), true, signer.ErrInvalidPDF},
		{"truncated", src[:len(src)/2], false, signer.ErrInvalidPDF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := &earlyKey{Signer: id.Key, block: tc.block}
			before := runtime.NumGoroutine()
			var out bytes.Buffer
			_, err := signer.Sign(context.Background(), bytes.NewReader(tc.src), int64(len(tc.src)), &out,
				&signer.Options{Signer: key, Certificate: id.Cert, Chain: id.Chain})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Sign: %v, want %v", err, tc.want)
			}
			if key.begins.Load() > 1 || key.signs.Load() != 0 || key.direct.Load() != 0 || key.open.Load() != 0 {
				t.Errorf("BeginSign %d, begun Sign %d, key's own Sign %d, left open %d; want at most 1, 0, 0, 0",
					key.begins.Load(), key.signs.Load(), key.direct.Load(), key.open.Load())
			}
			if !tc.block && key.closes.Load() != key.begins.Load() {
				t.Errorf("Close %d after %d BeginSign", key.closes.Load(), key.begins.Load())
			}
			settledGoroutines(t, before)
		})
	}

	// A context cancelled before the digest is known: the begun
	// signature is ended, not made.
	t.Run("cancelled", func(t *testing.T) {
		key := &earlyKey{Signer: id.Key}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		before := runtime.NumGoroutine()
		_, err := signer.Sign(ctx, bytes.NewReader(src), int64(len(src)), io.Discard,
			&signer.Options{Signer: key, Certificate: id.Cert, Chain: id.Chain})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Sign: %v, want context.Canceled", err)
		}
		if key.signs.Load() != 0 || key.direct.Load() != 0 || key.open.Load() != 0 {
			t.Errorf("begun Sign %d, key's own Sign %d, left open %d; want 0", key.signs.Load(), key.direct.Load(), key.open.Load())
		}
		settledGoroutines(t, before)
	})
}

// TestEarlySignerWrongKey checks that a begun signature is checked
// against the certificate like any other: one made with another key
// produces no document (the key's own Sign, should the signature not be
// begun, signs with the other key too).
func TestEarlySignerWrongKey(t *testing.T) {
	id := identity(t, testpki.ECDSAP256)
	other, err := testpki.GenerateKey(testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	src := testcorpus.Base(t)["gs-letter"]
	key := &earlyKey{Signer: id.Key, other: other}
	_, err = signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), io.Discard,
		&signer.Options{Signer: key, Certificate: id.Cert, Chain: id.Chain})
	if err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Fatalf("a begun signature made with another key: %v, want a signature that does not verify", err)
	}
	if key.signs.Load()+key.direct.Load() != 1 || key.open.Load() != 0 {
		t.Errorf("begun Sign %d, key's own Sign %d, left open %d; want one signature, 0 open",
			key.signs.Load(), key.direct.Load(), key.open.Load())
	}
}
