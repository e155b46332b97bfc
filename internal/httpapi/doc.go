// Package httpapi is Segel's HTTP gateway: the routes of docs/contracts.md on a
// chi router, with API-key authentication of client systems, signing
// profiles (personal ones unlocked by their holder's passphrase on every
// request), RFC 9457 problem+json errors with stable types, bounded
// request bodies spooled to memory or temporary files, a per-profile concurrency
// bound with a short queue, the audit log and document register, and
// Prometheus metrics.
//
// The server is internal: its Options name the store, the keys and the
// signing service, all internal, so no other module could build one.
// `segel serve` runs it; programs in other modules call it with package
// github.com/segel-id/segel/client, and both ends share the contract in
// package github.com/segel-id/segel/httpapi (openapi.yaml, Segel's
// headers, the problem base). See docs/decisions.md, "Public packages
// (issue 15)".
//
// # Routes
//
//	POST /v1/sign?profile=NAME[&level&reason&location&number&subject&title&nip&confidential]
//	                        the PDF (application/pdf, application/octet-stream or
//	                        multipart field "file") → 200 application/pdf,
//	                        headers Segel-Document-Id and Segel-Verify-Url
//	POST /v1/verify         the PDF → 200 report JSON (a failed signature is still 200)
//	POST /v1/augment?level=B-LT|B-LTA → 200 application/pdf
//	GET  /v1/documents/{id} the register record (clients see their profiles' records)
//	GET  /healthz, /readyz, /metrics, /openapi.yaml
//
// The /v1 routes need "Authorization: Bearer KEY"; keys are made by
// [NewAPIKey] and kept in the store as [KeyHash]. httpapi/openapi.yaml (served at
// /openapi.yaml) documents every route, parameter and problem type; a
// test keeps it and the router in step.
//
// # The signing service
//
// /v1/sign and the BSrE-compatible API parse a request and hand it to the
// signing service (internal/service), which does the rest: the slot, the
// lock-out, unlocking, signing, the register, the blob and the audit log.
// [Server.Service] gives it to callers in the same process (the letter
// register's in-process gateway). [Profile] is the service's profile.
//
// # Errors
//
// Every error is application/problem+json ([Problem]) whose type is
// [ProblemBase] followed by a stable name — invalid-pdf, encrypted-pdf,
// unauthorized, profile-forbidden, passphrase-rejected, too-large, busy,
// hsm-unavailable, tsa-unavailable … — listed with their statuses in
// openapi.yaml (x-problem-types). The instance is the request id, also
// sent as Segel-Request-Id and logged. A detail never holds a secret and
// never repeats more of a request than a plain name.
//
// # Limits
//
// Bodies are bounded by Options.MaxBodySize (413) and
// Options.ReadTimeout (408), and spooled (spool.Spool): in cleared,
// pooled memory up to Options.SpoolMemory per request and
// Options.SpoolMemoryTotal for all requests together, the rest to a
// temporary file in Options.TempDir — on Linux an anonymous one
// (O_TMPFILE), which the kernel frees even if the process dies — so a body
// is never held whole in memory beyond that bound; the signed file is
// written after the body in the same spool and streamed back from it. Each profile signs at most Profile.MaxConcurrent
// documents at once, with Profile.Queue more waiting at most
// Profile.QueueTimeout; beyond that the answer is 429 busy with
// Retry-After. The defaults absorb 64 concurrent clients without a 429.
//
// # Personal profiles
//
// A personal profile signs with an official's own key, unlocked for each
// signature by the Segel-Passphrase header. Wrong passphrases are counted
// in the store per official ("profile:NAME", the hard limit:
// Options.ProfileAttempts within Options.ProfileWindow) and per official
// and client address ("profile-addr:NAME|IP": Options.PassphraseAttempts
// within Options.PassphraseWindow), so that guesses at one official do not
// lock out the others behind the same proxy. Beyond either, the profile
// answers 429 passphrase-locked-out (to that address, or to all)
// without touching the token, and attempts reach the token one at a time,
// so that neither guessing nor a burst of guesses can lock the official's
// token. The passphrase is zeroed after use and never logged.
//
// # Records and metrics
//
// Every sign request for a known profile, and every augment request of an
// authenticated client, is appended to the store's hash-chained audit log (client, profile, signer certificate, level, SHA-256 of input
// and output, request id, outcome: "ok" or the problem type); every
// signature gets a register record with an unguessable id. /metrics
// serves segel_* series: requests by route and status, sign and verify
// latency, store latency and errors, and, read at scrape time, the HSM
// key, TSA and OCSP/CRL counters of the pkcs11, tsa and revocation
// packages.
package httpapi
