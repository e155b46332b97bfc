package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/segel-id/segel/internal/citizen"
	"github.com/segel-id/segel/internal/config"
	"github.com/segel-id/segel/internal/devmode"
	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/internal/procs"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/revocation"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/tsa"
)

const serveUsage = `usage: segel serve [--config segel.yaml] [--listen ADDR]
       segel serve --dev [--data DIR] [--listen ADDR] [--register-listen ADDR|off]

Serves the HTTP gateway: the routes listed below (/openapi.yaml documents
each). Logs are JSON lines on stderr. SIGINT or SIGTERM stops it gracefully: requests in
flight finish first (limits.shutdown_timeout, default 2m).

--config reads the configuration (examples/segel.yaml documents every key;
secrets come from SEGEL_* environment variables and pin-source). A wrong
configuration stops start-up with the file, the line, the key and what is
wrong (exit 3).

--dev needs no configuration: on the first start it creates in DIR
(default ./segel-dev) a development PKI, a TSA and an OCSP responder
(served by the service itself, the TSA at /dev/tsa, OCSP, CRLs and CA
certificates under /dev/pki/, so every level up to B-LTA works offline,
also for 'segel sign --tsa http://127.0.0.1:8080/dev/tsa'), the signing
profile "dev" (on a SoftHSM token when softhsm2 is installed, a software
key otherwise), a personal profile for NIK 3604012345670001, SQLite, and
the files DIR/dev-api-key (the API key of client "dev"), DIR/dev-root.pem
(the development root CA, which issued the TSA's and the signers'
certificates: give it to --trust) and DIR/dev-bsre-credentials. Later
starts reuse them. It listens on 127.0.0.1:8080 unless --listen says
otherwise. SEGEL_DEV_SOFTHSM=off makes a new DIR use software keys even
when softhsm2 is installed.

--dev also starts the letter register (docs/register.md) on
127.0.0.1:8081 (--register-listen; off for none), in the same process:
SQLite in DIR/register.db, seeded on the first start with Kabupaten
Serang's demo data, whose passwords and signing passphrases are written
once to DIR/register-passwords.txt (never printed). Its signing officials
get personal profiles (dev-bupati, dev-kadis-dpmptsp, dev-kadis-kominfo).
When the default address is taken the service starts without it.

Exit status: 0 after a graceful stop, 1 when the server failed while
running, 3 when it could not start (configuration, keys, store, address).
`

// serveHelp is serveUsage followed by every route of the gateway, taken
// from its router (httpapi.Routes), so the list cannot drift.
func serveHelp() string {
	var b strings.Builder
	b.WriteString(serveUsage)
	b.WriteString("\nroutes (HEAD wherever GET; the /api/ routes of BSrE's Esign API only with\nbsre.user and bsre.password; /readyz and /metrics on ops_listen when set;\nwith --dev also /dev/tsa, the development TSA, and /dev/pki/, its OCSP\nresponder, CRLs and CA certificates):\n")
	for _, r := range httpapi.Routes() {
		fmt.Fprintf(&b, "  %-6s %s\n", r.Method, r.Pattern)
	}
	b.WriteString("\nflags:\n")
	return b.String()
}

// runServe runs "segel serve ARGS" until ctx is cancelled.
// reconcileGrace is how old a register record or stored file without its
// audit entry must be before it counts as an orphan: younger ones may be
// a request that another replica is recording right now.
const reconcileGrace = time.Minute

