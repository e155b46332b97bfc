package verify

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"strconv"
	"strings"

	"github.com/segel-id/segel/internal/cms"
)

// pickSigner chooses, among the several SignerInfos of sd, the one the
// document's signature is, with the rule that augmenting in package
// signer uses too (cms.SignedData.ChooseSigner): its certificate is among
// those of the CMS (preferably with a path to a trust anchor) and it
// covers the signed ranges (its messageDigest is their digest; without
// signed attributes, its signature verifies over their digest; for
// adbe.pkcs7.sha1 its signature verifies over the encapsulated digest).
// The others are named in a warning. A SignerInfo that does not cover the
// document never makes it pass: when none does, the signature fails
// (HASH_FAILURE, or NO_SIGNING_CERTIFICATE_FOUND when no signer's
// certificate is present) and nil is returned.
func (v *verifier) pickSigner(rep *SignatureReport, sd *cms.SignedData, ranges [][2]int64) *cms.SignerInfo {
	certs := sd.ParsedCertificates()
	chosen, all := sd.ChooseSigner(cms.ChooseOptions{
		Encapsulated: rep.SubFilter == "adbe.pkcs7.sha1",
		Digest:       func(h crypto.Hash) ([]byte, error) { return v.digest(h, ranges) },
		Prefer:       func(cert *x509.Certificate) bool { return v.trusted(cert, certs) },
	})
	withCert := 0
	var others []string
	for i, c := range all {
		if c.Cert != nil {
			withCert++
		}
		if i == chosen {
			continue
		}
		why := "it covers the document too, but only one signer is validated"
		if c.Err != nil {
			why = c.Err.Error()
		}
		others = append(others, fmt.Sprintf("signer %d (%s): %s", i+1, signerName(c.Signer, c.Cert), why))
	}
	if chosen >= 0 {
		name := signerName(all[chosen].Signer, all[chosen].Cert)
		rep.warn(note(CodeCMSSigners, "n", strconv.Itoa(len(sd.SignerInfos)), "i", strconv.Itoa(chosen+1), "signer", name), "the CMS holds %d signers; signer %d (%s) covers the document and is the one validated",
			len(sd.SignerInfos), chosen+1, name)
	}
	if len(others) > 0 {
		detail := strings.Join(others, "; ")
		rep.warn(note(CodeCMSOtherSigners, "detail", detail), "the other signers of the CMS are not validated and count for nothing: %s", detail)
	}
	if chosen < 0 {
		if withCert > 0 {
			rep.fail(HashFailure, note(CodeNoSignerCovers, "n", strconv.Itoa(len(sd.SignerInfos))), "none of the %d signers of the CMS covers the document: it was changed after signing, or they signed something else", len(sd.SignerInfos))
		} else {
			detail := unparsed(sd)
			rep.fail(NoSigningCertificateFound, note(CodeNoSignerCert, "detail", detail), "no signer of the CMS comes with its certificate%s", detail)
		}
		return nil
	}
	return all[chosen].Signer
}

// trusted reports whether cert has a path to a trust anchor at the
// validation time, with certs and the DSS's as intermediates.
func (v *verifier) trusted(cert *x509.Certificate, certs []*x509.Certificate) bool {
	_, _, err := v.path(cert, append(append([]*x509.Certificate(nil), certs...), v.dss.certs...), v.at)
	return err == nil
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
