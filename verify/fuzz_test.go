package verify_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/verify"
)

// The fuzz seeds are small Segel-signed PDFs made once by
// TestWriteFuzzCorpus (SEGEL_WRITE_CORPUS=1) and committed with the root
// certificate they chain to; the keys were thrown away. Their
// certificates are valid from 2025 to 2045 and the fuzz target verifies
// as of fuzzTime, offline: the verdicts never depend on the clock.
const (
	fuzzSeedDir  = "testdata/fuzz/FuzzVerify"
	fuzzRootFile = "testdata/fuzz-root.pem"
)

var (
	fuzzNotBefore = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	fuzzNotAfter  = time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC)
	fuzzTime      = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
)

// TestWriteFuzzCorpus regenerates the seed corpus of FuzzVerify and its
// root certificate. Run it only when the seeds must change:
//
//	SEGEL_WRITE_CORPUS=1 go test -run TestWriteFuzzCorpus ./verify/
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("SEGEL_WRITE_CORPUS") != "1" {
		t.Skip("set SEGEL_WRITE_CORPUS=1 to regenerate verify/testdata/fuzz")
	}
	p := testpki.MustNew(t, testpki.Options{Name: "Segel Fuzz", NotBefore: fuzzNotBefore, NotAfter: fuzzNotAfter})
	validity := testpki.SignerOptions{NotBefore: fuzzNotBefore, NotAfter: fuzzNotAfter}
	head := validity
	head.Subject = pkix.Name{CommonName: "Bupati Serang"}
	staff := validity
	staff.Subject = pkix.Name{CommonName: "Kasubag Umum"}
	headID := p.MustIssueSigner(t, head)
	staffID := p.MustIssueSigner(t, staff)
	var tiny bytes.Buffer
	if err := writeLetterPDF(&tiny, 0); err != nil {
		t.Fatal(err)
	}
	o := func(id *testpki.Identity) *signer.Options {
		o := optsFor(id)
		o.Chain = id.Chain[:1] // the issuing CA; the root is the anchor
		return o
	}
	seeds := map[string][]byte{}
	seeds["tiny-bb"] = signPDF(t, tiny.Bytes(), o(headID))
	seeds["tiny-paraf-head"] = signPDF(t, signPDF(t, tiny.Bytes(), o(staffID)), o(headID))
	bt := o(headID)
	bt.Level = signer.LevelT
	bt.Timestamper = newTestTSA(t, p, nil) // checked at its genTime only
	seeds["tiny-bt"] = signPDF(t, tiny.Bytes(), bt)
	form := o(headID)
	form.Field = "Signature1"
	seeds["form-field"] = signPDF(t, testcorpus.Base(t)["form-2page"], form)
	seeds["hybrid-xref"] = signPDF(t, testcorpus.Base(t)["hybrid-xref"], o(staffID))

	if err := os.MkdirAll(fuzzSeedDir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(fuzzSeedDir, "seed-*"))
	for _, f := range old {
		os.Remove(f)
	}
	for name, data := range seeds {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		if err := os.WriteFile(filepath.Join(fuzzSeedDir, "seed-"+name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("seed-%s: %d bytes", name, len(data))
	}
	root := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Root.Cert.Raw})
	if err := os.WriteFile(fuzzRootFile, root, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fuzzSeed is a committed seed: a signed file and what its signatures
// cover.
type fuzzSeed struct {
	name   string
	data   []byte
	ranges [][4]int64
}

// loadFuzzSeeds reads the committed seeds and the fuzz root.
func loadFuzzSeeds(t testing.TB) ([]fuzzSeed, *trust.Pool) {
	t.Helper()
	pemData, err := os.ReadFile(fuzzRootFile)
	if err != nil {
		t.Fatalf("%v (regenerate with SEGEL_WRITE_CORPUS=1)", err)
	}
	block, _ := pem.Decode(pemData)
	if block == nil {
		t.Fatalf("%s holds no PEM certificate", fuzzRootFile)
	}
	root, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pool := trust.NewPool()
	pool.AddCert(root, fuzzRootFile)
	files, err := filepath.Glob(filepath.Join(fuzzSeedDir, "seed-*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no seeds in %s (regenerate with SEGEL_WRITE_CORPUS=1)", fuzzSeedDir)
	}
	var seeds []fuzzSeed
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitN(string(raw), "\n", 2)
		if len(lines) != 2 || lines[0] != "go test fuzz v1" {
			t.Fatalf("%s: not a go test fuzz v1 file", f)
		}
		lit := strings.TrimSpace(lines[1])
		lit = strings.TrimSuffix(strings.TrimPrefix(lit, "[]byte("), ")")
		s, err := strconv.Unquote(lit)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		seed := fuzzSeed{name: filepath.Base(f), data: []byte(s)}
		for _, l := range sigsOf(t, seed.data) {
			seed.ranges = append(seed.ranges, l.BR)
		}
		seeds = append(seeds, seed)
	}
	return seeds, pool
}

