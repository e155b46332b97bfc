//go:build faults

package faults

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSoak is `make soak`: SOAK (a duration, such as 10m) of mixed
// traffic, signatures at every level, API verifications, and the
// citizens' page (a document's page, an upload), at about 80 % of the
// capacity measured first on the same deployment. It prints the errors
// and the process's RSS and goroutines (from /metrics) at the start and
// the end, and fails on any error, or when they grow. Skipped without
// SOAK.
func TestSoak(t *testing.T) {
	soak, err := time.ParseDuration(os.Getenv("SOAK"))
	if err != nil || soak <= 0 {
		t.Skip("SOAK is not set (make soak SOAK=10m)")
	}
	// The TSA's timeout is the default (10s), not the matrix's 1s: the
	// TSA shares the machine with the load.
	e := newEnv(t, envOptions{logLevel: "warn", limits: "  page_rate_limit: -1\n", tsaTimeout: "10s"})
	p := e.start(t)
	l := newLedger()
	// Documents for the verifications and the pages.
	var docs []outcome
	for _, level := range []string{"B-LT", "B-LTA", "B-B", "B-T"} {
		o := e.sign(context.Background(), p.url, "sekda", level)
		if o.status != 200 {
			t.Fatalf("signing the soak's documents: %s\n%s", o, tail(p.stderr.String(), 10))
		}
		e.checkSigned(t, o, l)
		docs = append(docs, o)
	}
	m := &mix{e: e, url: p.url, docs: docs, l: l}

	// Capacity: 8 clients as fast as they go.
	capTime := min(30*time.Second, soak/4)
	n := m.closedLoop(8, capTime)
	capacity := float64(n) / capTime.Seconds()
	rate := 0.8 * capacity
	t.Logf("capacity: %d operations in %v with 8 clients: %.1f/s; soak at %.1f/s for %v", n, capTime, capacity, rate, soak)
	m.reset()

	// Idle keep-alive connections hold two goroutines each in the
	// server: closed before each sample, so that they do not count.
	settle := func() {
		client.CloseIdleConnections()
		time.Sleep(2 * time.Second)
	}
	settle()
	start := metrics(t, p.url)
	t.Logf("start: RSS %.1f MiB, goroutines %.0f", start.rss/(1<<20), start.goroutines)
	m.openLoop(rate, soak, func(elapsed time.Duration) {
		s := metrics(t, p.url)
		t.Logf("%5s: %d operations, %d errors, RSS %.1f MiB, goroutines %.0f", elapsed.Round(time.Second),
			m.ops.Load(), m.errs.Load(), s.rss/(1<<20), s.goroutines)
	})
	settle()
	end := metrics(t, p.url)
	t.Logf("end:   RSS %.1f MiB, goroutines %.0f", end.rss/(1<<20), end.goroutines)
	summary := m.summary()
	t.Logf("soak %v at %.1f/s: %d operations (%s), %d errors", soak, rate, m.ops.Load(), summary, m.errs.Load())
	for _, e := range m.firstErrors() {
		t.Errorf("error: %s", e)
	}
	if m.errs.Load() > 0 {
		t.Errorf("%d errors", m.errs.Load())
	}
	if end.goroutines > start.goroutines+25 {
		t.Errorf("goroutines grew from %.0f to %.0f", start.goroutines, end.goroutines)
	}
	if end.rss > 2*start.rss+64<<20 {
		t.Errorf("RSS grew from %.1f to %.1f MiB", start.rss/(1<<20), end.rss/(1<<20))
	}
	stop(t, p)
	e.checkAfter(t, l)
}

// mix sends the soak's operations: of every 8, 4 signatures (B-B, B-T,
// B-LT, B-LTA), 2 API verifications, a document's page and an upload to
// the citizens' page.
type mix struct {
	e    *env
	url  string
	docs []outcome
	l    *ledger

	seq  atomic.Int64
	ops  atomic.Int64
	errs atomic.Int64

	mu      sync.Mutex
	errList []string
	took    map[string][]time.Duration
}

func (m *mix) reset() {
	m.ops.Store(0)
	m.errs.Store(0)
	m.mu.Lock()
	m.errList, m.took = nil, nil
	m.mu.Unlock()
}

