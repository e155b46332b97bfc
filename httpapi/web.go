package httpapi

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/verify"
)

// The citizens' page: public, no login. /verify takes an upload; /v/{id}
// is what the QR code on a letter opens. Server-rendered, no external
// asset, works without JavaScript (a few lines add drag and drop).

// webRoutes mounts the page.
func (s *Server) webRoutes(r chi.Router) {
	s.limiter = newLimiter(20, time.Minute)
	r.Get("/", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/verify", http.StatusFound) })
	r.Get("/verify", s.pageForm)
	r.Post("/verify", s.pageVerify)
	r.Get("/v/{id}", s.pageRecord)
	r.Post("/v/{id}", s.pageCompare)
	r.Get("/v/{id}/download", s.pageDownload)
}

// limiter is a per-address token bucket for uploads.
type limiter struct {
	mu     sync.Mutex
	rate   int
	per    time.Duration
	bucket map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(rate int, per time.Duration) *limiter {
	return &limiter{rate: rate, per: per, bucket: map[string]*bucket{}}
}

func (l *limiter) allow(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.bucket) > 100_000 { // forget everyone rather than grow without bound
		l.bucket = map[string]*bucket{}
	}
	b := l.bucket[addr]
	if b == nil {
		b = &bucket{tokens: float64(l.rate), at: now}
		l.bucket[addr] = b
	}
	b.tokens = min(float64(l.rate), b.tokens+now.Sub(b.at).Seconds()*float64(l.rate)/l.per.Seconds())
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func pageLang(r *http.Request) lang {
	switch r.URL.Query().Get("lang") {
	case "en":
		return langEN
	case "id":
		return langID
	}
	// Indonesian unless the reader asks: a citizen's phone set to
	// English still gets the page in the language of the letter.
	return langID
}

// pageData is what the templates see.
type pageData struct {
	L         lang
	Nonce     string
	Self      string // the page's path, for the language toggle and forms
	Other     string // ?lang= of the other language
	Error     string
	Report    *pageReport
	Record    *store.Document
	Compare   string // identical / different message
	CanDL     bool
	RecordSHA string
}

type pageReport struct {
	Headline string
	Class    string // ok, bad, warn
	SHA256   string
	Sigs     []pageSig
}

type pageSig struct {
	Kind, Field, Verdict, Signer, Org, CA, Claimed, Timestamp, Level, Reason, Location string
	Problems, Notes                                                                    []string
}

func toPage(l lang, rep *verify.Report) *pageReport {
	pr := &pageReport{SHA256: rep.SHA256}
	var worst *verify.SignatureReport
	for _, s := range rep.Signatures {
		if worst == nil || s.Indication == rep.Indication && worst.Indication != rep.Indication {
			worst = s
		}
	}
	sub := verify.SubIndication("")
	if worst != nil {
		sub = worst.SubIndication
	}
	pr.Headline = headline(l, rep.Indication, sub)
	switch rep.Indication {
	case verify.TotalPassed:
		pr.Class = "ok"
	case verify.Indeterminate:
		pr.Class = "warn"
	default:
		pr.Class = "bad"
	}
	for _, s := range rep.Signatures {
		ps := pageSig{Kind: l.T("signature"), Field: s.Field, Verdict: headline(l, s.Indication, s.SubIndication),
			Claimed: s.ClaimedSigningTime, Level: s.Level, Reason: s.Reason, Location: s.Location,
			Problems: s.Errors, Notes: append(append([]string{}, s.ModifiedAfterSigning...), s.Warnings...)}
		if s.Type == "document-timestamp" {
			ps.Kind = l.T("doctimestamp")
		}
		if s.Signer != nil {
			ps.Signer, ps.Org = s.Signer.CommonName, s.Signer.Organization
			ps.CA = s.Signer.Issuer
			if len(s.Chain) > 1 {
				ps.CA = s.Chain[1].CommonName
			}
		}
		if s.Timestamp != nil {
			ps.Timestamp = s.Timestamp.Time + " (" + s.Timestamp.TSA + ")"
		}
		pr.Sigs = append(pr.Sigs, ps)
	}
	return pr
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, d *pageData) {
	var nonce [12]byte
	rand.Read(nonce[:])
	d.L = pageLang(r)
	d.Nonce = base64.RawStdEncoding.EncodeToString(nonce[:])
	d.Self = r.URL.Path
	d.Other = "?lang=en"
	if d.L == langEN {
		d.Other = "?lang=id"
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-"+d.Nonce+
		"'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := pageTemplate.Execute(w, d); err != nil {
		s.opts.Logger.Error("page", "error", err)
	}
}

func (s *Server) pageForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, &pageData{})
}