func fuzzOptions(pool *trust.Pool) *verify.Options {
	return &verify.Options{Trust: pool, Offline: true, Time: fuzzTime}
}

// TestFuzzSeedsPass: every seed is a valid document, so that the fuzz
// property ("a changed covered byte never passes") is not vacuous.
func TestFuzzSeedsPass(t *testing.T) {
	t.Parallel()
	seeds, pool := loadFuzzSeeds(t)
	for _, s := range seeds {
		rep := verifyPDF(t, s.data, fuzzOptions(pool))
		if rep.Indication != verify.TotalPassed || len(rep.Signatures) != len(s.ranges) || len(s.ranges) == 0 {
			t.Errorf("%s: %s with %d signatures\n%s", s.name, rep.Indication, len(rep.Signatures), dumpReport(rep))
		}
	}
}

// covered reports whether offset d is inside a range some signature of
// the seed covers.
func (s fuzzSeed) covered(d int64) bool {
	for _, br := range s.ranges {
		if (d >= br[0] && d < br[0]+br[1]) || (d >= br[2] && d < br[2]+br[3]) {
			return true
		}
	}
	return false
}

// nearest returns the seed sharing the longest prefix with data and the
// offset of the first difference.
func nearest(seeds []fuzzSeed, data []byte) (fuzzSeed, int64) {
	var best fuzzSeed
	bestLen := int64(-1)
	for _, s := range seeds {
		n := int64(0)
		for n < int64(len(s.data)) && n < int64(len(data)) && s.data[n] == data[n] {
			n++
		}
		if n > bestLen {
			best, bestLen = s, n
		}
	}
	return best, bestLen
}

// FuzzVerify mutates signed PDFs. Verify must not panic or hang, its
// report must be consistent, and a document that differs from the
// signed original inside a signed byte range never passes.
func FuzzVerify(f *testing.F) {
	seeds, pool := loadFuzzSeeds(f)
	opts := fuzzOptions(pool)
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
		// A consistent report.
		if rep.Size != int64(len(data)) || len(rep.SHA256) != 64 {
			t.Fatalf("size %d sha256 %q", rep.Size, rep.SHA256)
		}
		if (len(rep.Signatures) == 0) != (rep.Indication == verify.NoSignature) {
			t.Fatalf("%s with %d signatures", rep.Indication, len(rep.Signatures))
		}
		worst := verify.TotalPassed
		for _, s := range rep.Signatures {
			if s.SubIndication.Implies() != s.Indication {
				t.Fatalf("%s/%s", s.Indication, s.SubIndication)
			}
			if s.Indication != verify.TotalPassed && len(s.Errors) == 0 {
				t.Fatalf("%s without an error", s.Indication)
			}
			if s.Indication == verify.TotalFailed || (s.Indication == verify.Indeterminate && worst == verify.TotalPassed) {
				worst = s.Indication
			}
		}
		if len(rep.Signatures) > 0 && rep.Indication != worst {
			t.Fatalf("document %s, worst signature %s", rep.Indication, worst)
		}
		// The property.
		seed, d := nearest(seeds, data)
		if d < int64(len(seed.data)) && seed.covered(d) && rep.Indication == verify.TotalPassed {
			t.Fatalf("differs from %s at covered byte %d, yet TOTAL_PASSED\n%s", seed.name, d, dumpReport(rep))
		}
	})
}
