// Package signer makes PAdES signatures (ETSI EN 319 142-1) on PDF documents.
//
// Sign reads the source through an io.ReaderAt, copies it once to the
// destination while hashing it, and appends an incremental update that adds
// a signature field and its signature dictionary. The earlier revisions of
// the document, and the signatures they carry, are never rewritten.
//
// The size of the CMS signature is computed before the key is used, so the
// key (typically on an HSM, see package pkcs11) signs exactly once per
// document. The signature is CAdES-detached SignedData with the contentType,
// messageDigest and signingCertificateV2 signed attributes and no
// signingTime: the PAdES-BASELINE-B profile (SubFilter ETSI.CAdES.detached).
//
// FillText prepares a letter before it is signed: it writes a text (the
// number a register gives the letter) where the page shows a tag such as
// "${nomor}", found by the same search as a stamp's Placement.Anchor.
package signer
