package revocation

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// TestCacheHonoursNextUpdate: an answer is reused until its nextUpdate, and
// not a moment longer.
func TestCacheHonoursNextUpdate(t *testing.T) {
	clock := newFakeClock()
	w := newWorld(t, func(w *world, rw http.ResponseWriter, _ *http.Request, req *ocspRequest) {
		now := clock.Now()
		rw.Write(w.ca.ocspResponse(w.t, req.TBSRequest.RequestList[0].Cert.SerialNumber, ocsp.Good,
			now, now.Add(10*time.Minute), w.respCert, w.respKey))
	})
	c := New(Options{Now: clock.Now})
	check := func(wantRequests int64) {
		t.Helper()
		st, err := c.Check(context.Background(), w.leaf, w.ca.cert)
		if err != nil || st.State != Good {
			t.Fatalf("got %+v, %v", st, err)
		}
		if got := w.ocsp.requests.Load(); got != wantRequests {
			t.Fatalf("at %v: %d requests, want %d", clock.Now().Format(time.TimeOnly), got, wantRequests)
		}
	}
	check(1)
	clock.Add(5 * time.Minute)
	check(1) // cached
	clock.Add(4*time.Minute + 59*time.Second)
	check(1) // still before nextUpdate
	clock.Add(time.Second)
	check(2) // at nextUpdate: fetched again
	if s := c.Stats().OCSP; s.Requests != 2 || s.CacheHits != 2 || s.CacheMisses != 2 || s.Errors != 0 {
		t.Errorf("stats %+v", s)
	}

	// A Status handed out is the caller's: changing it does not change the
	// cache.
	st, _ := c.Check(context.Background(), w.leaf, w.ca.cert)
	st.State = Revoked
	if st2, _ := c.Check(context.Background(), w.leaf, w.ca.cert); st2.State != Good {
		t.Fatal("cache entry changed through a returned Status")
	}
}

func TestCacheWithoutNextUpdate(t *testing.T) {
	clock := newFakeClock()
	w := newWorld(t, func(w *world, rw http.ResponseWriter, _ *http.Request, req *ocspRequest) {
		rw.Write(w.ca.ocspResponse(w.t, req.TBSRequest.RequestList[0].Cert.SerialNumber, ocsp.Good,
			clock.Now(), time.Time{}, w.respCert, w.respKey))
	})
	c := New(Options{Now: clock.Now, NoNextUpdateTTL: 30 * time.Second})
	for i, step := range []struct {
		advance time.Duration
		want    int64
	}{{0, 1}, {29 * time.Second, 1}, {time.Second, 2}, {10 * time.Second, 2}} {
		clock.Add(step.advance)
		st, err := c.Check(context.Background(), w.leaf, w.ca.cert)
		if err != nil || !st.NextUpdate.IsZero() {
			t.Fatalf("step %d: %+v, %v", i, st, err)
		}
		if got := w.ocsp.requests.Load(); got != step.want {
			t.Fatalf("step %d: %d requests, want %d", i, got, step.want)
		}
	}

	// CacheTTL bounds even answers with a far nextUpdate; a negative
	// MaxCacheEntries disables the cache.
	w2 := newWorld(t, respondFresh(ocsp.Good))
	c = New(Options{CacheTTL: time.Minute, Now: clock.Now})
	c.Check(context.Background(), w2.leaf, w2.ca.cert)
	clock.Add(time.Minute)
	c.Check(context.Background(), w2.leaf, w2.ca.cert)
	c = New(Options{MaxCacheEntries: -1})
	c.Check(context.Background(), w2.leaf, w2.ca.cert)
	c.Check(context.Background(), w2.leaf, w2.ca.cert)
	if got := w2.ocsp.requests.Load(); got != 4 {
		t.Fatalf("%d requests, want 4", got)
	}
}

