// Package verify validates the signatures and document timestamps of a PDF
// and reports on each with the indications and sub-indications of ETSI EN
// 319 102-1.
//
// Verification fails closed: what cannot be proven is never TOTAL_PASSED.
// TOTAL_FAILED is kept for what is proven wrong (a changed document, a
// signature that does not verify); what cannot be checked is INDETERMINATE
// with the reason.
//
// For each signature, Verify checks the structure (/ByteRange is exactly
// [0 a b c], inside the file, its gap is this signature's own hexadecimal
// /Contents string, and it ends a revision), the CMS (messageDigest over
// the byte ranges, the signature over the signed attributes, the
// signing-certificate attribute), and a certificate path to the trust
// anchors of Options.Trust only: certificates inside the PDF are path
// candidates, never anchors.
//
// # Change analysis
//
// A signature that does not cover the whole file is followed by
// incremental updates. Verify compares the object graph of the signed
// revision with the current one, object by object and by value, and
// judges each change by a table of rules keyed by the object's role
// (catalog, page, form field, annotation, DSS, ...). Each signature gets
// a modification level (SignatureReport.ModificationLevel: NONE,
// LTA_UPDATES, FORM_FILLING, ANNOTATIONS or OTHER) and the list of changes
// with the rule that judged each (SignatureReport.Changes). The DocMDP
// permission of a certification decides which levels are permitted (P=1:
// validation data and document timestamps; P=2: also form filling and
// signing; P=3 or no certification: also annotations); OTHER, and a
// change to a field a FieldMDP lock covers, fail the signature with
// MODIFIED_AFTER_SIGNING. docs/decisions.md ("Change analysis") has the
// rules.
package verify
