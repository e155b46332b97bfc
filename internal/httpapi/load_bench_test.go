package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/cputime"
	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/procs"
	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/verify"
)

// clients is the number of concurrent clients of the load benchmarks.
const clients = 64

// reportCPU reports the CPU time per operation since start (cpu-ms/op):
// unlike the rates, it hardly depends on what else the machine runs, so
// that two runs on a shared machine can be compared (docs/decisions.md,
// "Gateway performance").
func reportCPU(b *testing.B, start time.Duration, n int64) {
	if n > 0 {
		b.ReportMetric(float64((cputime.Process()-start).Microseconds())/1000/float64(n), "cpu-ms/op")
	}
}

// BenchmarkHTTPSign: 64 clients post one-page letters to /v1/sign (B-B)
// over loopback, on a SoftHSM key (profile bupati) and a software key
// (sekda). The clients are a load generator in a process of their own
// (this test binary again, TestLoadGenerator), so that what is measured
// is the gateway: its requests per second, the p50 and p99 latency, and
// the CPU time per request of this process alone (cpu-ms/op); the
// generator's own CPU per request is gen-cpu-ms/op. BenchmarkLibrarySign
// is the same work through signer.Sign, for the ratio. `make bench-http`
// runs both and prints the ratios (scripts/bench-http.awk).
//
// The 64 clients each send their next request when the last is answered
// (a closed loop): the mean latency is 64 divided by the rate, whatever
// the gateway does, so a p99 of 50 ms needs at least 1280 requests a
// second. The first answer of each client is verified (verify.Verify,
// TOTAL_PASSED), every answer is checked to be the letter with a signature
// appended (docs/decisions.md, "What the bench measures").
func BenchmarkHTTPSign(b *testing.B) {
	// The processors and the CPU gate as `segel serve` sets them up.
	cpus, restore := procs.Spare()
	defer restore()
	tok := softhsmtest.New(b, "segel", "1234")
	e := newEnv(b, tok, func(o *httpapi.Options) { o.CPUSlots = cpus })
	letter := writeTemp(b, "letter.pdf", e.letter)
	for _, profile := range []string{"bupati", "sekda"} {
		b.Run(profile, func(b *testing.B) {
			// The testing package sets the processors for each benchmark.
			_, restore := procs.Spare()
			defer restore()
			spec := loadSpec{
				Addr: strings.TrimPrefix(e.url, "http://"), Path: "/v1/sign?profile=" + profile,
				Key: e.keys["eoffice"], Body: letter, Requests: b.N, Clients: clients, Samples: b.TempDir(),
			}
			res, gwCPU := runLoad(b, &spec)
			if res.Done > 0 {
				b.ReportMetric(float64(gwCPU.Microseconds())/1000/float64(res.Done), "cpu-ms/op")
				b.ReportMetric(float64(res.CPU.Microseconds())/1000/float64(res.Done), "gen-cpu-ms/op")
				b.ReportMetric(float64(res.Done)/res.Elapsed.Seconds(), "req/s")
				b.ReportMetric(float64(res.P50.Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(res.P99.Microseconds())/1000, "p99-ms")
			}
			b.ReportMetric(float64(res.Errors), "errors")
			if res.Errors > 0 || res.Done != b.N {
				b.Errorf("%d of %d requests answered as expected, %d errors; the first: %s", res.Done, b.N, res.Errors, res.FirstError)
			}
			verifySamples(b, e, spec.Samples, min(b.N, clients))
		})
	}
}

// verifySamples checks that dir holds want answers of the generator (the
// first of each client) and that each is a signed PDF that verifies: a
// gateway answering garbage fast must not look good.
func verifySamples(b *testing.B, e *env, dir string, want int) {
	b.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.pdf"))
	if err != nil || len(files) != want {
		b.Fatalf("%d sample answers, want %d (%v)", len(files), want, err)
	}
	for _, f := range files {
		pdf, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := verify.Verify(context.Background(), bytes.NewReader(pdf), int64(len(pdf)), &verify.Options{Trust: e.options.Trust})
		if err != nil || rep.Indication != verify.TotalPassed || len(rep.Signatures) != 1 {
			b.Fatalf("answer %s does not verify: %v %+v", filepath.Base(f), err, rep)
		}
	}
}

// BenchmarkLibrarySign signs the same letter with the same keys through
// signer.Sign from 64 goroutines: the rate the gateway is measured against.
func BenchmarkLibrarySign(b *testing.B) {
	tok := softhsmtest.New(b, "segel", "1234")
	e := newEnv(b, tok, nil)
	for _, profile := range []string{"bupati", "sekda"} {
		b.Run(profile, func(b *testing.B) {
			// With the gateway's processors (procs.Spare), with which the
			// library signs faster, not slower: the ratio is not
			// flattered.
			_, restore := procs.Spare()
			defer restore()
			key := e.srv.Profile(profile).Key
			var next atomic.Int64
			n := int64(b.N)
			b.ResetTimer()
			start, cpu0 := time.Now(), cputime.Process()
			var wg sync.WaitGroup
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= n {
						if _, err := signer.Sign(context.Background(), bytes.NewReader(e.letter), int64(len(e.letter)), io.Discard,
							&signer.Options{Signer: key.Signer, Certificate: key.Certificate, Chain: key.Chain}); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "sig/s")
			reportCPU(b, cpu0, n)
		})
	}
}

// loadgenEnv, set to 1, makes TestLoadGenerator the load generator of
// BenchmarkHTTPSign; without it the test does nothing.
const loadgenEnv = "SEGEL_BENCH_LOADGEN"

// loadgenPrefix starts the generator's lines on its standard output (the
// rest is the testing package's).
const loadgenPrefix = "loadgen: "

// loadSpec is what the generator is to do, sent as JSON on its standard
// input (not in its environment or arguments: the API key is a secret).
type loadSpec struct {
	Addr     string // host:port of the gateway
	Path     string // request target of the POST
	Key      string // API key (Bearer)
	Body     string // file holding the PDF to post
	Requests int    // in all, shared by the clients
	Clients  int    // connections, each with one request at a time
	Samples  string // directory for the first answer of each client
}

// loadResult is what the generator reports, as JSON on its standard
// output, once every request is answered.
type loadResult struct {
	Done, Errors int           // answers as expected; the others
	FirstError   string        // what went wrong first
	Elapsed      time.Duration // from the start signal to the last answer
	P50, P99     time.Duration // latency, from the request's first byte written to the answer's last read
	CPU          time.Duration // the generator's CPU time over Elapsed
}

// runLoad starts the generator as a process of its own, starts the timer
// once its clients are connected, and returns its report and this
// process's CPU time over the load.
func runLoad(b *testing.B, spec *loadSpec) (*loadResult, time.Duration) {
	b.Helper()
	b.StopTimer()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadGenerator$", "-test.count=1")
	cmd.Env = append(os.Environ(), loadgenEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	waited := false
	defer func() {
		if !waited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	if err := json.NewEncoder(stdin).Encode(spec); err != nil {
		b.Fatal(err)
	}
	out := bufio.NewScanner(stdout)
	line := func() string {
		for out.Scan() {
			if s, ok := strings.CutPrefix(out.Text(), loadgenPrefix); ok {
				return s
			}
		}
		b.Fatalf("the load generator stopped: %v", out.Err())
		return ""
	}
	if s := line(); s != "ready" {
		b.Fatalf("load generator: %s", s)
	}
	cpu0 := cputime.Process()
	b.StartTimer()
	if _, err := io.WriteString(stdin, "go\n"); err != nil {
		b.Fatal(err)
	}
	s := line()
	b.StopTimer()
	cpu := cputime.Process() - cpu0
	var res loadResult
	if err := json.Unmarshal([]byte(s), &res); err != nil {
		b.Fatalf("load generator: %s (%v)", s, err)
	}
	stdin.Close()
	io.Copy(io.Discard, stdout)
	waited = true
	if err := cmd.Wait(); err != nil {
		b.Errorf("the load generator failed: %v", err)
	}
	return &res, cpu
}

// TestLoadGenerator is BenchmarkHTTPSign's load generator when run with
// SEGEL_BENCH_LOADGEN=1 (runLoad), and does nothing otherwise. It reads a
// loadSpec on its standard input, opens Clients connections, says
// "ready", waits for "go", then sends Requests requests over them, one at
// a time per connection, and reports a loadResult.
func TestLoadGenerator(t *testing.T) {
	if os.Getenv(loadgenEnv) != "1" {
		return
	}
	in := bufio.NewReader(os.Stdin)
	var spec loadSpec
	line, err := in.ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &spec)
	}
	if err != nil {
		fmt.Printf("%sreading the spec: %v\n", loadgenPrefix, err)
		t.Fatal(err)
	}
	body, err := os.ReadFile(spec.Body)
	if err != nil {
		fmt.Printf("%s%v\n", loadgenPrefix, err)
		t.Fatal(err)
	}
	// The request's bytes, built once: every client sends the same.
	req := fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/pdf\r\nContent-Length: %d\r\n\r\n",
		spec.Path, spec.Addr, spec.Key, len(body))
	req = append(req, body...)
	conns := make([]*genConn, spec.Clients)
	for i := range conns {
		c, err := net.Dial("tcp", spec.Addr)
		if err != nil {
			fmt.Printf("%s%v\n", loadgenPrefix, err)
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = &genConn{c: c, r: bufio.NewReaderSize(c, 64<<10), req: req, letter: body}
	}
	fmt.Printf("%sready\n", loadgenPrefix)
	if s, err := in.ReadString('\n'); s != "go\n" {
		t.Fatalf("no start signal: %q %v", s, err)
	}

	var next, errs atomic.Int64
	var firstErr sync.Once
	var res loadResult
	lat := make([][]time.Duration, len(conns))
	first := make([][]byte, len(conns)) // each client's first answer
	start, cpu0 := time.Now(), cputime.Process()
	var wg sync.WaitGroup
	for i, g := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat[i] = make([]time.Duration, 0, 2*spec.Requests/len(conns)+1)
			for n := 0; next.Add(1) <= int64(spec.Requests); n++ {
				t0 := time.Now()
				answer, err := g.do()
				if err != nil {
					errs.Add(1)
					firstErr.Do(func() { res.FirstError = fmt.Sprintf("client %d, request %d: %v", i, n, err) })
					var st *statusError
					if !errors.As(err, &st) {
						return // the connection's state is unknown: this client stops
					}
					continue
				}
				lat[i] = append(lat[i], time.Since(t0))
				if n == 0 {
					first[i] = slices.Clone(answer)
				}
			}
		}()
	}
	wg.Wait()
	res.Elapsed, res.CPU = time.Since(start), cputime.Process()-cpu0
	// Verified by the benchmark, once the load is over.
	for i, pdf := range first {
		if pdf == nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(spec.Samples, fmt.Sprintf("client%02d.pdf", i)), pdf, 0o600); err != nil {
			errs.Add(1)
			firstErr.Do(func() { res.FirstError = err.Error() })
		}
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	res.Done, res.Errors = len(all), int(errs.Load())
	if len(all) > 0 {
		res.P50, res.P99 = all[len(all)/2], all[len(all)*99/100]
	}
	out, _ := json.Marshal(&res)
	fmt.Printf("%s%s\n", loadgenPrefix, out)
}

