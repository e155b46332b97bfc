// Package testpki builds throwaway public-key infrastructures in memory for
// Segel's tests and for the development mode of `segel serve --dev`.
//
// WARNING: everything here is for tests and development only, never for
// production. Keys live in memory, serial numbers and validity windows are
// chosen for convenience, and nothing is audited.
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
//
// # Revocation
//
// A PKI keeps its revocation state (revoked serial numbers, CRL numbers,
// OCSP responders) behind a mutex: [PKI.Revoke] records a revocation,
// [PKI.CRL] and [PKI.OCSPResponse] sign fresh revocation data, and
// [PKI.Handler] serves it over HTTP at the URLs that issued certificates
// carry when [Options.BaseURL] is set. [MustNewServer] starts such a server
// for a test.
package testpki
