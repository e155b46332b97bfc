//go:build cgo

package pkcs11_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/pkcs11"
)

// TestBeginSign makes signatures begun before their digest is known, for
// every mechanism the key picks (PKCS #1 v1.5, PSS, ECDSA), and checks
// them against the public key; each session returns to the pool.
func TestBeginSign(t *testing.T) {
	for _, kt := range []string{pkcs11.RSA2048, pkcs11.ECP256, pkcs11.ECP384} {
		t.Run(kt, func(t *testing.T) {
			_, k, _ := tokenWithKey(t, kt)
			var optsList []crypto.SignerOpts
			for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
				optsList = append(optsList, h)
				if kt[:3] == "rsa" {
					optsList = append(optsList,
						&rsa.PSSOptions{Hash: h, SaltLength: rsa.PSSSaltLengthEqualsHash},
						&rsa.PSSOptions{Hash: h, SaltLength: 20})
				}
			}
			for _, opts := range optsList {
				p, err := k.BeginSign(context.Background(), opts)
				if err != nil {
					t.Fatalf("%v: %v", describe(opts), err)
				}
				if !p.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(k.Public()) {
					t.Fatal("Public of the begun signature is not the key's")
				}
				d := digest(opts.HashFunc(), []byte("begun "+kt))
				sig, err := p.Sign(nil, d, opts)
				if err != nil {
					t.Fatalf("%v: %v", describe(opts), err)
				}
				if err := verify(k.Public(), d, sig, opts); err != nil {
					t.Fatalf("%v: %v", describe(opts), err)
				}
				if _, err := p.Sign(nil, d, opts); err == nil {
					t.Fatal("a begun signature signed twice")
				}
				if err := p.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if st := k.Stats(); st.Signatures != uint64(len(optsList)) || st.Sessions != 1 {
				t.Fatalf("stats %+v, want %d signatures on the one session", st, len(optsList))
			}
		})
	}
}

