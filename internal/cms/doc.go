// Package cms builds and parses the CMS SignedData structures (RFC 5652) that
// PAdES signatures carry in a PDF's /Contents, and reads the RFC 3161
// timestamp tokens that are themselves SignedData.
//
// The builder produces a detached CAdES baseline signature (ETSI EN 319 122):
// signed attributes contentType, messageDigest and signingCertificateV2, no
// signingTime, the signer identified by issuer and serial number. Its
// [Builder.MaxSize] gives an upper bound of the encoded length before the key
// signs, so a PDF signer can reserve /Contents and sign exactly once.
//
// The parser is written for hostile input: it bounds counts and nesting,
// never panics, accepts BER (indefinite lengths) by normalising it to DER
// while keeping the signed attributes as received (the signature covers
// those bytes), ignores the zero padding that follows the structure in a
// PDF and keeps any other trailing bytes for the caller to judge
// (SignedData.TrailingData), and keeps certificates that crypto/x509
// cannot parse as raw bytes. A signature algorithm whose hash differs from
// the digest algorithm is verified with the hash it declares (see
// docs/decisions.md). SignedData.RevocationData sorts the CRLs and OCSP
// responses of the crls field. SignedData.ChooseSigner picks, of several
// SignerInfos, the one that covers the content (the rule the verifier and
// the augmenting signer share). Errors wrap
// [ErrMalformed], [ErrUnsupportedAlgorithm] or [ErrSignatureInvalid] so a
// verifier can map them to a validation status.
package cms
