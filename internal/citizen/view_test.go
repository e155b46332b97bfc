package citizen

import (
	"testing"
	"time"

	"github.com/segel-id/segel/verify"
)

// TestCoverage: what a signature covers, in words, for each way a file
// can go on after it.
func TestCoverage(t *testing.T) {
	sig := func(edit func(s *verify.SignatureReport)) *verify.SignatureReport {
		s := &verify.SignatureReport{Type: "signature", Indication: verify.TotalPassed, Revision: 1, ModifiedAfterSigning: []string{}}
		edit(s)
		return s
	}
	ts := &verify.SignatureReport{Type: "document-timestamp", Indication: verify.TotalPassed, Revision: 3, CoversWholeDocument: true}
	for _, c := range []struct {
		name  string
		s     *verify.SignatureReport
		other *verify.SignatureReport
		cov   verify.Coverage
		want  string
	}{
		{"whole", sig(func(s *verify.SignatureReport) { s.CoversWholeDocument = true }), nil, verify.CoverageWhole, "seluruh dokumen"},
		{"augmented", sig(func(*verify.SignatureReport) {}), ts, verify.CoverageLTA,
			"seluruh dokumen, diikuti hanya data validasi dan stempel waktu (yang tidak mengubah isi surat)"},
		{"info updated", sig(func(s *verify.SignatureReport) {
			s.ModifiedAfterSigning = []string{"the document information dictionary was updated"}
		}), ts, verify.CoverageLTA, "seluruh dokumen, diikuti hanya data validasi dan stempel waktu (yang tidak mengubah isi surat)"},
		{"signed again", sig(func(*verify.SignatureReport) {}),
			&verify.SignatureReport{Type: "signature", Indication: verify.TotalPassed, Revision: 2, CoversWholeDocument: true}, verify.CoverageSigned,
			"seluruh dokumen saat ditandatangani, diikuti tanda tangan lain (serta data validasi dan stempel waktu)"},
		{"form filled", sig(func(s *verify.SignatureReport) { s.ModifiedAfterSigning = []string{`form field "Nama" was filled in`} }), nil,
			verify.CoverageFormFilled, "dokumen saat ditandatangani; sesudahnya isian formulir diisi"},
		{"note added", sig(func(s *verify.SignatureReport) {
			s.ModifiedAfterSigning = []string{"a Text annotation (object 9) was added"}
		}), nil,
			verify.CoverageAnnotated, "dokumen saat ditandatangani; sesudahnya ditambah anotasi"},
		{"changed", sig(func(s *verify.SignatureReport) {
			s.Indication, s.SubIndication = verify.TotalFailed, verify.ModifiedAfterSigning
			s.ModifiedAfterSigning = []string{"object 4 was changed"}
		}), nil, verify.CoverageChanged, "dokumen saat ditandatangani; sesudahnya dokumen diubah"},
		{"failed before the analysis", sig(func(s *verify.SignatureReport) {
			s.Indication, s.SubIndication = verify.TotalFailed, verify.HashFailure
		}), nil, verify.CoverageUnknown, "dokumen saat ditandatangani; perubahan sesudahnya tidak dapat dinilai"},
		{"unprovable change", sig(func(s *verify.SignatureReport) {
			s.Indication, s.SubIndication = verify.Indeterminate, verify.UnsupportedFeature
		}), nil, verify.CoverageUnknown, "dokumen saat ditandatangani; perubahan sesudahnya tidak dapat dinilai"},
	} {
		all := []*verify.SignatureReport{c.s}
		if c.other != nil {
			all = append(all, c.other)
		}
		if got := c.s.Coverage(all); got != c.cov {
			t.Errorf("%s: coverage %v, want %v", c.name, got, c.cov)
		}
		if got := coverage(langID, c.s, all); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
		if coverage(langEN, c.s, all) == c.want {
			t.Errorf("%s: no English", c.name)
		}
	}
}

// TestDocumentTimestampView: a document timestamp is shown as one, with
// its time and authority, and without the PAdES level of a signature.
func TestDocumentTimestampView(t *testing.T) {
	rep := &verify.Report{Indication: verify.TotalPassed, Signatures: []*verify.SignatureReport{{
		Type: "document-timestamp", Field: "Timestamp1", Indication: verify.TotalPassed, Level: "NONE", SubFilter: "ETSI.RFC3161",
		Signer:    &verify.Certificate{CommonName: "TSA Nasional"},
		Timestamp: &verify.Timestamp{Time: time.Date(2026, 3, 2, 7, 5, 0, 0, time.UTC), TSA: "TSA Nasional"}, TrustAnchor: "root",
		CoversWholeDocument: true,
	}}}
	sv := verdictOf(langID, rep, time.FixedZone("WIB", 7*3600)).Sigs[0]
	if sv.Level != "" || sv.LevelIs != "" || sv.Title != "Stempel waktu dokumen (Timestamp1)" || sv.Kind == "" ||
		sv.Timestamp != "2 Maret 2026, 14.05 WIB" || sv.Signer != "TSA Nasional" || sv.SignerLabel != "Penyedia stempel waktu" ||
		sv.Coverage != "" || sv.Verdict != "Stempel waktu sah" {
		t.Errorf("%+v", sv)
	}
}
