package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/segel-id/segel/internal/config"
	"github.com/segel-id/segel/internal/devmode"
	"github.com/segel-id/segel/register"
)

const registerUsage = `usage: segel register --gateway URL --api-key-file FILE [--data DIR] [--db DSN] [--listen ADDR] [--seed] [--trusted-proxy CIDR]...
       segel register backup --out DIR | restore --from DIR [--data DIR] [--db DSN]   (segel register backup -h)

Runs the letter register (docs/register.md): surat masuk with disposisi,
surat keluar with paraf and the official's electronic signature, the
archive. It signs through a running 'segel serve' (--gateway, with the key
of an API client allowed to sign with the officials' personal profiles).
'segel serve --dev' starts a register of its own in process instead.

--data holds the letters' files (DIR/files) and, by default, the SQLite
database DIR/register.db; --db postgres://… puts the database on
PostgreSQL. --seed fills an empty database with Kabupaten Serang's demo
data; each demo user's password is written once to
DIR/register-passwords.txt (mode 0600), never printed. --trusted-proxy
(repeated) names the reverse proxies in front of the register whose
X-Forwarded-For is believed for the login throttle and Segel's lock-out.

Exit status: 0 after a graceful stop (SIGINT, SIGTERM), 1 when the server
failed while running, 3 when it could not start.

flags:
`

// registerPasswordsFile is where the demo passwords go, in the data
// directory.
const registerPasswordsFile = "register-passwords.txt"

// defaultRegisterListen is the register's address by default, beside
// Segel's 127.0.0.1:8080.
const defaultRegisterListen = "127.0.0.1:8081"

// runRegister runs "segel register ARGS" until ctx is cancelled.
func runRegister(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "backup" || args[0] == "restore") {
		return runRegisterBackup(ctx, args[0], args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("segel register", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, registerUsage); fs.PrintDefaults() }
	data := fs.String("data", "register-data", "the data directory: letters' files, the SQLite database, the demo passwords")
	dsn := fs.String("db", "", "the database: a SQLite file or a postgres:// URL (default DIR/register.db)")
	listen := fs.String("listen", defaultRegisterListen, "the address to listen on, host:port")
	gateway := fs.String("gateway", "", "the address of the running segel serve, such as https://segel.example.go.id")
	keyFile := fs.String("api-key-file", "", "a file whose first line is the register's API key for --gateway")
	seed := fs.Bool("seed", false, "seed Kabupaten Serang's demo data into an empty database")
	publicURL := fs.String("public-url", "", "the register's address as its users reach it (default http://ADDR)")
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure although the register serves plain HTTP (behind a TLS proxy)")
	lang := fs.String("lang", register.LangID, "the default language: id or en")
	kab := fs.String("kabupaten", "Kabupaten Serang", "the regency's name in the header")
	var proxies []netip.Prefix
	fs.Func("trusted-proxy", "a reverse proxy (`CIDR` or address) whose X-Forwarded-For gives the client address of the login throttle and of Segel's lock-out; repeat for several (default none)", func(v string) error {
		p, err := config.ParseProxy(v)
		if err != nil {
			return err
		}
		proxies = append(proxies, p)
		return nil
	})
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return fail(stderr, err)
	}
	if len(pos) > 0 {
		return fail(stderr, usagef("register takes no arguments, got %q", pos))
	}
	if *gateway == "" || *keyFile == "" {
		return fail(stderr, usagef("the register signs through Segel: give --gateway URL and --api-key-file FILE (or run 'segel serve --dev', which starts a register in process)"))
	}
	if !strings.HasPrefix(*gateway, "http://") && !strings.HasPrefix(*gateway, "https://") {
		return fail(stderr, usagef("--gateway %q is not an http:// or https:// URL", *gateway))
	}
	key, err := readAPIKeyFile(*keyFile)
	if err != nil {
		return fail(stderr, usagef("--api-key-file: %v", err))
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fail(stderr, usagef("--listen %s: %v", *listen, err))
	}
	defer ln.Close()
	url := "http://" + advertised(ln.Addr())
	if *publicURL == "" {
		*publicURL = url
	}
	opts := register.Options{
		DSN: *dsn, DataDir: *data, PublicURL: *publicURL, Logger: logger, SecureCookies: *secure,
		Lang: *lang, Kabupaten: *kab, TrustedProxies: proxies,
		Gateway: &register.HTTPGateway{BaseURL: strings.TrimRight(*gateway, "/"), APIKey: key},
	}
	var seedOpts *register.SeedOptions
	if *seed {
		seedOpts = &register.SeedOptions{Kabupaten: *kab}
	}
	reg, err := startRegister(ctx, opts, ln, seedOpts, filepath.Join(*data, registerPasswordsFile))
	if err != nil {
		fmt.Fprintf(stderr, "segel register: cannot start:\n%s\n", indent(err.Error()))
		return exitUsage
	}
	fmt.Fprintf(stdout, "segel register: listening on %s (signing through %s)\n", url, *gateway)
	if reg.seeded {
		fmt.Fprintf(stdout, "segel register: demo data seeded; the demo accounts' passwords are in %s\n", reg.passwords)
	}
	select {
	case err := <-reg.served:
		logger.Error("register failed", "error", err.Error())
		fmt.Fprintf(stderr, "segel register: %v\n", err)
		reg.app.Close()
		return exitFailure
	case <-ctx.Done():
	}
	if err := reg.stop(); err != nil {
		logger.Error("stopping the register", "error", err.Error())
		return exitFailure
	}
	return exitOK
}

