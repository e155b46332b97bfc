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
package verify
