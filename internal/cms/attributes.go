package cms

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/segel-id/segel/internal/oids"
)

// Hash returns the hash function of the SignerInfo's digest algorithm.
func (si *SignerInfo) Hash() (crypto.Hash, error) {
	h, err := HashForOID(si.DigestAlgorithm.Algorithm)
	if err != nil {
		return 0, err
	}
	if !h.Available() {
		return 0, unsupported("hash %v", h)
	}
	return h, nil
}

// findAttribute returns the attribute of type oid in attrs. It is an error
// (ErrMalformed) for it to appear more than once.
func findAttribute(attrs []Attribute, oid asn1.ObjectIdentifier) (Attribute, bool, error) {
	var found Attribute
	ok := false
	for _, a := range attrs {
		if a.Type.Equal(oid) {
			if ok {
				return Attribute{}, false, malformed("attribute %v appears more than once", oid)
			}
			found, ok = a, true
		}
	}
	return found, ok, nil
}

// SignedAttribute returns the signed attribute of type oid, if present
// (the first one when repeated).
func (si *SignerInfo) SignedAttribute(oid asn1.ObjectIdentifier) (Attribute, bool) {
	for _, a := range si.SignedAttrs {
		if a.Type.Equal(oid) {
			return a, true
		}
	}
	return Attribute{}, false
}

// UnsignedAttribute returns the unsigned attribute of type oid, if present
// (the first one when repeated).
func (si *SignerInfo) UnsignedAttribute(oid asn1.ObjectIdentifier) (Attribute, bool) {
	for _, a := range si.UnsignedAttrs {
		if a.Type.Equal(oid) {
			return a, true
		}
	}
	return Attribute{}, false
}

// singleSigned returns the only value of the signed attribute oid, which
// must appear once with one value.
func (si *SignerInfo) singleSigned(oid asn1.ObjectIdentifier, name string) (cryptobyte.String, error) {
	a, ok, err := findAttribute(si.SignedAttrs, oid)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &attrError{name: name}
	}
	if len(a.Values) != 1 {
		return nil, malformed("%s attribute has %d values", name, len(a.Values))
	}
	return cryptobyte.String(a.Values[0]), nil
}

// attrError reports a missing attribute; it wraps ErrAttributeNotFound.
type attrError struct{ name string }

func (e *attrError) Error() string {
	return "cms: " + e.name + " attribute: " + ErrAttributeNotFound.Error()
}
func (e *attrError) Unwrap() error { return ErrAttributeNotFound }

// ContentType returns the contentType signed attribute.
func (si *SignerInfo) ContentType() (asn1.ObjectIdentifier, error) {
	v, err := si.singleSigned(oids.ContentType, "contentType")
	if err != nil {
		return nil, err
	}
	var oid asn1.ObjectIdentifier
	if !v.ReadASN1ObjectIdentifier(&oid) || !v.Empty() {
		return nil, malformed("contentType attribute")
	}
	return oid, nil
}

// MessageDigest returns the messageDigest signed attribute.
func (si *SignerInfo) MessageDigest() ([]byte, error) {
	v, err := si.singleSigned(oids.MessageDigest, "messageDigest")
	if err != nil {
		return nil, err
	}
	var md cryptobyte.String
	if !v.ReadASN1(&md, cbasn1.OCTET_STRING) || !v.Empty() {
		return nil, malformed("messageDigest attribute")
	}
	return []byte(md), nil
}

// SigningTime returns the signingTime signed attribute (UTCTime or
// GeneralizedTime); ok is false when it is absent or malformed.
func (si *SignerInfo) SigningTime() (t time.Time, ok bool) {
	v, err := si.singleSigned(oids.SigningTime, "signingTime")
	if err != nil {
		return time.Time{}, false
	}
	switch {
	case v.PeekASN1Tag(cbasn1.UTCTime):
		ok = v.ReadASN1UTCTime(&t)
	case v.PeekASN1Tag(cbasn1.GeneralizedTime):
		var raw cryptobyte.String
		if v.ReadASN1(&raw, cbasn1.GeneralizedTime) {
			t, err = parseGeneralizedTime(raw)
			ok = err == nil
		}
	}
	return t, ok && v.Empty()
}

// TimeStampTokens returns the values of the unsigned
// signatureTimeStampToken attributes (each a DER ContentInfo).
func (si *SignerInfo) TimeStampTokens() [][]byte {
	var out [][]byte
	for _, a := range si.UnsignedAttrs {
		if a.Type.Equal(oids.SignatureTimeStampToken) {
			out = append(out, a.Values...)
		}
	}
	return out
}

