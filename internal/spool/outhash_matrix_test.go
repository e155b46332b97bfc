package spool

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
)

// oddReader hands out data in pieces of odd sizes, sometimes with the last
// piece together with io.EOF (as some readers do), sometimes one byte at
// a time.
type oddReader struct {
	rng     *rand.Rand
	data    []byte
	eofWith bool // the last data comes with io.EOF
}

func (r *oddReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	k := min(len(p), 1+r.rng.IntN(5000))
	if r.rng.IntN(6) == 0 {
		k = min(len(p), 1)
	}
	n := copy(p[:k], r.data)
	r.data = r.data[n:]
	if len(r.data) == 0 && r.eofWith {
		return n, io.EOF
	}
	return n, nil
}

// TestOutputHashMatrix: OutputHash's sum is the SHA-256 of what was
// written to it, and of what the spool holds after the body, for bodies
// at and around the memory's limit and class sizes, a memory budget
// another spool has used up, outputs equal to the body, shorter, longer,
// differing in its first or last byte, written in odd pieces (empty ones
// too), with Sums in the middle and Close at any point.
func TestOutputHashMatrix(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	dir := t.TempDir()
	for _, memory := range []int64{0, 8 << 10, 16<<10 + 1, 64 << 10} {
		for _, budget := range []int64{0, 8 << 10, 1 << 20} {
			var p Pool
			p.SetMemory(memory, 1<<20)
			// Another spool holds all but budget of the pool's memory.
			hog := p.New(dir)
			if budget < 1<<20 {
				p.memTotal = budget + 0
			}
			sizes := []int{0, 1, 2, 8191, 8192, 8193, 16 << 10, 16<<10 + 1, 16<<10 + 2, 64<<10 - 1, 64 << 10, 64<<10 + 1, 100 << 10}
			for i := 0; i < 6; i++ {
				sizes = append(sizes, rng.IntN(70<<10))
			}
			for _, n := range sizes {
				for variant := range 7 {
					body := make([]byte, n)
					for i := range body {
						body[i] = byte(rng.IntN(256))
					}
					s := p.New(dir)
					if rng.IntN(3) != 0 {
						s.Grow(int64(n) + int64(rng.IntN(40<<10)))
					}
					c, err := Copy(s, &oddReader{rng: rng, data: bytes.Clone(body), eofWith: rng.IntN(2) == 0}, 1<<20)
					if err != nil {
						t.Fatal(err)
					}
					if want := sha256.Sum256(body); c.SHA256 != fmt.Sprintf("%x", want) || c.Size != int64(n) {
						t.Fatalf("memory %d budget %d body %d: Copy's hash is not the body's", memory, budget, n)
					}
					got := make([]byte, s.Size())
					if m, _ := s.ReadAt(got, 0); m != n || !bytes.Equal(got, body) {
						t.Fatalf("memory %d budget %d body %d: the spool differs from the body", memory, budget, n)
					}
					out := append(bytes.Clone(body), bytes.Repeat([]byte{'s', 'i', 'g'}, rng.IntN(5000))...)
					kind := "body and more"
					switch variant {
					case 1:
						out = bytes.Clone(body)
						kind = "equal"
					case 2:
						if n > 0 {
							out[0] ^= 1
						}
						kind = "first byte"
					case 3:
						if n > 0 {
							out[n-1] ^= 0x80
						}
						kind = "last byte"
					case 4:
						out = out[:rng.IntN(n+1)]
						kind = "shorter"
					case 5:
						out = out[n:]
						kind = "without the body"
					case 6:
						out = nil
						kind = "empty"
					}
					h := OutputHash(s, int64(n))
					h2 := OutputHash(s, int64(n)) // another, concurrently
					w := io.MultiWriter(io.NewOffsetWriter(s, int64(n)), h)
					closeAt := -1
					if rng.IntN(4) == 0 {
						closeAt = rng.IntN(len(out) + 1)
					}
					var mid []byte
					written := 0
					for written < len(out) || written == 0 {
						if written == closeAt {
							s.Close()
							w = h
						}
						k := min(len(out)-written, rng.IntN(3000))
						if _, err := w.Write(out[written : written+k]); err != nil {
							t.Fatal(err)
						}
						h2.Write(out[written : written+k])
						written += k
						if rng.IntN(5) == 0 {
							mid = h.Sum(nil)
							if want := sha256.Sum256(out[:written]); !bytes.Equal(mid, want[:]) {
								t.Errorf("memory %d budget %d body %d output %d (%s): an intermediate Sum is wrong", memory, budget, n, len(out), kind)
							}
						}
						if len(out) == 0 {
							break
						}
					}
					want := sha256.Sum256(out)
					if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
						t.Errorf("memory %d budget %d body %d output %d (%s): the sum is not the output's SHA-256", memory, budget, n, len(out), kind)
					}
					if got := h2.Sum(nil); !bytes.Equal(got, want[:]) {
						t.Errorf("memory %d budget %d body %d output %d (%s): the second hash is wrong", memory, budget, n, len(out), kind)
					}
					if closeAt < 0 {
						got := make([]byte, len(out))
						if m, _ := s.ReadAt(got, int64(n)); m != len(out) || !bytes.Equal(got, out) {
							t.Errorf("memory %d budget %d body %d (%s): the spool does not hold the output after the body", memory, budget, n, kind)
						}
					}
					s.Close()
				}
			}
			hog.Close()
			if held := p.MemoryHeld(); held != 0 {
				t.Errorf("%d bytes held", held)
			}
			p.Close()
		}
	}
}

