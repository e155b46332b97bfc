// Package client calls a Segel gateway (`segel serve`) over its HTTP API
// from another program, such as a regency's letter register: it signs
// PDFs (POST /v1/sign), verifies them (POST /v1/verify), extends their
// signatures (POST /v1/augment) and reads the register record of a
// signed document (GET /v1/documents/{id}). The routes, parameters and
// problem types are those of the gateway's OpenAPI document
// (httpapi/openapi.yaml, also served at /openapi.yaml).
//
// # Use
//
//	c := &client.Client{BaseURL: "https://segel.example.go.id", APIKey: os.Getenv("SEGEL_API_KEY")}
//	signed, err := c.Sign(ctx, f, size, client.SignOptions{Profile: "bupati",
//		Passphrase: pass, Visible: "anchor=${ttd}"})
//	if err != nil { … }
//	defer signed.Close()
//	io.Copy(out, signed) // the signed PDF, as it comes
//
// Every method takes a context first. Bodies stream both ways: the PDF
// is read from an io.Reader as it is sent (with a length when it is
// known, chunked otherwise), and a signed or augmented PDF is read from
// the answer as it arrives ([Signed] and [Augmented] are io.ReadClosers;
// close them). The API key goes in "Authorization: Bearer"; a personal
// profile's passphrase in the Segel-Passphrase header, and only there: it
// is never logged nor put in an error. Redirects are never followed, so
// neither the key nor the passphrase goes anywhere but BaseURL.
//
// # Errors
//
// A refusal of the gateway (an RFC 9457 application/problem+json answer)
// is an [*Error] naming its problem type ([Error.Kind], one of the Kind
// constants or any other name the OpenAPI document lists), with the
// status, the gateway's detail and Retry-After; [IsKind] tests for a kind.
// A failure on the way (a refused connection, a timeout, an answer cut
// short, also while reading a signed PDF) wraps [ErrUnreachable]: trying
// again later may succeed. An answer that is neither the expected one nor
// a problem (a proxy's error page, a redirect) wraps [ErrUnexpectedAnswer].
//
// # Tests
//
// The package's tests run against a real gateway (internal/gatewaytest:
// the same server as `segel serve`, with a throwaway PKI from package
// testpki, so that every level up to B-LTA signs and verifies).
package client
