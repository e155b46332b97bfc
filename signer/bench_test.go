package signer_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"

	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// benchInput is a PDF file on disk for the benchmarks.
type benchInput struct {
	name string
	path string
	size int64
}

// benchInputs writes the benchmark inputs into dir: the Ghostscript PDF
// 1.3 letter of the corpus (6 KB), a generated 90-page text document
// (375 KB) and, unless -short, a generated 60 MB document (one
// incompressible image).
func benchInputs(b *testing.B, dir string) []benchInput {
	b.Helper()
	files := []struct {
		name string
		data func() []byte
	}{
		{"letter-6KB", func() []byte { return testcorpus.Base(b)["gs-pdf13"] }},
		{"text-375KB", func() []byte { return generatePDF(genOptions{Pages: 90, LinesPerPg: 60, Seed: 374}) }},
	}
	if !testing.Short() {
		files = append(files, struct {
			name string
			data func() []byte
		}{"image-60MB", func() []byte {
			return generatePDF(genOptions{Pages: 1, LinesPerPg: 20, ImageBytes: 60 << 20, Seed: 60})
		}})
	}
	var out []benchInput
	for _, f := range files {
		data := f.data()
		path := filepath.Join(dir, f.name+".pdf")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
		out = append(out, benchInput{f.name, path, int64(len(data))})
	}
	return out
}

func openBench(b *testing.B, path string) *os.File {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f
}

// BenchmarkSign compares Segel with digitorus/pdfsign on the same inputs
// and the same software RSA-2048 key: one approval signature, read from
// a file, written to io.Discard. Both embed the signer certificate and its
// chain; pdfsign's time includes parsing with its reader (Segel's
// includes its own).
func BenchmarkSign(b *testing.B) {
	id := identity(b, testpki.RSA2048)
	for _, in := range benchInputs(b, b.TempDir()) {
		b.Run(in.name+"/segel", func(b *testing.B) {
			f := openBench(b, in.path)
			opts := optionsFor(id)
			opts.Reason = "Persetujuan"
			b.SetBytes(in.size)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := signer.Sign(context.Background(), f, in.size, io.Discard, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(in.name+"/pdfsign", func(b *testing.B) {
			f := openBench(b, in.path)
			data := pdfsignData(id)
			b.SetBytes(in.size)
			b.ReportAllocs()
			for b.Loop() {
				r, err := pdf.NewReader(f, in.size)
				if err != nil {
					b.Fatal(err)
				}
				if err := sign.Sign(f, io.Discard, r, in.size, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