// TestBeginSignClose checks that a begun signature that is closed, or
// whose Sign fails before C_Sign, never puts its session back into the
// pool with the operation active: with a pool of one session, the next
// signature would fail with CKR_OPERATION_ACTIVE.
func TestBeginSignClose(t *testing.T) {
	tok := softhsmtest.New(t, "begin", "1234")
	tok.GenerateKey(t, "signer", pkcs11.RSA2048)
	k, err := pkcs11.Open(context.Background(), tok.KeyURI("signer"), &pkcs11.Options{PoolSize: 1, AllowMissingCertificate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	d := digest(crypto.SHA256, []byte("after"))
	signs := func(step string) {
		t.Helper()
		sig, err := k.SignContext(context.Background(), nil, d, crypto.SHA256)
		if err != nil {
			t.Fatalf("%s: the next signature: %v", step, err)
		}
		if err := verify(k.Public(), d, sig, crypto.SHA256); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}

	p, err := k.BeginSign(context.Background(), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Sign(nil, d, crypto.SHA256); err == nil {
		t.Fatal("Sign after Close signed")
	}
	signs("closed")

	// Options of another mechanism than the begun one: refused, and
	// the session is not reused.
	p, err = k.BeginSign(context.Background(), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Sign(nil, d, &rsa.PSSOptions{Hash: crypto.SHA256}); !errors.Is(err, pkcs11.ErrUnsupported) {
		t.Fatalf("PSS on a PKCS #1 v1.5 signature: %v, want ErrUnsupported", err)
	}
	p.Close()
	signs("other mechanism")

	// A digest of the wrong size.
	p, err = k.BeginSign(context.Background(), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Sign(nil, d[:20], crypto.SHA256); err == nil {
		t.Fatal("a 20-byte digest for SHA-256 was signed")
	}
	signs("short digest")

	if st := k.Stats(); st.Sessions != 1 || st.Signatures != 3 {
		t.Fatalf("stats %+v", st)
	}
}

// TestBeginSignPoolWait checks that a begun signature holds its session
// until it is made: a second BeginSign (pool of one) waits, gives up with
// its context, and gets the session once the first is made.
func TestBeginSignPoolWait(t *testing.T) {
	tok := softhsmtest.New(t, "beginwait", "1234")
	tok.GenerateKey(t, "signer", pkcs11.ECP256)
	k, err := pkcs11.Open(context.Background(), tok.KeyURI("signer"), &pkcs11.Options{PoolSize: 1, AllowMissingCertificate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	p, err := k.BeginSign(context.Background(), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := k.BeginSign(ctx, crypto.SHA256); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second BeginSign on a pool of one: %v, want DeadlineExceeded", err)
	}
	var wg sync.WaitGroup
	var second pkcs11.PendingSigner
	var secondErr error
	wg.Go(func() { second, secondErr = k.BeginSign(context.Background(), crypto.SHA256) })
	time.Sleep(20 * time.Millisecond)
	d := digest(crypto.SHA256, []byte("first"))
	sig, err := p.Sign(nil, d, crypto.SHA256)
	if err != nil || verify(k.Public(), d, sig, crypto.SHA256) != nil {
		t.Fatalf("first: %v", err)
	}
	wg.Wait()
	if secondErr != nil {
		t.Fatalf("second BeginSign after the first was made: %v", secondErr)
	}
	sig, err = second.Sign(nil, d, crypto.SHA256)
	if err != nil || verify(k.Public(), d, sig, crypto.SHA256) != nil {
		t.Fatalf("second: %v", err)
	}
	if st := k.Stats(); st.Sessions != 1 || st.PoolWaits == 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestBeginSignPersonal checks that a personal key does not begin a
// signature without its passphrase.
func TestBeginSignPersonal(t *testing.T) {
	tok := softhsmtest.New(t, "beginpers", "1234")
	tok.GenerateKey(t, "signer", pkcs11.ECP256)
	k, err := pkcs11.Open(context.Background(), tok.KeyURI("signer"), &pkcs11.Options{Personal: true, AllowMissingCertificate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if _, err := k.BeginSign(context.Background(), crypto.SHA256); !errors.Is(err, pkcs11.ErrPassphraseRequired) {
		t.Fatalf("BeginSign on a personal key: %v, want ErrPassphraseRequired", err)
	}
}

// TestBeginSignKeyClosed checks that closing the key while a signature is
// begun does not hang, and that the begun signature then fails with
// ErrClosed instead of signing.
func TestBeginSignKeyClosed(t *testing.T) {
	_, k, _ := tokenWithKey(t, pkcs11.ECP256)
	p, err := k.BeginSign(context.Background(), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { k.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs while a signature is begun")
	}
	if _, err := p.Sign(nil, digest(crypto.SHA256, nil), crypto.SHA256); !errors.Is(err, pkcs11.ErrClosed) {
		t.Fatalf("begun signature after Close: %v, want ErrClosed", err)
	}
	p.Close()
	if st := k.Stats(); st.Sessions != 0 {
		t.Fatalf("%d sessions open after Close", st.Sessions)
	}
}

// TestBeginSignTokenRecreated deletes and re-creates the token between
// BeginSign and Sign, while another call sees it gone: the begun session
// is stale, and the signature is made anew on the token that came back
// (or the error says the token is unavailable), never on the stale
// session; nothing leaks.
func TestBeginSignTokenRecreated(t *testing.T) {
	r := newRecreatableToken(t)
	before := runtime.NumGoroutine()
	k, err := pkcs11.Open(context.Background(), r.tok.KeyURI("signer"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	p, err := k.BeginSign(context.Background(), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	r.delete(t)
	// Another signature sees the token gone: the key's state moves on,
	// and the begun session (which SoftHSM would still let sign, from
	// the key it loaded at C_SignInit) is stale.
	d := digest(crypto.SHA256, []byte("recreated"))
	if _, err := k.Sign(nil, d, crypto.SHA256); !errors.Is(err, pkcs11.ErrTokenUnavailable) {
		t.Fatalf("signature without the token: %v, want ErrTokenUnavailable", err)
	}
	r.create(t)
	sig, err := p.Sign(nil, d, crypto.SHA256)
	t.Logf("begun signature on the re-created token: %v", err)
	for deadline := time.Now().Add(5 * time.Second); err != nil && time.Now().Before(deadline); {
		if !errors.Is(err, pkcs11.ErrTokenUnavailable) {
			t.Fatalf("begun signature on a re-created token: %v, want success or ErrTokenUnavailable", err)
		}
		// A begun signature is made once; later tries begin anew.
		time.Sleep(250 * time.Millisecond)
		var q pkcs11.PendingSigner
		if q, err = k.BeginSign(context.Background(), crypto.SHA256); err == nil {
			sig, err = q.Sign(nil, d, crypto.SHA256)
		}
	}
	if err != nil {
		t.Fatalf("no signature after the token came back: %v", err)
	}
	if err := verify(r.cert.PublicKey, d, sig, crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	if st := k.Stats(); st.Sessions > st.PoolSize || st.Recoveries == 0 {
		t.Fatalf("stats %+v, want a recovery", st)
	}
	k.Close()
	time.Sleep(50 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before+2 {
		t.Errorf("goroutines: %d before, %d after", before, after)
	}
}
