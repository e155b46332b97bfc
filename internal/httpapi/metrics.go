package httpapi

import (
	"maps"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/tsa"
)

// metrics are the service's Prometheus series (segel_…). The HSM, TSA
// and OCSP/CRL figures are read from the packages' own counters at scrape
// time.
type metrics struct {
	requests      *prometheus.CounterVec
	signLatency   *prometheus.HistogramVec
	verifyLatency prometheus.Histogram
	signErrors    *prometheus.CounterVec
	busy          *prometheus.CounterVec
	queueWait     *prometheus.HistogramVec
	storeLatency  *prometheus.HistogramVec
	storeErrors   *prometheus.CounterVec

	// The children of the vectors that every request or signature uses,
	// resolved once per label set (children): WithLabelValues checks,
	// hashes and looks up its labels at each call, and its status label
	// was formatted per request.
	requestsBy  children[routeStatus, prometheus.Counter]
	queueWaitBy children[string, prometheus.Observer]
	signedBy    children[profileLevel, prometheus.Observer]
	storeBy     children[string, prometheus.Observer]
}

// routeStatus labels segel_http_requests_total.
type routeStatus struct {
	route  string
	status int
}

// profileLevel labels segel_sign_duration_seconds.
type profileLevel struct {
	profile string
	level   signer.Level
}

// children caches the children of a metric vector by their labels. A
// read is one atomic load of an immutable map; a label set not seen
// before copies the map under mu. The label sets are those of the
// vector itself (routes, statuses, profiles, levels, store operations),
// so the cache holds no more than the vector does. A child is created
// only when first used, as WithLabelValues did: /metrics shows no
// series that never happened.
type children[K comparable, V any] struct {
	m  atomic.Pointer[map[K]V]
	mu sync.Mutex
}

// get returns the child for k, made by mk on first use.
func (c *children[K, V]) get(k K, mk func(K) V) V {
	if m := c.m.Load(); m != nil {
		if v, ok := (*m)[k]; ok {
			return v
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	if old != nil {
		if v, ok := (*old)[k]; ok {
			return v
		}
	}
	n := map[K]V{}
	if old != nil {
		n = maps.Clone(*old)
	}
	v := mk(k)
	n[k] = v
	c.m.Store(&n)
	return v
}

// request returns the counter of requests of route answered with status.
func (m *metrics) request(route string, status int) prometheus.Counter {
	return m.requestsBy.get(routeStatus{route, status}, func(k routeStatus) prometheus.Counter {
		return m.requests.WithLabelValues(k.route, strconv.Itoa(k.status))
	})
}

// queueWaited returns the queue wait histogram of profile.
func (m *metrics) queueWaited(profile string) prometheus.Observer {
	return m.queueWaitBy.get(profile, func(p string) prometheus.Observer { return m.queueWait.WithLabelValues(p) })
}

// signed returns the signing latency histogram of profile at level.
func (m *metrics) signed(profile string, level signer.Level) prometheus.Observer {
	return m.signedBy.get(profileLevel{profile, level}, func(k profileLevel) prometheus.Observer {
		return m.signLatency.WithLabelValues(k.profile, k.level.String())
	})
}

// store returns the latency histogram of the store operation op.
func (m *metrics) store(op string) prometheus.Observer {
	return m.storeBy.get(op, func(op string) prometheus.Observer { return m.storeLatency.WithLabelValues(op) })
}

func newMetrics(reg prometheus.Registerer, s *Server) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "segel_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "status"}),
		signLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "segel_sign_duration_seconds", Help: "Time to sign a document, by profile and level.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}, []string{"profile", "level"}),
		verifyLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "segel_verify_duration_seconds", Help: "Time to verify a document.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}),
		signErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "segel_sign_errors_total", Help: "Failed signatures by profile and problem type."}, []string{"profile", "problem"}),
		busy: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "segel_busy_total", Help: "Requests refused with 429 because a profile's queue was full (profile=\"verify\": the bound on verifications)."}, []string{"profile"}),
		queueWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "segel_queue_wait_seconds", Help: "Time requests waited for a signing slot.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}, []string{"profile"}),
		storeLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "segel_store_duration_seconds", Help: "Latency of store calls, by operation.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16)}, []string{"op"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "segel_store_errors_total", Help: "Failed store calls, by operation."}, []string{"op"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.signLatency, m.verifyLatency, m.signErrors, m.busy, m.queueWait,
		m.storeLatency, m.storeErrors, &statsCollector{s}} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// statsCollector exposes the HSM, TSA and revocation counters.
type statsCollector struct{ s *Server }

