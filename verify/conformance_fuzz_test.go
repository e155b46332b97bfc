package verify_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/verify"
)

// conformanceSeeds returns the genuine conformance files that pass today,
// with their signed ranges, and the options to verify them.
func conformanceSeeds(t testing.TB) ([]fuzzSeed, *verify.Options) {
	t.Helper()
	entries := readManifest(t)
	rootPEM, err := os.ReadFile(filepath.Join(conformanceDir, "root.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := trust.NewPool()
	pool.AddPEM(rootPEM, "conformance TEST root")
	opts := &verify.Options{Trust: pool, Time: conformanceTime, Offline: true}
	var seeds []fuzzSeed
	for _, e := range entries {
		if e.Class != "genuine" || e.Expected != verify.TotalPassed {
			continue
		}
		data, err := os.ReadFile(filepath.Join(conformanceDir, e.File))
		if err != nil {
			t.Fatal(err)
		}
		s := fuzzSeed{name: e.File, data: data}
		for _, l := range sigsOf(t, data) {
			s.ranges = append(s.ranges, l.BR)
		}
		seeds = append(seeds, s)
	}
	return seeds, opts
}

// TestConformanceCoveredByteFlips: in every genuine conformance file, a
// byte changed at the start, middle or end of each signed range makes the
// document anything but TOTAL_PASSED.
func TestConformanceCoveredByteFlips(t *testing.T) {
	t.Parallel()
	seeds, opts := conformanceSeeds(t)
	if len(seeds) == 0 {
		t.Fatal("no genuine conformance file")
	}
	for _, s := range seeds {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			for _, br := range s.ranges {
				for _, r := range [][2]int64{{br[0], br[1]}, {br[2], br[3]}} {
					if r[1] <= 0 {
						continue
					}
					for _, at := range []int64{r[0], r[0] + r[1]/2, r[0] + r[1] - 1} {
						data := bytes.Clone(s.data)
						data[at] ^= 0x01
						rep, err := verify.Verify(context.Background(), bytes.NewReader(data), int64(len(data)), opts)
						if err != nil {
							if !errors.Is(err, verify.ErrNotPDF) {
								t.Errorf("byte %d: Verify: %v", at, err)
							}
							continue
						}
						if rep.Indication == verify.TotalPassed {
							t.Errorf("byte %d changed, yet TOTAL_PASSED\n%s", at, dumpReport(rep))
						}
					}
				}
			}
		})
	}
}

// FuzzConformance mutates the genuine conformance files: Verify never
// panics, and a change inside a signed range is never TOTAL_PASSED.
func FuzzConformance(f *testing.F) {
	seeds, opts := conformanceSeeds(f)
	for _, s := range seeds {
		if len(s.data) <= 64<<10 {
			f.Add(s.data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		rep, err := verify.Verify(ctx, bytes.NewReader(data), int64(len(data)), opts)
		if err != nil {
			if !errors.Is(err, verify.ErrNotPDF) {
				t.Fatalf("Verify: %v", err)
			}
			return
		}
		for _, s := range seeds {
			if bytes.Equal(s.data, data) {
				return // an unchanged file (some are earlier revisions of others)
			}
		}
		seed, d := nearest(seeds, data)
		if d < int64(len(seed.data)) && seed.covered(d) && rep.Indication == verify.TotalPassed {
			t.Fatalf("differs from %s at covered byte %d, yet TOTAL_PASSED\n%s", seed.name, d, dumpReport(rep))
		}
	})
}