func TestCRLCache(t *testing.T) {
	clock := newFakeClock()
	w := newWorld(t, nil)
	w.crl.set(w.ca.crl(t, clock.Now().Add(-time.Minute), clock.Now().Add(time.Hour)), http.StatusOK)
	other, _ := w.ca.issue(t, leafOpts{crl: []string{w.crl.URL + "/ca.crl"}})
	c := New(Options{Now: clock.Now, PreferCRL: true})
	for range 2 {
		if st, err := c.Check(context.Background(), w.leaf, w.ca.cert); err != nil || st.State != Good {
			t.Fatalf("%+v, %v", st, err)
		}
		if st, err := c.Check(context.Background(), other, w.ca.cert); err != nil || st.State != Good {
			t.Fatalf("%+v, %v", st, err)
		}
	}
	if got := w.crl.requests.Load(); got != 1 {
		t.Fatalf("%d CRL downloads for four checks of one CRL, want 1", got)
	}
	// After nextUpdate the CRL is fetched again; the new one revokes.
	w.crl.set(w.ca.crl(t, clock.Now().Add(time.Hour), clock.Now().Add(2*time.Hour), w.leaf.SerialNumber), http.StatusOK)
	clock.Add(time.Hour)
	st, err := c.Check(context.Background(), w.leaf, w.ca.cert)
	if err != nil || st.State != Revoked || w.crl.requests.Load() != 2 {
		t.Fatalf("after nextUpdate: %+v, %v, %d requests", st, err, w.crl.requests.Load())
	}
	if s := c.Stats().CRL; s.Requests != 2 || s.CacheHits != 3 {
		t.Errorf("stats %+v", s)
	}
}

// TestSingleFlight: many concurrent callers, one HTTP request.
func TestSingleFlight(t *testing.T) {
	release := make(chan struct{})
	w := newWorld(t, func(w *world, rw http.ResponseWriter, r *http.Request, req *ocspRequest) {
		<-release
		respondFresh(ocsp.Good)(w, rw, r, req)
	})
	w.crl.set(nil, http.StatusNotFound)
	c := New(Options{})
	const callers = 50
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			st, err := c.Check(context.Background(), w.leaf, w.ca.cert)
			if err == nil && st.State != Good {
				t.Errorf("state %v", st.State)
			}
			errs <- err
		})
	}
	// Let the callers pile up on the first request, then answer it. Any
	// latecomer finds the answer in the cache.
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := w.ocsp.requests.Load(); got != 1 {
		t.Fatalf("%d requests for %d concurrent callers, want 1", got, callers)
	}
	if s := c.Stats().OCSP; s.Requests != 1 || s.CacheHits+s.CacheMisses != callers {
		t.Errorf("stats %+v", s)
	}
}

// TestSingleFlightCallerGivesUp: a caller whose context ends does not fail
// the others waiting on the same request.
func TestSingleFlightCallerGivesUp(t *testing.T) {
	release := make(chan struct{})
	w := newWorld(t, func(w *world, rw http.ResponseWriter, r *http.Request, req *ocspRequest) {
		<-release
		respondFresh(ocsp.Good)(w, rw, r, req)
	})
	c := New(Options{})
	impatient, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Check(impatient, w.leaf, w.ca.cert)
		done <- err
	}()
	patient := make(chan error, 1)
	time.Sleep(20 * time.Millisecond)
	go func() {
		_, err := c.Check(context.Background(), w.leaf, w.ca.cert)
		patient <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-done; err == nil {
		t.Fatal("cancelled caller got an answer")
	}
	close(release)
	if err := <-patient; err != nil {
		t.Fatalf("patient caller: %v", err)
	}
	if got := w.ocsp.requests.Load(); got != 1 {
		t.Fatalf("%d requests, want 1", got)
	}
}

func TestCacheEviction(t *testing.T) {
	c := newCache(2)
	now := time.Now()
	c.put("a", 1, now.Add(time.Second), now)
	c.put("b", 2, now.Add(time.Hour), now)
	c.put("c", 3, now.Add(time.Hour), now.Add(2*time.Second)) // "a" expired: dropped first
	if _, ok := c.get("b", now); !ok {
		t.Error("b evicted while an expired entry was there")
	}
	c.put("d", 4, now.Add(time.Hour), now)
	if n := len(c.entries); n != 2 {
		t.Errorf("%d entries, max 2", n)
	}
	c.put("e", 5, now, now) // expired already: not stored
	if _, ok := c.get("e", now); ok {
		t.Error("expired entry stored")
	}
}
