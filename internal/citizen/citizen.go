package citizen

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/segel-id/segel/internal/spool"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/verify"
)

// DocumentSource is the part of the store the page reads: the register
// record of a signed document and its stored file. store.Store satisfies
// it.
type DocumentSource interface {
	// GetDocument returns the record of a document, or an error wrapping
	// store.ErrNotFound.
	GetDocument(ctx context.Context, id string) (*store.Document, error)
	// OpenBlob opens the stored file of a document and returns its size,
	// or an error wrapping store.ErrNotFound.
	OpenBlob(ctx context.Context, id string) (io.ReadCloser, int64, error)
}

var _ DocumentSource = store.Store(nil)

// Options configures [New]. Verify is required; the zero value of every
// other field selects the default documented on it.
type Options struct {
	// Verify is the configured verification: the national trust bundle
	// plus the configured anchors. It reads the PDF from src (size bytes)
	// and returns an error wrapping verify.ErrNotPDF when it is not a PDF.
	Verify func(ctx context.Context, src io.ReaderAt, size int64) (*verify.Report, error)
	// Documents is the register behind /v/{id}. When nil, every /v/{id}
	// answers "not found".
	Documents DocumentSource
	// MaxUpload is the largest PDF accepted, in bytes; 32 MiB by default.
	MaxUpload int64
	// TempDir is where uploads are spooled while they are verified;
	// os.TempDir() by default. Nothing is left in it.
	TempDir string
	// Spools, when set, holds small uploads in memory within its limits
	// (spool.Pool.SetMemory; the API's, so that one budget bounds both)
	// and reuses its temporary files; without it every upload goes to a
	// file of its own.
	Spools *spool.Pool
	// RateLimit is the number of uploads a client address may make per
	// minute (a token bucket that also allows a burst of that many); 20 by
	// default, and no limit when negative. IPv6 addresses are counted per
	// /64.
	RateLimit int
	// ClientAddr returns the address a request is counted under for the
	// rate limit; the host of r.RemoteAddr by default. Set it when a
	// reverse proxy stands in front and the real address is in a header
	// the proxy sets.
	ClientAddr func(r *http.Request) string
	// Logger receives one line per verification (verdict, size, duration;
	// never the file or its name) and the errors of the page; discarded
	// by default.
	Logger *slog.Logger
	// Now is the clock of the rate limit; time.Now by default.
	Now func() time.Time
	// Location is the time zone in which times are shown; WIB (UTC+7) by
	// default.
	Location *time.Location
	// Branding is the regency's name and logo in the header of every
	// page; without it the header reads "Segel".
	Branding Branding
}

// Branding is who runs the page (config's branding:). Every field is
// optional.
type Branding struct {
	// Name, such as "Pemerintah Kabupaten Serang", is the header's text
	// and the logo's alt text; ShortName, when set, ends the <title>
	// instead.
	Name, ShortName string
	// Logo is a PNG or JPEG image (LogoType image/png or image/jpeg),
	// served at LogoPath with a long cache lifetime and shown in the
	// header; none when empty.
	Logo     []byte
	LogoType string
	// Address and Website are the footer's: the office's address and
	// its web site.
	Address, Website string
}

// LogoPath is the route of the branding logo, under the page's mount.
const LogoPath = "/branding/logo"

// ErrBusy is what Options.Verify returns (wrapped) when the service is
// verifying as many documents as it may at once: the page answers 429
// with Retry-After instead of an error.
var ErrBusy = errors.New("citizen: too many verifications at once")

// DefaultMaxUpload is the default of Options.MaxUpload.
const DefaultMaxUpload = 32 << 20

// DefaultRateLimit is the default of Options.RateLimit.
const DefaultRateLimit = 20

//go:embed templates/*.html page.css
var assets embed.FS

// parseTemplates parses the page: the layout and its sections.
func parseTemplates() (*template.Template, error) {
	css, err := assets.ReadFile("page.css")
	if err != nil {
		return nil, err
	}
	return template.New("layout.html").Option("missingkey=error").Funcs(template.FuncMap{
		"css": func() template.CSS { return template.CSS(css) },
	}).ParseFS(assets, "templates/*.html")
}

