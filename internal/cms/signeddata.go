package cms

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
)

// Limits applied by Parse to bound the work done on hostile input.
const (
	// MaxCertificates is the largest number of certificates accepted in a
	// SignedData.
	MaxCertificates = 256
	// MaxCRLs is the largest number of revocation entries accepted in a
	// SignedData.
	MaxCRLs = 256
	// MaxSignerInfos is the largest number of SignerInfos accepted.
	MaxSignerInfos = 32
	// MaxAttributes is the largest number of attributes accepted in one
	// signed or unsigned attribute set.
	MaxAttributes = 64
	// MaxAttributeValues is the largest number of values accepted in one
	// attribute.
	MaxAttributeValues = 64
	// MaxNesting is the deepest nesting of constructed BER elements that the
	// BER normaliser accepts.
	MaxNesting = 64
	// MaxDigestAlgorithms is the largest number of digest algorithms
	// accepted in SignedData.digestAlgorithms.
	MaxDigestAlgorithms = 16
)

// AlgorithmIdentifier is an X.509 AlgorithmIdentifier.
type AlgorithmIdentifier struct {
	// Algorithm is the algorithm's OID.
	Algorithm asn1.ObjectIdentifier
	// Parameters is the full DER encoding (tag, length, value) of the
	// parameters, or nil when they are absent.
	Parameters []byte
}

// Attribute is a CMS attribute: a type and its values.
type Attribute struct {
	// Type is the attribute's OID.
	Type asn1.ObjectIdentifier
	// Values holds the full DER encoding (tag, length, value) of each value.
	Values [][]byte
}

// SignerIdentifier identifies a signer's certificate, either by issuer and
// serial number (SignerInfo version 1) or by subject key identifier
// (version 3).
type SignerIdentifier struct {
	// Issuer is the DER encoding of the issuer Name; nil for an SKI.
	Issuer []byte
	// SerialNumber is the certificate serial number; nil for an SKI.
	SerialNumber *big.Int
	// SubjectKeyID is the subject key identifier; nil for issuer+serial.
	SubjectKeyID []byte
}

// PSSParameters are the RSASSA-PSS-params of an RSA-PSS signature algorithm
// (RFC 4055), with the defaults filled in.
type PSSParameters struct {
	// Hash is the message hash.
	Hash crypto.Hash
	// MGFHash is the hash of MGF1.
	MGFHash crypto.Hash
	// SaltLength is the salt length in bytes.
	SaltLength int
	// TrailerField is the trailer field; only 1 is defined.
	TrailerField int
}

// Certificate is one entry of SignedData.certificates.
type Certificate struct {
	// Raw is the DER encoding of the certificate.
	Raw []byte
	// Cert is the parsed certificate, nil when ParseErr is set.
	Cert *x509.Certificate
	// ParseErr is the error from x509.ParseCertificate, if any.
	ParseErr error
}

// SignerInfo is a parsed CMS SignerInfo.
type SignerInfo struct {
	// Version is the SignerInfo version (1 or 3).
	Version int
	// SID identifies the signer's certificate.
	SID SignerIdentifier
	// DigestAlgorithm is the digest algorithm of the content and of the
	// signed attributes.
	DigestAlgorithm AlgorithmIdentifier
	// RawSignedAttrs is the signed attributes exactly as received (BER
	// and unsorted SET OF included, never re-encoded), with their [0]
	// IMPLICIT tag (0xA0); nil when absent. See SignedAttrsDER.
	RawSignedAttrs []byte
	// SignedAttrs is the parsed list of signed attributes.
	SignedAttrs []Attribute
	// SignatureAlgorithm is the signature algorithm.
	SignatureAlgorithm AlgorithmIdentifier
	// PSS holds the parsed parameters when SignatureAlgorithm is RSA-PSS.
	PSS *PSSParameters
	// Signature is the signature value.
	Signature []byte
	// RawUnsignedAttrs is the unsigned attributes as received, with their
	// [1] IMPLICIT tag (0xA1); nil when absent.
	RawUnsignedAttrs []byte
	// UnsignedAttrs is the parsed list of unsigned attributes.
	UnsignedAttrs []Attribute
}

// SignedData is a parsed CMS ContentInfo holding a SignedData.
type SignedData struct {
	// Raw is the DER encoding of the ContentInfo, without trailing padding
	// (normalised from BER when the input was BER).
	Raw []byte
	// Version is the SignedData version.
	Version int
	// DigestAlgorithms is SignedData.digestAlgorithms.
	DigestAlgorithms []AlgorithmIdentifier
	// EContentType is encapContentInfo.eContentType.
	EContentType asn1.ObjectIdentifier
	// EContent is the encapsulated content (the octets of the OCTET
	// STRING), nil when detached. RFC 3161 tokens carry the TSTInfo here.
	EContent []byte
	// HasEContent reports whether eContent was present (it may be empty).
	HasEContent bool
	// Certificates holds every certificate of SignedData.certificates in
	// order; other certificate choices (attribute certificates) are skipped.
	Certificates []Certificate
	// CRLs holds the raw DER of each RevocationInfoChoice.
	CRLs [][]byte
	// SignerInfos holds the signers.
	SignerInfos []*SignerInfo
	// TrailingData holds what follows the ContentInfo in the input when
	// it is not all zero bytes (the /Contents padding); nil otherwise.
	TrailingData []byte
}

// ParsedCertificates returns the certificates that crypto/x509 could parse.
func (sd *SignedData) ParsedCertificates() []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range sd.Certificates {
		if c.Cert != nil {
			out = append(out, c.Cert)
		}
	}
	return out
}