var (
	descHSMSignatures = prometheus.NewDesc("segel_hsm_signatures_total", "Signatures made by a profile's PKCS#11 key.", []string{"profile"}, nil)
	descHSMErrors     = prometheus.NewDesc("segel_hsm_errors_total", "Errors of a profile's PKCS#11 key, by kind.", []string{"profile", "kind"}, nil)
	descHSMPoolWaits  = prometheus.NewDesc("segel_hsm_pool_waits_total", "Signatures that waited for a free HSM session.", []string{"profile"}, nil)
	descHSMSessions   = prometheus.NewDesc("segel_hsm_sessions", "HSM sessions open.", []string{"profile"}, nil)
	descHSMPoolSize   = prometheus.NewDesc("segel_hsm_pool_size", "Maximum number of HSM sessions.", []string{"profile"}, nil)
	descHSMRecoveries = prometheus.NewDesc("segel_hsm_recoveries_total", "Times the token was found again or the module re-initialised.", []string{"profile"}, nil)
	descTSARequests   = prometheus.NewDesc("segel_tsa_requests_total", "Timestamp requests by TSA URL.", []string{"url"}, nil)
	descTSAFailures   = prometheus.NewDesc("segel_tsa_failures_total", "Failed timestamp requests by TSA URL.", []string{"url"}, nil)
	descTSASeconds    = prometheus.NewDesc("segel_tsa_latency_seconds_total", "Time spent on timestamp requests by TSA URL.", []string{"url"}, nil)
	descRevRequests   = prometheus.NewDesc("segel_revocation_requests_total", "OCSP and CRL fetches.", []string{"kind"}, nil)
	descRevErrors     = prometheus.NewDesc("segel_revocation_errors_total", "Failed OCSP and CRL fetches.", []string{"kind"}, nil)
	descRevCacheHits  = prometheus.NewDesc("segel_revocation_cache_hits_total", "OCSP and CRL answers served from the cache.", []string{"kind"}, nil)
)

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descHSMSignatures, descHSMErrors, descHSMPoolWaits, descHSMSessions, descHSMPoolSize, descHSMRecoveries, descTSARequests, descTSAFailures, descTSASeconds, descRevRequests, descRevErrors, descRevCacheHits} {
		ch <- d
	}
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	for name, p := range c.s.profiles {
		if k := p.Key.PKCS11; k != nil {
			st := k.Stats()
			ch <- prometheus.MustNewConstMetric(descHSMSignatures, prometheus.CounterValue, float64(st.Signatures), name)
			for kind, n := range st.Errors {
				ch <- prometheus.MustNewConstMetric(descHSMErrors, prometheus.CounterValue, float64(n), name, kind)
			}
			ch <- prometheus.MustNewConstMetric(descHSMPoolWaits, prometheus.CounterValue, float64(st.PoolWaits), name)
			ch <- prometheus.MustNewConstMetric(descHSMSessions, prometheus.GaugeValue, float64(st.Sessions), name)
			ch <- prometheus.MustNewConstMetric(descHSMPoolSize, prometheus.GaugeValue, float64(st.PoolSize), name)
			ch <- prometheus.MustNewConstMetric(descHSMRecoveries, prometheus.CounterValue, float64(st.Recoveries), name)
		}
	}
	if ts := c.s.opts.Timestamper; ts != nil {
		// URLs that differ only in what redactURL drops share a label.
		sums := map[string]*tsa.URLStats{}
		for u, st := range ts.Stats() {
			url := redactURL(u)
			if sums[url] == nil {
				sums[url] = &tsa.URLStats{}
			}
			sums[url].Requests += st.Requests
			sums[url].Failures += st.Failures
			sums[url].Latency += st.Latency
		}
		for url, st := range sums {
			ch <- prometheus.MustNewConstMetric(descTSARequests, prometheus.CounterValue, float64(st.Requests), url)
			ch <- prometheus.MustNewConstMetric(descTSAFailures, prometheus.CounterValue, float64(st.Failures), url)
			ch <- prometheus.MustNewConstMetric(descTSASeconds, prometheus.CounterValue, st.Latency.Seconds(), url)
		}
	}
	if rc := c.s.opts.Revocation; rc != nil {
		st := rc.Stats()
		for kind, ks := range map[string]struct{ req, errs, hits uint64 }{
			"ocsp": {st.OCSP.Requests, st.OCSP.Errors, st.OCSP.CacheHits},
			"crl":  {st.CRL.Requests, st.CRL.Errors, st.CRL.CacheHits},
		} {
			ch <- prometheus.MustNewConstMetric(descRevRequests, prometheus.CounterValue, float64(ks.req), kind)
			ch <- prometheus.MustNewConstMetric(descRevErrors, prometheus.CounterValue, float64(ks.errs), kind)
			ch <- prometheus.MustNewConstMetric(descRevCacheHits, prometheus.CounterValue, float64(ks.hits), kind)
		}
	}
}

// redactURL drops the user information and the query of a TSA URL, where
// credentials could hide, before it becomes a metric label.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "unparsable"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// observer feeds the signing service's events to the server's metrics.
type observer Server

func (o *observer) QueueWait(profile string, d time.Duration) {
	o.metrics.queueWaited(profile).Observe(d.Seconds())
}

func (o *observer) Busy(profile string) { o.metrics.busy.WithLabelValues(profile).Inc() }

func (o *observer) Signed(profile string, level signer.Level, d time.Duration) {
	o.metrics.signed(profile, level).Observe(d.Seconds())
}

func (o *observer) Failed(profile, kind string) {
	o.metrics.signErrors.WithLabelValues(profile, kind).Inc()
}
