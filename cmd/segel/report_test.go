package main

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/testpki"
	"github.com/segel-id/segel/verify"
)

// TestReportBLTA: the text report of a B-LTA file shows its document
// timestamp as one (time and authority, no PAdES level), and says the
// signature is followed only by validation data and timestamps instead
// of "covers the whole document: no".
func TestReportBLTA(t *testing.T) {
	p, _ := testpki.MustNewServer(t, testpki.Options{})
	f := newFixture(t, p, testpki.SignerOptions{})
	tsaID, err := p.IssueTSA(testpki.SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tsa := httptest.NewServer(testpki.NewTSA(tsaID, testpki.TSAOptions{}))
	t.Cleanup(tsa.Close)
	signed := writeFile(t, t.TempDir(), "signed.pdf", f.signed(t, "--level", "B-LTA", "--tsa", tsa.URL, "--trust", f.root))

	for _, c := range []struct {
		lang      string
		want, not []string
	}{
		{"id", []string{
			"\nStempel waktu dokumen 2 (",
			"Jenis:", "Stempel waktu dokumen (RFC 3161)",
			"Penyedia stempel waktu:", tsaID.Cert.Subject.CommonName,
			"Bagian yang ditandatangani:", "seluruh dokumen, diikuti hanya data validasi dan stempel waktu",
			"Tingkat:", "PAdES-BASELINE-LTA",
		}, []string{"NONE", "Mencakup seluruh dokumen", "Cap waktu", "covers", "Timestamp authority"}},
		{"en", []string{
			"\nDocument timestamp 2 (", "Document timestamp (RFC 3161)",
			"Timestamp authority:", tsaID.Cert.Subject.CommonName,
			"What the signature covers:", "the whole document, followed only by validation data and timestamps",
		}, []string{"NONE", "Covers the whole document", "Stempel"}},
	} {
		t.Run(c.lang, func(t *testing.T) {
			r := segel(t, nil, "verify", "--offline", "--trust", f.root, "--lang", c.lang, signed)
			if r.code != 0 {
				t.Fatalf("%v\n%s", r, r.stdout)
			}
			out := string(r.stdout)
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("report lacks %q:\n%s", w, out)
				}
			}
			for _, w := range c.not {
				if strings.Contains(out, w) {
					t.Errorf("report holds %q:\n%s", w, out)
				}
			}
			// Exactly one level line: the signature's.
			if n := strings.Count(out, map[string]string{"id": "Tingkat:", "en": "Level:"}[c.lang]); n != 1 {
				t.Errorf("%d level lines, want 1:\n%s", n, out)
			}
		})
	}
}

// TestReportCoverage: every coverage verify can decide has its words in
// both languages, and a signature's coverage line is verify's decision.
func TestReportCoverage(t *testing.T) {
	for c := verify.CoverageUnknown; c <= verify.CoverageChanged; c++ {
		id, en := lang["id"].coverage[c], lang["en"].coverage[c]
		if id == "" || en == "" || id == en {
			t.Errorf("%v: id %q, en %q", c, id, en)
		}
	}
	first := &verify.SignatureReport{Type: "signature", Field: "Sig1", Indication: verify.TotalPassed, Revision: 1, Level: "PAdES-BASELINE-B"}
	second := &verify.SignatureReport{Type: "signature", Field: "Sig2", Indication: verify.TotalPassed, Revision: 2, Level: "PAdES-BASELINE-B", CoversWholeDocument: true}
	filled := &verify.SignatureReport{Type: "signature", Field: "Sig3", Indication: verify.TotalPassed, Revision: 1, Level: "PAdES-BASELINE-B",
		ModifiedAfterSigning: []string{`form field "Nama" was filled in`}}
	for _, c := range []struct {
		name string
		sigs []*verify.SignatureReport
		want []string
	}{
		{"signed again", []*verify.SignatureReport{first, second}, []string{
			"seluruh dokumen saat ditandatangani, diikuti tanda tangan lain", row("Bagian yang ditandatangani", "seluruh dokumen")}},
		{"form filled", []*verify.SignatureReport{filled}, []string{
			"sesudahnya isian formulir diisi", row("Perubahan setelah ditandatangani", `form field "Nama" was filled in`)}},
		{"nil entry", []*verify.SignatureReport{nil, second}, []string{row("Bagian yang ditandatangani", "seluruh dokumen")}},
	} {
		var b bytes.Buffer
		writeReport(&b, &verify.Report{Indication: verify.TotalPassed, Signatures: c.sigs}, "id")
		for _, w := range c.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s: report lacks %q:\n%s", c.name, w, b.String())
			}
		}
	}
}

// TestReportDocTimestampOnly: a document timestamp whose authority is
// not its signer's name shows both; its claimed time and level never.
func TestReportDocTimestampOnly(t *testing.T) {
	rep := &verify.Report{Indication: verify.TotalPassed, Signatures: []*verify.SignatureReport{{
		Type: "document-timestamp", Field: "Timestamp1", Indication: verify.TotalPassed, Level: "NONE",
		ClaimedSigningTime: "2026-03-02T07:00:00Z", CoversWholeDocument: true,
		Signer:    &verify.Certificate{CommonName: "TSA Nasional", Issuer: "CN=Root"},
		Timestamp: &verify.Timestamp{Time: "2026-03-02T07:05:00Z", TSA: "CN=TSA Nasional,O=BSSN"},
	}}}
	var b bytes.Buffer
	writeReport(&b, rep, "id")
	out := b.String()
	for _, w := range []string{"Stempel waktu dokumen 1 (Timestamp1)", row("Penyedia stempel waktu", "TSA Nasional"),
		row("Stempel waktu", "2026-03-02T07:05:00Z (CN=TSA Nasional,O=BSSN)")} {
		if !strings.Contains(out, w) {
			t.Errorf("report lacks %q:\n%s", w, out)
		}
	}
	for _, w := range []string{"NONE", "Tingkat", "07:00:00", "Bagian yang ditandatangani", "Penanda tangan"} {
		if strings.Contains(out, w) {
			t.Errorf("report holds %q:\n%s", w, out)
		}
	}
}

// row is a report line as line writes it.
func row(label, value string) string {
	var b bytes.Buffer
	line(&b, label, value)
	return b.String()
}
