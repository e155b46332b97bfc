//go:build cgo

package pkcs11_test

import (
	"context"
	"crypto"
	"fmt"
	"sync"
	"testing"

	p11 "github.com/miekg/pkcs11"

	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/pkcs11"
)

var benchCounts = []int{1, 2, 4, 8}

// parallel runs b.N calls of fn spread over n goroutines.
func parallel(b *testing.B, n int, setup func(g int) func()) {
	fns := make([]func(), n)
	for g := range n {
		fns[g] = setup(g)
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	for g := range n {
		count := b.N / n
		if g < b.N%n {
			count++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range count {
				fns[g]()
			}
		}()
	}
	wg.Wait()
}

func benchToken(b *testing.B) *softhsmtest.Token {
	tok := softhsmtest.New(b, "bench", "1234")
	tok.GenerateKey(b, "signer", pkcs11.RSA2048)
	return tok
}

// BenchmarkSign signs SHA-256 digests with RSA-2048 PKCS #1 v1.5 through
// the package.
func BenchmarkSign(b *testing.B) {
	tok := benchToken(b)
	k, err := pkcs11.Open(context.Background(), tok.KeyURI("signer"), &pkcs11.Options{AllowMissingCertificate: true})
	if err != nil {
		b.Fatal(err)
	}
	defer k.Close()
	d := digest(crypto.SHA256, []byte("bench"))
	for _, n := range benchCounts {
		b.Run(fmt.Sprintf("goroutines=%d", n), func(b *testing.B) {
			parallel(b, n, func(int) func() {
				return func() {
					if _, err := k.Sign(nil, d, crypto.SHA256); err != nil {
						b.Error(err)
					}
				}
			})
		})
	}
}

// BenchmarkRawC_Sign does the same with miekg/pkcs11 directly: one
// session per goroutine, C_SignInit and C_Sign on the same token.
func BenchmarkRawC_Sign(b *testing.B) {
	tok := benchToken(b)
	// Keep the module initialised by an open key, as in BenchmarkSign.
	k, err := pkcs11.Open(context.Background(), tok.KeyURI("signer"), &pkcs11.Options{AllowMissingCertificate: true})
	if err != nil {
		b.Fatal(err)
	}
	defer k.Close()
	c := p11.New(tok.Module)
	defer c.Destroy()
	if err := c.Initialize(); err != nil && err != p11.Error(p11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		b.Fatal(err)
	}
	slots, err := c.GetSlotList(true)
	if err != nil {
		b.Fatal(err)
	}
	var slot uint
	for _, s := range slots {
		if ti, err := c.GetTokenInfo(s); err == nil && ti.Label == "bench" {
			slot = s
		}
	}
	data := append([]byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
		digest(crypto.SHA256, []byte("bench"))...)
	mech := []*p11.Mechanism{p11.NewMechanism(p11.CKM_RSA_PKCS, nil)}
	for _, n := range benchCounts {
		b.Run(fmt.Sprintf("goroutines=%d", n), func(b *testing.B) {
			var sessions []p11.SessionHandle
			parallel(b, n, func(int) func() {
				s, err := c.OpenSession(slot, p11.CKF_SERIAL_SESSION)
				if err != nil {
					b.Fatal(err)
				}
				sessions = append(sessions, s)
				if err := c.Login(s, p11.CKU_USER, "1234"); err != nil && err != p11.Error(p11.CKR_USER_ALREADY_LOGGED_IN) {
					b.Fatal(err)
				}
				c.FindObjectsInit(s, []*p11.Attribute{p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY), p11.NewAttribute(p11.CKA_LABEL, "signer")})
				hs, _, err := c.FindObjects(s, 1)
				c.FindObjectsFinal(s)
				if err != nil || len(hs) != 1 {
					b.Fatal("key not found", err)
				}
				return func() {
					if err := c.SignInit(s, mech, hs[0]); err != nil {
						b.Error(err)
						return
					}
					if _, err := c.Sign(s, data); err != nil {
						b.Error(err)
					}
				}
			})
			b.StopTimer()
			for _, s := range sessions {
				c.CloseSession(s)
			}
		})
	}
}
