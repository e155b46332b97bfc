package citizen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// brandView is the header's and footer's branding, for the templates.
type brandView struct {
	Name    string // the header's text ("Segel" without branding)
	Site    string // the <title>'s suffix
	Logo    string // the logo's path relative to the mount root, with its version; "" without
	Address string
	Website string
	Branded bool // Name is the regency's, not "Segel"
}

// setBranding checks b and prepares the header and the logo's route.
func (h *handler) setBranding(b Branding) error {
	v := &brandView{Name: "Segel", Site: "Segel", Address: b.Address}
	if b.Name != "" {
		v.Name, v.Site, v.Branded = b.Name, b.Name, true
		if b.ShortName != "" {
			v.Site = b.ShortName
		}
	}
	if b.Website != "" && (strings.HasPrefix(b.Website, "https://") || strings.HasPrefix(b.Website, "http://")) {
		v.Website = b.Website
	}
	if len(b.Logo) > 0 {
		if b.LogoType != "image/png" && b.LogoType != "image/jpeg" {
			return fmt.Errorf("citizen: Branding.LogoType %q: want image/png or image/jpeg", b.LogoType)
		}
		sum := sha256.Sum256(b.Logo)
		h.logoTag = hex.EncodeToString(sum[:8])
		// The version in the query: the route is fixed, a new logo is a
		// new address, so the old one may be cached for a year.
		v.Logo = strings.TrimPrefix(LogoPath, "/") + "?v=" + h.logoTag
	}
	h.brand = v
	return nil
}

// logo answers GET /branding/logo with the branding logo, cached for a
// year (its address changes with it).
func (h *handler) logo(w http.ResponseWriter, r *http.Request) {
	b := h.opts.Branding
	if len(b.Logo) == 0 {
		h.notFound(w, r)
		return
	}
	hd := w.Header()
	etag := `"` + h.logoTag + `"`
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	hd.Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Type", b.LogoType)
	hd.Set("Content-Length", strconv.Itoa(len(b.Logo)))
	hd.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox")
	if r.Method == http.MethodHead {
		return
	}
	w.Write(b.Logo)
}
