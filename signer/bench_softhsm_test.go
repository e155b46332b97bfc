//go:build cgo

package signer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	p11 "github.com/miekg/pkcs11"

	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// runParallel runs b.N calls spread over n goroutines and reports sig/s;
// setup makes each goroutine's call (as in pkcs11/bench_test.go).
func runParallel(b *testing.B, n int, setup func(g int) func()) {
	start := cpuTime()
	spread(b, n, setup)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sig/s")
	reportCPU(b, start)
}

// spread runs b.N calls spread over n goroutines; setup makes each
// goroutine's call.
func spread(b *testing.B, n int, setup func(g int) func()) {
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
		wg.Go(func() {
			for range count {
				fns[g]()
			}
		})
	}
	wg.Wait()
	b.StopTimer()
}

// BenchmarkSoftHSM signs the one-page Ghostscript letter through an
// RSA-2048 key on SoftHSM2 at 1 and 4 goroutines, beside a raw C_Sign
// loop (miekg/pkcs11, one session per goroutine) on the same token and
// key: the ratio of the sig/s metrics is Segel's overhead per document
// (PDF parsing, update, hashing, CMS) over the token's bare signature.
// The ratio/ sub-benchmark alternates one Segel signature and one raw
// C_Sign and reports raw/segel, the ratio of their times: on a machine
// shared with other work the separate runs drift apart, the alternating
// ones see the same load (docs/decisions.md, "Signing through SoftHSM:
// overhead (issue 12)").
func BenchmarkSoftHSM(b *testing.B) {
	tok := softhsmtest.New(b, "bench", "1234")
	pub := tok.GenerateKey(b, "signer", pkcs11.RSA2048)
	id := testPKI(b).MustIssueSigner(b, testpki.SignerOptions{PublicKey: pub, NonRepudiation: true})
	key, err := pkcs11.Open(context.Background(), tok.KeyURI("signer"), &pkcs11.Options{AllowMissingCertificate: true})
	if err != nil {
		b.Fatal(err)
	}
	defer key.Close()
	src := testcorpus.Base(b)["gs-letter"]
	goroutines := []int{1, 4}
	opts := &signer.Options{Signer: key, Certificate: id.Cert, Chain: id.Chain}
	// segel signs as the gateway does (internal/service/sign.go): with
	// the profile's key prepared once; oneShot with signer.Sign alone.
	prep, err := signer.Prepare(opts)
	if err != nil {
		b.Fatal(err)
	}
	segel := func() {
		if _, err := prep.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), io.Discard, &signer.Options{}); err != nil {
			b.Error(err)
		}
	}
	oneShot := func() {
		if _, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), io.Discard, opts); err != nil {
			b.Error(err)
		}
	}

	for _, n := range goroutines {
		b.Run(fmt.Sprintf("segel/goroutines=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			runParallel(b, n, func(int) func() { return segel })
		})
	}
	for _, n := range goroutines {
		b.Run(fmt.Sprintf("segel-oneshot/goroutines=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			runParallel(b, n, func(int) func() { return oneShot })
		})
	}

	raw := newRawSigner(b, tok.Module, "bench", "1234", "signer")
	defer raw.close()
	for _, n := range goroutines {
		b.Run(fmt.Sprintf("raw-C_Sign/goroutines=%d", n), func(b *testing.B) {
			runParallel(b, n, func(int) func() { return raw.session(b) })
			raw.closeSessions()
		})
	}

	// One goroutine only: with more than there are cores, each one's times
	// include waiting for the others, whatever they run, and the
	// ratio tends to 1; compare the sig/s of the runs above instead.
	for _, n := range goroutines[:1] {
		b.Run(fmt.Sprintf("ratio/goroutines=%d", n), func(b *testing.B) {
			var mu sync.Mutex
			var segelTime, rawTime time.Duration
			var segels, raws []time.Duration
			spread(b, n, func(int) func() {
				rawOp := raw.session(b)
				return func() {
					t0 := time.Now()
					segel()
					t1 := time.Now()
					rawOp()
					t2 := time.Now()
					mu.Lock()
					segelTime += t1.Sub(t0)
					rawTime += t2.Sub(t1)
					segels, raws = append(segels, t1.Sub(t0)), append(raws, t2.Sub(t1))
					mu.Unlock()
				}
			})
			b.ReportMetric(float64(segelTime.Microseconds())/float64(b.N), "segel-µs/sig")
			b.ReportMetric(float64(rawTime.Microseconds())/float64(b.N), "raw-µs/sig")
			b.ReportMetric(float64(rawTime)/float64(segelTime), "raw/segel")
			b.ReportMetric(float64(median(raws))/float64(median(segels)), "p50-raw/segel")
			raw.closeSessions()
		})
	}
}

// median returns the median of ds (which it sorts).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// rawSigner is the raw loop: C_SignInit + C_Sign of a SHA-256
// DigestInfo on sessions of its own.
type rawSigner struct {
	c        *p11.Ctx
	slot     uint
	pin, key string
	mu       sync.Mutex
	sessions []p11.SessionHandle
}

func newRawSigner(b *testing.B, module, label, pin, key string) *rawSigner {
	c := p11.New(module)
	if err := c.Initialize(); err != nil && err != p11.Error(p11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		b.Fatal(err)
	}
	slots, err := c.GetSlotList(true)
	if err != nil {
		b.Fatal(err)
	}
	r := &rawSigner{c: c, pin: pin, key: key}
	found := false
	for _, s := range slots {
		if ti, err := c.GetTokenInfo(s); err == nil && ti.Label == label {
			r.slot, found = s, true
		}
	}
	if !found {
		b.Fatal("token not found")
	}
	return r
}

// session opens a logged-in session and returns one raw signature on it.
func (r *rawSigner) session(b *testing.B) func() {
	c := r.c
	s, err := c.OpenSession(r.slot, p11.CKF_SERIAL_SESSION)
	if err != nil {
		b.Fatal(err)
	}
	r.mu.Lock()
	r.sessions = append(r.sessions, s)
	r.mu.Unlock()
	if err := c.Login(s, p11.CKU_USER, r.pin); err != nil && err != p11.Error(p11.CKR_USER_ALREADY_LOGGED_IN) {
		b.Fatal(err)
	}
	if err := c.FindObjectsInit(s, []*p11.Attribute{p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY), p11.NewAttribute(p11.CKA_LABEL, r.key)}); err != nil {
		b.Fatal(err)
	}
	hs, _, err := c.FindObjects(s, 1)
	c.FindObjectsFinal(s)
	if err != nil || len(hs) != 1 {
		b.Fatal("key not found", err)
	}
	sum := sha256.Sum256([]byte("bench"))
	digestInfo := append([]byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}, sum[:]...)
	mech := []*p11.Mechanism{p11.NewMechanism(p11.CKM_RSA_PKCS, nil)}
	return func() {
		if err := c.SignInit(s, mech, hs[0]); err != nil {
			b.Error(err)
			return
		}
		if _, err := c.Sign(s, digestInfo); err != nil {
			b.Error(err)
		}
	}
}

// closeSessions closes the sessions opened so far.
func (r *rawSigner) closeSessions() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.sessions {
		r.c.CloseSession(s)
	}
	r.sessions = nil
}

func (r *rawSigner) close() {
	r.closeSessions()
	r.c.Destroy()
}
