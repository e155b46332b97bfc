package httpapi_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testcorpus"
)

// BenchmarkHTTPFloor is BenchmarkHTTPSign's traffic without the gateway:
// the same generator, 64 clients and one-page letter, posted to a bare
// net/http server whose handler reads the body and answers it with a
// tail of the size of bupati's signature appended (a 200 with
// Content-Length, as the gateway answers). Its cpu-ms/op is what net/http
// and the loopback cost this process per request whatever the handler
// does: the floor under the gateway's HTTP path (docs/decisions.md,
// "The HTTP path's floor, and a letter hashed once less"). "paced" holds
// each answer for 14 ms first, so
// that the rate is about the gateway's on bupati (64 clients at some 4 400
// requests a second): at the full rate of a bare server a wakeup serves
// several connections at once and the floor looks lower than it is.
func BenchmarkHTTPFloor(b *testing.B) {
	for _, c := range []struct {
		name string
		hold time.Duration
	}{{"full", 0}, {"paced", 14 * time.Millisecond}} {
		b.Run(c.name, func(b *testing.B) { httpFloor(b, c.hold) })
	}
}

// httpFloor runs BenchmarkHTTPFloor with answers held for hold.
func httpFloor(b *testing.B, hold time.Duration) {
	letter := testcorpus.Base(b)["gs-letter"]
	// bupati's answer is the letter and 10 133 bytes more; the
	// generator checks that an answer starts with the letter and ends
	// with %%EOF.
	tail := append(bytes.Repeat([]byte{'0'}, 10133-len("\n%%EOF\n")), "\n%%EOF\n"...)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 0, int(r.ContentLength)+len(tail))
		n, err := io.ReadFull(r.Body, buf[:r.ContentLength])
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out := append(buf[:n], tail...)
		if hold > 0 {
			time.Sleep(hold)
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Length", strconv.Itoa(len(out)))
		w.WriteHeader(http.StatusOK)
		w.Write(out)
	}))
	defer hs.Close()
	spec := loadSpec{
		Addr: strings.TrimPrefix(hs.URL, "http://"), Path: "/v1/sign?profile=bupati",
		Key: "sgl_floor", Body: writeTemp(b, "letter.pdf", letter), Requests: b.N, Clients: clients, Samples: b.TempDir(),
	}
	res, cpu := runLoad(b, &spec)
	if res.Done > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(res.Done), "cpu-ms/op")
		b.ReportMetric(float64(res.CPU.Microseconds())/1000/float64(res.Done), "gen-cpu-ms/op")
		b.ReportMetric(float64(res.Done)/res.Elapsed.Seconds(), "req/s")
	}
	if res.Errors > 0 || res.Done != b.N {
		b.Errorf("%d of %d requests answered as expected, %d errors; the first: %s", res.Done, b.N, res.Errors, res.FirstError)
	}
}
