package httpapi

import (
	"slices"
	"time"

	"github.com/segel-id/segel/verify"
	"github.com/segel-id/segel/verify/explain"
)

// bsreReport is the verification answer of the v1 and v2 verify calls,
// with BSrE's field names (and its spelling of timestampInfomation). It
// is derived from the verify.Report and fails closed: what the report
// does not prove is false, and the conclusion is VALID only when the
// report is TOTAL_PASSED and every signature is intact and trusted.
type bsreReport struct {
	SignatureCount        int             `json:"signatureCount"`
	Conclusion            string          `json:"conclusion"`
	Description           string          `json:"description"`
	SignatureInformations []bsreSignature `json:"signatureInformations"`
}

// bsreSignature is one entry of signatureInformations.
type bsreSignature struct {
	ID                  int            `json:"id"`
	SignatureFormat     string         `json:"signatureFormat"`
	SignerName          string         `json:"signerName"`
	SignatureDate       string         `json:"signatureDate"`
	FieldName           string         `json:"fieldName"`
	Reason              string         `json:"reason"`
	Location            string         `json:"location"`
	DigestAlgorithm     string         `json:"digestAlgorithm,omitempty"`
	IntegrityValid      bool           `json:"integrityValid"`
	CertificateTrusted  bool           `json:"certificateTrusted"`
	Modified            bool           `json:"modified"`
	LTV                 bool           `json:"ltv"`
	TimestampInfomation map[string]any `json:"timestampInfomation"`
	Indication          string         `json:"indication"`
	SubIndication       string         `json:"subIndication,omitempty"`
	Description         string         `json:"description"`
}

// integrityFailures are the sub-indications that say the signed bytes
// or the signature value do not hold.
var integrityFailures = []verify.SubIndication{verify.HashFailure, verify.SigCryptoFailure, verify.FormatFailure, verify.ModifiedAfterSigning}

// chainFailures are the sub-indications that say the signer's
// certificate is not one a trusted CA vouches for.
var chainFailures = []verify.SubIndication{verify.NoCertificateChainFound, verify.NoSigningCertificateFound,
	verify.ChainConstraintsFailure, verify.CertificateChainGeneralFailure}

// bsreSignatureDescription words one signature's verdict in Indonesian,
// in the words the citizens' page and the CLI use (verify/explain).
func bsreSignatureDescription(s *verify.SignatureReport) string {
	return explain.SignatureVerdict(explain.ID, s)
}

func toBSrE(rep *verify.Report) bsreReport {
	out := bsreReport{SignatureCount: len(rep.Signatures), SignatureInformations: []bsreSignature{}}
	allGood := true
	untrusted := false
	for i, s := range rep.Signatures {
		b := bsreSignature{ID: i + 1, SignatureFormat: string(s.Level), FieldName: s.Field, Reason: s.Reason,
			Location: s.Location, SignatureDate: rfc3339(s.ClaimedSigningTime), DigestAlgorithm: s.DigestAlgorithm,
			Indication: string(s.Indication), SubIndication: string(s.SubIndication),
			Description: bsreSignatureDescription(s)}
		if s.Signer != nil {
			b.SignerName = s.Signer.CommonName
		}
		// Integrity is proven only when a verdict was reached past the
		// bytes and the signature value: TOTAL_PASSED, or a failure or
		// an indeterminate verdict about the certificate.
		b.IntegrityValid = !slices.Contains(integrityFailures, s.SubIndication) &&
			s.SubIndication != verify.SignedDataNotFound && s.Signer != nil
		b.Modified = s.SubIndication == verify.ModifiedAfterSigning || len(s.ModifiedAfterSigning) > 0
		// Trusted only with a path to a configured anchor that the
		// verdict did not reject for the chain's sake.
		b.CertificateTrusted = len(s.Chain) > 0 && s.TrustAnchor != "" && !slices.Contains(chainFailures, s.SubIndication) &&
			(s.Indication == verify.TotalPassed || slices.Contains(integrityFailures, s.SubIndication))
		b.LTV = b.CertificateTrusted && s.Level.LongTerm()
		if s.Timestamp != nil {
			b.TimestampInfomation = map[string]any{"id": i + 1, "signerName": s.Timestamp.TSA, "timestampDate": rfc3339(s.Timestamp.Time)}
		}
		if !b.IntegrityValid || !b.CertificateTrusted || s.Indication != verify.TotalPassed {
			allGood = false
		}
		untrusted = untrusted || (!b.CertificateTrusted && slices.Contains(chainFailures, s.SubIndication))
		out.SignatureInformations = append(out.SignatureInformations, b)
	}
	// The conclusion is BSrE's and fails closed; its description is the
	// headline the page and the CLI give for the same verdict.
	switch {
	case rep.Indication == verify.NoSignature || len(rep.Signatures) == 0:
		// A damaged file without a signature reads "Berkas rusak atau
		// tidak lengkap", not "no signature"; the conclusion stays.
		out.Conclusion, out.Description = "NO_SIGNATURE", explain.ReportHeadline(explain.ID, rep)
	case rep.Indication == verify.TotalPassed && allGood:
		out.Conclusion, out.Description = "VALID", explain.Headline(explain.ID, verify.TotalPassed, "")
	case untrusted:
		out.Conclusion, out.Description = "INVALID", explain.Headline(explain.ID, verify.Indeterminate, verify.NoCertificateChainFound)
	case rep.Indication == verify.Indeterminate:
		out.Conclusion, out.Description = "WARNING", explain.ReportHeadline(explain.ID, rep)
	case rep.Indication == verify.TotalFailed:
		out.Conclusion, out.Description = "INVALID", explain.ReportHeadline(explain.ID, rep)
	default:
		out.Conclusion, out.Description = "INVALID", explain.Headline(explain.ID, verify.TotalFailed, "")
	}
	return out
}

// rfc3339 writes a report's time as BSrE's answers carry it; "" for the
// zero time (a signature without a claimed time).
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