// handler serves the page.
type handler struct {
	opts    Options
	tmpl    *template.Template
	limiter *limiter
	mux     *http.ServeMux
	// brand is what the header and footer show; logoTag is the logo's
	// ETag and version (a prefix of its SHA-256).
	brand   *brandView
	logoTag string
}

// New returns the citizens' page as an http.Handler (see the package
// documentation for its routes).
func New(opts Options) (http.Handler, error) {
	if opts.Verify == nil {
		return nil, errors.New("citizen: Options.Verify is required")
	}
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = DefaultMaxUpload
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = DefaultRateLimit
	}
	if opts.ClientAddr == nil {
		opts.ClientAddr = remoteHost
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.FixedZone("WIB", 7*60*60)
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, fmt.Errorf("citizen: templates: %w", err)
	}
	h := &handler{opts: opts, tmpl: tmpl, mux: http.NewServeMux()}
	if opts.RateLimit > 0 {
		h.limiter = newLimiter(opts.RateLimit, time.Minute)
	}
	if err := h.setBranding(opts.Branding); err != nil {
		return nil, err
	}
	h.mux.HandleFunc("GET /{$}", h.root)
	h.mux.HandleFunc("GET /verify", h.form)
	h.mux.HandleFunc("POST /verify", h.verify)
	h.mux.HandleFunc("GET /v/{id}", h.record)
	h.mux.HandleFunc("POST /v/{id}", h.compare)
	h.mux.HandleFunc("GET /v/{id}/download", h.download)
	h.mux.HandleFunc("GET "+LogoPath, h.logo)
	h.mux.Handle(LogoPath, methods("GET, HEAD"))
	h.mux.Handle("/verify", methods("GET, HEAD, POST"))
	h.mux.Handle("/v/{id}", methods("GET, HEAD, POST"))
	h.mux.Handle("/v/{id}/download", methods("GET, HEAD"))
	h.mux.HandleFunc("/", h.notFound)
	return h, nil
}

// ServeHTTP serves the page.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Robots-Tag", "noindex, nofollow")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	h.mux.ServeHTTP(w, r)
}

func (h *handler) root(w http.ResponseWriter, r *http.Request) {
	target := "verify"
	if q := r.URL.Query().Get("lang"); q == "en" || q == "id" {
		target += "?lang=" + q
	}
	// A relative Location (RFC 9110), so that it holds under any prefix.
	w.Header().Set("Location", target)
	w.WriteHeader(http.StatusFound)
}

// methods answers 405 with the methods a route allows.
func methods(allow string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	})
}

// newPage starts the view of a page for r.
func (h *handler) newPage(r *http.Request, kind string) *page {
	l := pickLang(r)
	var nonce [16]byte
	rand.Read(nonce[:])
	other := langEN
	if l == langEN {
		other = langID
	}
	p := &page{
		Lang:   l.Code(),
		T:      table(l),
		Nonce:  hex.EncodeToString(nonce[:]), // hex: nothing for html/template to escape
		Page:   kind,
		Base:   strings.Repeat("../", max(strings.Count(r.URL.Path, "/")-1, 0)),
		Q:      "?lang=" + l.Code(),
		Toggle: "?lang=" + other.Code(),
		Brand:  h.brand,
	}
	p.Title = p.T["title"]
	return p
}

// lang returns the language of a page.
func (p *page) lang() lang {
	if p.Lang == "en" {
		return langEN
	}
	return langID
}

// withForm adds the upload form to p: the /verify form, or the "upload
// your copy" form of a record.
func (p *page) withForm(compare bool) *page {
	p.Script = true
	p.Form = &formView{Action: p.Q, Intro: p.T["intro"]}
	if compare {
		p.Form.Compare, p.Form.Intro = true, p.T["compareintro"]
	}
	return p
}

