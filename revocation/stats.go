package revocation

import (
	"sync/atomic"
	"time"
)

// latencyBounds are the upper bounds of the latency histogram's buckets,
// from a loopback answer to a responder at the end of a slow regency link.
var latencyBounds = [...]time.Duration{
	10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2500 * time.Millisecond, 5 * time.Second, 10 * time.Second,
}

// Stats is a snapshot of a Checker's counters, for metrics.
type Stats struct {
	// OCSP counts OCSP requests and answers.
	OCSP KindStats
	// CRL counts CRL downloads and answers.
	CRL KindStats
}

// KindStats counts the work done for one kind of source. Counters only grow.
type KindStats struct {
	// Requests is the number of HTTP requests sent.
	Requests uint64
	// Errors is the number of fetches that gave no usable answer: network
	// errors, timeouts, HTTP errors, oversized or invalid answers.
	Errors uint64
	// CacheHits is the number of answers served from the cache.
	CacheHits uint64
	// CacheMisses is the number of answers not in the cache (each one was
	// fetched, or joined a fetch already under way, or refused offline).
	CacheMisses uint64
	// Latency is the histogram of HTTP request durations.
	Latency Histogram
}

// Histogram counts durations in buckets, the shape of a Prometheus histogram.
type Histogram struct {
	// Bounds are the buckets' inclusive upper bounds, increasing.
	Bounds []time.Duration
	// Counts has len(Bounds)+1 entries: Counts[i] counts the durations in
	// (Bounds[i-1], Bounds[i]]; the last counts those above every bound.
	// They are not cumulative.
	Counts []uint64
	// Count is the number of durations observed, and Sum their total.
	Count uint64
	Sum   time.Duration
}

type stats struct {
	ocsp, crl kindStats
}

type kindStats struct {
	requests, errors, cacheHits, cacheMisses atomic.Uint64
	buckets                                  [len(latencyBounds) + 1]atomic.Uint64
	count                                    atomic.Uint64
	sum                                      atomic.Int64
}

func (s *kindStats) observe(d time.Duration) {
	i := 0
	for i < len(latencyBounds) && d > latencyBounds[i] {
		i++
	}
	s.buckets[i].Add(1)
	s.count.Add(1)
	s.sum.Add(int64(d))
}

func (s *kindStats) snapshot() KindStats {
	ks := KindStats{
		Requests:    s.requests.Load(),
		Errors:      s.errors.Load(),
		CacheHits:   s.cacheHits.Load(),
		CacheMisses: s.cacheMisses.Load(),
		Latency: Histogram{
			Counts: make([]uint64, len(s.buckets)),
			Count:  s.count.Load(),
			Sum:    time.Duration(s.sum.Load()),
		},
	}
	ks.Latency.Bounds = append([]time.Duration(nil), latencyBounds[:]...)
	for i := range s.buckets {
		ks.Latency.Counts[i] = s.buckets[i].Load()
	}
	return ks
}
