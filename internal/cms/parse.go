package cms

import (
	"crypto"
	"encoding/asn1"
	"errors"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/segel-id/segel/internal/oids"
)

// Parse parses a CMS ContentInfo holding a SignedData, as found in a PDF
// signature's /Contents or an RFC 3161 timestamp token. The ContentInfo
// ends where its own length says: trailing zero bytes (the /Contents
// padding) are ignored, and other bytes after it are kept in
// SignedData.TrailingData for the caller to judge (some signers leave
// garbage there; a verifier warns, a token validator refuses). BER input
// (indefinite lengths, non-minimal lengths, constructed strings) is
// normalised to DER first, except the signed attributes, which are kept as
// received because the signature covers those bytes (see
// SignerInfo.RawSignedAttrs). Certificates that crypto/x509 rejects are
// kept as raw bytes with their error. For DER input the result's byte
// slices alias der, which must not be modified while the result is in use.
func Parse(der []byte) (*SignedData, error) {
	s := cryptobyte.String(der)
	var ci cryptobyte.String
	if s.ReadASN1Element(&ci, cbasn1.SEQUENCE) {
		sd, err := parseContentInfo(ci)
		if err != nil {
			// Retry through the normaliser: a DER outer shell may still
			// hold BER inside.
			norm, _, nerr := berToDER(ci, 0)
			if nerr != nil || string(norm) == string(ci) {
				return nil, err
			}
			if sd, err = parseContentInfo(norm); err != nil {
				return nil, err
			}
			if err := keepSignedAttrs(sd, ci); err != nil {
				return nil, err
			}
		}
		sd.TrailingData = nonZero(s)
		return sd, nil
	}
	norm, n, err := berToDER(der, 0)
	if err != nil {
		return nil, err
	}
	if len(norm) == 0 || norm[0] != 0x30 {
		return nil, malformed("contentInfo: not a SEQUENCE")
	}
	sd, err := parseContentInfo(norm)
	if err != nil {
		return nil, err
	}
	if err := keepSignedAttrs(sd, der[:n]); err != nil {
		return nil, err
	}
	sd.TrailingData = nonZero(der[n:])
	return sd, nil
}

// nonZero returns rest when it holds a byte other than zero, else nil.
func nonZero(rest []byte) []byte {
	for _, c := range rest {
		if c != 0 {
			return rest
		}
	}
	return nil
}

func parseContentInfo(ci cryptobyte.String) (*SignedData, error) {
	sd := &SignedData{Raw: []byte(ci)}
	var body, content cryptobyte.String
	var ctype asn1.ObjectIdentifier
	if !ci.ReadASN1(&body, cbasn1.SEQUENCE) ||
		!body.ReadASN1ObjectIdentifier(&ctype) {
		return nil, malformed("contentInfo")
	}
	if !ctype.Equal(oids.SignedData) {
		return nil, malformed("contentInfo: content type %v is not signedData", ctype)
	}
	if !body.ReadASN1(&content, tagCtx0) || !body.Empty() {
		return nil, malformed("contentInfo: content")
	}
	var sdSeq cryptobyte.String
	if !content.ReadASN1(&sdSeq, cbasn1.SEQUENCE) || !content.Empty() {
		return nil, malformed("signedData")
	}
	if !sdSeq.ReadASN1Integer(&sd.Version) {
		return nil, malformed("signedData.version")
	}
	var algs cryptobyte.String
	if !sdSeq.ReadASN1(&algs, cbasn1.SET) {
		return nil, malformed("signedData.digestAlgorithms")
	}
	for !algs.Empty() {
		if len(sd.DigestAlgorithms) >= MaxDigestAlgorithms {
			return nil, malformed("signedData.digestAlgorithms: more than %d", MaxDigestAlgorithms)
		}
		a, err := readAlgorithm(&algs)
		if err != nil {
			return nil, malformed("signedData.digestAlgorithms")
		}
		sd.DigestAlgorithms = append(sd.DigestAlgorithms, a)
	}
	var eci cryptobyte.String
	if !sdSeq.ReadASN1(&eci, cbasn1.SEQUENCE) || !eci.ReadASN1ObjectIdentifier(&sd.EContentType) {
		return nil, malformed("signedData.encapContentInfo")
	}
	if !eci.Empty() {
		var exp, oct cryptobyte.String
		if !eci.ReadASN1(&exp, tagCtx0) || !eci.Empty() ||
			!exp.ReadASN1(&oct, cbasn1.OCTET_STRING) || !exp.Empty() {
			return nil, malformed("signedData.encapContentInfo.eContent")
		}
		sd.EContent = []byte(oct)
		sd.HasEContent = true
	}
	if sdSeq.PeekASN1Tag(tagCtx0) {
		var certs cryptobyte.String
		if !sdSeq.ReadASN1(&certs, tagCtx0) {
			return nil, malformed("signedData.certificates")
		}
		n := 0
		for !certs.Empty() {
			if n++; n > MaxCertificates {
				return nil, malformed("signedData.certificates: more than %d", MaxCertificates)
			}
			var elem cryptobyte.String
			var tag cbasn1.Tag
			if !certs.ReadAnyASN1Element(&elem, &tag) {
				return nil, malformed("signedData.certificates[%d]", n-1)
			}
			if tag != cbasn1.SEQUENCE {
				continue // attribute or other certificate choices
			}
			c := Certificate{Raw: []byte(elem)}
			c.Cert, c.ParseErr = ParseCertificate(c.Raw)
			if c.ParseErr != nil {
				c.Cert = nil
			}
			sd.Certificates = append(sd.Certificates, c)
		}
	}
	if sdSeq.PeekASN1Tag(tagCtx1) {
		var crls cryptobyte.String
		if !sdSeq.ReadASN1(&crls, tagCtx1) {
			return nil, malformed("signedData.crls")
		}
		for !crls.Empty() {
			if len(sd.CRLs) >= MaxCRLs {
				return nil, malformed("signedData.crls: more than %d", MaxCRLs)
			}
			var elem cryptobyte.String
			var tag cbasn1.Tag
			if !crls.ReadAnyASN1Element(&elem, &tag) {
				return nil, malformed("signedData.crls[%d]", len(sd.CRLs))
			}
			sd.CRLs = append(sd.CRLs, []byte(elem))
		}
	}
	var sis cryptobyte.String
	if !sdSeq.ReadASN1(&sis, cbasn1.SET) || !sdSeq.Empty() {
		return nil, malformed("signedData.signerInfos")
	}
	for !sis.Empty() {
		if len(sd.SignerInfos) >= MaxSignerInfos {
			return nil, malformed("signedData.signerInfos: more than %d", MaxSignerInfos)
		}
		si, err := parseSignerInfo(&sis)
		if err != nil {
			return nil, err
		}
		sd.SignerInfos = append(sd.SignerInfos, si)
	}
	return sd, nil
}

