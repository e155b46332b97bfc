package signer_test

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"reflect"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// docOptions are per-document options without the key fields, as a
// caller of Prepared.Sign gives them.
func docOptions(at time.Time, reason string) *signer.Options {
	return &signer.Options{Reason: reason, Location: "Sleman", Name: "Budi Santoso", Time: at}
}

// withKey returns o with id's key fields, as the one-shot Sign needs.
func withKey(o *signer.Options, id *testpki.Identity) *signer.Options {
	c := *o
	c.Signer, c.Certificate, c.Chain = id.Key, id.Cert, id.Chain
	return &c
}

func preparedSign(t testing.TB, p *signer.Prepared, src []byte, o *signer.Options) []byte {
	t.Helper()
	var out bytes.Buffer
	res, err := p.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &out, o)
	if err != nil {
		t.Fatalf("Prepared.Sign: %v", err)
	}
	if res.Size != int64(out.Len()) {
		t.Errorf("Result.Size = %d, wrote %d bytes", res.Size, out.Len())
	}
	return out.Bytes()
}

// TestPreparedMatchesSign signs several documents with one Prepared and
// checks that each output is byte for byte what the one-shot Sign makes
// with the same options (deterministic signatures: RSA PKCS #1 v1.5 and
// Ed25519; a fixed signing time; documents with an /ID).
func TestPreparedMatchesSign(t *testing.T) {
	corpus := testcorpus.Base(t)
	at := time.Now().Add(-time.Minute).Truncate(time.Second)
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.Ed25519} {
		t.Run(string(kt), func(t *testing.T) {
			id := identity(t, kt)
			p, err := signer.Prepare(optionsFor(id))
			if err != nil {
				t.Fatal(err)
			}
			for i, name := range []string{"gs-letter", "gs-letter", "form-2page", "hybrid-xref"} {
				src, ok := corpus[name]
				if !ok {
					t.Fatalf("no %s in the corpus", name)
				}
				o := docOptions(at.Add(time.Duration(i)*time.Second), "reason "+name)
				got := preparedSign(t, p, src, o)
				want, _ := signBytes(t, src, withKey(o, id))
				if !bytes.Equal(got, want) {
					t.Errorf("%s (#%d): Prepared.Sign's output (%d bytes) differs from Sign's (%d bytes)", name, i, len(got), len(want))
				}
			}
		})
	}
}

// TestPreparedConcurrent signs from eight goroutines with one Prepared
// (run under -race): every output is the one-shot Sign's.
func TestPreparedConcurrent(t *testing.T) {
	id := identity(t, testpki.RSA2048)
	p, err := signer.Prepare(optionsFor(id))
	if err != nil {
		t.Fatal(err)
	}
	src := testcorpus.Base(t)["gs-letter"]
	at := time.Now().Add(-time.Minute).Truncate(time.Second)
	o := docOptions(at, "concurrent")
	want, _ := signBytes(t, src, withKey(o, id))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 3 {
				var out bytes.Buffer
				if _, err := p.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &out, docOptions(at, "concurrent")); err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(out.Bytes(), want) {
					t.Error("a concurrent Prepared.Sign differs from Sign")
				}
			}
		})
	}
	wg.Wait()
}

// TestPreparedErrors checks Prepare's and Prepared.Sign's refusals: no
// key, a key of another certificate, key fields given per document, and
// a signing time outside the certificate's validity (checked at each
// signature, not at Prepare).
func TestPreparedErrors(t *testing.T) {
	rsa, ec := identity(t, testpki.RSA2048), identity(t, testpki.ECDSAP256)
	if _, err := signer.Prepare(nil); !errors.Is(err, signer.ErrOptions) {
		t.Errorf("Prepare(nil) = %v, want ErrOptions", err)
	}
	if _, err := signer.Prepare(&signer.Options{Certificate: rsa.Cert}); !errors.Is(err, signer.ErrOptions) {
		t.Errorf("Prepare without a key = %v, want ErrOptions", err)
	}
	if _, err := signer.Prepare(&signer.Options{Signer: ec.Key, Certificate: rsa.Cert}); !errors.Is(err, signer.ErrKeyMismatch) {
		t.Errorf("Prepare with another certificate's key = %v, want ErrKeyMismatch", err)
	}
	if _, err := signer.Prepare(&signer.Options{Signer: ec.Key, Certificate: ec.Cert, PSS: true}); !errors.Is(err, signer.ErrOptions) {
		t.Errorf("Prepare with PSS for an ECDSA key = %v, want ErrOptions", err)
	}
	p, err := signer.Prepare(optionsFor(rsa))
	if err != nil {
		t.Fatal(err)
	}
	src := testcorpus.Base(t)["gs-letter"]
	for name, o := range map[string]*signer.Options{
		"nil":         nil,
		"Signer":      {Signer: ec.Key},
		"Certificate": {Certificate: ec.Cert},
		"Chain":       {Chain: ec.Chain},
		"Hash":        {Hash: crypto.SHA256},
		"PSS":         {PSS: true},
	} {
		var out bytes.Buffer
		if _, err := p.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &out, o); !errors.Is(err, signer.ErrOptions) {
			t.Errorf("%s: Prepared.Sign = %v, want ErrOptions", name, err)
		}
		if out.Len() != 0 {
			t.Errorf("%s: %d bytes written", name, out.Len())
		}
	}
	var out bytes.Buffer
	late := docOptions(rsa.Cert.NotAfter.Add(time.Hour), "late")
	if _, err := p.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &out, late); !errors.Is(err, signer.ErrCertificateExpired) {
		t.Errorf("signing after NotAfter = %v, want ErrCertificateExpired", err)
	}
	if out.Len() != 0 {
		t.Errorf("an expired signature wrote %d bytes", out.Len())
	}
}

