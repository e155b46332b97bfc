package cms

import (
	"encoding/asn1"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/segel-id/segel/internal/oids"
)

// RevocationData is revocation information a CMS carries.
type RevocationData struct {
	// CRLs holds the DER of each CertificateList.
	CRLs [][]byte
	// OCSPResponses holds the DER of each OCSPResponse; a bare
	// BasicOCSPResponse is wrapped in a successful OCSPResponse.
	OCSPResponses [][]byte
}

// RevocationData sorts the RevocationInfoChoices of SignedData.crls
// (RFC 5652, 10.2.1): CertificateLists, and OtherRevocationInfoFormat
// [1] entries holding an OCSPResponse (id-ri-ocsp-response) or a
// BasicOCSPResponse (id-pkix-ocsp-basic). Entries of other formats or that
// cannot be read are skipped: embedded revocation data can only make a
// status known, so what is unreadable is simply not used.
func (sd *SignedData) RevocationData() RevocationData {
	var rd RevocationData
	for _, raw := range sd.CRLs {
		if len(raw) == 0 {
			continue
		}
		switch raw[0] {
		case 0x30: // CertificateList
			rd.CRLs = append(rd.CRLs, raw)
		case 0xa1: // [1] IMPLICIT OtherRevocationInfoFormat
			in := cryptobyte.String(raw)
			var body cryptobyte.String
			var format asn1.ObjectIdentifier
			if !in.ReadASN1(&body, tagCtx1) || !body.ReadASN1ObjectIdentifier(&format) {
				continue
			}
			var info cryptobyte.String
			var tag cbasn1.Tag
			if !body.ReadAnyASN1Element(&info, &tag) || !body.Empty() {
				continue
			}
			if der, ok := ocspFrom(format, info); ok {
				rd.OCSPResponses = append(rd.OCSPResponses, der)
			}
		}
	}
	return rd
}

// ocspFrom returns the OCSPResponse that an other-revocation-info value
// of the given format holds.
func ocspFrom(format asn1.ObjectIdentifier, value []byte) ([]byte, bool) {
	if len(value) == 0 || value[0] != 0x30 {
		return nil, false
	}
	switch {
	case format.Equal(oids.RevInfoOCSPResponse):
		return value, true
	case format.Equal(oids.OCSPBasic):
		der, err := wrapBasicOCSP(value)
		return der, err == nil
	}
	return nil, false
}

// wrapBasicOCSP wraps a DER BasicOCSPResponse in an OCSPResponse with
// status successful (RFC 6960, 4.2.1).
func wrapBasicOCSP(basic []byte) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(0)
		b.AddASN1(tagCtx0, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oids.OCSPBasic)
				b.AddASN1OctetString(basic)
			})
		})
	})
	return b.Bytes()
}

// OCSP returns every OCSPResponse the attribute holds: those of its
// ocsp [1] list, and those of its otherRevInfo [2] list in the formats
// RevocationData knows (OtherRevInfo ::= SEQUENCE { type OID, value
// OCTET STRING }, the value being the DER response).
func (ria *RevocationInfoArchival) OCSP() [][]byte {
	out := append([][]byte(nil), ria.OCSPResponses...)
	for _, raw := range ria.Other {
		in := cryptobyte.String(raw)
		var seq cryptobyte.String
		var format asn1.ObjectIdentifier
		if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1ObjectIdentifier(&format) {
			continue
		}
		var value cryptobyte.String
		switch {
		case seq.PeekASN1Tag(cbasn1.OCTET_STRING):
			if !seq.ReadASN1(&value, cbasn1.OCTET_STRING) {
				continue
			}
		default:
			var tag cbasn1.Tag
			if !seq.ReadAnyASN1Element(&value, &tag) {
				continue
			}
		}
		if der, ok := ocspFrom(format, value); ok {
			out = append(out, der)
		}
	}
	return out
}
