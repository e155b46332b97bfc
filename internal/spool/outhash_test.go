package spool

import (
	"bytes"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// writeOutput writes out after the spool's body, as the service writes a
// signed PDF, and to h, in pieces of random sizes.
func writeOutput(t *testing.T, rng *rand.Rand, s *Spool, off int64, h io.Writer, out []byte) {
	t.Helper()
	w := io.MultiWriter(io.NewOffsetWriter(s, off), h)
	for len(out) > 0 {
		k := min(len(out), 1+rng.IntN(9000))
		if rng.IntN(8) == 0 {
			k = 1
		}
		if _, err := w.Write(out[:k]); err != nil {
			t.Fatal(err)
		}
		out = out[k:]
	}
}

// TestOutputHash: the hash OutputHash gives is the SHA-256 of what was
// written to it, whether that begins with the spool's body (a signed
// PDF: resumed from Copy's hash, the body compared rather than hashed),
// differs from it anywhere, or is shorter; for a spool that Copy did not
// fill, whose body was written again, or is partly or wholly in the
// spool's file, it is a plain SHA-256.
func TestOutputHash(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, memory := range []int64{0, 16 << 10, 64 << 10} {
		var p Pool
		p.SetMemory(memory, 1<<20)
		dir := t.TempDir()
		for trial := range 60 {
			body := make([]byte, rng.IntN(40<<10))
			for i := range body {
				body[i] = byte(rng.IntN(256))
			}
			s := p.New(dir)
			s.Grow(int64(len(body)) + 32<<10)
			if _, err := Copy(s, &netBody{data: body}, 1<<20); err != nil {
				t.Fatal(err)
			}
			out := append(bytes.Clone(body), bytes.Repeat([]byte("signature "), rng.IntN(2000))...)
			kind := "the body and more"
			switch trial % 4 {
			case 1: // differs from the body somewhere in it
				if len(body) > 0 {
					out[rng.IntN(len(body))] ^= 0x40
					kind = "differs in the body"
				}
			case 2: // shorter than the body
				out = out[:rng.IntN(len(body)+1)]
				kind = "shorter"
			}
			h := OutputHash(s, int64(len(body)))
			_, resumed := h.(*outputHash)
			if inMem := s.InMemory(int64(len(body))); resumed != inMem {
				t.Fatalf("memory %d, body %d: resumed %v, in memory %v: only a body Copy filled and memory holds is resumed", memory, len(body), resumed, inMem)
			}
			writeOutput(t, rng, s, int64(len(body)), h, out)
			if trial%5 == 0 {
				s.Close() // the hash outlives the spool
			}
			if got, want := h.Sum(nil), sha256.Sum256(out); !bytes.Equal(got, want[:]) {
				t.Errorf("memory %d, body %d, output %d (%s): the sum is not the output's SHA-256", memory, len(body), len(out), kind)
			}
			if trial%5 != 0 {
				if _, err := s.WriteAt([]byte("x"), 0); err == nil && len(body) > 0 && resumed {
					t.Errorf("memory %d: a write to a body being hashed succeeded", memory)
				}
				if _, err := s.WriteAt([]byte("x"), int64(len(body))); err != nil {
					t.Errorf("memory %d: a write after the body failed: %v", memory, err)
				}
			}
			h.Reset()
			h.Write(body[:len(body)/2])
			if got, want := h.Sum(nil), sha256.Sum256(body[:len(body)/2]); !bytes.Equal(got, want[:]) {
				t.Errorf("memory %d: after Reset, not a SHA-256", memory)
			}
			s.Close()
		}
		p.Close()
	}

	var p Pool
	defer p.Close()
	p.SetMemory(64<<10, 1<<20)
	body := letter(15 << 10)
	out := append(bytes.Clone(body), "signature"...)
	want := sha256.Sum256(out)
	plain := func(name string, in io.ReaderAt, size int64) {
		t.Helper()
		h := OutputHash(in, size)
		if _, resumed := h.(*outputHash); resumed {
			t.Errorf("%s: resumed", name)
		}
		h.Write(out)
		if !bytes.Equal(h.Sum(nil), want[:]) {
			t.Errorf("%s: not the output's SHA-256", name)
		}
	}
	plain("a bytes.Reader", bytes.NewReader(body), int64(len(body)))
	// Written by WriteAt, not Copy: no hash to resume.
	s := p.New("")
	s.WriteAt(body, 0)
	plain("a spool Copy did not fill", s, int64(len(body)))
	s.Close()
	// Copy after a first byte: its hash is not the spool's start's.
	s = p.New("")
	s.Write(body[:1])
	Copy(s, bytes.NewReader(body[1:]), 1<<20)
	plain("a spool Copy appended to", s, int64(len(body)))
	s.Close()
	// The body written again after Copy.
	s = spoolOf(t, &p, "", body)
	s.WriteAt([]byte("%PDF-2.0"), 0)
	plain("a body written after Copy", s, int64(len(body)))
	s.Close()
	s = spoolOf(t, &p, "", body)
	plain("another size", s, int64(len(body))-1)
	s.Close()
	s = spoolOf(t, &p, "", body)
	s.Close()
	plain("a closed spool", s, int64(len(body)))
	if _, err := Copy(p.New(""), strings.NewReader("over the limit"), 4); err == nil {
		t.Error("Copy over the limit succeeded")
	}
}

// BenchmarkOutputHash hashes a one-page letter's signed copy (the 15 KB
// letter and 10 KB more) as the service does, written after the body in
// the spool: "plain" with a SHA-256 of its own, "resumed" with
// OutputHash.
func BenchmarkOutputHash(b *testing.B) {
	var p Pool
	defer p.Close()
	p.SetMemory(DefaultMemoryPerSpool, DefaultMemoryTotal)
	body := letter(15 << 10)
	out := append(bytes.Clone(body), bytes.Repeat([]byte("signature "), 1000)...)
	for _, name := range []string{"plain", "resumed"} {
		b.Run(name, func(b *testing.B) {
			s := p.New("")
			defer s.Close()
			s.Grow(int64(len(out) + len(body)))
			if _, err := Copy(s, bytes.NewReader(body), 1<<20); err != nil {
				b.Fatal(err)
			}
			w := io.NewOffsetWriter(s, int64(len(body)))
			for b.Loop() {
				h := sha256.New()
				if name == "resumed" {
					h = OutputHash(s, int64(len(body)))
				}
				io.MultiWriter(w, h).Write(out)
				h.Sum(nil)
				s.pinned = s.pinned[:0]
			}
		})
	}
}