// FindCertificate returns the certificate among certs that the signer
// identifier names (issuer and serial number, or subject key identifier).
func (si *SignerInfo) FindCertificate(certs []*x509.Certificate) (*x509.Certificate, error) {
	for _, c := range certs {
		if c != nil && si.SID.Matches(c) {
			return c, nil
		}
	}
	return nil, ErrCertificateNotFound
}

// Matches reports whether cert is the certificate the identifier names.
// Issuer names are compared as DER bytes.
func (id SignerIdentifier) Matches(cert *x509.Certificate) bool {
	if id.SubjectKeyID != nil {
		return len(cert.SubjectKeyId) > 0 && bytes.Equal(id.SubjectKeyID, cert.SubjectKeyId)
	}
	return id.SerialNumber != nil && cert.SerialNumber != nil &&
		bytes.Equal(id.Issuer, cert.RawIssuer) && id.SerialNumber.Cmp(cert.SerialNumber) == 0
}

// IssuerSerial is an ESS IssuerSerial.
type IssuerSerial struct {
	// GeneralNames is the DER encoding of the issuer GeneralNames.
	GeneralNames []byte
	// DirectoryName is the DER Name of the first directoryName among
	// GeneralNames, nil when there is none.
	DirectoryName []byte
	// SerialNumber is the certificate serial number.
	SerialNumber *big.Int
}

// ESSCertID is an ESSCertID (v1, SHA-1) or ESSCertIDv2.
type ESSCertID struct {
	// HashAlgorithm is the hash of CertHash (SHA-1 for v1, SHA-256 when a
	// v2 omits it).
	HashAlgorithm crypto.Hash
	// CertHash is the hash of the DER certificate.
	CertHash []byte
	// IssuerSerial is nil when absent.
	IssuerSerial *IssuerSerial
}

// Matches reports whether id identifies cert: the hash matches and, when
// present, the issuer serial number and directory name match.
func (id ESSCertID) Matches(cert *x509.Certificate) bool {
	if !id.HashAlgorithm.Available() {
		return false
	}
	h := id.HashAlgorithm.New()
	h.Write(cert.Raw)
	if !bytes.Equal(h.Sum(nil), id.CertHash) {
		return false
	}
	if is := id.IssuerSerial; is != nil {
		if is.SerialNumber == nil || cert.SerialNumber == nil || is.SerialNumber.Cmp(cert.SerialNumber) != 0 {
			return false
		}
		if is.DirectoryName != nil && !bytes.Equal(is.DirectoryName, cert.RawIssuer) {
			return false
		}
	}
	return true
}

// SigningCertificate is a parsed SigningCertificate or SigningCertificateV2
// attribute.
type SigningCertificate struct {
	// Certs are the ESSCertIDs; the first identifies the signer.
	Certs []ESSCertID
	// Policies is the raw DER of the policies, nil when absent.
	Policies []byte
}

// SigningCertificateV2 returns the signingCertificateV2 signed attribute
// (RFC 5035). It wraps ErrAttributeNotFound when absent.
func (si *SignerInfo) SigningCertificateV2() (*SigningCertificate, error) {
	v, err := si.singleSigned(oids.SigningCertificateV2, "signingCertificateV2")
	if err != nil {
		return nil, err
	}
	return parseSigningCertificate(v, true)
}

// SigningCertificate returns the ESS signingCertificate (v1, SHA-1) signed
// attribute (RFC 2634). It wraps ErrAttributeNotFound when absent.
func (si *SignerInfo) SigningCertificate() (*SigningCertificate, error) {
	v, err := si.singleSigned(oids.SigningCertificate, "signingCertificate")
	if err != nil {
		return nil, err
	}
	return parseSigningCertificate(v, false)
}

