package httpapi_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/signer"
)

// clients is the number of concurrent clients of the load benchmarks.
const clients = 64

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start (cpu-ms/op):
// unlike the rates, it hardly depends on what else the machine runs, so
// that two runs on a shared machine can be compared (docs/decisions.md,
// "Gateway performance").
func reportCPU(b *testing.B, start time.Duration, n int64) {
	if n > 0 {
		b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(n), "cpu-ms/op")
	}
}

// BenchmarkHTTPSign: 64 clients post one-page letters to /v1/sign (B-B)
// over loopback, on a SoftHSM key (profile bupati) and a software key
// (sekda). It reports requests per second, the p50 and p99 latency and
// the CPU time per request (of the whole process: the clients' share is
// in it); BenchmarkLibrarySign is the same work through signer.Sign, for
// the ratio. `make bench-http` runs both and prints the ratios
// (scripts/bench-http.awk).
//
// The 64 clients each send their next request when the last is answered
// (a closed loop): the mean latency is 64 divided by the rate, whatever
// the gateway does, so a p99 of 50 ms needs at least 1280 requests a
// second.
func BenchmarkHTTPSign(b *testing.B) {
	tok := softhsmtest.New(b, "segel", "1234")
	e := newEnv(b, tok, nil)
	for _, profile := range []string{"bupati", "sekda"} {
		b.Run(profile, func(b *testing.B) {
			var next atomic.Int64
			var errs atomic.Int64
			lat := make([][]time.Duration, clients)
			n := int64(b.N)
			b.ResetTimer()
			start, cpu0 := time.Now(), cpuTime()
			// Each client keeps its connection, as load generators do
			// (the default transport keeps only 2 idle per host).
			cl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			defer cl.CloseIdleConnections()
			var wg sync.WaitGroup
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= n {
						req, _ := http.NewRequest("POST", e.url+"/v1/sign?profile="+profile, bytes.NewReader(e.letter))
						req.Header.Set("Authorization", "Bearer "+e.keys["eoffice"])
						req.Header.Set("Content-Type", "application/pdf")
						t0 := time.Now()
						resp, err := cl.Do(req)
						if err != nil {
							errs.Add(1)
							continue
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != 200 {
							errs.Add(1)
						}
						lat[c] = append(lat[c], time.Since(t0))
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			reportCPU(b, cpu0, n)
			all := slices.Concat(lat...)
			slices.Sort(all)
			if len(all) > 0 {
				b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
				b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
			}
			b.ReportMetric(float64(errs.Load()), "errors")
		})
	}
}

// BenchmarkLibrarySign signs the same letter with the same keys through
// signer.Sign from 64 goroutines: the rate the gateway is measured against.
func BenchmarkLibrarySign(b *testing.B) {
	tok := softhsmtest.New(b, "segel", "1234")
	e := newEnv(b, tok, nil)
	for _, profile := range []string{"bupati", "sekda"} {
		b.Run(profile, func(b *testing.B) {
			key := e.srv.Profile(profile).Key
			var next atomic.Int64
			n := int64(b.N)
			b.ResetTimer()
			start, cpu0 := time.Now(), cpuTime()
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