// readAPIKeyFile returns the first line of path.
func readAPIKeyFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(data), "\n")
	if line = strings.TrimSpace(line); line == "" {
		return "", fmt.Errorf("%s holds no key on its first line", path)
	}
	return line, nil
}

// registerServer is a register serving on a listener.
type registerServer struct {
	app    *register.App
	srv    *http.Server
	served chan error
	// seeded reports whether this start seeded the demo data, whose
	// passwords are in the file passwords.
	seeded    bool
	passwords string
	stopOnce  sync.Once
	stopErr   error
}

// startRegister opens the register, seeds it when seed is not nil and its
// database has no users (the passwords go to the file passwords), and
// serves it on ln.
func startRegister(ctx context.Context, opts register.Options, ln net.Listener, seed *register.SeedOptions, passwords string) (*registerServer, error) {
	app, err := register.New(ctx, opts)
	if err != nil {
		return nil, err
	}
	r := &registerServer{app: app, served: make(chan error, 1), passwords: passwords}
	if seed != nil {
		has, err := register.Seeded(ctx, app.DB())
		if err == nil && !has {
			if err = register.SeedFile(ctx, app.DB(), r.passwords, *seed); err == nil {
				r.seeded = true
			}
		}
		if err != nil {
			app.Close()
			return nil, err
		}
	}
	r.srv = &http.Server{
		Handler:           app.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // an upload of a scanned letter on a slow line
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := r.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.served <- err
		}
	}()
	return r, nil
}

// stop stops the register gracefully (a minute for the requests in
// flight) and closes its database; later calls return the first's error.
func (r *registerServer) stop() error {
	r.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err := r.srv.Shutdown(ctx)
		if err != nil {
			r.srv.Close()
		}
		if cerr := r.app.Close(); err == nil {
			err = cerr
		}
		r.stopErr = err
	})
	return r.stopErr
}

// devRegister is what serve --dev runs of the register.
type devRegister struct {
	*registerServer
	url string
	err error // why it did not start (the default address was taken)
}

// devRegisterSigners are the register's demo signers as devmode makes
// their personal profiles.
func devRegisterSigners() []devmode.Signer {
	var out []devmode.Signer
	for _, s := range register.DemoSigners() {
		out = append(out, devmode.Signer{Profile: s.Profile, Name: s.Name, Title: s.Title, NIK: s.NIK})
	}
	return out
}

// startDevRegister starts dev mode's register on addr: SQLite in
// DIR/register.db, files in DIR/register, demo data seeded on the first
// start with the passwords (and the signers' passphrases) in
// DIR/register-passwords.txt, signing in process through the service's
// own signing service (register.ServiceGateway, as client dev-register).
// When addr was not given on the command line and is taken, the register
// is skipped (the returned err says why) rather than the service failing.
func startDevRegister(ctx context.Context, env *devmode.Env, addr string, given bool, svc *service, logger *slog.Logger) (*devRegister, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if given {
			return nil, fmt.Errorf("--register-listen %s: %w", addr, err)
		}
		logger.Warn("the letter register is not started: its address is taken (give --register-listen)", "address", addr, "error", err.Error())
		return &devRegister{err: err}, nil
	}
	url := "http://" + advertised(ln.Addr())
	seed := &register.SeedOptions{Profiles: map[string]string{}, Passphrases: map[string]string{}}
	byProfile := map[string]string{}
	for _, s := range env.Signers {
		byProfile[s.Profile] = s.Passphrase
	}
	for _, s := range register.DemoSigners() {
		seed.Profiles[s.Username] = s.Profile
		if p, ok := byProfile[s.Profile]; ok {
			seed.Passphrases[s.Username] = p
		}
	}
	opts := register.Options{
		DSN: filepath.Join(env.Dir, "register.db"), DataDir: filepath.Join(env.Dir, "register"),
		PublicURL: url, Logger: logger.With("component", "register"),
		Gateway: &register.ServiceGateway{Service: svc.api.Service(), Client: devmode.RegisterClient},
	}
	r, err := startRegister(ctx, opts, ln, seed, env.Path(registerPasswordsFile))
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("the letter register: %w", err)
	}
	// The service goes on if the register's server fails; say so.
	go func() {
		if err := <-r.served; err != nil {
			logger.Error("the letter register stopped serving", "error", err.Error())
		}
	}()
	return &devRegister{registerServer: r, url: url}, nil
}

// banner is the register's lines of the dev banner.
func (d *devRegister) banner() string {
	if d == nil {
		return ""
	}
	if d.registerServer == nil {
		return fmt.Sprintf("  register       not started: %v (give --register-listen ADDR)\n", d.err)
	}
	return fmt.Sprintf("  register       %s  (letter register; demo accounts and signing passphrases in %s)\n", d.url, d.passwords)
}