// one runs the next operation of the mix.
func (m *mix) one() {
	i := m.seq.Add(1)
	doc := m.docs[int(i/8)%len(m.docs)]
	start := time.Now()
	var kind, fail string
	switch i % 8 {
	case 0, 2, 4, 6:
		level := []string{"B-B", "B-T", "B-LT", "B-LTA"}[(i/2)%4]
		kind = "sign"
		o := m.e.sign(context.Background(), m.url, "sekda", level)
		if o.status != 200 || o.id == "" {
			fail = o.String()
		} else {
			m.l.add(o.id, o.body)
		}
	case 1, 5:
		kind = "verify"
		fail = m.do("POST", "/v1/verify", "application/pdf", doc.body, true, `"indication"`)
	case 3:
		kind = "page"
		fail = m.do("GET", "/v/"+doc.id, "", nil, false, doc.id)
	case 7:
		kind = "upload"
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		f, _ := w.CreateFormFile("file", "surat.pdf")
		f.Write(doc.body)
		w.Close()
		fail = m.do("POST", "/verify", w.FormDataContentType(), b.Bytes(), false, "<html")
	}
	m.ops.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.took == nil {
		m.took = map[string][]time.Duration{}
	}
	m.took[kind] = append(m.took[kind], time.Since(start))
	if fail != "" {
		m.errs.Add(1)
		if len(m.errList) < 10 {
			m.errList = append(m.errList, kind+": "+fail)
		}
	}
}

// do makes a request and returns "" when it was answered 200 with want
// in the body, else what went wrong.
func (m *mix) do(method, path, ctype string, body []byte, auth bool, want string) string {
	req, err := http.NewRequest(method, m.url+path, bytes.NewReader(body))
	if err != nil {
		return err.Error()
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if auth {
		req.Header.Set("Authorization", "Bearer "+m.e.key)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err.Error()
	}
	if resp.StatusCode != 200 || !strings.Contains(strings.ToLower(string(b)), strings.ToLower(want)) {
		return fmt.Sprintf("%s %s: %s %.200s", method, path, resp.Status, b)
	}
	return ""
}

// closedLoop runs workers back to back for d and returns the operations
// done.
func (m *mix) closedLoop(workers int, d time.Duration) int64 {
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				m.one()
			}
		}()
	}
	wg.Wait()
	return m.ops.Load()
}

// openLoop starts operations at rate per second for d, whatever their
// latency (up to 64 in flight), calling report every minute.
func (m *mix) openLoop(rate float64, d time.Duration, report func(time.Duration)) {
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	start := time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	next := start
	lastReport := start
	for time.Since(start) < d {
		next = next.Add(interval)
		time.Sleep(time.Until(next))
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			m.one()
		}()
		if time.Since(lastReport) >= time.Minute {
			lastReport = time.Now()
			report(time.Since(start))
		}
	}
	wg.Wait()
}

// summary gives each kind's count, p50 and p99.
func (m *mix) summary() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var parts []string
	for _, kind := range []string{"sign", "verify", "page", "upload"} {
		ds := m.took[kind]
		if len(ds) == 0 {
			continue
		}
		slices.Sort(ds)
		parts = append(parts, fmt.Sprintf("%s %d p50 %v p99 %v", kind, len(ds),
			ds[len(ds)/2].Round(time.Millisecond), ds[len(ds)*99/100].Round(time.Millisecond)))
	}
	return strings.Join(parts, "; ")
}

func (m *mix) firstErrors() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.errList)
}

// sample is what the soak reads from /metrics.
type sample struct{ rss, goroutines float64 }

// metrics reads process_resident_memory_bytes and go_goroutines.
func metrics(t *testing.T, base string) sample {
	t.Helper()
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s sample
	found := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		switch name {
		case "process_resident_memory_bytes":
			s.rss = v
			found++
		case "go_goroutines":
			s.goroutines = v
			found++
		}
	}
	if found != 2 {
		t.Fatalf("/metrics lacks process_resident_memory_bytes or go_goroutines")
	}
	return s
}
