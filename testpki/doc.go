// Package testpki builds throwaway public-key infrastructures in memory for
// tests: Segel's own, those of applications that call a Segel gateway, and
// the development mode of `segel serve --dev`. It is public, like
// sigstore-go's pkg/testing/ca, so that examples and tests written against
// Segel can be copied out of this module and still run.
//
// WARNING: for tests and development only, never for production. Keys
// live in memory (or in a development directory), serial numbers and
// validity windows are chosen for convenience, revocation state is lost
// when the process ends, and nothing is audited. A certificate issued here
// proves nothing to anyone but the test that made the PKI.
//
// # Shape
//
// One call, [New], builds a world shaped like Indonesia's document-signing
// PKI: a self-signed root CA ("Segel Test Root CA") and below it an issuing
// CA shaped like BSrE's "BSRE CA DS G1" (CA:true, pathlen 0, keyCertSign and
// cRLSign, C=ID). The issuing CA issues signer certificates
// ([PKI.IssueSigner]), a time-stamping authority certificate
// ([PKI.IssueTSA]) and delegated OCSP responder certificates
// ([PKI.IssueOCSPResponder]). Every PKI has fresh keys, so two PKIs never
// verify each other's output even though their names are the same.
// [Load] rebuilds a PKI from CAs saved earlier (the development mode keeps
// its PKI in files).
//
// # Revocation
//
// A PKI keeps its revocation state (revoked serial numbers, CRL numbers,
// OCSP responders) behind a mutex: [PKI.Revoke] records a revocation,
// [PKI.CRL] and [PKI.OCSPResponse] sign fresh revocation data, and
// [PKI.Handler] serves it over HTTP at the URLs that issued certificates
// carry when [Options.BaseURL] is set. [MustNewServer] starts such a server
// for a test. [NewTSA] is an RFC 3161 time-stamping authority, also an
// http.Handler.
package testpki