// render writes the page with its status and security headers. The
// template runs into a buffer first, so a failing template never sends
// half a page.
func (h *handler) render(w http.ResponseWriter, status int, p *page) {
	var buf bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		h.opts.Logger.Error("citizen: template", "page", p.Page, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Language", p.Lang)
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'nonce-"+p.Nonce+"'; style-src 'nonce-"+p.Nonce+
		"'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	hd.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// problem renders an error page: headline and help, with the upload form
// again when the reader can simply try another file.
func (h *handler) problem(w http.ResponseWriter, status int, p *page, headline, help string) {
	p.Problem = &problemView{Headline: headline, Help: help, Class: "warn"}
	if status == http.StatusUnprocessableEntity {
		p.Problem.Class = "bad"
	}
	p.Title = headline
	h.render(w, status, p)
}

func (h *handler) form(w http.ResponseWriter, r *http.Request) {
	h.render(w, http.StatusOK, h.newPage(r, "form").withForm(false))
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "error")
	h.problem(w, http.StatusNotFound, p, p.T["pagenotfound"], "")
}

// verify answers POST /verify: the verdict on the uploaded file.
func (h *handler) verify(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "result")
	if !h.allow(w, r, p) {
		return
	}
	up, ok := h.receive(w, r, p.withForm(false))
	if !ok {
		return
	}
	defer up.discard()
	rep, ok := h.check(w, r, p, up)
	if !ok {
		return
	}
	up.discard() // before the page is written: the file is gone when the page says so
	p.Verdict = verdictOf(p.lang(), rep, h.opts.Location)
	p.Title = p.Verdict.Headline
	h.render(w, http.StatusOK, p)
}

// check runs the configured verification on an upload. On failure it
// renders the page itself and returns false.
func (h *handler) check(w http.ResponseWriter, r *http.Request, p *page, up *upload) (*verify.Report, bool) {
	start := time.Now()
	rep, err := h.safeVerify(r.Context(), up)
	if err == nil && rep == nil {
		err = errors.New("the verifier returned no report")
	}
	switch {
	case errors.Is(err, verify.ErrNotPDF):
		h.opts.Logger.Info("citizen: verify", "outcome", "not-pdf", "size", up.size)
		h.problem(w, http.StatusUnprocessableEntity, p, p.T["notpdf"], p.T["notpdfhelp"])
		return nil, false
	case errors.Is(err, ErrBusy):
		h.opts.Logger.Info("citizen: verify", "outcome", "busy", "size", up.size)
		w.Header().Set("Retry-After", "2")
		p.Form = nil
		h.problem(w, http.StatusTooManyRequests, p, p.T["internal"], fmt.Sprintf(p.T["ratehelp"], "2"))
		return nil, false
	case err != nil:
		if r.Context().Err() == nil {
			h.opts.Logger.Error("citizen: verify", "size", up.size, "error", err)
		}
		p.Form = nil
		h.problem(w, http.StatusInternalServerError, p, p.T["internal"], p.T["internalhelp"])
		return nil, false
	}
	h.opts.Logger.Info("citizen: verify", "indication", string(rep.Indication), "signatures", len(rep.Signatures),
		"size", up.size, "duration", time.Since(start).Round(time.Millisecond))
	return rep, true
}

// safeVerify calls Options.Verify, turning a panic on a hostile PDF into an
// error: the page answers and the temporary file is still removed.
func (h *handler) safeVerify(ctx context.Context, up *upload) (rep *verify.Report, err error) {
	defer func() {
		if v := recover(); v != nil {
			rep, err = nil, fmt.Errorf("verifier panic: %v", v)
		}
	}()
	return h.opts.Verify(ctx, up.f, up.size)
}

// allow applies the rate limit to an upload, rendering the 429 page when
// the address has used up its uploads.
func (h *handler) allow(w http.ResponseWriter, r *http.Request, p *page) bool {
	if h.limiter == nil {
		return true
	}
	wait, ok := h.limiter.allow(clientKey(h.opts.ClientAddr(r)), h.opts.Now())
	if ok {
		return true
	}
	secs := max(int(wait.Seconds()+0.999), 1)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	h.problem(w, http.StatusTooManyRequests, p, p.T["ratelimited"], fmt.Sprintf(p.T["ratehelp"], strconv.Itoa(secs)))
	return false
}