// TestPreparedKeepsTemplate checks what Prepared is for: a signature
// with it allocates far less than a one-shot Sign, whose CMS template
// is made anew each time.
func TestPreparedKeepsTemplate(t *testing.T) {
	id := identity(t, testpki.Ed25519)
	p, err := signer.Prepare(optionsFor(id))
	if err != nil {
		t.Fatal(err)
	}
	src := testcorpus.Base(t)["gs-letter"]
	at := time.Now().Add(-time.Minute)
	o := docOptions(at, "allocs")
	ko := withKey(o, id)
	var out bytes.Buffer
	ctx := context.Background()
	oneShot := testing.AllocsPerRun(20, func() {
		out.Reset()
		if _, err := signer.Sign(ctx, bytes.NewReader(src), int64(len(src)), &out, ko); err != nil {
			t.Fatal(err)
		}
	})
	prepared := testing.AllocsPerRun(20, func() {
		out.Reset()
		if _, err := p.Sign(ctx, bytes.NewReader(src), int64(len(src)), &out, o); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocations per signature: Sign %.0f, Prepared.Sign %.0f", oneShot, prepared)
	// Making the Builder and its template is over a hundred allocations
	// (certificates, attributes, algorithm identifiers); a Prepared that
	// made them per call would save only a handful.
	if prepared > oneShot-50 {
		t.Errorf("Prepared.Sign allocates %.0f times per signature, Sign %.0f: the template is not kept", prepared, oneShot)
	}
}

// lastWrite records where the last Write's bytes were (not the bytes:
// a Writer must not keep them).
type lastWrite struct{ at uintptr }

func (w *lastWrite) Write(p []byte) (int, error) {
	if len(p) > 0 {
		w.at = reflect.ValueOf(p).Pointer()
	}
	return len(p), nil
}

// TestSignReusesUpdateBuffer checks that consecutive signatures write
// their update (the last Write: the update from /Contents on) from one
// recycled buffer, not from one made per signature (a third of the
// bytes a letter's signature allocated), and that the documents stay
// right: each verifies as the one written into a fresh buffer does.
func TestSignReusesUpdateBuffer(t *testing.T) {
	if testenv.Race {
		t.Skip("sync.Pool drops entries at random under the race detector")
	}
	id := identity(t, testpki.RSA2048)
	p, err := signer.Prepare(optionsFor(id))
	if err != nil {
		t.Fatal(err)
	}
	src := testcorpus.Base(t)["gs-letter"]
	o := docOptions(time.Now().Add(-time.Minute), "buffer")
	// One P: a sync.Pool keeps what is put back in the putting P's own
	// slot, which a goroutine moved to another P would not find.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var w lastWrite
	var at []uintptr
	for range 5 {
		if _, err := p.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &w, o); err != nil {
			t.Fatal(err)
		}
		at = append(at, w.at)
	}
	// A collection between two signatures may still empty the pool
	// (rarely); a buffer per signature never gives the same place twice
	// in a row, short of the allocator handing a freed one back.
	same := 0
	for i := 1; i < len(at); i++ {
		if at[i] == at[i-1] {
			same++
		}
	}
	if same < 3 {
		t.Errorf("the updates were written from %x: a buffer per signature", at)
	}
	// What a buffer held before does not show: the letter signed after
	// a larger update (another Reserve, so other bytes in the buffer)
	// is the letter signed before it.
	want := preparedSign(t, p, src, o)
	big := *o
	big.Reserve = 4000
	preparedSign(t, p, src, &big)
	if got := preparedSign(t, p, src, o); !bytes.Equal(got, want) {
		t.Error("a signature written into a recycled buffer differs from the same signature before")
	}
}
