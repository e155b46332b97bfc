package spool_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/cputime"
	"github.com/segel-id/segel/internal/spool"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// BenchmarkSignThroughSpool signs the one-page letter of testcorpus with
// a software P-256 key, one signature at a time, three ways: as a library
// user does (a bytes.Reader into io.Discard), the same hashing the body
// and the signed PDF as the gateway does besides, and as the gateway does
// (body copied into a spool, signed from it through spool.NewCached into
// it after the body, hashed, the signed PDF sent with spool.Send, the
// spool closed), with the spool in a temporary file ("file") and in
// memory ("memory"). The differences to "library+hashes" are what the
// spool costs a request (docs/decisions.md, "Small letters in memory").
func BenchmarkSignThroughSpool(b *testing.B) {
	letter := testcorpus.Base(b)["gs-letter"]
	pki := testpki.MustNew(b, testpki.Options{})
	id, err := pki.IssueSigner(testpki.SignerOptions{NonRepudiation: true, DocumentSigning: true})
	if err != nil {
		b.Fatal(err)
	}
	opts := &signer.Options{Signer: id.Key, Certificate: id.Cert, Chain: id.Chain}
	b.Run("library", func(b *testing.B) {
		defer reportCPU(b, cputime.Process())
		for b.Loop() {
			if _, err := signer.Sign(context.Background(), bytes.NewReader(letter), int64(len(letter)), io.Discard, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	// What the gateway hashes besides: the body and the signed PDF (the
	// register's InputSHA256 and OutputSHA256), not the spool's cost.
	b.Run("library+hashes", func(b *testing.B) {
		defer reportCPU(b, cputime.Process())
		for b.Loop() {
			sha256.Sum256(letter)
			h := sha256.New()
			if _, err := signer.Sign(context.Background(), bytes.NewReader(letter), int64(len(letter)), h, opts); err != nil {
				b.Fatal(err)
			}
			h.Sum(nil)
		}
	})
	for _, c := range []struct {
		name   string
		memory int64
	}{{"file", 0}, {"memory", spool.DefaultMemoryPerSpool}} {
		b.Run(c.name, func(b *testing.B) {
			var p spool.Pool
			defer p.Close()
			p.SetMemory(c.memory, spool.DefaultMemoryTotal)
			dir := b.TempDir()
			defer reportCPU(b, cputime.Process())
			for b.Loop() {
				s := p.New(dir)
				s.Grow(int64(len(letter)) + 32<<10)
				in, err := spool.Copy(s, bytes.NewReader(letter), 1<<30)
				if err != nil {
					b.Fatal(err)
				}
				h := sha256.New()
				cr := spool.NewCached(s, in.Size)
				bw := spool.NewWriter(io.MultiWriter(io.NewOffsetWriter(s, in.Size), h))
				res, err := signer.Sign(context.Background(), cr, in.Size, bw, opts)
				if err == nil {
					err = bw.Flush()
				}
				spool.PutWriter(bw)
				cr.Close()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := spool.Send(io.Discard, io.NewSectionReader(s, in.Size, res.Size)); err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}

// reportCPU reports the CPU time per operation since start (cpu-us/op),
// which depends less than ns/op on what else the machine runs.
func reportCPU(b *testing.B, start time.Duration) {
	if b.N > 0 {
		b.ReportMetric(float64((cputime.Process()-start).Nanoseconds())/1000/float64(b.N), "cpu-us/op")
	}
}
