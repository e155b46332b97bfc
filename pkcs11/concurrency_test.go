package pkcs11_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/pkcs11"
)

func TestConcurrentSign(t *testing.T) {
	for _, kt := range []string{pkcs11.RSA2048, pkcs11.ECP256} {
		t.Run(kt, func(t *testing.T) {
			_, k, _ := tokenWithKey(t, kt)
			const workers, each = 16, 15
			var wg sync.WaitGroup
			errs := make(chan error, workers*each)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						var opts crypto.SignerOpts = crypto.SHA256
						if kt == pkcs11.RSA2048 && i%2 == 1 {
							opts = &rsa.PSSOptions{Hash: crypto.SHA256, SaltLength: rsa.PSSSaltLengthEqualsHash}
						}
						d := digest(crypto.SHA256, fmt.Appendf(nil, "%d/%d", w, i))
						sig, err := k.SignContext(context.Background(), rand.Reader, d, opts)
						if err == nil {
							err = verify(k.Public(), d, sig, opts)
						}
						if err != nil {
							errs <- err
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			st := k.Stats()
			if st.Signatures != workers*each || st.Sessions > st.PoolSize || st.Sessions < 1 {
				t.Fatalf("stats %+v", st)
			}
			t.Logf("stats %+v", st)
		})
	}
}

// TestPoolWaitCanceled checks that a call waiting for a session gives up
// with its context.
func TestPoolWaitCanceled(t *testing.T) {
	tok := softhsmtest.New(t, "pool", "1234")
	tok.GenerateKey(t, "signer", pkcs11.RSA2048)
	k, err := pkcs11.Open(context.Background(), tok.KeyURI("signer"), &pkcs11.Options{PoolSize: 1, AllowMissingCertificate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	var wg sync.WaitGroup
	var canceled atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
			defer cancel()
			_, err := k.SignContext(ctx, nil, digest(crypto.SHA256, nil), crypto.SHA256)
			if errors.Is(err, context.DeadlineExceeded) {
				canceled.Add(1)
			} else if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if st := k.Stats(); st.Sessions != 1 || st.PoolSize != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// recreatableToken makes a token whose key comes from a PEM file made by
// openssl, so that the same key can be put back after the token is deleted.
type recreatableToken struct {
	tok                 *softhsmtest.Token
	keyFile, certFile   string
	pkcs11Tool, openssl string
	cert                *x509.Certificate
}

func newRecreatableToken(t *testing.T) *recreatableToken {
	r := &recreatableToken{
		tok:        softhsmtest.New(t, "fault", "1234"),
		pkcs11Tool: testenv.Tool(t, "pkcs11-tool"),
		openssl:    testenv.Tool(t, "openssl"),
	}
	dir := t.TempDir()
	r.keyFile = filepath.Join(dir, "key.pem")
	r.certFile = filepath.Join(dir, "cert.der")
	run(t, r.openssl, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", r.keyFile)
	b, _ := os.ReadFile(r.keyFile)
	blk, _ := pem.Decode(b)
	priv, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	p := newPKI(t, priv.(*rsa.PrivateKey).Public(), "Fault Signer")
	r.cert = p.leaf
	if err := os.WriteFile(r.certFile, p.leaf.Raw, 0o600); err != nil {
		t.Fatal(err)
	}
	r.fill(t)
	return r
}

// fill imports the key and certificate into the token.
func (r *recreatableToken) fill(t *testing.T) {
	r.tok.Util(t, "--import", r.keyFile, "--token", "fault", "--label", "signer", "--id", "01", "--pin", "1234")
	run(t, r.pkcs11Tool, "--module", r.tok.Module, "--token-label", "fault", "--login", "--pin", "1234",
		"--write-object", r.certFile, "--type", "cert", "--id", "01", "--label", "signer")
}

// delete deletes the token. softhsm2-util may fail to remove the token
// directory while this process's SoftHSM touches its lock file; it is
// tried again then.
func (r *recreatableToken) delete(t *testing.T) {
	util := testenv.Tool(t, "softhsm2-util")
	var out []byte
	var err error
	for range 20 {
		out, err = exec.Command(util, "--delete-token", "--token", "fault").CombinedOutput()
		if err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("softhsm2-util --delete-token: %v\n%s", err, out)
}

func (r *recreatableToken) create(t *testing.T) {
	r.tok.Util(t, "--init-token", "--free", "--label", "fault", "--pin", "1234", "--so-pin", softhsmtest.SOPIN)
	r.fill(t)
}

// TestTokenRecreated deletes and re-creates the token while goroutines
// sign: failures must be ErrTokenUnavailable, every signature must verify,
// signing must work again once the token is back, and nothing may leak.
func TestTokenRecreated(t *testing.T) {
	r := newRecreatableToken(t)
	before := runtime.NumGoroutine()
	k, err := pkcs11.Open(context.Background(), r.tok.KeyURI("signer"), nil)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			k.Close()
		}
	}()
	if !k.Certificate().Equal(r.cert) {
		t.Fatal("wrong certificate")
	}

	var (
		stop                  atomic.Bool
		ok, unavailable, last atomic.Int64
		wg                    sync.WaitGroup
	)
	start := time.Now()
	defer func() { stop.Store(true); wg.Wait() }() // also when the test fails early
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				d := digest(crypto.SHA256, fmt.Appendf(nil, "%d/%d", w, i))
				sig, err := k.Sign(nil, d, crypto.SHA256)
				switch {
				case err == nil:
					if err := verify(r.cert.PublicKey, d, sig, crypto.SHA256); err != nil {
						t.Errorf("wrong signature: %v", err)
						return
					}
					ok.Add(1)
					last.Store(int64(time.Since(start)))
				case errors.Is(err, pkcs11.ErrTokenUnavailable):
					unavailable.Add(1)
					time.Sleep(time.Millisecond)
				default:
					t.Errorf("error is not ErrTokenUnavailable: %v", err)
					return
				}
			}
		}()
	}
	time.Sleep(150 * time.Millisecond)
	r.delete(t)
	time.Sleep(300 * time.Millisecond)
	downOK := ok.Load()
	r.create(t)
	back := time.Since(start)
	time.Sleep(700 * time.Millisecond)
	stop.Store(true)
	wg.Wait()

	st := k.Stats()
	t.Logf("ok %d (%d before re-creation), unavailable %d, stats %+v", ok.Load(), downOK, unavailable.Load(), st)
	if unavailable.Load() == 0 {
		t.Error("no call saw the token go away")
	}
	if time.Duration(last.Load()) < back {
		t.Errorf("no signature after the token came back (last at %v, back at %v)", time.Duration(last.Load()), back)
	}
	d := digest(crypto.SHA256, []byte("after"))
	sig, err := k.Sign(nil, d, crypto.SHA256)
	if err != nil || verify(r.cert.PublicKey, d, sig, crypto.SHA256) != nil {
		t.Fatalf("sign after recovery: %v", err)
	}
	if err := k.Healthy(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st.Sessions > st.PoolSize || st.Errors[pkcs11.KindTokenUnavailable] == 0 {
		t.Errorf("stats %+v", st)
	}
	k.Close()
	closed = true
	if st := k.Stats(); st.Sessions != 0 {
		t.Errorf("%d sessions open after Close", st.Sessions)
	}
	if _, err := k.Sign(nil, d, crypto.SHA256); !errors.Is(err, pkcs11.ErrClosed) {
		t.Errorf("Sign after Close: %v", err)
	}
	time.Sleep(50 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before+2 {
		t.Errorf("goroutines: %d before, %d after", before, after)
	}
}

// TestTokenDownHealth checks Healthy while the token is away and back.
func TestTokenDownHealth(t *testing.T) {
	r := newRecreatableToken(t)
	k, err := pkcs11.Open(context.Background(), r.tok.KeyURI("signer"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	r.delete(t)
	d := digest(crypto.SHA256, nil)
	if _, err := k.Sign(nil, d, crypto.SHA256); !errors.Is(err, pkcs11.ErrTokenUnavailable) {
		t.Fatalf("Sign with token deleted: %v", err)
	}
	time.Sleep(250 * time.Millisecond)
	if err := k.Healthy(context.Background()); !errors.Is(err, pkcs11.ErrTokenUnavailable) {
		t.Fatalf("Healthy with token deleted: %v", err)
	}
	r.create(t)
	time.Sleep(250 * time.Millisecond) // past the re-initialisation rate limit
	if err := k.Healthy(context.Background()); err != nil {
		t.Fatalf("Healthy after re-creation: %v", err)
	}
	sig, err := k.Sign(nil, d, crypto.SHA256)
	if err != nil || verify(r.cert.PublicKey, d, sig, crypto.SHA256) != nil {
		t.Fatalf("Sign after re-creation: %v", err)
	}
}
