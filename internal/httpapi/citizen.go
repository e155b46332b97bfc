package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/segel-id/segel/internal/citizen"
)

// webRoutes mounts the citizens' page (package internal/citizen) on its
// own paths only, so that unknown API paths still answer problem+json.
func (s *Server) webRoutes(r chi.Router) {
	h, err := citizen.New(citizen.Options{
		Verify:     s.Verifier(),
		Documents:  s.opts.Store,
		TempDir:    s.opts.TempDir,
		Spools:     &s.temps,
		MaxUpload:  s.opts.PageMaxUpload,
		RateLimit:  s.opts.PageRateLimit,
		ClientAddr: s.clientAddress,
		Logger:     s.opts.Logger,
		Now:        s.opts.Now,
		Location:   s.opts.Location,
		Branding:   s.opts.Branding,
	})
	if err != nil {
		// New fails only without a verifier, which Server always has, or
		// with a logo type that New checked already.
		panic(err)
	}
	for _, route := range []struct{ method, path string }{
		{http.MethodGet, "/"}, {http.MethodGet, "/verify"}, {http.MethodPost, "/verify"},
		{http.MethodGet, "/v/{id}"}, {http.MethodPost, "/v/{id}"}, {http.MethodGet, "/v/{id}/download"},
		{http.MethodGet, citizen.LogoPath},
	} {
		r.Method(route.method, route.path, h)
	}
}