func parseSigningCertificate(v cryptobyte.String, v2 bool) (*SigningCertificate, error) {
	name := "signingCertificate"
	if v2 {
		name = "signingCertificateV2"
	}
	var seq, certs cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() || !seq.ReadASN1(&certs, cbasn1.SEQUENCE) {
		return nil, malformed("%s attribute", name)
	}
	sc := &SigningCertificate{}
	if !seq.Empty() {
		var pol cryptobyte.String
		if !seq.ReadASN1Element(&pol, cbasn1.SEQUENCE) || !seq.Empty() {
			return nil, malformed("%s.policies", name)
		}
		sc.Policies = []byte(pol)
	}
	for !certs.Empty() {
		if len(sc.Certs) >= MaxCertificates {
			return nil, malformed("%s: too many certs", name)
		}
		var id cryptobyte.String
		if !certs.ReadASN1(&id, cbasn1.SEQUENCE) {
			return nil, malformed("%s.certs[%d]", name, len(sc.Certs))
		}
		c := ESSCertID{HashAlgorithm: crypto.SHA1}
		if v2 {
			c.HashAlgorithm = crypto.SHA256
			if id.PeekASN1Tag(cbasn1.SEQUENCE) {
				h, err := parseHashAlgorithm(&id)
				if err != nil {
					return nil, err
				}
				c.HashAlgorithm = h
			}
		}
		var hash cryptobyte.String
		if !id.ReadASN1(&hash, cbasn1.OCTET_STRING) {
			return nil, malformed("%s.certs[%d].certHash", name, len(sc.Certs))
		}
		c.CertHash = []byte(hash)
		if !id.Empty() {
			is, err := parseIssuerSerial(&id)
			if err != nil {
				return nil, err
			}
			c.IssuerSerial = is
		}
		if !id.Empty() {
			return nil, malformed("%s.certs[%d]: trailing data", name, len(sc.Certs))
		}
		sc.Certs = append(sc.Certs, c)
	}
	if len(sc.Certs) == 0 {
		return nil, malformed("%s: no certs", name)
	}
	return sc, nil
}

func parseIssuerSerial(s *cryptobyte.String) (*IssuerSerial, error) {
	var seq, gns, rawGNs cryptobyte.String
	is := &IssuerSerial{SerialNumber: new(big.Int)}
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Element(&rawGNs, cbasn1.SEQUENCE) ||
		!seq.ReadASN1Integer(is.SerialNumber) || !seq.Empty() {
		return nil, malformed("IssuerSerial")
	}
	is.GeneralNames = []byte(rawGNs)
	if !rawGNs.ReadASN1(&gns, cbasn1.SEQUENCE) {
		return nil, malformed("IssuerSerial.issuer")
	}
	for !gns.Empty() {
		var gn cryptobyte.String
		var tag cbasn1.Tag
		if !gns.ReadAnyASN1(&gn, &tag) {
			return nil, malformed("IssuerSerial.issuer")
		}
		if tag == tagCtx4 && is.DirectoryName == nil {
			var name cryptobyte.String
			if !gn.ReadASN1Element(&name, cbasn1.SEQUENCE) || !gn.Empty() {
				return nil, malformed("IssuerSerial.issuer.directoryName")
			}
			is.DirectoryName = []byte(name)
		}
	}
	return is, nil
}

// RevocationInfoArchival is Adobe's adbe-revocationInfoArchival attribute.
type RevocationInfoArchival struct {
	// CRLs holds the DER of each CRL.
	CRLs [][]byte
	// OCSPResponses holds the DER of each OCSPResponse.
	OCSPResponses [][]byte
	// Other holds the DER of each OtherRevInfo.
	Other [][]byte
}

// RevocationInfoArchival returns the signed adbe-revocationInfoArchival
// attribute. It wraps ErrAttributeNotFound when absent.
func (si *SignerInfo) RevocationInfoArchival() (*RevocationInfoArchival, error) {
	v, err := si.singleSigned(oids.AdbeRevocationInfoArchival, "adbe-revocationInfoArchival")
	if err != nil {
		return nil, err
	}
	var seq cryptobyte.String
	if !v.ReadASN1(&seq, cbasn1.SEQUENCE) || !v.Empty() {
		return nil, malformed("adbe-revocationInfoArchival")
	}
	ria := &RevocationInfoArchival{}
	for i, dst := range []*[][]byte{&ria.CRLs, &ria.OCSPResponses, &ria.Other} {
		tag := cbasn1.Tag(i).ContextSpecific().Constructed()
		if !seq.PeekASN1Tag(tag) {
			continue
		}
		var exp, list cryptobyte.String
		if !seq.ReadASN1(&exp, tag) || !exp.ReadASN1(&list, cbasn1.SEQUENCE) || !exp.Empty() {
			return nil, malformed("adbe-revocationInfoArchival [%d]", i)
		}
		for !list.Empty() {
			if len(*dst) >= MaxCRLs {
				return nil, malformed("adbe-revocationInfoArchival: too many entries")
			}
			var e cryptobyte.String
			var t cbasn1.Tag
			if !list.ReadAnyASN1Element(&e, &t) {
				return nil, malformed("adbe-revocationInfoArchival [%d]", i)
			}
			*dst = append(*dst, []byte(e))
		}
	}
	if !seq.Empty() {
		return nil, malformed("adbe-revocationInfoArchival: trailing data")
	}
	return ria, nil
}