// cutGrace is how long a stopping service waits, after cancelling them,
// for the signatures still in flight to end (and be audited) before it
// exits without them.
const cutGrace = 10 * time.Second

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("segel serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, serveHelp()); fs.PrintDefaults() }
	configPath := fs.String("config", "segel.yaml", "the configuration file")
	dev := fs.Bool("dev", false, "development mode: a generated PKI, TSA and keys in --data, no configuration")
	data := fs.String("data", "segel-dev", "the data directory of --dev")
	listen := fs.String("listen", "", "the address to listen on, host:port (default: the configuration's listen; 127.0.0.1:8080 with --dev)")
	registerListen := fs.String("register-listen", defaultRegisterListen, "with --dev: the letter register's address (docs/register.md); off: no register")
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return fail(stderr, err)
	}
	if len(pos) > 0 {
		return fail(stderr, usagef("serve takes no arguments, got %q", pos))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if *dev && given["config"] {
		return fail(stderr, usagef("--dev and --config exclude each other"))
	}
	if !*dev && given["data"] {
		return fail(stderr, usagef("--data is the data directory of --dev; give --dev too"))
	}
	if !*dev && given["register-listen"] {
		return fail(stderr, usagef("--register-listen is the letter register of --dev; give --dev too (or run 'segel register')"))
	}
	withRegister := *dev && *registerListen != "off"

	level := new(slog.LevelVar)
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	startErr := func(err error) int {
		logger.Error("start-up failed", "error", err.Error())
		fmt.Fprintf(stderr, "segel serve: cannot start:\n%s\n", indent(err.Error()))
		return exitUsage
	}

	var (
		cfg    *config.Config
		env    *devmode.Env
		ln     net.Listener
		client = &http.Client{}
	)
	if *dev {
		addr := *listen
		if addr == "" {
			addr = config.DefaultListen
		}
		if ln, err = net.Listen("tcp", addr); err != nil {
			return startErr(fmt.Errorf("--listen %s: %w", addr, err))
		}
		defer ln.Close()
		dopts := devmode.Options{
			Dir: *data, BaseURL: "http://" + advertised(ln.Addr()), Listen: ln.Addr().String(),
			NoSoftHSM: os.Getenv("SEGEL_DEV_SOFTHSM") == "off", Logger: logger,
		}
		if withRegister {
			dopts.Signers = devRegisterSigners()
		}
		env, err = devmode.Prepare(ctx, dopts)
		if err != nil {
			return startErr(err)
		}
		cfg = env.Config
		client.Transport = env.Transport(nil)
	} else {
		if cfg, err = config.Load(*configPath); err != nil {
			if _, statErr := os.Stat(*configPath); !given["config"] && errors.Is(statErr, os.ErrNotExist) {
				err = fmt.Errorf("%w\n(give --config FILE, or try 'segel serve --dev' for a development service)", err)
			}
			return startErr(err)
		}
		if *listen != "" {
			cfg.Listen = *listen
		}
		if ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			if given["listen"] {
				return startErr(fmt.Errorf("--listen %s: %w", cfg.Listen, err))
			}
			return startErr(cfg.Errorf("listen", "%v", err))
		}
		defer ln.Close()
		if cfg.PublicBaseURL == "" {
			cfg.PublicBaseURL = scheme(cfg) + advertised(ln.Addr())
			logger.Warn("public_base_url is not set; links and QR codes will name the listening address", "public_base_url", cfg.PublicBaseURL)
		}
	}
	level.Set(logLevel(cfg.Log.Level))

	// One Go processor more than the CPUs, the signatures bounded to the
	// CPUs: one processor is left to read the network (internal/procs).
	cpus, restoreProcs := procs.Spare()
	defer restoreProcs()
	logger.Info("processors", "gomaxprocs", runtime.GOMAXPROCS(0), "signing_cpus", cpus)

	svc, err := newService(ctx, cfg, logger, client, cpus)
	if err != nil {
		return startErr(err)
	}
	defer svc.Close()
	cps, err := startCheckpoints(ctx, cfg, svc.store, logger)
	if err != nil {
		return startErr(err)
	}
	defer cps.stop() // before svc.Close: the last checkpoint is of the final head
	var handler http.Handler = svc.api.Handler()
	if env != nil {
		if err := env.Provision(ctx, svc.store); err != nil {
			return startErr(err)
		}
		api, devH := handler, env.Handler
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/dev/") {
				devH.ServeHTTP(w, r)
				return
			}
			api.ServeHTTP(w, r)
		})
	}

	lim := cfg.Limits
	// The requests' contexts derive from base: cancelled when the shutdown
	// timeout is over, so that work in flight stops instead of hanging.
	base, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	srv := &http.Server{
		BaseContext:       func(net.Listener) context.Context { return base },
		Handler:           handler,
		ReadHeaderTimeout: lim.ReadHeaderTimeout.D(),
		ReadTimeout:       lim.ReadTimeout.D(),
		WriteTimeout:      lim.WriteTimeout.D(),
		IdleTimeout:       lim.IdleTimeout.D(),
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		TLSConfig:         svc.tls,
	}
	ln = limitConnections(ln, lim.MaxConnections)
	var ops *http.Server
	var opsLn net.Listener
	if cfg.OpsListen != "" {
		if opsLn, err = net.Listen("tcp", cfg.OpsListen); err != nil {
			return startErr(cfg.Errorf("ops_listen", "%v", err))
		}
		defer opsLn.Close()
		ops = &http.Server{
			Handler: svc.api.OpsHandler(), ReadHeaderTimeout: lim.ReadHeaderTimeout.D(),
			ReadTimeout: lim.ReadHeaderTimeout.D(), WriteTimeout: time.Minute, IdleTimeout: lim.IdleTimeout.D(),
			ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		}
		go ops.Serve(opsLn)
		logger.Info("listening for operators (/metrics, /readyz, /healthz)", "address", opsLn.Addr().String())
		fmt.Fprintf(stdout, "segel serve: metrics and readiness on http://%s\n", advertised(opsLn.Addr()))
	}
	url := scheme(cfg) + advertised(ln.Addr())
	var reg *devRegister
	if withRegister {
		if reg, err = startDevRegister(ctx, env, *registerListen, given["register-listen"], svc, logger); err != nil {
			return startErr(err)
		}
		if reg.registerServer != nil {
			defer reg.stop()
		}
	}
	if env != nil {
		printDevBanner(stdout, env, url, reg.banner())
	} else {
		fmt.Fprintf(stdout, "segel serve: listening on %s (public base URL %s)\n", url, cfg.PublicBaseURL)
	}
	logger.Info("listening", "address", ln.Addr().String(), "url", url, "public_base_url", cfg.PublicBaseURL,
		"tls", cfg.TLS.Enabled(), "profiles", len(cfg.Profiles), "dev", env != nil)

	served := make(chan error, 1)
	go func() {
		if svc.tls != nil {
			served <- srv.ServeTLS(ln, "", "")
		} else {
			served <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-served:
		logger.Error("server failed", "error", err.Error())
		fmt.Fprintf(stderr, "segel serve: %v\n", err)
		return exitFailure
	case <-ctx.Done():
	}

	// The register first: it is a client of the service, whose signings
	// in flight then finish below like any other request.
	if reg != nil && reg.registerServer != nil {
		if err := reg.stop(); err != nil {
			logger.Error("stopping the letter register", "error", err.Error())
		}
	}
	// Graceful stop: no new connections; requests in flight finish (their
	// contexts are not cancelled), then the keys and the store close.
	logger.Info("stopping: waiting for the requests in flight", "timeout", lim.ShutdownTimeout.D().String())
	sctx, cancel := context.WithTimeout(context.Background(), lim.ShutdownTimeout.D())
	defer cancel()
	code := exitOK
	if err := srv.Shutdown(sctx); err != nil {
		// Record what is cut before cutting it: their ids are in the log
		// lines of the requests (and, for signatures, the audit log).
		cut := svc.api.Active()
		logger.Error("requests still in flight after the shutdown timeout are cut", "error", err.Error(),
			"count", len(cut), "requests", cut)
		cancelBase()
		srv.Close()
		code = exitFailure
	}
	<-served
	if ops != nil {
		ops.Close()
	}
	if left := svc.api.CloseWithin(cutGrace); code != exitOK && len(left) > 0 {
		logger.Error("requests that did not stop when cancelled; exiting without them", "count", len(left), "requests", left)
	}
	logger.Info("stopped")
	return code
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

func logLevel(s string) slog.Level {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

func scheme(cfg *config.Config) string {
	if cfg.TLS.Enabled() {
		return "https://"
	}
	return "http://"
}

// advertised returns host:port by which this machine reaches addr: the
// loopback address when addr is a wildcard.
func advertised(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func printDevBanner(w io.Writer, env *devmode.Env, url, register string) {
	keys := "SoftHSM tokens in " + env.Path("softhsm") + " (SOFTHSM2_CONF=" + env.Path("softhsm/softhsm2.conf") + ")"
	if !env.SoftHSM {
		keys = "software keys in " + env.Path("pki") + " (softhsm2 is not installed)"
	}
	fmt.Fprintf(w, `Segel development service: not for production
  base URL       %[1]s
  verify page    %[1]s/verify
  metrics        %[1]s/metrics
  OpenAPI        %[1]s/openapi.yaml
  data           %[2]s
  API key        %[3]s  (client "dev": sign, verify and augment on profiles dev and dev-official)
  BSrE login     %[4]s  (user, password, and the passphrase of NIK %[5]s)
  seal           idSubscriber %[11]s (profile %[12]s, api_activation): /api/v2/seal/… with Basic auth %[13]s and the key in %[14]s
  trust anchor   %[6]s  (the development root: the TSA's and the signers' CA)
  TSA            %[9]s  (RFC 3161, for segel sign/augment --tsa)
  OCSP and CRLs  %[10]s/
  signing keys   %[7]s
%[8]s
Sign a letter at B-LTA:
  curl -sS -H "Authorization: Bearer $(cat %[3]s)" -H 'Content-Type: application/pdf' \
      --data-binary @letter.pdf -o signed.pdf '%[1]s/v1/sign?profile=dev&level=B-LTA'
  segel verify --trust %[6]s signed.pdf
`, url, env.Dir, env.Path(devmode.APIKeyFile), env.Path(devmode.CredentialsFile), devmode.PersonalNIK,
		env.Path(devmode.RootFile), keys, register, env.TSAURL, env.PKIBaseURL,
		devmode.SealSubscriber, devmode.SealProfile, devmode.SealClient, env.Path(devmode.SealAPIKeyFile))
}

// service is what serve builds from a configuration.
type service struct {
	store store.Store
	api   *httpapi.Server
	tls   *tls.Config
	keys  []*keyref.Key
	once  sync.Once
}

// Close releases the keys and the store.
func (s *service) Close() {
	s.once.Do(func() {
		for _, k := range s.keys {
			k.Close()
		}
		if s.store != nil {
			s.store.Close()
		}
	})
}

// newService builds the store, the trust pool, the TSA and revocation
// clients, opens the profiles' keys and makes the HTTP API, whose
// signatures keep at most cpus CPUs busy (procs.Spare). Errors name the
// configuration key at fault.
func newService(ctx context.Context, cfg *config.Config, logger *slog.Logger, client *http.Client, cpus int) (_ *service, err error) {
	s := &service{}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	pool := trust.NewPool()
	if cfg.Trust.National {
		national, err := trust.National()
		if err != nil {
			return nil, cfg.Errorf("trust.national", "%v", err)
		}
		pool.Merge(national)
	}
	for i, p := range cfg.Trust.Paths {
		_, warnings, err := pool.Load(p)
		if err != nil {
			return nil, cfg.Errorf(fmt.Sprintf("trust.paths[%d]", i), "%v", err)
		}
		for _, w := range warnings {
			logger.Warn("trust anchor skipped", "warning", w)
		}
	}

	if cfg.TLS.Enabled() {
		if s.tls, err = tlsConfig(cfg); err != nil {
			return nil, err
		}
	}

	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	auditKey, err := cfg.AuditKey()
	if err != nil {
		return nil, cfg.Errorf("audit.key_file", "%v", err)
	}
	st, err := store.Open(sctx, cfg.Store.DSN(), &store.Options{BlobDir: cfg.Store.BlobDir, AuditKey: auditKey})
	if err != nil {
		key := "store.sqlite"
		if cfg.Store.Postgres != "" {
			key = "store.postgres"
		}
		return nil, cfg.Errorf(key, "%v", err)
	}
	s.store = st
	// What a crash cut short between recording and auditing a signature
	// (see store.Reconcile); what was written in the last reconcileGrace
	// may still be a replica's request in flight.
	if o, err := st.Reconcile(sctx, time.Now().Add(-reconcileGrace), true); err != nil {
		logger.Error("reconciling the register with the audit log", "error", err.Error())
	} else if len(o.Records)+len(o.Blobs)+len(o.Partial) > 0 {
		logger.Warn("removed what a crash left half-recorded (never handed out)", "records", o.Records, "blobs", o.Blobs,
			"partial_files", o.Partial)
	}

	rev := revocation.New(revocation.Options{
		HTTPClient: client, Timeout: cfg.Revocation.Timeout.D(),
		Offline: cfg.Revocation.Offline, PreferCRL: cfg.Revocation.PreferCRL,
		AllowedHosts: cfg.Revocation.AllowedHosts,
	})
	var ts *tsa.Client
	if len(cfg.TSA.URLs) > 0 {
		ts, err = tsa.New(tsa.Options{
			URLs: cfg.TSA.URLs, Roots: pool.CertPool(), Intermediates: pool.Intermediates(),
			Username: cfg.TSA.Username, Password: cfg.TSA.Password, BearerToken: cfg.TSA.Token,
			HTTPClient: client, Timeout: cfg.TSA.Timeout.D(),
		})
		if err != nil {
			return nil, cfg.Errorf("tsa", "%v", err)
		}
	}

	// The key-encryption key of officials' TOTP enrolments; none: TOTP
	// stays unsupported.
	totpKey, err := cfg.TOTPKey()
	if err != nil {
		return nil, cfg.Errorf("totp.key_file", "%v", err)
	}
	if mode, open := config.KeyFileOpen(cfg.TOTP.KeyFile); totpKey != nil && open {
		logger.Warn("totp.key_file can be read by group or others: with the database it opens every enrolled official's passphrase; chmod 600 it",
			"file", cfg.TOTP.KeyFile, "mode", fmt.Sprintf("%04o", mode))
	}
	var profiles []*httpapi.Profile
	for i, p := range cfg.Profiles {
		key, err := openProfileKey(ctx, p)
		if err != nil {
			return nil, cfg.Errorf(fmt.Sprintf("profiles[%d].key", i), "profile %s: %v", p.Name, err)
		}
		s.keys = append(s.keys, key)
		if left := time.Until(key.Certificate.NotAfter); left < 30*24*time.Hour {
			logger.Warn("the profile's certificate expires soon", "profile", p.Name, "not_after", key.Certificate.NotAfter)
		}
		logger.Info("profile", "profile", p.Name, "key", describeKey(p, key), "signer", key.Certificate.Subject.CommonName,
			"personal", p.Personal, "totp", p.TOTP && totpKey != nil, "level", p.Level)
		if p.Seal && p.APIActivation {
			logger.Warn("the seal's first activation is made over the API (api_activation): its secret goes to the first API client allowed the seal that asks, trusted to show it to the custodian only",
				"profile", p.Name, "id_subscriber", p.IDSubscriber)
		}
		profiles = append(profiles, &httpapi.Profile{
			Name: p.Name, Key: key, Personal: p.Personal, NIK: p.NIK, Email: p.Email, TOTP: p.TOTP,
			Seal: p.Seal, IDSubscriber: p.IDSubscriber, APIActivation: p.APIActivation,
			DefaultLevel: p.DefaultLevel(), AllowedLevels: p.Levels(),
			Reason: p.Reason, Location: p.Location,
			Keep: p.Keep, Retention: p.Retention.D(), Downloadable: p.Downloadable,
			MaxConcurrent: p.MaxConcurrent, Queue: p.Queue, QueueTimeout: p.QueueTimeout.D(),
			Footer: p.Footer, StampName: cfg.StampName(p), StampImage: cfg.StampLogo(p),
		})
	}

	var proxies []netip.Prefix
	for _, p := range cfg.TrustedProxies {
		pr, err := config.ParseProxy(p)
		if err != nil {
			return nil, cfg.Errorf("trusted_proxies", "%v", err)
		}
		proxies = append(proxies, pr)
	}
	// /metrics carries the process's and the runtime's own gauges too
	// (process_resident_memory_bytes, go_goroutines…): what an operator,
	// and `make soak`, watch for leaks.
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	s.api, err = httpapi.New(httpapi.Options{
		Registerer: reg, Gatherer: reg,
		Store: st, Profiles: profiles, Trust: pool, Timestamper: ts, Revocation: rev,
		PublicBaseURL: cfg.PublicBaseURL, MaxBodySize: int64(cfg.Limits.MaxBody), Logger: logger,
		Location:           cfg.Location(),
		PassphraseAttempts: cfg.Limits.PassphraseAttempts, PassphraseWindow: cfg.Limits.PassphraseWindow.D(),
		ProfileAttempts: cfg.Limits.ProfileAttempts, ProfileWindow: cfg.Limits.ProfileWindow.D(),
		KeyCache: cfg.Limits.APIKeyCache.D(),
		BSrEUser: cfg.BSrE.User, BSrEPassword: cfg.BSrE.Password, TOTPKey: totpKey,
		TOTPWrongCodes: cfg.TOTP.MaxWrongCodes,
		Branding:       pageBranding(cfg),
		ReadTimeout:    cfg.Limits.ReadTimeout.D(), WriteTimeout: cfg.Limits.WriteTimeout.D(),
		SeparateOps: cfg.OpsListen != "", TrustedProxies: proxies,
		PageRateLimit: cfg.Limits.PageRateLimit, PageMaxUpload: int64(cfg.Limits.PageMaxUpload),
		SpoolMemory: int64(cfg.Limits.SpoolMemory), SpoolMemoryTotal: int64(cfg.Limits.SpoolMemoryTotal),
		MaxVerifications: cfg.Limits.MaxVerifications, VerifyQueueTimeout: cfg.Limits.VerifyQueueTimeout.D(),
		CPUSlots: cpus,
	})
	if err != nil {
		return nil, cfg.Errorf("profiles", "%v", err)
	}
	return s, nil
}

// pageBranding is the citizens' page's branding from the configuration.
func pageBranding(cfg *config.Config) citizen.Branding {
	b := cfg.Branding
	logo, typ := b.LogoData()
	return citizen.Branding{Name: b.Name, ShortName: b.ShortName, Address: b.Address, Website: b.Website, Logo: logo, LogoType: typ}
}

// describeKey says where a profile's key is, without any secret.
func describeKey(p *config.Profile, k *keyref.Key) string {
	if k.PKCS11 != nil {
		return k.PKCS11.URI() // the PIN is redacted
	}
	return p.Key
}

// tlsConfig loads the server certificate and the client CAs.
func tlsConfig(cfg *config.Config) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(cfg.TLS.Cert, cfg.TLS.Key)
	if err != nil {
		return nil, cfg.Errorf("tls.cert", "%v", err)
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if cfg.TLS.ClientCA != "" {
		data, err := os.ReadFile(cfg.TLS.ClientCA)
		if err != nil {
			return nil, cfg.Errorf("tls.client_ca", "%v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data) {
			return nil, cfg.Errorf("tls.client_ca", "%s holds no PEM certificate", cfg.TLS.ClientCA)
		}
		tc.ClientCAs = pool
		tc.ClientAuth = tls.RequireAndVerifyClientCert
		if cfg.TLS.ClientAuth == "request" {
			tc.ClientAuth = tls.VerifyClientCertIfGiven
		}
	}
	return tc, nil
}

// openProfileKey opens the key of a profile.
func openProfileKey(ctx context.Context, p *config.Profile) (*keyref.Key, error) {
	if p.Personal && !p.IsPKCS11() {
		return openLockedKey(p)
	}
	return keyref.Open(ctx, p.Key, &keyref.Options{
		CertFile: p.Cert,
		Password: func() (string, error) {
			if p.KeyPassword == "" {
				return "", fmt.Errorf("the PKCS#12 file is encrypted: set $SEGEL_PROFILES_%s_KEY_PASSWORD", p.EnvName())
			}
			return p.KeyPassword, nil
		},
		PKCS11: &pkcs11.Options{Personal: p.Personal},
	})
}

// openLockedKey opens a personal profile's PKCS#12 file, whose password is
// the official's passphrase: the key stays locked, and each signature
// decrypts it with the passphrase of its request.
func openLockedKey(p *config.Profile) (*keyref.Key, error) {
	data, err := os.ReadFile(p.Key)
	if err != nil {
		return nil, err
	}
	certs, err := readCertFile(p.Cert)
	if err != nil {
		return nil, err
	}
	return keyref.Locked(data, certs[0], certs[1:]), nil
}

func readCertFile(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for {
		var b *pem.Block
		if b, data = pem.Decode(data); b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s holds no certificate", path)
	}
	return certs, nil
}
