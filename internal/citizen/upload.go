package citizen

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sync"
	"time"

	"github.com/segel-id/segel/internal/spool"
)

// upload is a citizen's file, spooled while it is verified: in memory
// when small (Options.Spools), else to an anonymous (or at once unlinked)
// temporary file.
type upload struct {
	f      *spool.Spool
	size   int64
	sha256 string // lower-case hex
}

// discard clears the memory and closes and removes the temporary file;
// it may be called more than once.
func (u *upload) discard() {
	if u.f != nil {
		u.f.Close()
		u.f = nil
	}
}

// multipartSlack is what a multipart body may add to the file it carries:
// boundaries, part headers, and the other small fields of a form.
const multipartSlack = 1 << 20

// receive spools the uploaded PDF of r: the multipart field "file", or the
// whole body when it is sent as application/pdf. On failure it renders the
// page itself (p, with its form) and returns false.
func (h *handler) receive(w http.ResponseWriter, r *http.Request, p *page) (*upload, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, h.opts.MaxUpload+multipartSlack)
	var src io.Reader
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			h.problem(w, http.StatusBadRequest, p, p.T["nofile"], p.T["nofilehelp"])
			return nil, false
		}
		for {
			part, err := mr.NextPart()
			if err != nil {
				if tooLarge(err) {
					h.tooLarge(w, p)
				} else {
					h.problem(w, http.StatusBadRequest, p, p.T["nofile"], p.T["nofilehelp"])
				}
				return nil, false
			}
			if part.FormName() == "file" {
				src = part
				break
			}
			// Other fields are skipped; NextPart discards what is left
			// of them, within the body's limit.
		}
	case "application/pdf", "application/octet-stream":
		src = r.Body
	default:
		h.problem(w, http.StatusBadRequest, p, p.T["nofile"], p.T["nofilehelp"])
		return nil, false
	}

	f := h.opts.Spools.New(h.opts.TempDir)
	if r.ContentLength > 0 {
		f.Grow(r.ContentLength)
	}
	up := &upload{f: f}
	c, err := spool.Copy(f, src, h.opts.MaxUpload)
	n := c.Size
	var we *spool.WriteError
	switch {
	case errors.As(err, &we):
		up.discard()
		h.opts.Logger.Error("citizen: spool", "error", we.Err)
		if spool.Misconfigured(we) {
			// No file can be made there at all: a configuration error.
			p.Form = nil
			h.problem(w, http.StatusInternalServerError, p, p.T["internal"], p.T["internalhelp"])
		} else {
			h.noRoom(w, p) // full: temporary
		}
		return nil, false
	case errors.Is(err, spool.ErrTooLarge):
		up.discard()
		h.tooLarge(w, p)
		return nil, false
	case err != nil:
		up.discard()
		h.problem(w, http.StatusBadRequest, p, p.T["nofile"], p.T["nofilehelp"])
		return nil, false
	case n == 0:
		up.discard()
		h.problem(w, http.StatusBadRequest, p, p.T["nofile"], p.T["nofilehelp"])
		return nil, false
	}
	up.size, up.sha256 = n, c.SHA256
	if !looksLikePDF(f, n) {
		up.discard()
		h.opts.Logger.Info("citizen: verify", "outcome", "not-pdf", "size", n)
		h.problem(w, http.StatusUnprocessableEntity, p, p.T["notpdf"], p.T["notpdfhelp"])
		return nil, false
	}
	return up, true
}

// looksLikePDF reports whether the PDF header "%PDF-" is within the first
// 1024 bytes, where readers look for it.
func looksLikePDF(f io.ReaderAt, size int64) bool {
	buf := make([]byte, min(size, 1024))
	n, _ := f.ReadAt(buf, 0)
	return bytes.Contains(buf[:n], []byte("%PDF-"))
}

// noRoom answers 503 when an upload cannot be spooled (temporary
// directory full): try again later; no server path is shown.
func (h *handler) noRoom(w http.ResponseWriter, p *page) {
	p.Form = nil
	w.Header().Set("Retry-After", "30")
	h.problem(w, http.StatusServiceUnavailable, p, p.T["internal"], p.T["internalhelp"])
}

func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

func (h *handler) tooLarge(w http.ResponseWriter, p *page) {
	h.problem(w, http.StatusRequestEntityTooLarge, p, p.T["toolarge"], fmt.Sprintf(p.T["toolargehelp"], humanSize(h.opts.MaxUpload)))
}

// remoteHost is the default Options.ClientAddr: the host of RemoteAddr.
func remoteHost(r *http.Request) string { return spool.RemoteHost(r) }

// clientKey is the key an address is counted under (see spool.ClientKey).
func clientKey(addr string) string { return spool.ClientKey(addr) }

// limiter is an in-memory token bucket per client: rate tokens per period,
// at most rate at once.
type limiter struct {
	mu      sync.Mutex
	rate    float64
	period  time.Duration
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// limiterPrune is the number of clients above which buckets that have
// refilled are forgotten; limiterMax is the hard bound of the map.
const (
	limiterPrune = 10_000
	limiterMax   = 100_000
)

func newLimiter(rate int, period time.Duration) *limiter {
	return &limiter{rate: float64(rate), period: period, buckets: map[string]*bucket{}}
}

// allow takes a token for key at now. When none is left it returns how
// long until the next one.
func (l *limiter) allow(key string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	perToken := l.period / time.Duration(l.rate)
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= limiterPrune {
			l.prune(now)
		}
		b = &bucket{tokens: l.rate, at: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = min(l.rate, b.tokens+float64(elapsed)/float64(perToken))
	}
	b.at = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) * float64(perToken)), false
	}
	b.tokens--
	return 0, true
}

// prune forgets the buckets that are full again (they hold no
// information), and everything when that is not enough.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.at) >= l.period {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= limiterMax {
		clear(l.buckets)
	}
}
