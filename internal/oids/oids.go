package oids

import (
	"crypto"
	"encoding/asn1"
)

// Content types (RFC 5652, section 4 and 5; RFC 3161, section 2.4.2).
var (
	// Data is id-data, the content type of a PAdES signature.
	Data = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	// SignedData is id-signedData.
	SignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	// TSTInfo is id-ct-TSTInfo, the content type of an RFC 3161 token.
	TSTInfo = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
)

// CMS attribute types.
var (
	// ContentType is id-contentType.
	ContentType = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	// MessageDigest is id-messageDigest.
	MessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	// SigningTime is id-signingTime (forbidden in PAdES).
	SigningTime = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	// SigningCertificate is id-aa-signingCertificate (ESS, RFC 2634).
	SigningCertificate = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	// SigningCertificateV2 is id-aa-signingCertificateV2 (RFC 5035).
	SigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	// SignatureTimeStampToken is id-aa-signatureTimeStampToken (RFC 3161,
	// appendix A).
	SignatureTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	// SignaturePolicyIdentifier is id-aa-ets-sigPolicyId.
	SignaturePolicyIdentifier = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 15}
	// CommitmentType is id-aa-ets-commitmentType.
	CommitmentType = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 16}
	// AdbeRevocationInfoArchival is Adobe's adbe-revocationInfoArchival.
	AdbeRevocationInfoArchival = asn1.ObjectIdentifier{1, 2, 840, 113583, 1, 1, 8}
)

// Other revocation information formats (RFC 5940).
var (
	// RevInfoOCSPResponse is id-ri-ocsp-response, the format of an OCSP
	// response in a CMS OtherRevocationInfoFormat.
	RevInfoOCSPResponse = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 16, 2}
)

// Digest algorithms.
var (
	// SHA1 is id-sha1.
	SHA1 = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	// SHA224 is id-sha224.
	SHA224 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}
	// SHA256 is id-sha256.
	SHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	// SHA384 is id-sha384.
	SHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	// SHA512 is id-sha512.
	SHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
)

// Signature algorithms and public key types.
var (
	// RSAEncryption is rsaEncryption, also used for RSA PKCS#1 v1.5
	// signatures whose hash is the SignerInfo's digest algorithm.
	RSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	// SHA1WithRSA is sha1WithRSAEncryption.
	SHA1WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	// SHA224WithRSA is sha224WithRSAEncryption.
	SHA224WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}
	// SHA256WithRSA is sha256WithRSAEncryption.
	SHA256WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	// SHA384WithRSA is sha384WithRSAEncryption.
	SHA384WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	// SHA512WithRSA is sha512WithRSAEncryption.
	SHA512WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	// RSAPSS is id-RSASSA-PSS (RFC 4055).
	RSAPSS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	// MGF1 is id-mgf1 (RFC 4055).
	MGF1 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	// ECPublicKey is id-ecPublicKey; some signers put it in the signature
	// algorithm of an ECDSA SignerInfo.
	ECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	// ECDSAWithSHA1 is ecdsa-with-SHA1.
	ECDSAWithSHA1 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	// ECDSAWithSHA224 is ecdsa-with-SHA224.
	ECDSAWithSHA224 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}
	// ECDSAWithSHA256 is ecdsa-with-SHA256.
	ECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	// ECDSAWithSHA384 is ecdsa-with-SHA384.
	ECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	// ECDSAWithSHA512 is ecdsa-with-SHA512.
	ECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	// Ed25519 is id-Ed25519 (RFC 8410, RFC 8419).
	Ed25519 = asn1.ObjectIdentifier{1, 3, 101, 112}
)

// Named elliptic curves (RFC 5480, section 2.1.1.1).
var (
	// P256 is secp256r1 (prime256v1).
	P256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	// P384 is secp384r1.
	P384 = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	// P521 is secp521r1.
	P521 = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
)

// OCSP (RFC 6960).
var (
	// OCSPBasic is id-pkix-ocsp-basic, the type of a BasicOCSPResponse.
	OCSPBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	// OCSPNonce is id-pkix-ocsp-nonce (RFC 8954).
	OCSPNonce = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}
	// OCSPNoCheck is id-pkix-ocsp-nocheck, the extension of a delegated
	// responder's certificate that is not to be checked for revocation.
	OCSPNoCheck = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}
)

// Certificate and CRL extensions (RFC 5280, section 4.2 and 5.2).
var (
	// ExtKeyUsage is id-ce-extKeyUsage.
	ExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 37}
	// AuthorityKeyID is id-ce-authorityKeyIdentifier.
	AuthorityKeyID = asn1.ObjectIdentifier{2, 5, 29, 35}
	// CRLNumber is id-ce-cRLNumber.
	CRLNumber = asn1.ObjectIdentifier{2, 5, 29, 20}
	// DeltaCRLIndicator is id-ce-deltaCRLIndicator.
	DeltaCRLIndicator = asn1.ObjectIdentifier{2, 5, 29, 27}
	// IssuingDistributionPoint is id-ce-issuingDistributionPoint.
	IssuingDistributionPoint = asn1.ObjectIdentifier{2, 5, 29, 28}
	// ExpiredCertsOnCRL (X.509 9.5.2.9): the CRL keeps revoked
	// certificates that expired at or after its date.
	ExpiredCertsOnCRL = asn1.ObjectIdentifier{2, 5, 29, 60}
)

// Extended key usages.
var (
	// KPTimeStamping is id-kp-timeStamping (RFC 3161, section 2.3).
	KPTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	// KPDocumentSigning is id-kp-documentSigning (RFC 9336).
	KPDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}
)

// Attribute types of names.
var (
	// EmailAddress is PKCS #9 emailAddress, an attribute of old subject
	// names.
	EmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)

// digests pairs the digest algorithm OIDs with their hash functions.
var digests = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{SHA1, crypto.SHA1},
	{SHA224, crypto.SHA224},
	{SHA256, crypto.SHA256},
	{SHA384, crypto.SHA384},
	{SHA512, crypto.SHA512},
}

// Hash returns the hash function of a digest algorithm OID (SHA-1 and
// SHA-2), and whether it knows it.
func Hash(o asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for _, d := range digests {
		if d.oid.Equal(o) {
			return d.hash, true
		}
	}
	return 0, false
}

// ForHash returns the digest algorithm OID of h, or nil when h has none
// here.
func ForHash(h crypto.Hash) asn1.ObjectIdentifier {
	for _, d := range digests {
		if d.hash == h {
			return d.oid
		}
	}
	return nil
}