// readAlgorithm reads an AlgorithmIdentifier.
func readAlgorithm(s *cryptobyte.String) (AlgorithmIdentifier, error) {
	var seq cryptobyte.String
	var a AlgorithmIdentifier
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&a.Algorithm) {
		return a, errors.New("bad AlgorithmIdentifier")
	}
	if !seq.Empty() {
		var p cryptobyte.String
		var tag cbasn1.Tag
		if !seq.ReadAnyASN1Element(&p, &tag) || !seq.Empty() {
			return a, errors.New("bad AlgorithmIdentifier parameters")
		}
		a.Parameters = []byte(p)
	}
	return a, nil
}

func parseSignerInfo(s *cryptobyte.String) (*SignerInfo, error) {
	si := &SignerInfo{}
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, malformed("signerInfo")
	}
	if !seq.ReadASN1Integer(&si.Version) {
		return nil, malformed("signerInfo.version")
	}
	switch {
	case seq.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias, name cryptobyte.String
		si.SID.SerialNumber = new(big.Int)
		if !seq.ReadASN1(&ias, cbasn1.SEQUENCE) ||
			!ias.ReadASN1Element(&name, cbasn1.SEQUENCE) ||
			!ias.ReadASN1Integer(si.SID.SerialNumber) || !ias.Empty() {
			return nil, malformed("signerInfo.sid.issuerAndSerialNumber")
		}
		si.SID.Issuer = []byte(name)
	case seq.PeekASN1Tag(tagCtx0Prim):
		var ski cryptobyte.String
		if !seq.ReadASN1(&ski, tagCtx0Prim) {
			return nil, malformed("signerInfo.sid.subjectKeyIdentifier")
		}
		si.SID.SubjectKeyID = []byte(ski)
	default:
		return nil, malformed("signerInfo.sid")
	}
	var err error
	if si.DigestAlgorithm, err = readAlgorithm(&seq); err != nil {
		return nil, malformed("signerInfo.digestAlgorithm")
	}
	if seq.PeekASN1Tag(tagCtx0) {
		var raw cryptobyte.String
		if !seq.ReadASN1Element(&raw, tagCtx0) {
			return nil, malformed("signerInfo.signedAttrs")
		}
		si.RawSignedAttrs = []byte(raw)
		if si.SignedAttrs, err = parseAttributes(raw, "signedAttrs"); err != nil {
			return nil, err
		}
	}
	if si.SignatureAlgorithm, err = readAlgorithm(&seq); err != nil {
		return nil, malformed("signerInfo.signatureAlgorithm")
	}
	if si.SignatureAlgorithm.Algorithm.Equal(oids.RSAPSS) {
		if si.PSS, err = parsePSSParams(si.SignatureAlgorithm.Parameters); err != nil {
			return nil, err
		}
	}
	var sig cryptobyte.String
	if !seq.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return nil, malformed("signerInfo.signature")
	}
	si.Signature = []byte(sig)
	if seq.PeekASN1Tag(tagCtx1) {
		var raw cryptobyte.String
		if !seq.ReadASN1Element(&raw, tagCtx1) {
			return nil, malformed("signerInfo.unsignedAttrs")
		}
		si.RawUnsignedAttrs = []byte(raw)
		if si.UnsignedAttrs, err = parseAttributes(raw, "unsignedAttrs"); err != nil {
			return nil, err
		}
	}
	if !seq.Empty() {
		return nil, malformed("signerInfo: trailing data")
	}
	return si, nil
}

