package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	api "github.com/segel-id/segel/httpapi"
	"github.com/segel-id/segel/internal/service"
	"github.com/segel-id/segel/internal/spool"
	"github.com/segel-id/segel/revocation"
)

// Server is the HTTP gateway. Create it with New.
type Server struct {
	opts Options
	// svc is the signing service that /v1/sign, the BSrE API and the
	// register's in-process gateway share; profiles are its profiles.
	svc      *service.Service
	profiles map[string]*Profile
	router   chi.Router
	metrics  *metrics
	gatherer prometheus.Gatherer
	// mu guards closed and the increments of inflight (augmentations;
	// the service counts the signatures), so that Close's Wait never
	// races with one starting.
	mu     sync.Mutex
	closed bool
	// clients caches known API keys (see Options.KeyCache).
	clients keyCache
	// stopSweep ends the retention sweeper.
	stopSweep chan struct{}
	sweepOnce sync.Once
	inflight  sync.WaitGroup
	temps     spool.Pool
	ready     readiness
	mounts    map[string]http.Handler
	// augmentRevocation is Options.Revocation limited to certificates
	// that chain to the trust anchors: /v1/augment gets its URLs from an
	// uploaded document (see revocation.Checker.TrustedOnly).
	augmentRevocation *revocation.Checker
	// verifySem bounds the verifications in progress (MaxVerifications).
	verifySem chan struct{}
	// tsa is Options.Timestamper watched for /readyz; nil without one.
	tsa *tsaWatch
	// readyTTL is how long a /readyz answer is reused.
	readyTTL time.Duration
	// active holds the requests being served, so that a shutdown that
	// must cut them can say which; activeMu guards it.
	activeMu sync.Mutex
	active   map[*reqState]struct{}
}

// New returns a Server for opts.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("httpapi: no store")
	}
	if opts.MaxBodySize <= 0 {
		opts.MaxBodySize = 64 << 20
	}
	if opts.TempDir == "" {
		opts.TempDir = os.TempDir()
	}
	if opts.SpoolMemory == 0 {
		opts.SpoolMemory = spool.DefaultMemoryPerSpool
	}
	if opts.SpoolMemoryTotal == 0 {
		opts.SpoolMemoryTotal = spool.DefaultMemoryTotal
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.KeyCache <= 0 {
		opts.KeyCache = DefaultKeyCache
	}
	if opts.PageMaxUpload <= 0 {
		opts.PageMaxUpload = opts.MaxBodySize
	}
	if opts.MaxVerifications <= 0 {
		cpus := opts.CPUSlots
		if cpus <= 0 {
			cpus = runtime.GOMAXPROCS(0)
		}
		opts.MaxVerifications = max(4, 2*cpus)
	}
	if opts.VerifyQueueTimeout <= 0 {
		opts.VerifyQueueTimeout = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Revocation == nil {
		opts.Revocation = revocation.New(revocation.Options{})
	}
	s := &Server{opts: opts, profiles: map[string]*Profile{}, mounts: map[string]http.Handler{},
		verifySem: make(chan struct{}, opts.MaxVerifications), readyTTL: 5 * time.Second,
		active: map[*reqState]struct{}{}}
	s.temps.SetMemory(opts.SpoolMemory, opts.SpoolMemoryTotal)
	if opts.Timestamper != nil {
		s.tsa = &tsaWatch{ts: opts.Timestamper, now: opts.Now}
	}
	if opts.Trust != nil {
		s.augmentRevocation = opts.Revocation.TrustedOnly(opts.Trust.Anchors(), opts.Trust.Intermediates())
	} else {
		s.augmentRevocation = opts.Revocation.TrustedOnly(nil, nil)
	}
	// The store is measured (timedStore) for the service too; its
	// metrics exist once the profiles are known to be sound.
	timed := &timedStore{Store: opts.Store}
	svc, err := service.New(service.Options{
		Store: timed, Profiles: opts.Profiles, Trust: opts.Trust, Timestamper: s.timestamper(),
		Revocation: opts.Revocation, PublicBaseURL: opts.PublicBaseURL,
		PassphraseAttempts: opts.PassphraseAttempts, PassphraseWindow: opts.PassphraseWindow,
		ProfileAttempts: opts.ProfileAttempts, ProfileWindow: opts.ProfileWindow,
		Logger: opts.Logger, Observer: (*observer)(s), Now: opts.Now, Location: opts.Location,
		TOTPKey: opts.TOTPKey, TOTPWrongCodes: opts.TOTPWrongCodes, CPUSlots: opts.CPUSlots,
	})
	if err != nil {
		return nil, fmt.Errorf("httpapi: %w", err)
	}
	s.svc = svc
	for _, p := range svc.Profiles() {
		s.profiles[p.Name] = p
	}
	reg := opts.Registerer
	s.gatherer = opts.Gatherer
	if reg == nil {
		r := prometheus.NewRegistry()
		reg, s.gatherer = r, r
	}
	if s.gatherer == nil {
		s.gatherer = prometheus.DefaultGatherer
	}
	m, err := newMetrics(reg, s)
	if err != nil {
		return nil, err
	}
	s.metrics, timed.m = m, m
	s.opts.Store = timed
	s.routes()
	s.stopSweep = make(chan struct{})
	for _, p := range s.profiles {
		if p.Keep && p.Retention > 0 {
			go s.sweeper(time.Hour, s.stopSweep)
			break
		}
	}
	return s, nil
}

// Mount serves h under pattern (e.g. the citizens' page at "/"), with the
// server's logging and metrics. Call it before serving.
func (s *Server) Mount(pattern string, h http.Handler) {
	s.router.Mount(pattern, h)
}

// Handler returns the HTTP handler of the service.
func (s *Server) Handler() http.Handler { return s.router }

// OpsHandler returns the operators' handler: /healthz, /readyz and
// /metrics only, for an address of their own (Options.SeparateOps).
func (s *Server) OpsHandler() http.Handler {
	r := chi.NewRouter()
	r.Use(s.middleware)
	r.Use(middleware.GetHead)
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Method(http.MethodGet, "/metrics", promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{}))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, newProblem("not-found", "this address serves /healthz, /readyz and /metrics"))
	})
	return r
}

