package verify_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// BenchmarkVerify verifies signed letters of about 5 KB, 374 KB and 60 MB
// (a letter with a scanned attachment), offline, from files; beside it
// the time of one `pdfsig` run on the same file when poppler is
// installed. The 60 MB file is skipped with -short.
func BenchmarkVerify(b *testing.B) {
	p := offlinePKIFor(b)
	id := signerID(b, p, testpki.ECDSAP256)
	opts := &verify.Options{Trust: anchors(p.Root.Cert), Offline: true}
	dir := b.TempDir()
	sizes := []struct {
		name  string
		image int64
	}{{"5KB", 0}, {"374KB", 366 << 10}, {"60MB", 60 << 20}}
	pdfsig, _ := exec.LookPath("pdfsig")
	for _, sz := range sizes {
		if sz.image > 1<<20 && testing.Short() {
			continue
		}
		path := filepath.Join(dir, sz.name+".pdf")
		size := makeSignedFile(b, path, sz.image, &signer.Options{Signer: id.Key, Certificate: id.Cert, Chain: id.Chain})
		b.Run("segel/"+sz.name, func(b *testing.B) {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				rep, err := verify.Verify(context.Background(), f, size, opts)
				if err != nil || rep.Indication != verify.TotalPassed {
					b.Fatalf("%v %v", err, rep)
				}
			}
		})
		if pdfsig == "" {
			continue
		}
		b.Run("pdfsig/"+sz.name, func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				// pdfsig exits non-zero for an untrusted signer; only the
				// time of a full run counts.
				out, _ := exec.Command(pdfsig, "-no-ocsp", path).CombinedOutput()
				if len(out) == 0 {
					b.Fatal("pdfsig printed nothing")
				}
			}
		})
	}
}

// makeSignedFile writes a letter with an image of about image bytes to
// path, signed with opts, streaming from file to file; it returns the
// signed file's size.
func makeSignedFile(b *testing.B, path string, image int64, opts *signer.Options) int64 {
	b.Helper()
	unsigned := path + ".unsigned"
	in, err := os.Create(unsigned)
	if err != nil {
		b.Fatal(err)
	}
	defer os.Remove(unsigned)
	if err := writeLetterPDF(in, image); err != nil {
		b.Fatal(err)
	}
	st, err := in.Stat()
	if err != nil {
		b.Fatal(err)
	}
	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	res, err := signer.Sign(context.Background(), in, st.Size(), out, opts)
	if err != nil {
		b.Fatal(err)
	}
	if err := errorsJoin(in.Close(), out.Close()); err != nil {
		b.Fatal(err)
	}
	return res.Size
}

func errorsJoin(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("closing: %w", err)
		}
	}
	return nil
}
