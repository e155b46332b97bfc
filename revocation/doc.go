// Package revocation finds out whether an X.509 certificate has been revoked,
// with OCSP (RFC 6960) and CRLs (RFC 5280), for Segel's signer (which embeds
// the answers in a PDF's DSS for PAdES B-LT) and its verifier (which checks
// the embedded answers, then asks online).
//
// # Online checking
//
// A [Checker] asks the OCSP responders named in a certificate's Authority
// Information Access extension, then falls back to the HTTP CRL distribution
// points ([Options.PreferCRL] swaps the order). Every answer is checked before
// it is trusted or cached: the signature (by the issuer, or by a responder the
// issuer authorised with id-kp-OCSPSigning), that it speaks of this
// certificate (serial number and issuer name and key hashes), and that it is
// current (thisUpdate/nextUpdate against [Options.Now] with [Options.Skew]).
//
// A Checker keeps answers in memory until their nextUpdate and makes a single
// HTTP request for all callers asking the same question at the same time. It
// is safe for concurrent use; [Checker.Stats] returns counters for metrics.
//
// OCSP requests are sent with POST, as pyHanko and DSS do, because every
// responder accepts it; [Options.OCSPGet] sends short requests with GET first
// (RFC 5019, friendlier to HTTP caches) and falls back to POST.
//
// # Embedded data
//
// [CheckOCSPResponse] and [CheckCRL] check OCSP responses and CRLs taken from
// a PDF's DSS or adbe-revocationInfoArchival attribute, without any network.
//
// # Results and errors
//
// A revoked certificate is a result, not an error: [Status.State] is [Good],
// [Revoked] or [Unknown]. Errors chain to sentinels callers branch on with
// [errors.Is]: [ErrNoSources] (the certificate names nowhere to ask),
// [ErrUnavailable] (no answer: network, timeout, HTTP status, responder busy),
// [ErrInvalidResponse] (an answer that failed a check and was not trusted)
// and [ErrOffline]. A [*SourceError] says which URL failed and why; a
// [*CheckError] collects them when every source failed.
//
// # What is not checked
//
// Indirect CRLs, delta CRLs and CRLs partitioned by reason are rejected, not
// interpreted. LDAP URLs are skipped. Certificates that expired before a CRL
// was issued may have been dropped from it; [Status.ThisUpdate] lets the
// caller judge that. [CheckOCSPResponse] does not check the revocation status
// of a delegated responder's own certificate ([Checker.Check] does, through
// the responder's CRL, unless it carries id-pkix-ocsp-nocheck).
package revocation