// parseAttributes parses a tagged SET OF Attribute element.
func parseAttributes(raw cryptobyte.String, where string) ([]Attribute, error) {
	var set cryptobyte.String
	var tag cbasn1.Tag
	if !raw.ReadAnyASN1(&set, &tag) {
		return nil, malformed("signerInfo.%s", where)
	}
	var attrs []Attribute
	for !set.Empty() {
		if len(attrs) >= MaxAttributes {
			return nil, malformed("signerInfo.%s: more than %d attributes", where, MaxAttributes)
		}
		var a Attribute
		var seq, vals cryptobyte.String
		if !set.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&a.Type) ||
			!seq.ReadASN1(&vals, cbasn1.SET) || !seq.Empty() {
			return nil, malformed("signerInfo.%s[%d]", where, len(attrs))
		}
		for !vals.Empty() {
			if len(a.Values) >= MaxAttributeValues {
				return nil, malformed("signerInfo.%s %v: more than %d values", where, a.Type, MaxAttributeValues)
			}
			var v cryptobyte.String
			var vt cbasn1.Tag
			if !vals.ReadAnyASN1Element(&v, &vt) {
				return nil, malformed("signerInfo.%s %v: value", where, a.Type)
			}
			a.Values = append(a.Values, []byte(v))
		}
		if len(a.Values) == 0 {
			return nil, malformed("signerInfo.%s %v: no value", where, a.Type)
		}
		attrs = append(attrs, a)
	}
	return attrs, nil
}

// parseHashAlgorithm reads an AlgorithmIdentifier for a hash (parameters
// absent or NULL).
func parseHashAlgorithm(s *cryptobyte.String) (crypto.Hash, error) {
	a, err := readAlgorithm(s)
	if err != nil {
		return 0, malformed("hash algorithm")
	}
	if a.Parameters != nil && string(a.Parameters) != string(asn1NULL) {
		return 0, malformed("hash algorithm %v: parameters", a.Algorithm)
	}
	return HashForOID(a.Algorithm)
}

// parsePSSParams parses RSASSA-PSS-params (RFC 4055) with defaults SHA-1,
// MGF1-SHA-1, salt 20, trailer 1.
func parsePSSParams(der []byte) (*PSSParameters, error) {
	p := &PSSParameters{Hash: crypto.SHA1, MGFHash: crypto.SHA1, SaltLength: 20, TrailerField: 1}
	if der == nil {
		return nil, malformed("signatureAlgorithm: RSA-PSS without parameters")
	}
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, malformed("signatureAlgorithm: RSASSA-PSS-params")
	}
	var err error
	if seq.PeekASN1Tag(tagCtx0) {
		var e cryptobyte.String
		if !seq.ReadASN1(&e, tagCtx0) {
			return nil, malformed("RSASSA-PSS-params.hashAlgorithm")
		}
		if p.Hash, err = parseHashAlgorithm(&e); err != nil {
			return nil, err
		}
		if !e.Empty() {
			return nil, malformed("RSASSA-PSS-params.hashAlgorithm")
		}
	}
	if seq.PeekASN1Tag(tagCtx1) {
		var e, mgf cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !seq.ReadASN1(&e, tagCtx1) || !e.ReadASN1(&mgf, cbasn1.SEQUENCE) || !e.Empty() ||
			!mgf.ReadASN1ObjectIdentifier(&oid) {
			return nil, malformed("RSASSA-PSS-params.maskGenAlgorithm")
		}
		if !oid.Equal(oids.MGF1) {
			return nil, unsupported("RSASSA-PSS mask generation %v", oid)
		}
		if p.MGFHash, err = parseHashAlgorithm(&mgf); err != nil {
			return nil, err
		}
		if !mgf.Empty() {
			return nil, malformed("RSASSA-PSS-params.maskGenAlgorithm")
		}
	}
	if seq.PeekASN1Tag(tagCtx2) {
		var e cryptobyte.String
		if !seq.ReadASN1(&e, tagCtx2) || !e.ReadASN1Integer(&p.SaltLength) || !e.Empty() || p.SaltLength < 0 {
			return nil, malformed("RSASSA-PSS-params.saltLength")
		}
	}
	if seq.PeekASN1Tag(tagCtx3) {
		var e cryptobyte.String
		if !seq.ReadASN1(&e, tagCtx3) || !e.ReadASN1Integer(&p.TrailerField) || !e.Empty() {
			return nil, malformed("RSASSA-PSS-params.trailerField")
		}
	}
	if !seq.Empty() {
		return nil, malformed("RSASSA-PSS-params: trailing data")
	}
	return p, nil
}
