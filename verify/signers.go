package verify

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/segel-id/segel/internal/cms"
)

// pickSigner chooses, among the several SignerInfos of sd, the one the
// document's signature is: its certificate is among those of the CMS
// (preferably with a path to a trust anchor) and
// it covers the signed ranges (its messageDigest is their digest; without
// signed attributes, its signature verifies over their digest; for
// adbe.pkcs7.sha1 its signature verifies over the encapsulated digest).
// The others are named in a warning. A SignerInfo that does not cover the
// document never makes it pass: when none does, the signature fails
// (HASH_FAILURE, or NO_SIGNING_CERTIFICATE_FOUND when no signer's
// certificate is present) and nil is returned.
func (v *verifier) pickSigner(rep *SignatureReport, sd *cms.SignedData, ranges [][2]int64) *cms.SignerInfo {
	certs := sd.ParsedCertificates()
	type cand struct {
		si   *cms.SignerInfo
		cert *x509.Certificate
		why  string
	}
	all := make([]cand, len(sd.SignerInfos))
	chosen, withCert := -1, 0
	for i, si := range sd.SignerInfos {
		cert, why := v.coverage(rep.SubFilter, sd, si, certs, ranges)
		all[i] = cand{si, cert, why}
		if cert != nil {
			withCert++
		}
		if why != "" {
			continue
		}
		// Of several that cover the document, the first whose
		// certificate has a path to a trust anchor; else the first.
		if chosen < 0 {
			chosen = i
		} else if !v.trusted(all[chosen].cert, certs) && v.trusted(cert, certs) {
			chosen = i
		}
	}
	var others []string
	for i, c := range all {
		if i == chosen {
			continue
		}
		why := c.why
		if why == "" {
			why = "it covers the document too, but only one signer is validated"
		}
		others = append(others, fmt.Sprintf("signer %d (%s): %s", i+1, signerName(c.si, c.cert), why))
	}
	if chosen >= 0 {
		rep.warn("the CMS holds %d signers; signer %d (%s) covers the document and is the one validated",
			len(sd.SignerInfos), chosen+1, signerName(all[chosen].si, all[chosen].cert))
	}
	if len(others) > 0 {
		rep.warn("the other signers of the CMS are not validated and count for nothing: %s", strings.Join(others, "; "))
	}
	if chosen < 0 {
		if withCert > 0 {
			rep.fail(HashFailure, "none of the %d signers of the CMS covers the document: it was changed after signing, or they signed something else", len(sd.SignerInfos))
		} else {
			rep.fail(NoSigningCertificateFound, "no signer of the CMS comes with its certificate%s", unparsed(sd))
		}
		return nil
	}
	return all[chosen].si
}

// trusted reports whether cert has a path to a trust anchor at the
// validation time, with certs and the DSS's as intermediates.
func (v *verifier) trusted(cert *x509.Certificate, certs []*x509.Certificate) bool {
	_, _, err := v.path(cert, append(append([]*x509.Certificate(nil), certs...), v.dss.certs...), v.at)
	return err == nil
}

// coverage returns the certificate of si, when the CMS carries it, and
// why si does not cover the ranges, or "" when it does. It proves no
// more than that: the chosen signer is then validated in full.
func (v *verifier) coverage(subFilter string, sd *cms.SignedData, si *cms.SignerInfo, certs []*x509.Certificate, ranges [][2]int64) (*x509.Certificate, string) {
	cert, err := si.FindCertificate(certs)
	if err != nil {
		return nil, "its certificate is not in the CMS"
	}
	if subFilter == "adbe.pkcs7.sha1" {
		if err := sd.VerifyContent(si, cert); err != nil {
			return cert, fmt.Sprintf("its signature does not verify: %v", err)
		}
		return cert, ""
	}
	h, err := si.Hash()
	if err != nil {
		return cert, fmt.Sprintf("its digest algorithm is not supported: %v", err)
	}
	digest, err := v.digest(h, ranges)
	if err != nil {
		return cert, fmt.Sprintf("the signed ranges cannot be read: %v", err)
	}
	if si.RawSignedAttrs == nil {
		if err := sd.VerifyDetached(si, cert, digest); err != nil {
			return cert, "its signature is not over the document"
		}
		return cert, ""
	}
	md, err := si.MessageDigest()
	if err != nil {
		return cert, fmt.Sprintf("its messageDigest cannot be read: %v", err)
	}
	if !bytes.Equal(md, digest) {
		return cert, "its message digest is not the document's"
	}
	return cert, ""
}

// signerName names a signer for a warning: its certificate's common name,
// or its identifier when the certificate is missing.
func signerName(si *cms.SignerInfo, cert *x509.Certificate) string {
	if cert != nil {
		return fmt.Sprintf("%q", cert.Subject.CommonName)
	}
	if si.SID.SubjectKeyID != nil {
		return fmt.Sprintf("subject key identifier %x", si.SID.SubjectKeyID)
	}
	if si.SID.SerialNumber != nil {
		return fmt.Sprintf("serial number %s", si.SID.SerialNumber.Text(16))
	}
	return "unidentified"
}