// Close waits for the signatures and augmentations in progress to finish;
// those asked for afterwards are refused with 503 shutting-down. Call it
// after http.Server.Shutdown, before closing the store and the keys. It
// then closes the temporary files kept for reuse; it does not close the
// Store or the keys, which the caller owns.
func (s *Server) Close() { s.CloseWithin(math.MaxInt64) }

// Active describes the requests being served, oldest first: "ID METHOD
// PATH (for DURATION)". Paths only, never queries or headers.
func (s *Server) Active() []string {
	s.activeMu.Lock()
	all := make([]*reqState, 0, len(s.active))
	for st := range s.active {
		all = append(all, st)
	}
	s.activeMu.Unlock()
	slices.SortFunc(all, func(a, b *reqState) int { return a.start.Compare(b.start) })
	out := make([]string, 0, len(all))
	for _, st := range all {
		out = append(out, fmt.Sprintf("%s %s %s (for %s)", st.id, st.method, st.path, time.Since(st.start).Round(time.Millisecond)))
	}
	return out
}

// CloseWithin is Close that waits at most d for the signatures and
// augmentations in progress (whose contexts the caller should have
// cancelled first); it returns the requests still being served then
// (see Active), which the caller should log as cut. The temporary files
// are closed only when nothing was left running.
func (s *Server) CloseWithin(d time.Duration) []string {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.svc.Close()
	done := make(chan struct{})
	go func() { s.inflight.Wait(); s.svc.Wait(); close(done) }()
	s.sweepOnce.Do(func() { close(s.stopSweep) })
	select {
	case <-done:
		s.temps.Close()
		return s.Active()
	case <-time.After(d):
		return s.Active()
	}
}

// begin registers an operation that Close must wait for; it returns
// false once Close was called.
func (s *Server) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.inflight.Add(1)
	return true
}

// Registry returns the metrics that /metrics serves: the server's own
// registry when Options.Registerer was nil, else Options.Gatherer (or
// prometheus.DefaultGatherer).
func (s *Server) Registry() prometheus.Gatherer { return s.gatherer }

// Profile returns the profile named name, or nil.
func (s *Server) Profile(name string) *Profile { return s.profiles[name] }

// Service returns the signing service behind /v1/sign and the BSrE API,
// for callers in the same process (the register's in-process gateway,
// register.ServiceGateway). Close stops it too.
func (s *Server) Service() *service.Service { return s.svc }

