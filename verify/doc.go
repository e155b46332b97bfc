// Package verify validates the signatures and document timestamps of a PDF
// and reports on each with the indications and sub-indications of ETSI EN
// 319 102-1.
//
// Verification fails closed: what cannot be proven is never TOTAL_PASSED.
// TOTAL_FAILED is kept for what is proven wrong (a changed document, a
// signature that does not verify); what cannot be checked is INDETERMINATE
// with the reason.
//
// # What is checked
//
// For each signature, Verify checks the structure (/ByteRange is exactly
// [0 a b c], inside the file, its gap is this signature's own hexadecimal
// /Contents string, and it ends a revision), the CMS (messageDigest over
// the byte ranges, the signature over the signed attributes, the
// signing-certificate attribute), and a certificate path to the trust
// anchors of Options.Trust only: certificates inside the PDF are path
// candidates, never anchors. Options.IssuedBy narrows trust further to
// paths through given CAs (CHAIN_CONSTRAINTS_FAILURE otherwise).
//
// # Proof of existence
//
// The time a signature is judged at is its proof of existence (POE) when
// it has one, else the validation time (Options.Time, now by default).
// The POE is the earliest valid signature timestamp over the signature
// value (SignatureReport.Timestamp), or, for a signature without one, the
// earliest valid document timestamp added in a later revision (a warning
// says so): how PAdES gives a B-B signature its time. Document timestamps
// are verified first for that reason. Timestamp tokens are checked by the
// validator the timestamp client uses (internal/tstoken): signature, ESS
// signing-certificate binding, the critical timeStamping EKU, and a path
// to the anchors. A token that fails is ignored with a warning; it never
// fails the signature.
//
// A certificate of the path that expired before the POE is TOTAL_FAILED
// with EXPIRED; one that expired before the validation time without a POE
// is INDETERMINATE with OUT_OF_BOUNDS_NO_POE; one not yet valid is
// NOT_YET_VALID. The claimed signing time (/M or the CMS signingTime,
// SignatureReport.ClaimedSigningTime) is reported, never trusted.
//
// # Revocation
//
// Every certificate of the path but the anchor is checked at the POE (or
// the validation time): first against the OCSP responses and CRLs in the
// document (the DSS, and the signature's own revocation values), then
// online (see below). A certificate revoked before the POE is TOTAL_FAILED
// with REVOKED; revoked after it, a warning; revoked with no POE to show
// the signature came first, INDETERMINATE with REVOKED_NO_POE. Sources that cannot be reached give
// INDETERMINATE with TRY_LATER; a certificate with no source at all is a
// warning. A pinned end-entity signer is still checked when the signature
// carries its issuer.
//
// # Online by default
//
// Verify fetches OCSP responses and CRLs from the addresses in the
// certificates when the document does not embed them, so a B-B or B-T
// signature can reach TOTAL_PASSED. Options.Offline forbids any fetch:
// only embedded data counts, and a certificate without it is
// INDETERMINATE with TRY_LATER. Options.Revocation shares one
// revocation.Checker (and its cache) between calls; by default each call
// has its own. Verify never fetches anything else (no AIA chasing, no
// trust lists).
//
// # Levels
//
// SignatureReport.Level is the PAdES baseline level the signature meets
// (ETSI EN 319 142-1), a Level: NONE (not ETSI.CAdES.detached, a CMS
// signingTime attribute, or no signing-certificate attribute), then
// PAdES-BASELINE-B; -T with a POE; -LT when, in addition, the verdict is
// TOTAL_PASSED from validation data in a DSS added after the signature,
// without fetching anything; -LTA when a valid document timestamp follows
// that DSS. Document timestamps have no level (NONE); their
// SignatureReport.Type is TypeDocumentTimestamp.
//
// # Change analysis
//
// A signature that does not cover the whole file is followed by
// incremental updates. Verify compares the object graph of the signed
// revision with the current one, object by object and by value, and
// judges each change by a table of rules keyed by the object's role
// (catalog, page, form field, annotation, DSS, ...). Each signature gets
// a modification level (SignatureReport.ModificationLevel, a ModLevel:
// NONE, LTA_UPDATES, FORM_FILLING, ANNOTATIONS or OTHER; left out when
// the analysis did not run because the signature had already failed) and
// the list of changes with the rule that judged each and its level
// (SignatureReport.Changes). ModifiedAfterSigning lists the same changes
// in words, without the housekeeping (later signatures, timestamps,
// validation data) unless it fails the signature. The DocMDP permission
// of a certification decides which levels are permitted (P=1: validation
// data and document timestamps; P=2: also form filling and signing; P=3
// or no certification: also annotations); OTHER, and a change to a field
// a FieldMDP lock covers, fail the signature with MODIFIED_AFTER_SIGNING.
// SignatureReport.Coverage turns all this into what a reader is told.
// docs/decisions.md ("Change analysis") has the rules.
//
// # The report
//
// Report and SignatureReport are the contract of `segel verify --json`
// and POST /v1/verify; their JSON shape is only extended, never changed
// (testdata/golden holds it for the conformance corpus). Indications, sub-indications,
// levels, modification levels and signature types are string types with
// constants; a value this version does not know still decodes (and a
// ModLevel it does not know ranks as OTHER). Times are time.Time in UTC to
// the second, written as RFC 3339; a missing claimed signing time is the
// zero time, left out of the JSON. docs/decisions.md ("Typed report,
// split configuration (issue 15)") has the reasons.
//
// Errors and Warnings are English sentences; Notes are their typed form,
// one Note per sentence in the same order, with a stable Code (Codes
// lists them) and the values the sentence names. The package
// verify/explain words them in Indonesian and English (docs/decisions.md,
// "One vocabulary (issue 14)").
package verify
