package httpapi

import (
	"net/http"
	"sort"
	"strings"

	"github.com/go-chi/chi/v5"
)

// Route is one route of the gateway: a method and a chi pattern.
type Route struct {
	Method, Pattern string
}

// Routes lists every route of the gateway's router, walked from the
// router itself so that the list cannot drift from what is served: with
// the BSrE-compatible API enabled and /readyz and /metrics on the main
// address (limits.ops_listen moves them), sorted by pattern and method.
// HEAD is answered wherever GET is and is not listed. `segel serve -h`
// prints it; a test compares it with openapi.yaml's paths.
func Routes() []Route {
	s := &Server{opts: Options{BSrEUser: "u", BSrEPassword: "p"}}
	s.routes()
	var out []Route
	chi.Walk(s.router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		out = append(out, Route{Method: method, Pattern: strings.TrimSuffix(route, "/*")})
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Pattern != out[j].Pattern {
			return out[i].Pattern < out[j].Pattern
		}
		return out[i].Method < out[j].Method
	})
	return out
}