// TestOutputHashConcurrentSpools: spools of one pool, in goroutines, each
// Copy, OutputHash, write, Send and Close while the others reuse the
// pooled memory; each hash and answer is its own (run with -race).
func TestOutputHashConcurrentSpools(t *testing.T) {
	var p Pool
	defer p.Close()
	p.SetMemory(64<<10, 256<<10)
	dir := t.TempDir()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 99))
			for range 60 {
				body := make([]byte, rng.IntN(90<<10)+1)
				for i := range body {
					body[i] = byte(rng.IntN(256))
				}
				s := p.New(dir)
				s.Grow(int64(len(body)) + 32<<10)
				if _, err := Copy(s, &oddReader{rng: rng, data: body}, 1<<20); err != nil {
					t.Error(err)
					return
				}
				out := append(bytes.Clone(body), bytes.Repeat([]byte{byte(g)}, rng.IntN(20000))...)
				h := OutputHash(s, int64(len(body)))
				w := io.MultiWriter(io.NewOffsetWriter(s, int64(len(body))), h)
				for rest := out; len(rest) > 0; {
					k := min(len(rest), 1+rng.IntN(7000))
					if _, err := w.Write(rest[:k]); err != nil {
						t.Error(err)
						return
					}
					rest = rest[k:]
				}
				var ans bytes.Buffer
				Send(&ans, io.NewSectionReader(s, int64(len(body)), int64(len(out))))
				s.Close()
				want := sha256.Sum256(out)
				if got := h.Sum(nil); !bytes.Equal(got, want[:]) || !bytes.Equal(ans.Bytes(), out) {
					t.Errorf("goroutine %d: hash or answer wrong", g)
				}
			}
		}()
	}
	wg.Wait()
}

// TestOutputHashFileReadError: the body is in the spool's file and
// reading it back fails (EIO; here, the descriptor closed under the
// spool). OutputHash compares the output's first bytes with the file;
// when the read fails it "restarts" from the bytes it compared so far,
// reading them from the same failing file, and silently hashes fewer
// bytes than were written: the sum is not the SHA-256 of the output.
// (Fixed: a body not wholly in memory is hashed plainly, not compared.)
func TestOutputHashFileReadError(t *testing.T) {
	var p Pool
	defer p.Close()
	p.SetMemory(0, 0) // the body in the file
	s := p.New(t.TempDir())
	defer s.Close()
	body := letter(20 << 10)
	if _, err := Copy(s, bytes.NewReader(body), 1<<20); err != nil {
		t.Fatal(err)
	}
	h := OutputHash(s, int64(len(body)))
	out := append(bytes.Clone(body), "signature"...)
	// The first half compared, then the file fails.
	h.Write(out[:10<<10])
	s.mu.Lock()
	fd := s.file.File
	s.mu.Unlock()
	fd.Close() // stands for EIO: every read of the file fails from here
	h.Write(out[10<<10:])
	want := sha256.Sum256(out)
	if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
		t.Errorf("a read error of the spool file: the sum %x is not the output's SHA-256 %x", got, want)
	}
}

// TestOutputHashConcurrentUse: while one goroutine writes the output
// after the body and to OutputHash, another grows, reads, sends, writes
// (to the body: refused; past the output: allowed) and at some point
// closes the same spool; the sum is the SHA-256 of what the hash was
// given (run with -race).
func TestOutputHashConcurrentUse(t *testing.T) {
	var p Pool
	defer p.Close()
	p.SetMemory(64<<10, 1<<20)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		body := make([]byte, 1+rng.IntN(40<<10))
		for i := range body {
			body[i] = byte(rng.IntN(256))
		}
		s := p.New(dir)
		s.Grow(int64(len(body)) + 8<<10)
		if _, err := Copy(s, &oddReader{rng: rng, data: body}, 1<<20); err != nil {
			t.Fatal(err)
		}
		out := append(bytes.Clone(body), bytes.Repeat([]byte("tail"), rng.IntN(8000))...)
		if trial%3 == 1 {
			out[rng.IntN(len(body))] ^= 1
		}
		h := OutputHash(s, int64(len(body)))
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		seed := rng.Uint64()
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 1))
			buf := make([]byte, 5000)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				switch r.IntN(7) {
				case 0:
					s.Grow(int64(r.IntN(128 << 10)))
				case 1:
					s.ReadAt(buf, int64(r.IntN(len(body))))
				case 2:
					Send(io.Discard, io.NewSectionReader(s, 0, int64(len(body))))
				case 3:
					if _, err := s.WriteAt([]byte{0}, int64(r.IntN(len(body)))); err == nil {
						t.Error("a write to the pinned body succeeded")
					}
				case 4:
					s.InMemory(int64(len(body)))
				case 5:
					if i > 20 && r.IntN(30) == 0 {
						s.Close()
					}
				case 6:
					OutputHash(s, int64(len(body)))
				}
			}
		}()
		w := io.MultiWriter(io.NewOffsetWriter(s, int64(len(body))), h)
		given := 0
		for given < len(out) {
			k := min(len(out)-given, 1+rng.IntN(3000))
			if _, err := w.Write(out[given : given+k]); err != nil {
				break // closed under it: h was not given this piece
			}
			given += k
		}
		close(stop)
		wg.Wait()
		want := sha256.Sum256(out[:given])
		if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
			t.Errorf("trial %d: body %d, %d of %d bytes given: the sum is not their SHA-256", trial, len(body), given, len(out))
		}
		s.Close()
	}
}
