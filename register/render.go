package register

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// templateFiles are the pages. layout.html defines "layout"; files whose
// name starts with "_" hold partials shared by all pages; every other file
// is a page named after it (masuk.html is "masuk") that defines "title"
// and "content". A part of the register adds its pages as new files.
//
//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

type templates struct {
	pages map[string]*template.Template
}

// templateFuncs are the functions every template may call.
var templateFuncs = template.FuncMap{
	// date formats a time as 02-01-2006 (Indonesian order) in WIB, "" for zero.
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(wib).Format("02-01-2006")
	},
	// datetime formats a time as 02-01-2006 15:04 in WIB (UTC+7).
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(wib).Format("02-01-2006 15:04")
	},
}

// wib is Western Indonesian Time, the register's wall clock.
var wib = time.FixedZone("WIB", 7*3600)

func loadTemplates() (*templates, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	base := template.New("").Funcs(templateFuncs)
	var pages []string
	for _, n := range names {
		b := path.Base(n)
		if b == "layout.html" || strings.HasPrefix(b, "_") {
			if _, err := base.ParseFS(templateFiles, n); err != nil {
				return nil, fmt.Errorf("register: template %s: %w", b, err)
			}
			continue
		}
		pages = append(pages, n)
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, n := range pages {
		c, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := c.ParseFS(templateFiles, n); err != nil {
			return nil, fmt.Errorf("register: template %s: %w", path.Base(n), err)
		}
		t.pages[strings.TrimSuffix(path.Base(n), ".html")] = c
	}
	return t, nil
}

// Page is what every template gets: the page's own Data and what the
// layout needs. Templates translate with {{.T "key"}}.
type Page struct {
	Lang      string
	User      *User
	CSRF      string
	Kabupaten string
	Nav       []NavItem
	Path      string
	// LangHref is the address of this page in the other language.
	LangHref string
	// Data is the page's own data.
	Data any
}

// T translates key into the page's language.
func (p *Page) T(key string) string { return T(p.Lang, key) }

// NavItem is one entry of the main navigation.
type NavItem struct {
	Label   string
	Href    string
	Current bool
}

// navItems are the entries of the main navigation; one shows only when
// its route is registered (and, for admin, to admins).
var navItems = []struct {
	key, path string
	admin     bool
}{
	{"nav.inbox", "/", false},
	{"nav.masuk", "/surat-masuk", false},
	{"nav.keluar", "/surat-keluar", false},
	{"nav.arsip", "/arsip", false},
	{"nav.admin", "/admin", true},
}

func (a *App) nav(r *http.Request, u *User, lang string) []NavItem {
	if u == nil {
		return nil
	}
	var out []NavItem
	for _, n := range navItems {
		pattern := "GET " + n.path
		if n.path == "/" {
			pattern = "GET /{$}"
		}
		if !a.routed[pattern] || (n.admin && !u.IsAdmin) {
			continue
		}
		cur := r.URL.Path == n.path || (n.path != "/" && strings.HasPrefix(r.URL.Path, n.path+"/"))
		out = append(out, NavItem{Label: T(lang, n.key), Href: n.path, Current: cur})
	}
	return out
}

// langHref is the address that shows the request's page in the other
// language: the same GET address with lang= switched, or the inbox after
// a POST (whose address answers only POST).
func langHref(r *http.Request, lang string) string {
	other := LangEN
	if lang == LangEN {
		other = LangID
	}
	if r.Method != http.MethodGet {
		return "/?lang=" + other
	}
	q := r.URL.Query()
	q.Set("lang", other)
	q.Del("ok")
	return r.URL.Path + "?" + q.Encode()
}

// render writes the page name with data, status 200.
func (a *App) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	a.renderStatus(w, r, http.StatusOK, name, data)
}

// renderStatus writes the page name with data and the status. The page
// is rendered into a buffer first, so a template error is a clean 500.
func (a *App) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t := a.tmpl.pages[name]
	if t == nil {
		a.log().Error("register: no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	u := currentUser(r)
	lang := a.lang(r)
	p := &Page{Lang: lang, User: u, CSRF: csrfToken(r), Kabupaten: a.opts.Kabupaten,
		Nav: a.nav(r, u, lang), Path: r.URL.Path, LangHref: langHref(r, lang), Data: data}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		a.log().Error("register: rendering", "name", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// staticHandler serves the embedded CSS and JavaScript under /static/.
func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the embedded directory is always there
	}
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}
