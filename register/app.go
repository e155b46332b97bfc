package register

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Options configure the register.
type Options struct {
	// DSN is the database: a SQLite file path (the default,
	// DataDir/register.db when empty) or a postgres:// URL.
	DSN string
	// DataDir holds the letters' files (DataDir/files/<sha256>) and, by
	// default, the SQLite database. Required.
	DataDir string
	// Gateway reaches Segel's signing service (in process or HTTP).
	Gateway Gateway
	// PublicURL is the register's own address as users reach it, scheme
	// and host only, such as "https://surat.serangkab.go.id" (the register
	// is served at the root of its host); POSTs whose Origin is it are
	// accepted behind a proxy that rewrites Host. Empty: links are
	// relative.
	PublicURL string
	// Logger receives the register's log; nil: slog.Default().
	Logger *slog.Logger
	// Now is the clock (tests set it); nil: time.Now.
	Now func() time.Time
	// SecureCookies marks cookies Secure even on plain HTTP requests, for
	// a register behind a TLS-terminating proxy. On HTTPS they always are.
	SecureCookies bool
	// Lang is the default language, "id" (the default) or "en".
	Lang string
	// Kabupaten is the name of the regency, such as "Kabupaten Serang",
	// shown in the header.
	Kabupaten string
	// SessionTTL is how long a login lasts; 0: 12 hours.
	SessionTTL time.Duration
	// MaxUpload bounds the body of a POST (an uploaded PDF); 0: 32 MiB.
	MaxUpload int64
	// TrustedProxies are the reverse proxies in front of the register
	// whose X-Forwarded-For is believed: for a request from one of them,
	// the client address of the login throttle and of Segel's lock-out
	// (SignRequest.ClientAddr) is the last forwarded address that is not
	// a trusted proxy (docs/register.md, "Behind a proxy"). None: the
	// connection's peer, X-Forwarded-For is ignored.
	TrustedProxies []netip.Prefix
}

// App is a running register: its database, templates and routes.
type App struct {
	opts  Options
	db    *DB
	files string // DataDir/files
	tmpl  *templates
	mux   *http.ServeMux
	// routed holds the patterns registered, so that the navigation shows
	// only what works.
	routed   map[string]bool
	handler  http.Handler
	throttle loginThrottle
}

// New opens (and migrates) the register's database and prepares its
// routes. Close releases it.
func New(ctx context.Context, opts Options) (*App, error) {
	if opts.DataDir == "" {
		return nil, errors.New("register: no data directory")
	}
	if opts.DSN == "" {
		opts.DSN = filepath.Join(opts.DataDir, "register.db")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Lang == "" {
		opts.Lang = LangID
	}
	if !validLang(opts.Lang) {
		return nil, fmt.Errorf("register: unknown language %q (id or en)", opts.Lang)
	}
	if opts.Kabupaten == "" {
		opts.Kabupaten = "Kabupaten Serang"
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = defaultSessionTTL
	}
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = 32 << 20
	}
	opts.PublicURL = strings.TrimRight(opts.PublicURL, "/")
	files := filepath.Join(opts.DataDir, "files")
	if err := os.MkdirAll(files, 0o700); err != nil {
		return nil, fmt.Errorf("register: data directory: %w", err)
	}
	tmpl, err := loadTemplates()
	if err != nil {
		return nil, err
	}
	db, err := OpenDB(ctx, opts.DSN)
	if err != nil {
		return nil, err
	}
	a := &App{opts: opts, db: db, files: files, tmpl: tmpl, mux: http.NewServeMux(), routed: map[string]bool{}}
	a.routes()
	cop := http.NewCrossOriginProtection()
	if opts.PublicURL != "" {
		// Behind a proxy that rewrites Host, the browser's Origin is the
		// public address.
		if err := cop.AddTrustedOrigin(opts.PublicURL); err != nil {
			db.Close()
			return nil, fmt.Errorf("register: public URL %q: %w", opts.PublicURL, err)
		}
	}
	a.handler = securityHeaders(cop.Handler(a.keepLang(a.guard(a.mux))))
	return a, nil
}

