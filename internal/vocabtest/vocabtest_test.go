package vocabtest_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/vocabtest"
	"github.com/segel-id/segel/verify"
	"github.com/segel-id/segel/verify/explain"
)

// TestCorpusCovers: the corpus holds every verdict kind of the page and
// every reason code, and the real reports (not the synthetic ones) carry
// most codes seen in practice.
func TestCorpusCovers(t *testing.T) {
	corpus := vocabtest.Corpus(t)
	kinds := map[explain.Kind]bool{}
	codes := map[verify.Code]bool{}
	subs := map[verify.SubIndication]bool{}
	real := 0
	realCodes := map[verify.Code]bool{}
	for _, c := range corpus {
		if c.Synthetic {
			t.Logf("synthetic: %s", c.Name)
		}
		kinds[explain.KindOf(explain.Summary(c.Report))] = true
		for _, s := range c.Report.Signatures {
			subs[s.SubIndication] = true
			for _, n := range s.Notes {
				codes[n.Code] = true
				if !c.Synthetic {
					real++
					realCodes[n.Code] = true
				}
			}
		}
		for _, n := range c.Report.Notes {
			codes[n.Code] = true
			if !c.Synthetic {
				realCodes[n.Code] = true
			}
		}
	}
	for k := explain.KindPassed; k <= explain.KindFailed; k++ {
		if !kinds[k] {
			t.Errorf("no report of kind %d", k)
		}
	}
	for _, code := range verify.Codes() {
		if !codes[code] {
			t.Errorf("no report with code %s", code)
		}
	}
	// The reasons met in practice come from real reports.
	for _, code := range []verify.Code{verify.CodeChainNotFound, verify.CodeCertExpiredNoPOE, verify.CodeDigestMismatch,
		verify.CodeChanged, verify.CodeStructure, verify.CodeRevoked, verify.CodeRevokedNoPOE, verify.CodeRevokedAfterPOE,
		verify.CodeRevocationUnavailable, verify.CodeNoRevocationSource, verify.CodeTrailingBytes, verify.CodeDocTimestampPOE,
		verify.CodeCertNotYetValid, verify.CodeIssuerNotAccepted, verify.CodeRepaired, verify.CodeRangesPastEnd} {
		if !realCodes[code] {
			t.Errorf("no real report with code %s", code)
		}
	}
	for _, sub := range []verify.SubIndication{verify.HashFailure, verify.ModifiedAfterSigning, verify.FormatFailure,
		verify.NoCertificateChainFound, verify.OutOfBoundsNoPOE, verify.TryLater, verify.RevokedNoPOE, verify.Revoked} {
		if !subs[sub] {
			t.Errorf("no real report with %s", sub)
		}
	}
	t.Logf("%d reports, %d kinds, %d codes, %d notes from real reports", len(corpus), len(kinds), len(codes), real)
}

// TestEnglish: the scanner finds verify's English messages and lets
// Indonesian, codes and user data through.
func TestEnglish(t *testing.T) {
	if got := vocabtest.English("the certificate \"Budi\" was revoked", nil); !slices.Equal(got, []string{"the", "certificate", "was", "revoked"}) {
		t.Errorf("English: %q", got)
	}
	for _, s := range []string{
		"Tanda tangan tidak sah: dokumen diubah setelah ditandatangani (TOTAL_FAILED / HASH_FAILURE)",
		"Tingkat: PAdES-BASELINE-B — tanda tangan dasar, tanpa stempel waktu",
		"isian “Signature1” memakai ulang nilai tanda tangan isian lain; FieldMDP; NONE",
	} {
		if got := vocabtest.English(s, nil); len(got) > 0 {
			t.Errorf("%q: %q", s, got)
		}
	}
	if got := vocabtest.English("Penanda tangan: Segel Test Signer", []string{"Segel Test Signer"}); len(got) > 0 {
		t.Errorf("user data: %q", got)
	}
	// Every English message of the real corpus is caught.
	for _, c := range vocabtest.Corpus(t) {
		for _, s := range c.Report.Signatures {
			for _, e := range append(slices.Clone(s.Errors), s.Warnings...) {
				if len(vocabtest.English(e, vocabtest.UserData(c.Report))) == 0 && !strings.HasPrefix(e, "/Contents") {
					t.Errorf("%s: %q passes as not English", c.Name, e)
				}
			}
		}
	}
}
