package service_test

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/internal/pgtest"
	"github.com/segel-id/segel/internal/service"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/internal/totp"
	"github.com/segel-id/segel/testpki"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// sealReplicas returns n services ("replicas") sharing one store opened
// n times from dsn, each with the seal profile "segel" under one KEK.
func sealReplicas(t *testing.T, dsn string, n int) []*service.Service {
	t.Helper()
	pki := testpki.MustNew(t, testpki.Options{})
	org := pki.MustIssueSigner(t, testpki.SignerOptions{NonRepudiation: true})
	kek := make([]byte, totp.KeySize)
	rand.Read(kek)
	var out []*service.Service
	for range n {
		st, err := store.Open(context.Background(), dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		svc, err := service.New(service.Options{Store: st, TOTPKey: kek, Profiles: []*service.Profile{{
			Name: "segel", Seal: true, IDSubscriber: "SEAL-1", APIActivation: true,
			Key: &keyref.Key{Signer: org.Key, Certificate: org.Cert, Chain: org.Chain}}}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, svc)
	}
	return out
}

// TestSealCodeReplicas: the documents of a seal code are spent exactly
// once, whichever replica spends them, on SQLite and on one PostgreSQL.
func TestSealCodeReplicas(t *testing.T) {
	for name, dsn := range map[string]func() string{
		"sqlite":   func() string { return filepath.Join(t.TempDir(), "segel.db") },
		"postgres": func() string { return pgtest.DSN(t) },
	} {
		t.Run(name, func(t *testing.T) {
			svcs := sealReplicas(t, dsn(), 2)
			ctx := context.Background()
			call := func(svc *service.Service, code string) *service.SealCall {
				return &service.SealCall{Profile: svc.ProfileBySubscriber("SEAL-1"), Code: code, Client: "app", ClientAddr: "192.0.2.1", RequestID: "r"}
			}
			act, e := svcs[0].ActivateSeal(ctx, call(svcs[0], ""))
			if e != nil {
				t.Fatal(e)
			}
			secret, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(act.Secret)
			code, e := svcs[1].IssueSealCode(ctx, call(svcs[1], totp.Code(secret, time.Now())), 5)
			if e != nil {
				t.Fatal(e)
			}
			var ok, refused atomic.Int32
			var wg sync.WaitGroup
			for i := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					svc := svcs[i%2]
					g, e := svc.SpendSealCode(ctx, call(svc, code.Code), 1)
					switch {
					case e == nil && g != nil:
						ok.Add(1)
					case e != nil && e.Kind == "seal-code-rejected":
						refused.Add(1)
					default:
						t.Errorf("spend: %v", e)
					}
				}()
			}
			wg.Wait()
			if ok.Load() != 5 || refused.Load() != 11 {
				t.Errorf("%d spent, %d refused; want 5 and 11", ok.Load(), refused.Load())
			}
		})
	}
}

// TestSealFirstActivationReplicas: with APIActivation, of 16 first
// activations at once on two replicas exactly one is given a secret (the
// one kept: its code works), on SQLite and on one PostgreSQL.
func TestSealFirstActivationReplicas(t *testing.T) {
	for name, dsn := range map[string]func() string{
		"sqlite":   func() string { return filepath.Join(t.TempDir(), "segel.db") },
		"postgres": func() string { return pgtest.DSN(t) },
	} {
		t.Run(name, func(t *testing.T) {
			svcs := sealReplicas(t, dsn(), 2)
			ctx := context.Background()
			var mu sync.Mutex
			var won []*service.SealActivation
			var wg sync.WaitGroup
			for i := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					svc := svcs[i%2]
					act, e := svc.ActivateSeal(ctx, &service.SealCall{Profile: svc.ProfileBySubscriber("SEAL-1"), Client: "app", ClientAddr: "192.0.2.1"})
					switch {
					case e == nil:
						mu.Lock()
						won = append(won, act)
						mu.Unlock()
					case e.Kind != "seal-already-activated" && e.Kind != "seal-code-required":
						t.Errorf("activation: %v", e)
					}
				}()
			}
			wg.Wait()
			if len(won) != 1 {
				t.Fatalf("%d of 16 concurrent first activations got a secret, want 1", len(won))
			}
			secret, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(won[0].Secret)
			c := &service.SealCall{Profile: svcs[1].ProfileBySubscriber("SEAL-1"), Code: totp.Code(secret, time.Now()), Client: "app", ClientAddr: "192.0.2.1"}
			if _, e := svcs[1].IssueSealCode(ctx, c, 1); e != nil {
				t.Fatalf("a code of the winner's secret: %v", e)
			}
		})
	}
}

// TestSealGrant: a seal profile signs only with a grant of the service,
// one signature per document of it.
func TestSealGrant(t *testing.T) {
	svc := sealReplicas(t, filepath.Join(t.TempDir(), "segel.db"), 1)[0]
	f := &fixture{svc: svc, letter: newFixture(t, nil).letter}
	ctx := context.Background()
	req := f.request(t, "segel", "", "192.0.2.1")
	req.Passphrase = nil
	var se *service.Error
	if _, err := svc.Sign(ctx, req); !errors.As(err, &se) || se.Kind != "seal-code-required" {
		t.Fatalf("sign without a grant: %v", err)
	}
	c := &service.SealCall{Profile: svc.Profile("segel"), Client: "app", ClientAddr: "192.0.2.1"}
	act, e := svc.ActivateSeal(ctx, c)
	if e != nil {
		t.Fatal(e)
	}
	secret, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(act.Secret)
	c.Code = totp.Code(secret, time.Now())
	code, e := svc.IssueSealCode(ctx, c, 1)
	if e != nil {
		t.Fatal(e)
	}
	c.Code = code.Code
	g, e := svc.SpendSealCode(ctx, c, 1)
	if e != nil {
		t.Fatal(e)
	}
	req = f.request(t, "segel", "", "192.0.2.1")
	req.Passphrase, req.Seal = nil, g
	if _, err := svc.Sign(ctx, req); err != nil {
		t.Fatalf("sign with the grant: %v", err)
	}
	req = f.request(t, "segel", "", "192.0.2.1")
	req.Passphrase, req.Seal = nil, g
	if _, err := svc.Sign(ctx, req); !errors.As(err, &se) || se.Kind != "seal-code-required" {
		t.Fatalf("a second signature with a grant of one: %v", err)
	}
	// A seal profile without the KEK is refused at start.
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "other.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := service.New(service.Options{Store: st, Profiles: []*service.Profile{{Name: "segel", Seal: true, IDSubscriber: "SEAL-1", Key: svc.Profile("segel").Key}}}); err == nil {
		t.Error("a seal profile without TOTPKey was accepted")
	}
}