// lookup finds the record of /v/{id}. When there is none it renders the
// 404 page and returns nil; it says nothing more about the id.
func (h *handler) lookup(w http.ResponseWriter, r *http.Request, p *page) *store.Document {
	id := r.PathValue("id")
	var (
		d   *store.Document
		err = store.ErrNotFound
	)
	if h.opts.Documents != nil && validID(id) {
		d, err = h.opts.Documents.GetDocument(r.Context(), id)
		// A QR code in alphanumeric mode upper-cases the URL; the ids
		// are lower-case base32.
		if errors.Is(err, store.ErrNotFound) && strings.ToLower(id) != id {
			d, err = h.opts.Documents.GetDocument(r.Context(), strings.ToLower(id))
		}
		if err == nil && d == nil {
			err = store.ErrNotFound
		}
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		p.Form = nil
		p.Page = "error"
		p.withForm(false)
		p.Form.Action = p.Base + "verify" + p.Q
		h.problem(w, http.StatusNotFound, p, p.T["notfound"], p.T["notfoundhelp"])
		return nil
	case err != nil:
		h.opts.Logger.Error("citizen: register", "error", err)
		p.Form = nil
		h.problem(w, http.StatusServiceUnavailable, p, p.T["internal"], p.T["internalhelp"])
		return nil
	}
	p.Record = recordOf(p.lang(), d, h.opts.Location)
	if canDownload(d) {
		p.Record.Download = p.Base + "v/" + d.ID + "/download" + p.Q
	}
	return d
}

// validID reports whether id can be a document id: short, and only
// letters, digits, '-' and '_'.
func validID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// record answers GET /v/{id}.
func (h *handler) record(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "record")
	if h.lookup(w, r, p) == nil {
		return
	}
	p.Title = p.T["record"]
	h.render(w, http.StatusOK, p.withForm(true))
}

// compare answers POST /v/{id}: is the copy the issued file, and what does
// its verification say.
func (h *handler) compare(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "record")
	if !h.allow(w, r, p) {
		return
	}
	d := h.lookup(w, r, p)
	if d == nil {
		return
	}
	up, ok := h.receive(w, r, p.withForm(true))
	if !ok {
		return
	}
	defer up.discard()
	rep, ok := h.check(w, r, p, up)
	if !ok {
		return
	}
	p.Compare, p.Verdict = compared(p.lang(), d, up, rep, h.opts.Location)
	up.discard()
	p.Title = p.Verdict.Headline
	h.render(w, http.StatusOK, p)
}

// download answers GET /v/{id}/download with the issued PDF, when it is
// offered (see canDownload); otherwise with a friendly 404 page.
func (h *handler) download(w http.ResponseWriter, r *http.Request) {
	p := h.newPage(r, "record")
	d := h.lookup(w, r, p)
	if d == nil {
		return
	}
	refuse := func() {
		p.Page = "error"
		help := p.T["nodlhelp"]
		if d.Confidential {
			help = p.T["confidential"]
		}
		p.Record = nil
		p.Form = &formView{Action: p.Base + "v/" + d.ID + p.Q, Intro: p.T["compareintro"], Compare: true}
		p.Script = true
		h.problem(w, http.StatusNotFound, p, p.T["nodownload"], help)
	}
	if !canDownload(d) {
		refuse()
		return
	}
	rc, size, err := h.opts.Documents.OpenBlob(r.Context(), d.ID)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			h.opts.Logger.Error("citizen: open blob", "error", err)
		}
		refuse()
		return
	}
	defer rc.Close()
	hd := w.Header()
	hd.Set("Content-Type", "application/pdf")
	hd.Set("Content-Length", strconv.FormatInt(size, 10))
	hd.Set("Content-Disposition", `attachment; filename="surat-`+d.ID+`.pdf"`)
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox")
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, io.LimitReader(rc, size)); err != nil && r.Context().Err() == nil {
		h.opts.Logger.Error("citizen: download", "error", err)
	}
}
