package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"go.yaml.in/yaml/v3"

	api "github.com/segel-id/segel/httpapi"
	"github.com/segel-id/segel/internal/httpapi"
)

// TestRoutesListMatchesRouterAndOpenAPI: Routes (what `segel serve -h`
// prints) is exactly the running server's router with the BSrE API on,
// and exactly openapi.yaml's paths and methods.
func TestRoutesListMatchesRouterAndOpenAPI(t *testing.T) {
	listed := map[string]bool{}
	for _, r := range httpapi.Routes() {
		listed[strings.ToLower(r.Method)+" "+r.Pattern] = true
	}
	if len(listed) < 10 {
		t.Fatalf("Routes lists only %d routes: %v", len(listed), listed)
	}
	e := newEnv(t, nil, func(o *httpapi.Options) { o.BSrEUser, o.BSrEPassword = "u", "p" })
	served := map[string]bool{}
	chi.Walk(e.srv.Handler().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		served[strings.ToLower(method)+" "+strings.TrimSuffix(route, "/*")] = true
		return nil
	})
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[method+" "+path] = true
		}
	}
	for name, other := range map[string]map[string]bool{"the server's router": served, "openapi.yaml": documented} {
		for k := range listed {
			if !other[k] {
				t.Errorf("Routes lists %s, which %s lacks", k, name)
			}
		}
		for k := range other {
			if !listed[k] {
				t.Errorf("%s has %s, which Routes does not list", name, k)
			}
		}
	}
}