// routes registers every route. Each part of the register adds its own
// lines here (only routes that work: no empty handlers).
func (a *App) routes() {
	a.mux.Handle("GET /static/", staticHandler())
	a.mux.HandleFunc("/", a.notFound) // what no other route matches: the styled 404
	a.handle("GET /healthz", a.healthz)
	a.handle("GET /masuk", a.loginPage)
	a.handle("POST /masuk", a.login)
	a.handle("POST /keluar-sesi", a.logout)
	a.handle("GET /{$}", a.inbox)
	a.handle("GET /akun", a.account)
	a.handle("POST /akun/sandi", a.accountPassword)
	a.handle("POST /akun/bahasa", a.accountLang)

	a.handle("GET /admin", a.adminOnly(a.adminIndex))
	a.handle("GET /admin/unit", a.adminOnly(a.adminUnits))
	a.handle("POST /admin/unit", a.adminOnly(a.adminUnitAdd))
	a.handle("GET /admin/unit/{id}", a.adminOnly(a.adminUnitEdit))
	a.handle("POST /admin/unit/{id}", a.adminOnly(a.adminUnitSave))
	a.handle("GET /admin/jabatan", a.adminOnly(a.adminPositions))
	a.handle("POST /admin/jabatan", a.adminOnly(a.adminPositionAdd))
	a.handle("GET /admin/jabatan/{id}", a.adminOnly(a.adminPositionEdit))
	a.handle("POST /admin/jabatan/{id}", a.adminOnly(a.adminPositionSave))
	a.handle("GET /admin/pengguna", a.adminOnly(a.adminUsers))
	a.handle("POST /admin/pengguna", a.adminOnly(a.adminUserAdd))
	a.handle("GET /admin/pengguna/{id}", a.adminOnly(a.adminUserEdit))
	a.handle("POST /admin/pengguna/{id}", a.adminOnly(a.adminUserSave))
	a.handle("POST /admin/pengguna/{id}/sandi", a.adminOnly(a.adminUserPassword))
	a.handle("GET /admin/delegasi", a.adminOnly(a.adminDelegations))
	a.handle("POST /admin/delegasi", a.adminOnly(a.adminDelegationAdd))
	a.handle("POST /admin/delegasi/{id}/akhiri", a.adminOnly(a.adminDelegationEnd))

	a.handle("GET /surat-masuk", a.masukList)
	a.handle("GET /surat-masuk/baru", a.masukNew)
	a.handle("POST /surat-masuk/baru", a.masukCreate)
	a.handle("GET /surat/{id}", a.suratPage)
	a.handle("GET /surat/{id}/disposisi", a.dispoPage)
	a.handle("POST /surat/{id}/disposisi", a.dispoPost)
	a.handle("GET /surat/{id}/lembar.pdf", a.lembarPDF)
	a.handle("GET /surat/{id}/berkas/{version}", a.berkas)

	a.handle("GET /surat-keluar", a.keluarList)
	a.handle("GET /surat-keluar/baru", a.keluarNew)
	a.handle("POST /surat-keluar/baru", a.keluarCreate)
	a.handle("GET /surat/{id}/paraf", a.keluarPage)
	a.handle("POST /surat/{id}/paraf", a.keluarAction)
	a.handle("GET /surat/{id}/ttd", a.signPage)
	a.handle("POST /surat/{id}/ttd", a.signPost)

	a.archiveRoutes()

	a.handle("GET /admin/penomoran", a.adminOnly(a.adminPenomoran))
	a.handle("POST /admin/penomoran", a.adminOnly(a.adminPenomoranSave))
}

// handle registers a route and remembers its pattern for the navigation.
func (a *App) handle(pattern string, h http.HandlerFunc) {
	a.mux.HandleFunc(pattern, h)
	a.routed[pattern] = true
}

// Handler returns the register's HTTP handler.
func (a *App) Handler() http.Handler { return a.handler }

// DB returns the register's database.
func (a *App) DB() *DB { return a.db }

// Close closes the database.
func (a *App) Close() error {
	if err := a.db.Close(); err != nil {
		return fmt.Errorf("register: closing the database: %w", err)
	}
	return nil
}

func (a *App) now() time.Time    { return a.opts.Now().UTC() }
func (a *App) log() *slog.Logger { return a.opts.Logger }

func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	if err := a.db.PingContext(r.Context()); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// contentSecurityPolicy allows nothing from another host: the register's
// own styles, scripts and images only, no inline script, no framing.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets the CSP and the other security headers on every
// response; pages (not static files) are never cached.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// fail logs err and answers 500 without its detail.
func (a *App) fail(w http.ResponseWriter, r *http.Request, err error) {
	a.log().Error("register: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	a.errorPage(w, r, http.StatusInternalServerError, "err.internal")
}

// forbidden answers 403; why is "csrf" for a missing or wrong token.
func (a *App) forbidden(w http.ResponseWriter, r *http.Request, why string) {
	key := "err.forbidden"
	if why == "csrf" {
		key = "err.csrf"
	}
	a.errorPage(w, r, http.StatusForbidden, key)
}

// notFound answers 404. Handlers answer it too for a letter the user may
// not see, so that ids cannot be probed.
func (a *App) notFound(w http.ResponseWriter, r *http.Request) {
	a.errorPage(w, r, http.StatusNotFound, "err.notfound")
}

type errorData struct{ Message string }

func (a *App) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	a.renderStatus(w, r, status, "error", &errorData{Message: T(a.lang(r), key)})
}
