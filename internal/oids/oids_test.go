package oids

import (
	"crypto"
	"encoding/asn1"
	"testing"
)

// TestDistinct: no two names share an OID (a copy-paste slip would) and
// the dotted forms of a few are the registered ones.
func TestDistinct(t *testing.T) {
	all := map[string]asn1.ObjectIdentifier{
		"Data": Data, "SignedData": SignedData, "TSTInfo": TSTInfo, "ContentType": ContentType, "MessageDigest": MessageDigest,
		"SigningTime": SigningTime, "SigningCertificate": SigningCertificate, "SigningCertificateV2": SigningCertificateV2,
		"SignatureTimeStampToken": SignatureTimeStampToken, "SignaturePolicyIdentifier": SignaturePolicyIdentifier,
		"CommitmentType": CommitmentType, "AdbeRevocationInfoArchival": AdbeRevocationInfoArchival,
		"RevInfoOCSPResponse": RevInfoOCSPResponse, "SHA1": SHA1, "SHA224": SHA224, "SHA256": SHA256, "SHA384": SHA384,
		"SHA512": SHA512, "RSAEncryption": RSAEncryption, "SHA1WithRSA": SHA1WithRSA, "SHA224WithRSA": SHA224WithRSA,
		"SHA256WithRSA": SHA256WithRSA, "SHA384WithRSA": SHA384WithRSA, "SHA512WithRSA": SHA512WithRSA, "RSAPSS": RSAPSS,
		"MGF1": MGF1, "ECPublicKey": ECPublicKey, "ECDSAWithSHA1": ECDSAWithSHA1, "ECDSAWithSHA224": ECDSAWithSHA224,
		"ECDSAWithSHA256": ECDSAWithSHA256, "ECDSAWithSHA384": ECDSAWithSHA384, "ECDSAWithSHA512": ECDSAWithSHA512,
		"Ed25519": Ed25519, "P256": P256, "P384": P384, "P521": P521, "OCSPBasic": OCSPBasic, "OCSPNonce": OCSPNonce,
		"OCSPNoCheck": OCSPNoCheck, "ExtKeyUsage": ExtKeyUsage, "AuthorityKeyID": AuthorityKeyID, "CRLNumber": CRLNumber,
		"DeltaCRLIndicator": DeltaCRLIndicator, "IssuingDistributionPoint": IssuingDistributionPoint,
		"KPTimeStamping": KPTimeStamping, "KPDocumentSigning": KPDocumentSigning, "EmailAddress": EmailAddress,
	}
	seen := map[string]string{}
	for name, o := range all {
		if other, ok := seen[o.String()]; ok {
			t.Errorf("%s and %s are both %s", name, other, o)
		}
		seen[o.String()] = name
	}
	for o, want := range map[string]asn1.ObjectIdentifier{
		"1.2.840.113549.1.9.16.2.47": SigningCertificateV2, "2.16.840.1.101.3.4.2.1": SHA256,
		"1.3.6.1.5.5.7.48.1.1": OCSPBasic, "1.2.840.10045.4.3.2": ECDSAWithSHA256, "2.5.29.37": ExtKeyUsage,
	} {
		if want.String() != o {
			t.Errorf("%s is %s", o, want)
		}
	}
}

func TestHash(t *testing.T) {
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		o := ForHash(h)
		if got, ok := Hash(o); !ok || got != h {
			t.Errorf("%v: %v → %v %v", h, o, got, ok)
		}
	}
	if ForHash(crypto.MD5) != nil {
		t.Error("an OID for MD5")
	}
	if _, ok := Hash(SHA256WithRSA); ok {
		t.Error("a signature algorithm taken for a digest")
	}
}
