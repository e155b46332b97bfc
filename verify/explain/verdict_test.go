package explain_test

import (
	"strings"
	"testing"

	"github.com/segel-id/segel/verify"
	"github.com/segel-id/segel/verify/explain"
)

// allSubs is every sub-indication verify defines, the empty one, and one
// it might add later.
var allSubs = []verify.SubIndication{"",
	verify.FormatFailure, verify.HashFailure, verify.SigCryptoFailure, verify.Revoked, verify.Expired,
	verify.NotYetValid, verify.CryptoConstraintsFailure, verify.ModifiedAfterSigning,
	verify.NoCertificateChainFound, verify.NoSigningCertificateFound, verify.RevokedNoPOE,
	verify.OutOfBoundsNoPOE, verify.OutOfBoundsNotRevoked, verify.CryptoConstraintsFailureNoPOE,
	verify.TryLater, verify.SignedDataNotFound, verify.ChainConstraintsFailure,
	verify.CertificateChainGeneralFailure, verify.SignatureConstraintsFailure, verify.PolicyProcessingError,
	verify.TimestampOrderFailure, verify.RevocationOutOfBoundsNoPOE, verify.NoPOE,
	verify.GenericIndeterminate, verify.UnsupportedFeature, "SOMETHING_NEW"}

// allInds is every indication, and values a broken report might carry.
var allInds = []verify.Indication{verify.TotalPassed, verify.TotalFailed, verify.Indeterminate, verify.NoSignature, "", "PASSED"}

// TestHeadlines holds the headline table to the rules for every
// indication and sub-indication, in both languages: "Dokumen asli" /
// "Authentic" only for TOTAL_PASSED; "tidak sah" / "not valid" for every
// TOTAL_FAILED; for INDETERMINATE (and anything unknown) the red "Jangan
// dipercaya" for an untrusted issuer, the yellow "Belum dapat dipastikan" /
// "Cannot be confirmed yet" only for what may resolve later, and the red
// "Tidak dapat dibuktikan asli" for the rest; the no-signature sentence
// for NO_SIGNATURE.
func TestHeadlines(t *testing.T) {
	for _, ind := range allInds {
		for _, sub := range allSubs {
			id, en := explain.Headline(explain.ID, ind, sub), explain.Headline(explain.EN, ind, sub)
			if strings.Contains(id, "Dokumen asli") != (ind == verify.TotalPassed) || strings.Contains(en, "Authentic") != (ind == verify.TotalPassed) {
				t.Errorf("%s/%s: %q / %q", ind, sub, id, en)
			}
			switch ind {
			case verify.TotalPassed:
				if !strings.HasPrefix(id, "Dokumen asli") || !strings.HasPrefix(en, "Authentic document") {
					t.Errorf("%s/%s: %q / %q", ind, sub, id, en)
				}
			case verify.TotalFailed:
				if !strings.Contains(id, "tidak sah") || !strings.Contains(en, "not valid") {
					t.Errorf("%s/%s: %q / %q", ind, sub, id, en)
				}
				if sub.Implies() == verify.TotalFailed && (!strings.Contains(id, ": ") || !strings.Contains(en, ": ")) {
					t.Errorf("%s/%s does not say what failed: %q / %q", ind, sub, id, en)
				}
			case verify.NoSignature:
				if id != "Dokumen ini tidak memiliki tanda tangan elektronik" || en != "This document has no electronic signature" {
					t.Errorf("%s/%s: %q / %q", ind, sub, id, en)
				}
			default:
				switch {
				case sub == verify.NoCertificateChainFound || sub == verify.ChainConstraintsFailure:
					if id != "Jangan dipercaya: penerbit sertifikat tidak dikenal" || en != "Do not trust: unknown certificate issuer" {
						t.Errorf("%s/%s: %q / %q", ind, sub, id, en)
					}
				case explain.MayResolve(sub):
					if !strings.HasPrefix(id, "Belum dapat dipastikan: ") || !strings.HasPrefix(en, "Cannot be confirmed yet: ") {
						t.Errorf("%s/%s: %q / %q", ind, sub, id, en)
					}
				default:
					if !strings.HasPrefix(id, "Tidak dapat dibuktikan asli: ") || !strings.HasPrefix(en, "Cannot be proven authentic: ") {
						t.Errorf("%s/%s: %q / %q", ind, sub, id, en)
					}
				}
				// Yellow only for what may change later.
				if yellow := explain.KindOf(ind, sub) == explain.KindUnsure; yellow != explain.MayResolve(sub) || (explain.KindOf(ind, sub).Class() == "warn") != yellow {
					t.Errorf("%s/%s: yellow %v", ind, sub, yellow)
				}
				if strings.Contains(id, "tidak sah") || strings.Contains(en, "not valid") {
					t.Errorf("%s/%s: INDETERMINATE reads as failed: %q / %q", ind, sub, id, en)
				}
			}
		}
	}
	// Every sub-indication verify defines has its own words, under the
	// indication it implies.
	for _, sub := range allSubs[1 : len(allSubs)-1] {
		if explain.SubIndication(explain.ID, sub) == explain.SubIndication(explain.ID, "SOMETHING_NEW") {
			t.Errorf("%s: no words of its own", sub)
		}
	}
	if len(explain.SubIndications()) != len(allSubs)-2 {
		t.Errorf("explain.SubIndications has %d, the table here %d", len(explain.SubIndications()), len(allSubs)-2)
	}
	// The issue's own examples, word for word.
	for _, c := range []struct {
		ind  verify.Indication
		sub  verify.SubIndication
		want string
	}{
		{verify.TotalPassed, "", "Dokumen asli dan tidak berubah sejak ditandatangani"},
		{verify.TotalFailed, verify.HashFailure, "Tanda tangan tidak sah: dokumen diubah setelah ditandatangani"},
		{verify.TotalFailed, verify.ModifiedAfterSigning, "Tanda tangan tidak sah: dokumen diubah setelah ditandatangani"},
		{verify.Indeterminate, verify.NoCertificateChainFound, "Jangan dipercaya: penerbit sertifikat tidak dikenal"},
		{verify.Indeterminate, "", "Tidak dapat dibuktikan asli: keabsahan tanda tangan belum dapat diperiksa sepenuhnya"},
		{verify.Indeterminate, verify.OutOfBoundsNoPOE, "Belum dapat dipastikan: sertifikat sudah kedaluwarsa dan surat tidak memiliki stempel waktu yang membuktikan ditandatangani tepat waktu"},
		{verify.Indeterminate, verify.TryLater, "Belum dapat dipastikan: status pencabutan sertifikat belum dapat diperiksa; coba lagi nanti"},
	} {
		if got := explain.Headline(explain.ID, c.ind, c.sub); got != c.want {
			t.Errorf("%s/%s: %q, want %q", c.ind, c.sub, got, c.want)
		}
	}
}