func (s *Server) routes() {
	r := chi.NewRouter()
	r.Use(s.middleware)
	// HEAD is answered wherever GET is (net/http sends no body for it).
	r.Use(middleware.GetHead)
	r.Get("/healthz", s.healthz)
	if !s.opts.SeparateOps {
		r.Get("/readyz", s.readyz)
		r.Method(http.MethodGet, "/metrics", promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{}))
	}
	r.Get("/openapi.yaml", serveOpenAPI)
	r.Route("/v1", func(r chi.Router) {
		r.Post("/sign", s.authorized("sign", s.sign))
		r.Post("/verify", s.authorized("verify", s.verify))
		r.Post("/augment", s.authorized("augment", s.augment))
		r.Get("/documents/{id}", s.authorized("", s.document))
	})
	if s.opts.BSrEUser != "" && s.opts.BSrEPassword != "" {
		s.bsreRoutes(r)
	}
	s.webRoutes(r)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, newProblem("not-found", "no such route; see /openapi.yaml"))
	})
	s.router = r
}

// ----- request context -----

type ctxKey int

const (
	// keyRequest holds the middleware's *reqState.
	keyRequest ctxKey = iota
	// keyClient holds a *clientInfo where no middleware ran (the BSrE
	// seal's handlers, when mounted alone).
	keyClient
)

// reqState is what the middleware keeps of a request: its id, its
// client once authenticated, its status writer and what Active shows.
// One allocation per request holds all of it (docs/decisions.md,
// "The gateway's own per-request work").
type reqState struct {
	w            statusWriter
	client       clientInfo
	id           string
	method, path string
	start        time.Time
}

func stateOf(ctx context.Context) *reqState {
	st, _ := ctx.Value(keyRequest).(*reqState)
	return st
}

func requestID(ctx context.Context) string {
	if st := stateOf(ctx); st != nil {
		return st.id
	}
	return ""
}

// newID returns a fresh request id (see service.NewID).
func newID() string { return service.NewID() }

// statusWriter records the status and problem type of a response.
type statusWriter struct {
	http.ResponseWriter
	status  int
	problem string
	bytes   int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// middleware gives each request an id, recovers from panics, and logs and
// counts it. Nothing secret is logged: no header values, no query values
// but the profile and level.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &reqState{w: statusWriter{ResponseWriter: w}, id: newID(), method: r.Method, path: r.URL.Path, start: time.Now()}
		r = r.WithContext(context.WithValue(r.Context(), keyRequest, st))
		sw := &st.w
		sw.Header().Set(api.RequestIDHeader, st.id)
		s.activeMu.Lock()
		s.active[st] = struct{}{}
		s.activeMu.Unlock()
		defer s.finish(st, r)
		next.ServeHTTP(sw, r)
	})
}

// finish ends a request of the middleware: it recovers from a panic of
// the handler, forgets the request, counts it and logs it.
func (s *Server) finish(st *reqState, r *http.Request) {
	sw := &st.w
	if v := recover(); v != nil {
		s.opts.Logger.Error("panic", "request_id", st.id, "panic", fmt.Sprint(v))
		if sw.status == 0 {
			writeProblem(sw, r, newProblem("internal", ""))
		}
	}
	s.activeMu.Lock()
	delete(s.active, st)
	s.activeMu.Unlock()
	route := chi.RouteContext(r.Context()).RoutePattern()
	if route == "" {
		route = "other"
	}
	status := sw.status
	if status == 0 {
		status = http.StatusOK
	}
	s.metrics.request(route, status).Inc()
	// The attributes on the stack and typed (LogAttrs): the same record
	// as Logger.Info with key-value pairs, without boxing each value.
	var attrs [8]slog.Attr
	a := append(attrs[:0], slog.String("request_id", st.id), slog.String("method", r.Method),
		slog.String("route", route), slog.Int("status", status),
		slog.Int64("duration_ms", time.Since(st.start).Milliseconds()), slog.Int64("bytes", sw.bytes))
	if st.client.name != "" {
		a = append(a, slog.String("client", st.client.name))
	}
	if sw.problem != "" {
		a = append(a, slog.String("problem", sw.problem))
	}
	s.opts.Logger.LogAttrs(context.Background(), slog.LevelInfo, "request", a...)
}