// genConn is one client of the generator: a kept-alive HTTP/1.1
// connection with one request at a time.
type genConn struct {
	c      net.Conn
	r      *bufio.Reader
	req    []byte // the whole request, headers and body
	letter []byte // the PDF posted: every answer must start with it
	buf    []byte // the last answer's body
}

// statusError is an answer other than 200, read whole: the connection
// can carry the next request.
type statusError struct {
	status string
	body   []byte
}

func (e *statusError) Error() string {
	return fmt.Sprintf("status %s: %.200s", e.status, e.body)
}

// do sends the request and reads the answer: a status line, headers with
// a Content-Length (chunked answers and closed connections are errors, as
// is a short body), and a body that must be the letter with a signature
// appended (starting with the letter's bytes, ending with %%EOF). The
// body returned is valid until the next call.
func (g *genConn) do() ([]byte, error) {
	if _, err := g.c.Write(g.req); err != nil {
		return nil, fmt.Errorf("writing the request: %w", err)
	}
	line, err := g.r.ReadSlice('\n')
	if err != nil {
		return nil, fmt.Errorf("reading the status line: %w", err)
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) || len(line) < 12 {
		return nil, fmt.Errorf("not an HTTP/1.1 status line: %q", line)
	}
	status := string(line[9:12])
	size := -1
	for {
		line, err := g.r.ReadSlice('\n')
		if err != nil {
			return nil, fmt.Errorf("reading the headers: %w", err)
		}
		h := bytes.TrimRight(line, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return nil, fmt.Errorf("not a header: %q", h)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if size, err = strconv.Atoi(string(value)); err != nil || size < 0 {
				return nil, fmt.Errorf("Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return nil, fmt.Errorf("Transfer-Encoding %q: the generator reads Content-Length answers only", value)
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			return nil, errors.New("the gateway closes the connection")
		}
	}
	if size < 0 {
		return nil, errors.New("an answer without Content-Length")
	}
	if cap(g.buf) < size {
		g.buf = make([]byte, size)
	}
	g.buf = g.buf[:size]
	if _, err := io.ReadFull(g.r, g.buf); err != nil {
		return nil, fmt.Errorf("reading a body of %d bytes: %w", size, err)
	}
	if status != "200" {
		return nil, &statusError{status: status, body: g.buf}
	}
	if len(g.buf) <= len(g.letter) || !bytes.HasPrefix(g.buf, g.letter) || !bytes.HasSuffix(bytes.TrimRight(g.buf, "\r\n"), []byte("%%EOF")) {
		return nil, fmt.Errorf("an answer of %d bytes that is not the letter (%d bytes) with a signature appended", size, len(g.letter))
	}
	return g.buf, nil
}
