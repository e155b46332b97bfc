package httpapi

import (
	"strings"
	"testing"

	"github.com/segel-id/segel/verify"
)

// TestHeadlines: "Dokumen asli" only for TOTAL_PASSED; "tidak sah" for
// every TOTAL_FAILED; "Belum dapat dipastikan" for every INDETERMINATE.
func TestHeadlines(t *testing.T) {
	subs := []verify.SubIndication{"", verify.FormatFailure, verify.HashFailure, verify.SigCryptoFailure, verify.Revoked,
		verify.Expired, verify.NotYetValid, verify.CryptoConstraintsFailure, verify.ModifiedAfterSigning,
		verify.NoCertificateChainFound, verify.NoSigningCertificateFound, verify.RevokedNoPOE, verify.OutOfBoundsNoPOE,
		verify.OutOfBoundsNotRevoked, verify.CryptoConstraintsFailureNoPOE, verify.TryLater, verify.SignedDataNotFound,
		verify.ChainConstraintsFailure, verify.UnsupportedFeature}
	for _, ind := range []verify.Indication{verify.TotalPassed, verify.TotalFailed, verify.Indeterminate, verify.NoSignature} {
		for _, sub := range subs {
			id, en := headline(langID, ind, sub), headline(langEN, ind, sub)
			if strings.HasPrefix(id, "Dokumen asli") != (ind == verify.TotalPassed) {
				t.Errorf("%s/%s: %q", ind, sub, id)
			}
			if strings.HasPrefix(en, "Authentic") != (ind == verify.TotalPassed) {
				t.Errorf("%s/%s: %q", ind, sub, en)
			}
			if ind == verify.TotalFailed && (!strings.Contains(id, "tidak sah") || !strings.Contains(en, "not valid")) {
				t.Errorf("%s/%s: %q / %q", ind, sub, id, en)
			}
			if ind == verify.Indeterminate && (!strings.HasPrefix(id, "Belum dapat dipastikan") || !strings.HasPrefix(en, "Cannot be confirmed yet")) {
				t.Errorf("%s/%s: %q / %q", ind, sub, id, en)
			}
		}
	}
}
