// Package httpapi is the contract of Segel's HTTP API, the part that both
// ends share: the OpenAPI document ([OpenAPI], the file openapi.yaml
// beside this one, served by every gateway at /openapi.yaml), the names
// of Segel's own headers and the base of its problem types.
//
// It holds no server and no client. The server is not importable
// (internal/httpapi, run by `segel serve`); applications in another
// module, such as a regency's letter register, call a gateway with
// package github.com/segel-id/segel/client. The reasons are in
// docs/decisions.md, "Public packages (issue 15)".
package httpapi

import _ "embed"

// OpenAPI is the OpenAPI 3.1 document of the HTTP API (openapi.yaml):
// every route, parameter, header and problem type (x-problem-types).
// Callers must not modify it.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Segel's headers.
const (
	// PassphraseHeader carries a personal profile's passphrase on
	// POST /v1/sign; the gateway never logs or stores it.
	PassphraseHeader = "Segel-Passphrase"
	// DocumentIDHeader carries the register id of a signed document.
	DocumentIDHeader = "Segel-Document-Id"
	// VerifyURLHeader carries the address of a signed document's page for
	// citizens (the gateway's public base URL + /v/{id}, the target of the
	// stamp's QR code); it is sent only when the gateway has a public base
	// URL.
	VerifyURLHeader = "Segel-Verify-Url"
	// RequestIDHeader carries the id of a request, also the instance of
	// its problem and the key of its log lines.
	RequestIDHeader = "Segel-Request-Id"
)

// ProblemBase is the prefix of the problem type URIs: a problem's type is
// ProblemBase followed by its stable name, such as
// "https://segel.id/problems/passphrase-rejected".
const ProblemBase = "https://segel.id/problems/"
