package httpapi

import (
	"net/http"

	api "github.com/segel-id/segel/httpapi"
)

// openapiYAML is the contract's OpenAPI document (httpapi/openapi.yaml).
var openapiYAML = api.OpenAPI

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	w.Write(openapiYAML)
}
