package verify_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/segel-id/segel/verify"
)

// FuzzCoveredBytes changes one byte that a signature covers in a signed
// seed (the seeds of FuzzVerify), optionally appends bytes after it, and
// checks the invariant of issue 11: whatever else happens, that
// signature is never TOTAL_PASSED, so neither is the document, and
// Verify neither panics nor fails with anything but ErrNotPDF.
//
// seed picks the file, sig the signature, off the offset inside its
// covered ranges, x the bits to flip (0 flips the lowest), tail the
// bytes appended.
func FuzzCoveredBytes(f *testing.F) {
	seeds, pool := loadFuzzSeeds(f)
	opts := fuzzOptions(pool)
	f.Fuzz(func(t *testing.T, seed uint8, sig uint8, off uint32, x byte, tail []byte) {
		s := seeds[int(seed)%len(seeds)]
		if len(s.ranges) == 0 {
			return
		}
		br := s.ranges[int(sig)%len(s.ranges)]
		covered := br[1] + br[3]
		if covered <= 0 {
			return
		}
		d := int64(off) % covered
		if d >= br[1] {
			d = br[2] + (d - br[1])
		}
		if x == 0 {
			x = 1
		}
		data := append(bytes.Clone(s.data), tail...)
		data[d] ^= x
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		rep, err := verify.Verify(ctx, bytes.NewReader(data), int64(len(data)), opts)
		if err != nil {
			if !errors.Is(err, verify.ErrNotPDF) {
				t.Fatalf("Verify: %v", err)
			}
			return
		}
		if rep.Indication == verify.TotalPassed {
			t.Fatalf("%s: byte %d (covered by %v) changed, yet TOTAL_PASSED\n%s", s.name, d, br, dumpReport(rep))
		}
		for _, r := range rep.Signatures {
			if len(r.ByteRange) == 4 && r.ByteRange[0] == br[0] && r.ByteRange[1] == br[1] &&
				r.ByteRange[2] == br[2] && r.ByteRange[3] == br[3] && r.Indication == verify.TotalPassed {
				t.Fatalf("%s: byte %d changed, yet its signature %q is TOTAL_PASSED\n%s", s.name, d, r.Field, dumpReport(rep))
			}
		}
	})
}
