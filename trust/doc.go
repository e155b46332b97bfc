// Package trust holds the trust anchors a Segel verifier builds certificate
// paths to: the national document-signing root shipped with Segel, and the
// PEM or DER files an operator adds (`segel verify --trust FILE_OR_DIR`).
//
// # Pools
//
// A [Pool] is like an [x509.CertPool] that remembers where each certificate
// came from, so that reports can name the file that made a signer trusted.
// It holds two kinds of certificate:
//
//   - anchors, trusted as they are: root CAs, but also intermediate CAs or
//     end-entity certificates that an operator pins on purpose;
//   - intermediates, candidates for path building that are not trusted by
//     themselves.
//
// Loading is forgiving in one way only: a certificate that cannot be parsed
// is skipped with a warning naming its file and position, and the rest of
// the file still loads. Files that cannot be read are errors.
//
// # The national bundle
//
// [National] returns the embedded bundle: Root CA Indonesia DS G1 as anchor
// and BSRE CA DS G1 (the issuing CA of BSrE signer certificates) as
// intermediate. The embedded files are pinned by SHA-256 fingerprint in the
// code; see trust/indonesia/README.md for their provenance.
//
// WARNING: a Pool does no revocation checking and no validity-period
// checking of its own; that is the verifier's work.
package trust
