package cms

import (
	"crypto"
	_ "crypto/sha1" // registers SHA-1 for crypto.Hash.New
	_ "crypto/sha256"
	_ "crypto/sha512"
	"encoding/asn1"
)

// Content types (RFC 5652, RFC 3161).
var (
	// OIDData is id-data, the content type of a PAdES signature.
	OIDData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	// OIDSignedData is id-signedData.
	OIDSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	// OIDTSTInfo is id-ct-TSTInfo, the content type of an RFC 3161 token.
	OIDTSTInfo = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
)

// Attribute types.
var (
	// OIDAttributeContentType is id-contentType.
	OIDAttributeContentType = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	// OIDAttributeMessageDigest is id-messageDigest.
	OIDAttributeMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	// OIDAttributeSigningTime is id-signingTime (forbidden in PAdES).
	OIDAttributeSigningTime = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	// OIDAttributeSigningCertificate is id-aa-signingCertificate (ESS, RFC 2634).
	OIDAttributeSigningCertificate = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	// OIDAttributeSigningCertificateV2 is id-aa-signingCertificateV2 (RFC 5035).
	OIDAttributeSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	// OIDAttributeTimeStampToken is id-aa-signatureTimeStampToken (RFC 3161 appendix A).
	OIDAttributeTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	// OIDAttributeSignaturePolicyIdentifier is id-aa-ets-sigPolicyId.
	OIDAttributeSignaturePolicyIdentifier = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 15}
	// OIDAttributeCommitmentType is id-aa-ets-commitmentType.
	OIDAttributeCommitmentType = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 16}
	// OIDAdbeRevocationInfoArchival is Adobe's adbe-revocationInfoArchival.
	OIDAdbeRevocationInfoArchival = asn1.ObjectIdentifier{1, 2, 840, 113583, 1, 1, 8}
)

// Digest algorithms.
var (
	// OIDDigestSHA1 is id-sha1.
	OIDDigestSHA1 = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	// OIDDigestSHA224 is id-sha224.
	OIDDigestSHA224 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}
	// OIDDigestSHA256 is id-sha256.
	OIDDigestSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	// OIDDigestSHA384 is id-sha384.
	OIDDigestSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	// OIDDigestSHA512 is id-sha512.
	OIDDigestSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
)

// Signature algorithms.
var (
	// OIDRSAEncryption is rsaEncryption, used for RSA PKCS#1 v1.5 signatures
	// whose hash is the SignerInfo's digest algorithm.
	OIDRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	// OIDSHA1WithRSA is sha1WithRSAEncryption.
	OIDSHA1WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	// OIDSHA224WithRSA is sha224WithRSAEncryption.
	OIDSHA224WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}
	// OIDSHA256WithRSA is sha256WithRSAEncryption.
	OIDSHA256WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	// OIDSHA384WithRSA is sha384WithRSAEncryption.
	OIDSHA384WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	// OIDSHA512WithRSA is sha512WithRSAEncryption.
	OIDSHA512WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	// OIDRSAPSS is id-RSASSA-PSS (RFC 4055).
	OIDRSAPSS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	// OIDMGF1 is id-mgf1 (RFC 4055).
	OIDMGF1 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	// OIDECPublicKey is id-ecPublicKey; some signers put it in the
	// signature algorithm of an ECDSA SignerInfo.
	OIDECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	// OIDECDSAWithSHA1 is ecdsa-with-SHA1.
	OIDECDSAWithSHA1 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	// OIDECDSAWithSHA224 is ecdsa-with-SHA224.
	OIDECDSAWithSHA224 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}
	// OIDECDSAWithSHA256 is ecdsa-with-SHA256.
	OIDECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	// OIDECDSAWithSHA384 is ecdsa-with-SHA384.
	OIDECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	// OIDECDSAWithSHA512 is ecdsa-with-SHA512.
	OIDECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	// OIDEd25519 is id-Ed25519 (RFC 8410, RFC 8419).
	OIDEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}
)

var digestOIDs = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{OIDDigestSHA1, crypto.SHA1},
	{OIDDigestSHA224, crypto.SHA224},
	{OIDDigestSHA256, crypto.SHA256},
	{OIDDigestSHA384, crypto.SHA384},
	{OIDDigestSHA512, crypto.SHA512},
}

// HashForOID returns the hash function of a digest algorithm OID. It returns
// an error wrapping ErrUnsupportedAlgorithm for unknown OIDs.
func HashForOID(oid asn1.ObjectIdentifier) (crypto.Hash, error) {
	for _, d := range digestOIDs {
		if d.oid.Equal(oid) {
			return d.hash, nil
		}
	}
	return 0, unsupported("digest algorithm %v", oid)
}

// OIDForHash returns the digest algorithm OID of a hash function. It returns
// an error wrapping ErrUnsupportedAlgorithm for hashes without one here.
func OIDForHash(h crypto.Hash) (asn1.ObjectIdentifier, error) {
	for _, d := range digestOIDs {
		if d.hash == h {
			return d.oid, nil
		}
	}
	return nil, unsupported("hash %v", h)
}

// rsaPKCS1OIDs maps shaXWithRSAEncryption OIDs to their hash.
var rsaPKCS1OIDs = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{OIDSHA1WithRSA, crypto.SHA1},
	{OIDSHA224WithRSA, crypto.SHA224},
	{OIDSHA256WithRSA, crypto.SHA256},
	{OIDSHA384WithRSA, crypto.SHA384},
	{OIDSHA512WithRSA, crypto.SHA512},
}

// ecdsaOIDs maps ecdsa-with-X OIDs to their hash.
var ecdsaOIDs = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{OIDECDSAWithSHA1, crypto.SHA1},
	{OIDECDSAWithSHA224, crypto.SHA224},
	{OIDECDSAWithSHA256, crypto.SHA256},
	{OIDECDSAWithSHA384, crypto.SHA384},
	{OIDECDSAWithSHA512, crypto.SHA512},
}

func ecdsaOIDForHash(h crypto.Hash) asn1.ObjectIdentifier {
	for _, e := range ecdsaOIDs {
		if e.hash == h {
			return e.oid
		}
	}
	return nil
}
