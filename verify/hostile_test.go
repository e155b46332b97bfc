package verify_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// hostileFile is a generated hostile input and, when it is signed, how.
type hostileFile struct {
	name string
	make func() []byte
}

// hostileFiles are the inputs of issue 11's "bounded cost" section, each
// up to about 1 MB: docs/decisions.md ("Bounded cost on hostile input")
// gives the budget they are held to.
var hostileFiles = []hostileFile{
	{"kids-8k", func() []byte { return hostileKidsBomb(8000) }},
	{"kids-13k", func() []byte { return hostileKidsBomb(13000) }},
	{"kids-8k-signed-twice", nil}, // made by signedKidsBomb
	{"huge-size", hostileHugeSize},
	{"deflate-bomb", hostileDeflateBomb},
	{"deep-nesting", func() []byte { return hostileDeepNesting(5000) }},
	{"ref-loops", hostileRefLoops},
	{"many-revisions", func() []byte { return hostileManyRevisions(6000) }},
}

// measure verifies data once and returns the time and the bytes
// allocated (an upper bound of the memory it needed).
func measure(tb testing.TB, data []byte) (time.Duration, uint64, *verify.Report, error) {
	tb.Helper()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep, err := verify.Verify(ctx, bytes.NewReader(data), int64(len(data)), &verify.Options{Offline: true})
	d := time.Since(start)
	runtime.ReadMemStats(&m1)
	return d, m1.TotalAlloc - m0.TotalAlloc, rep, err
}

// TestHostileBounded: each hostile file is verified within the memory
// budget (64 MiB allocated in all) and without an error other than
// ErrNotPDF; the time bound is loose here (the race detector and a busy
// machine slow it down): BenchmarkHostile measures it.
func TestHostileBounded(t *testing.T) {
	for _, h := range hostileFiles {
		t.Run(h.name, func(t *testing.T) {
			data := hostileData(t, h)
			if len(data) > 1<<20+1<<19 {
				t.Fatalf("generated %d bytes, want about 1 MB at most", len(data))
			}
			if dir := os.Getenv("SEGEL_WRITE_HOSTILE"); dir != "" {
				os.WriteFile(filepath.Join(dir, h.name+".pdf"), data, 0o644)
			}
			d, alloc, rep, err := measure(t, data)
			t.Logf("%s: %d bytes, %v, %.1f MiB allocated", h.name, len(data), d, float64(alloc)/(1<<20))
			if err != nil && !errors.Is(err, verify.ErrNotPDF) {
				t.Fatalf("Verify: %v", err)
			}
			if rep != nil && rep.Indication == verify.TotalPassed {
				t.Errorf("hostile file passed")
			}
			if alloc > 64<<20 {
				t.Errorf("allocated %.1f MiB, want at most 64 MiB", float64(alloc)/(1<<20))
			}
			if d > 30*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// BenchmarkHostile reports the time and memory of verifying each hostile
// file (go test -bench Hostile -benchmem ./verify).
func BenchmarkHostile(b *testing.B) {
	for _, h := range hostileFiles {
		data := hostileData(b, h)
		b.Run(h.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				_, err := verify.Verify(context.Background(), bytes.NewReader(data), int64(len(data)), &verify.Options{Offline: true})
				if err != nil && !errors.Is(err, verify.ErrNotPDF) {
					b.Fatal(err)
				}
			}
		})
	}
}

// hostileData makes the file; a nil make is the kids bomb signed twice
// with Segel (so that the signer's field walkers and the change analysis
// of the first signature run over it too).
func hostileData(tb testing.TB, h hostileFile) []byte {
	if h.make != nil {
		return h.make()
	}
	id := signerID(tb, offlinePKIFor(tb), testpki.ECDSAP256)
	start := time.Now()
	data := signPDF(tb, signPDF(tb, hostileKidsBomb(8000), optsFor(id)), optsFor(id))
	tb.Logf("signing the kids bomb twice: %v", time.Since(start))
	return data
}
