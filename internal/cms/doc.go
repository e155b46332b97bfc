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
// never panics, accepts BER (indefinite lengths) by normalising it to DER,
// ignores the zero padding that follows the structure in a PDF, and keeps
// certificates that crypto/x509 cannot parse as raw bytes. Errors wrap
// [ErrMalformed], [ErrUnsupportedAlgorithm] or [ErrSignatureInvalid] so a
// verifier can map them to a validation status.
package cms