// TestSummaryFailsClosed: a report is read as passed only when it says so
// and every one of its signatures passed.
func TestSummaryFailsClosed(t *testing.T) {
	passed := &verify.SignatureReport{Indication: verify.TotalPassed}
	failed := &verify.SignatureReport{Indication: verify.TotalFailed, SubIndication: verify.HashFailure}
	for _, c := range []struct {
		rep  *verify.Report
		want verify.Indication
		sub  verify.SubIndication
	}{
		{&verify.Report{Indication: verify.TotalPassed, Signatures: []*verify.SignatureReport{passed}}, verify.TotalPassed, ""},
		{&verify.Report{Indication: verify.TotalPassed}, verify.Indeterminate, ""},
		{&verify.Report{Indication: verify.TotalPassed, Signatures: []*verify.SignatureReport{passed, failed}}, verify.Indeterminate, ""},
		{&verify.Report{Indication: verify.TotalPassed, Signatures: []*verify.SignatureReport{nil}}, verify.Indeterminate, ""},
		{&verify.Report{Indication: verify.TotalFailed, Signatures: []*verify.SignatureReport{passed, failed}}, verify.TotalFailed, verify.HashFailure},
		{&verify.Report{Indication: "bogus"}, verify.Indeterminate, ""},
		{&verify.Report{Indication: verify.NoSignature}, verify.NoSignature, ""},
		{&verify.Report{Indication: verify.NoSignature, Signatures: []*verify.SignatureReport{passed}}, verify.Indeterminate, ""},
	} {
		ind, sub := explain.Summary(c.rep)
		if ind != c.want || sub != c.sub {
			t.Errorf("%+v: %s/%s, want %s/%s", c.rep, ind, sub, c.want, c.sub)
		}
	}
}