// pageUpload spools the "file" of a page form and verifies it; it renders
// the error page itself and returns nil on failure.
func (s *Server) pageUpload(w http.ResponseWriter, r *http.Request, d *pageData) (*spooled, *verify.Report) {
	if !s.limiter.allow(clientAddr(r), s.opts.Now()) {
		w.Header().Set("Retry-After", "30")
		d.Error = pageLang(r).T("slowdown")
		s.render(w, r, http.StatusTooManyRequests, d)
		return nil, nil
	}
	in, p := s.spool(w, r)
	if p != nil {
		d.Error = pageLang(r).T("notpdf")
		status := http.StatusUnprocessableEntity
		if p.kind() == "too-large" {
			d.Error, status = pageLang(r).T("toolarge"), http.StatusRequestEntityTooLarge
		}
		s.render(w, r, status, d)
		return nil, nil
	}
	rep, err := s.Verifier()(r.Context(), in.f, in.size)
	if err != nil {
		in.Close()
		d.Error = pageLang(r).T("notpdf")
		s.render(w, r, http.StatusUnprocessableEntity, d)
		return nil, nil
	}
	return in, rep
}

func (s *Server) pageVerify(w http.ResponseWriter, r *http.Request) {
	d := &pageData{}
	in, rep := s.pageUpload(w, r, d)
	if in == nil {
		return
	}
	in.Close() // the citizen's file is never kept
	d.Report = toPage(pageLang(r), rep)
	s.render(w, r, http.StatusOK, d)
}

func (s *Server) record(w http.ResponseWriter, r *http.Request) (*store.Document, *pageData) {
	d := &pageData{}
	doc, err := s.opts.Store.GetDocument(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.opts.Logger.Error("page record", "error", err)
		}
		d.Error = pageLang(r).T("notfound")
		s.render(w, r, http.StatusNotFound, d)
		return nil, nil
	}
	d.Record = doc
	d.CanDL = doc.Downloadable && doc.Stored && !doc.Confidential
	return doc, d
}

func (s *Server) pageRecord(w http.ResponseWriter, r *http.Request) {
	if _, d := s.record(w, r); d != nil {
		s.render(w, r, http.StatusOK, d)
	}
}

func (s *Server) pageCompare(w http.ResponseWriter, r *http.Request) {
	doc, d := s.record(w, r)
	if d == nil {
		return
	}
	in, rep := s.pageUpload(w, r, d)
	if in == nil {
		return
	}
	identical := in.sha256 == doc.OutputSHA256
	in.Close()
	d.Compare = pageLang(r).T("different")
	if identical {
		d.Compare = pageLang(r).T("identical")
	}
	d.Report = toPage(pageLang(r), rep)
	s.render(w, r, http.StatusOK, d)
}

