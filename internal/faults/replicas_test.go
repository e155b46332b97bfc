//go:build faults

package faults

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

// targetKey carries the replica a request was sent to.
type targetKey struct{}

// proxy is a loopback reverse proxy sending each request to the next
// replica in turn, counting the requests in flight on each.
type proxy struct {
	*httptest.Server
	inflight []atomic.Int64
}

func roundRobin(t *testing.T, procs []*proc) *proxy {
	t.Helper()
	var targets []*url.URL
	for _, p := range procs {
		u, err := url.Parse(p.url)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, u)
	}
	px := &proxy{inflight: make([]atomic.Int64, len(targets))}
	var next atomic.Uint64
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(targets[r.In.Context().Value(targetKey{}).(int)])
			r.SetXForwarded()
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 64},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			w.WriteHeader(http.StatusBadGateway) // the replica is gone
		},
	}
	px.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(next.Add(1) % uint64(len(targets)))
		px.inflight[i].Add(1)
		defer px.inflight[i].Add(-1)
		rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), targetKey{}, i)))
	}))
	t.Cleanup(px.Close)
	return px
}

// TestReplicas: two and three `segel serve` processes on one PostgreSQL
// database behind a round-robin proxy, 8 clients signing through it;
// one replica is killed (kill -9) in the middle. Every answer is 200, a
// 502 from the proxy (the replica is gone) or no answer; ids are unique;
// every acknowledged document is readable through every replica; after
// the others stop gracefully, `segel audit verify` is green and every
// acknowledged signature has its record, file and "ok" entry.
func TestReplicas(t *testing.T) {
	for _, n := range []int{2, 3} {
		t.Run(fmt.Sprintf("%d", n), func(t *testing.T) {
			e := newEnv(t, envOptions{postgres: true})
			var procs []*proc
			for range n {
				procs = append(procs, e.start(t))
			}
			proxy := roundRobin(t, procs)
			l := newLedger()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan []outcome)
			go func() {
				done <- e.load(ctx, func() string { return proxy.URL }, 8, 0, "sekda", "B-B", "B-T", "B-LT", "B-LTA")
			}()
			time.Sleep(1500 * time.Millisecond)
			// Kill the first replica while it serves requests.
			for deadline := time.Now().Add(10 * time.Second); proxy.inflight[0].Load() == 0 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			procs[0].kill()
			killed := time.Now()
			time.Sleep(1500 * time.Millisecond)
			cancel()
			outs := <-done
			seen := e.expect(t, outs, l, "200", "502 ", "no-answer")
			var after, cut int
			for _, o := range outs {
				if o.status == 200 && o.at.After(killed) {
					after++
				}
				if o.status != 200 && o.at.Before(killed) {
					cut++ // in flight on the killed replica
				}
			}
			t.Logf("%d replicas, one killed: %v (%d cut in flight, %d signed after the kill)", n, seen, cut, after)
			if seen["200"] == 0 || after == 0 || cut == 0 {
				t.Error("nothing signed before or after the kill, or nothing in flight on the killed replica: the case proves nothing")
			}
			// Every acknowledged document, read on each live replica.
			l.mu.Lock()
			var ids []string
			for id := range l.acks {
				ids = append(ids, id)
			}
			l.mu.Unlock()
			for i, id := range ids {
				if i >= 20 {
					break
				}
				for _, p := range procs[1:] {
					req, _ := http.NewRequest("GET", p.url+"/v1/documents/"+id, nil)
					req.Header.Set("Authorization", "Bearer "+e.key)
					resp, err := client.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					if resp.StatusCode != 200 {
						t.Errorf("document %s on %s: %s", id, p.url, resp.Status)
					}
				}
			}
			for _, p := range procs[1:] {
				stop(t, p)
			}
			e.checkAfter(t, l)
		})
	}
}
