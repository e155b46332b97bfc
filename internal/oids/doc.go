// Package oids names, once, every ASN.1 object identifier that Segel's
// code declares: content types and attributes of CMS (RFC 5652) and of
// PAdES (ETSI EN 319 122-1), digest and signature algorithms, elliptic
// curves, OCSP (RFC 6960), certificate and CRL extensions (RFC 5280),
// extended key usages, and the attribute types of names. The packages
// that build or read ASN.1 (internal/cms, revocation, tsa, pkcs11,
// testpki, internal/tstoken, cmd/segel) use these and declare none of
// their own; tests may still write an OID out where the literal is the
// point of the test. The one OID left outside is testpki's default TSA
// policy, a value it chose (an arc of its own), not one it reads.
//
// The values are asn1.ObjectIdentifier slices: never modify them.
package oids
