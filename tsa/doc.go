// Package tsa is an RFC 3161 time-stamp protocol client that checks every
// answer it gets.
//
// A Client sends a TimeStampReq with a random nonce and certReq over HTTP
// POST (application/timestamp-query) to one or more timestamp authorities,
// in order, failing over to the next on any error. It accepts a token only
// when the status is granted, the message imprint and nonce are the
// request's, the token's CMS signature verifies, the signer certificate
// chains to the configured roots, carries the critical timeStamping
// extended key usage and is named by the ESS signing-certificate(-v2)
// attribute, and genTime agrees with the local clock.
//
// Client implements signer.Timestamper.
package tsa
