package revocation

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"slices"
	"time"

	"github.com/segel-id/segel/internal/oids"
)

// issuingDistributionPoint is the CRL extension of RFC 5280, section 5.2.5.
type issuingDistributionPoint struct {
	DistributionPoint          distributionPointName `asn1:"optional,tag:0"`
	OnlyContainsUserCerts      bool                  `asn1:"optional,tag:1"`
	OnlyContainsCACerts        bool                  `asn1:"optional,tag:2"`
	OnlySomeReasons            asn1.BitString        `asn1:"optional,tag:3"`
	IndirectCRL                bool                  `asn1:"optional,tag:4"`
	OnlyContainsAttributeCerts bool                  `asn1:"optional,tag:5"`
}

type distributionPointName struct {
	FullName     []asn1.RawValue `asn1:"optional,tag:0"`
	RelativeName asn1.RawValue   `asn1:"optional,tag:1"`
}

// checkedCRL is a CRL whose signature, issuer, freshness and scope were
// checked for one issuer, indexed by serial number.
type checkedCRL struct {
	list    *x509.RevocationList
	idp     *issuingDistributionPoint
	revoked map[string]*x509.RevocationListEntry // by serial.String()
	// expiredSince is the date of its expiredCertsOnCRL extension.
	expiredSince time.Time
}

// CheckCRL checks the CRL crl (DER, or PEM "X509 CRL") as issued by issuer
// and returns the status it gives cert. It checks that:
//
//   - the CRL names issuer as its issuer and issuer's key signed it;
//   - thisUpdate and nextUpdate cover opts.CurrentTime;
//   - it is a complete CRL covering cert: delta CRLs, indirect CRLs and CRLs
//     partitioned by reason are rejected, as are CRLs whose issuing
//     distribution point excludes cert (end-entity or CA only, or naming
//     other URLs than cert's distribution points);
//   - no critical extension is left unprocessed.
//
// A certificate not on the list is Good. Any failed check yields a
// [*SourceError] of kind ErrInvalidResponse.
func CheckCRL(crl []byte, cert, issuer *x509.Certificate, opts *VerifyOptions) (*Status, error) {
	if err := checkPair(cert, issuer); err != nil {
		err.Source = CRL
		return nil, err
	}
	c, err := parseCRL(crl, issuer, opts)
	if err == nil {
		var st *Status
		if st, err = c.status(cert); err == nil {
			return st, nil
		}
	}
	err.Source = CRL
	return nil, err
}

// decodeCRL returns the DER of a DER or PEM CRL.
func decodeCRL(data []byte) ([]byte, *SourceError) {
	if trimmed := bytes.TrimLeft(data, " \t\r\n"); bytes.HasPrefix(trimmed, []byte("-----BEGIN")) {
		block, _ := pem.Decode(trimmed)
		if block == nil {
			return nil, invalid("malformed PEM")
		}
		if block.Type != "X509 CRL" {
			return nil, invalid("PEM block %q, want \"X509 CRL\"", block.Type)
		}
		return block.Bytes, nil
	}
	return data, nil
}

// parseCRL parses data and checks it as a CRL from issuer, current at the
// options' time. The checks that depend on the certificate are in status.
func parseCRL(data []byte, issuer *x509.Certificate, opts *VerifyOptions) (*checkedCRL, *SourceError) {
	der, serr := decodeCRL(data)
	if serr != nil {
		return nil, serr
	}
	list, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, invalid("malformed CRL: %v", err)
	}
	if !bytes.Equal(list.RawIssuer, issuer.RawSubject) {
		return nil, invalid("CRL is issued by %q, not by %q", list.Issuer, issuer.Subject)
	}
	if err := list.CheckSignatureFrom(issuer); err != nil {
		return nil, invalid("CRL signature does not verify with the key of %q: %v", issuer.Subject, err)
	}
	c := &checkedCRL{list: list}
	for _, ext := range list.Extensions {
		switch {
		case ext.Id.Equal(oids.DeltaCRLIndicator):
			return nil, invalid("delta CRLs are not supported")
		case ext.Id.Equal(oids.IssuingDistributionPoint):
			idp := new(issuingDistributionPoint)
			if rest, err := asn1.Unmarshal(ext.Value, idp); err != nil || len(rest) > 0 {
				return nil, invalid("malformed issuing distribution point")
			}
			switch {
			case idp.IndirectCRL:
				return nil, invalid("indirect CRLs are not supported")
			case idp.OnlySomeReasons.BitLength > 0:
				return nil, invalid("CRLs partitioned by reason are not supported")
			case idp.OnlyContainsAttributeCerts:
				return nil, invalid("CRL covers only attribute certificates")
			}
			c.idp = idp
		case ext.Id.Equal(oids.ExpiredCertsOnCRL):
			var since time.Time
			if rest, err := asn1.UnmarshalWithParams(ext.Value, &since, "generalized"); err == nil && len(rest) == 0 {
				c.expiredSince = since
			}
		case ext.Id.Equal(oids.CRLNumber), ext.Id.Equal(oids.AuthorityKeyID):
		case ext.Critical:
			return nil, invalid("unsupported critical CRL extension %v", ext.Id)
		}
	}
	if serr := checkWindow(list.ThisUpdate, list.NextUpdate, opts); serr != nil {
		return nil, serr
	}
	c.revoked = make(map[string]*x509.RevocationListEntry, len(list.RevokedCertificateEntries))
	for i := range list.RevokedCertificateEntries {
		e := &list.RevokedCertificateEntries[i]
		for _, ext := range e.Extensions {
			if ext.Critical {
				return nil, invalid("unsupported critical extension %v in CRL entry", ext.Id)
			}
		}
		if e.SerialNumber == nil {
			continue
		}
		c.revoked[e.SerialNumber.String()] = e
	}
	return c, nil
}

// status returns what c says about cert.
func (c *checkedCRL) status(cert *x509.Certificate) (*Status, *SourceError) {
	if idp := c.idp; idp != nil {
		if idp.OnlyContainsUserCerts && cert.IsCA {
			return nil, invalid("CRL covers only end-entity certificates")
		}
		if idp.OnlyContainsCACerts && !cert.IsCA {
			return nil, invalid("CRL covers only CA certificates")
		}
		if uris := idpURIs(idp); len(uris) > 0 && len(cert.CRLDistributionPoints) > 0 &&
			!slices.ContainsFunc(uris, func(u string) bool { return slices.Contains(cert.CRLDistributionPoints, u) }) {
			return nil, invalid("CRL's issuing distribution point %q is not one of the certificate's %q",
				uris, cert.CRLDistributionPoints)
		}
	}
	st := &Status{
		State:      Good,
		ThisUpdate: c.list.ThisUpdate,
		NextUpdate: c.list.NextUpdate,
		Source:     CRL,
		Raw:        c.list.Raw,

		ExpiredCertsSince: c.expiredSince,
	}
	// removeFromCRL belongs to delta CRLs; on a complete CRL it lists nothing.
	if e := c.revoked[cert.SerialNumber.String()]; e != nil && e.ReasonCode != ReasonRemoveFromCRL {
		st.State = Revoked
		st.RevokedAt = e.RevocationTime
		st.Reason = e.ReasonCode
	}
	return st, nil
}

// idpURIs returns the URIs of the issuing distribution point's full name.
func idpURIs(idp *issuingDistributionPoint) []string {
	var uris []string
	for _, gn := range idp.DistributionPoint.FullName {
		if gn.Class == asn1.ClassContextSpecific && gn.Tag == 6 {
			uris = append(uris, string(gn.Bytes))
		}
	}
	return uris
}
