// Package httpapi is Segel's HTTP gateway: the routes of DESIGN.md on a
// chi router, with API-key authentication of client systems, signing
// profiles (personal ones unlocked by their holder's passphrase on every
// request), RFC 9457 problem+json errors with stable types, bounded
// request bodies spooled to temporary files, a per-profile concurrency
// bound with a short queue, the audit log and document register, and
// Prometheus metrics.
package httpapi