func (s *Server) pageDownload(w http.ResponseWriter, r *http.Request) {
	doc, d := s.record(w, r)
	if d == nil {
		return
	}
	if !d.CanDL {
		d.Error = pageLang(r).T("confidential")
		s.render(w, r, http.StatusNotFound, d)
		return
	}
	rc, size, err := s.opts.Store.OpenBlob(r.Context(), doc.ID)
	if err != nil {
		d.Error = pageLang(r).T("notfound")
		s.render(w, r, http.StatusNotFound, d)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.Header().Set("Content-Disposition", `attachment; filename="surat-`+doc.ID+`.pdf"`)
	io.Copy(w, rc)
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{}).Parse(`<!doctype html>
<html lang="{{.L}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.L.T "title"}} — Segel</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24;line-height:1.5}
main{max-width:46rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.5rem 0 1rem}
.card{background:#fff;border-radius:.6rem;padding:1rem 1.2rem;margin:0 0 1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.verdict{font-size:1.25rem;font-weight:700;padding:1rem 1.2rem;border-radius:.6rem;margin:0 0 1rem}
.ok{background:#e3f4e8;color:#0b5a24;border:2px solid #1a7f37}
.bad{background:#fde8e8;color:#8a1111;border:2px solid #c62828}
.warn{background:#fff4d6;color:#5c4200;border:2px solid #b07d00}
label{display:block;font-weight:600;margin:.5rem 0}
input[type=file]{display:block;width:100%;padding:1rem;border:2px dashed #6b7280;border-radius:.5rem;background:#fafafa;font-size:1rem;box-sizing:border-box}
input[type=file].over{border-color:#1a56db;background:#eef4ff}
button{margin-top:.8rem;font-size:1.1rem;padding:.8rem 1.6rem;border:0;border-radius:.5rem;background:#1a56db;color:#fff;min-height:48px;cursor:pointer}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}
dt{color:#4b5563}
dd{margin:0;overflow-wrap:anywhere}
code.hash{display:block;overflow-x:auto;white-space:nowrap;word-break:keep-all;background:#f1f3f5;padding:.4rem;border-radius:.3rem;font-size:.85rem}
.note{color:#374151;font-size:.95rem}
nav{display:flex;justify-content:space-between;align-items:center}
a{color:#1a56db}
ul{margin:.2rem 0;padding-left:1.2rem}
</style>
</head>
<body>
<main>
<nav><strong>Segel</strong><a href="{{.Self}}{{.Other}}">{{.L.T "other"}}</a></nav>
<h1>{{.L.T "title"}}</h1>
{{if .Error}}<p class="verdict bad" role="alert">{{.Error}}</p>{{end}}
{{with .Report}}
<p class="verdict {{.Class}}" role="status">{{.Headline}}</p>
{{end}}
{{if .Compare}}<p class="card"><strong>{{.Compare}}</strong></p>{{end}}
{{with .Record}}
<section class="card">
<h2>{{$.L.T "record"}}</h2>
<dl>
<dt>{{$.L.T "signer"}}</dt><dd>{{.SignerName}}</dd>
{{if .Title}}<dt>{{$.L.T "position"}}</dt><dd>{{.Title}}</dd>{{end}}
{{if .NIP}}<dt>{{$.L.T "nip"}}</dt><dd>{{.NIP}}</dd>{{end}}
<dt>{{$.L.T "ca"}}</dt><dd>{{.SignerIssuer}}</dd>
<dt>{{$.L.T "signedat"}}</dt><dd>{{.SignedAt.Format "2006-01-02 15:04 MST"}}</dd>
<dt>{{$.L.T "level"}}</dt><dd>{{.Level}}</dd>
{{if .Number}}<dt>{{$.L.T "number"}}</dt><dd>{{.Number}}</dd>{{end}}
{{if .Subject}}<dt>{{$.L.T "subject"}}</dt><dd>{{.Subject}}</dd>{{end}}
</dl>
<p>{{$.L.T "issuedsha"}}:</p><code class="hash">{{.OutputSHA256}}</code>
<p class="note">{{$.L.T "registerdetail"}}</p>
{{if $.CanDL}}<p><a href="{{$.Self}}/download">{{$.L.T "download"}}</a></p>{{else if .Confidential}}<p class="note">{{$.L.T "confidential"}}</p>{{end}}
</section>
{{end}}
{{with .Report}}
<section class="card">
<h2>{{$.L.T "details"}}</h2>
<p>{{$.L.T "sha256"}}:</p><code class="hash">{{.SHA256}}</code>
{{range .Sigs}}
<h3>{{.Kind}} ({{.Field}})</h3>
<p><strong>{{.Verdict}}</strong></p>
<dl>
{{if .Signer}}<dt>{{$.L.T "signer"}}</dt><dd>{{.Signer}}</dd>{{end}}
{{if .Org}}<dt>{{$.L.T "org"}}</dt><dd>{{.Org}}</dd>{{end}}
{{if .CA}}<dt>{{$.L.T "ca"}}</dt><dd>{{.CA}}</dd>{{end}}
{{if .Timestamp}}<dt>{{$.L.T "timestamp"}}</dt><dd>{{.Timestamp}}</dd>{{end}}
{{if .Claimed}}<dt>{{$.L.T "time"}}</dt><dd>{{.Claimed}} ({{$.L.T "claimed"}})</dd>{{end}}
{{if .Level}}<dt>{{$.L.T "level"}}</dt><dd>{{.Level}}</dd>{{end}}
{{if .Reason}}<dt>{{$.L.T "reason"}}</dt><dd>{{.Reason}}</dd>{{end}}
{{if .Location}}<dt>{{$.L.T "location"}}</dt><dd>{{.Location}}</dd>{{end}}
</dl>
{{if .Problems}}<p>{{$.L.T "problems"}}:</p><ul>{{range .Problems}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Notes}}<p>{{$.L.T "notes"}}:</p><ul class="note">{{range .Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{end}}
</section>
{{end}}
<section class="card">
<form method="post" action="{{.Self}}{{if eq .L "en"}}?lang=en{{end}}" enctype="multipart/form-data">
<label for="file">{{if .Record}}{{.L.T "compare"}}{{else}}{{.L.T "choose"}}{{end}}</label>
<p class="note">{{if not .Record}}{{.L.T "intro"}} {{end}}<span id="drop-hint" hidden>{{.L.T "drop"}}</span></p>
<input type="file" id="file" name="file" accept=".pdf,application/pdf" required>
<button type="submit">{{.L.T "check"}}</button>
</form>
<p class="note">{{.L.T "notkept"}}</p>
</section>
</main>
<script nonce="{{.Nonce}}">
(function(){var f=document.getElementById('file');if(!f||!('ondrop' in f))return;
document.getElementById('drop-hint').hidden=false;
['dragenter','dragover'].forEach(function(e){f.addEventListener(e,function(){f.classList.add('over')})});
['dragleave','drop'].forEach(function(e){f.addEventListener(e,function(){f.classList.remove('over')})});})();
</script>
</body>
</html>
`))
