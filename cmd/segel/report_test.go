package main

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
	"github.com/segel-id/segel/verify/explain"
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
			"Tingkat perubahan:", "hanya data validasi dan stempel waktu dokumen (LTA_UPDATES)",
		}, []string{"NONE", "Mencakup seluruh dokumen", "Cap waktu", "covers", "Timestamp authority"}},
		{"en", []string{
			"\nDocument timestamp 2 (", "Document timestamp (RFC 3161)",
			"Timestamp authority:", tsaID.Cert.Subject.CommonName,
			"What the signature covers:", "the whole document, followed only by validation data and timestamps",
			"Modification level:", "validation data and document timestamps only (LTA_UPDATES)",
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
		id, en := explain.Coverage(explain.ID, c), explain.Coverage(explain.EN, c)
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
			"sesudahnya isian formulir diisi", row("Perubahan setelah ditandatangani", "1 perubahan; rinciannya ada di laporan teknis (JSON)")}},
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
		ClaimedSigningTime: time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), CoversWholeDocument: true,
		Signer:    &verify.Certificate{CommonName: "TSA Nasional", Issuer: "CN=Root"},
		Timestamp: &verify.Timestamp{Time: time.Date(2026, 3, 2, 7, 5, 0, 0, time.UTC), TSA: "CN=TSA Nasional,O=BSSN"},
	}}}
	var b bytes.Buffer
	writeReport(&b, rep, "id")
	out := b.String()
	for _, w := range []string{"Stempel waktu dokumen 1 (Timestamp1)", row("Penyedia stempel waktu", "TSA Nasional"),
		row("Stempel waktu", "2026-03-02 14:05:00 WIB (CN=TSA Nasional,O=BSSN)")} {
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

// TestReportModificationLevel: every modification level of the change
// analysis has its words in both languages, a signature shows its level on
// exactly one line, and a signature without one (the analysis did not run)
// or a document timestamp shows none.
func TestReportModificationLevel(t *testing.T) {
	levels := []string{"NONE", "LTA_UPDATES", "FORM_FILLING", "ANNOTATIONS", "OTHER"}
	label := map[string]string{"id": "Tingkat perubahan", "en": "Modification level"}
	for _, l := range []string{"id", "en"} {
		seen := map[string]bool{}
		for _, level := range levels {
			w := explain.ModLevel(explain.Parse(l), verify.ModLevel(level))
			if w == "" || seen[w] {
				t.Errorf("%s: level %s has words %q (empty or shared)", l, level, w)
			}
			seen[w] = true
			sig := &verify.SignatureReport{Type: "signature", Field: "Sig1", Indication: verify.TotalPassed, Level: "PAdES-BASELINE-B", ModificationLevel: verify.ModLevel(level)}
			var b bytes.Buffer
			writeReport(&b, &verify.Report{Indication: verify.TotalPassed, Signatures: []*verify.SignatureReport{sig}}, l)
			out := b.String()
			if want := row(label[l], w+" ("+level+")"); !strings.Contains(out, want) {
				t.Errorf("%s %s: report lacks %q:\n%s", l, level, want, out)
			}
			if n := strings.Count(out, label[l]+":"); n != 1 {
				t.Errorf("%s %s: %d modification level lines, want 1:\n%s", l, level, n, out)
			}
		}
		if id, en := explain.ModLevel(explain.ID, verify.LevelFormFilling), explain.ModLevel(explain.EN, verify.LevelFormFilling); id == en {
			t.Errorf("FORM_FILLING has the same words in both languages: %q", id)
		}
		var b bytes.Buffer
		writeReport(&b, &verify.Report{Indication: verify.TotalFailed, Signatures: []*verify.SignatureReport{
			{Type: "signature", Field: "Sig1", Indication: verify.TotalFailed, SubIndication: verify.HashFailure},
			{Type: "document-timestamp", Field: "Timestamp1", Indication: verify.TotalPassed, ModificationLevel: "NONE"},
			{Type: "signature", Field: "Sig2", Indication: verify.TotalPassed, ModificationLevel: "FUTURE_LEVEL"},
		}}, l)
		out := b.String()
		if n := strings.Count(out, label[l]+":"); n != 1 {
			t.Errorf("%s: %d modification level lines, want 1 (Sig2's):\n%s", l, n, out)
		}
		if want := row(label[l], "FUTURE_LEVEL"); !strings.Contains(out, want) {
			t.Errorf("%s: an unknown level is not shown as its code %q:\n%s", l, want, out)
		}
	}
}

// TestReportDamagedAndFailed: the text report of a signed letter cut
// short says the file is damaged or incomplete and what to do, never
// that the letter has no signature; a failed signature (here one byte of
// the signed part changed) has no level line, while the JSON keeps the
// level.
func TestReportDamagedAndFailed(t *testing.T) {
	p := testpki.MustNew(t, testpki.Options{})
	f := newFixture(t, p, testpki.SignerOptions{})
	signed := f.signed(t)
	tampered := bytes.Clone(signed)
	i := bytes.Index(tampered, []byte("stream"))
	if i < 0 || i+20 > len(tampered)/2 {
		t.Fatalf("no stream early in the signed file (%d)", i)
	}
	tampered[i+12] ^= 0x01
	dir := t.TempDir()
	for _, c := range []struct {
		name, lang string
		data       []byte
		want, not  []string
	}{
		{"first third", "id", signed[:len(signed)/3],
			[]string{"Berkas rusak atau tidak lengkap: tanda tangan elektronik tidak dapat diperiksa. (NO_SIGNATURE)", "unduh lagi selengkapnya"},
			[]string{"tidak memiliki tanda tangan"}},
		{"first third", "en", signed[:len(signed)/3],
			[]string{"The file is damaged or incomplete", "download it again"},
			[]string{"has no electronic signature"}},
		{"cut in its last bytes", "id", signed[:len(signed)-200],
			[]string{"Tanda tangan tidak sah: berkas terpotong atau tidak lengkap", "melewati akhir berkas", "unduh lagi selengkapnya"},
			[]string{"susunan tanda tangan rusak", "Tingkat:", "Bagian yang ditandatangani:"}},
		{"tampered", "id", tampered,
			[]string{"Tanda tangan tidak sah: dokumen diubah setelah ditandatangani"},
			[]string{"Tingkat:", "tidak memenuhi profil PAdES", "NONE", "Berkas rusak"}},
		{"tampered", "en", tampered,
			[]string{"Signature not valid: the document was changed"},
			[]string{"Level:", "meets no PAdES baseline level", "NONE"}},
	} {
		t.Run(c.name+"/"+c.lang, func(t *testing.T) {
			path := writeFile(t, dir, "letter.pdf", c.data)
			r := segel(t, nil, "verify", "--offline", "--trust", f.root, "--lang", c.lang, path)
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
		})
	}
	// The JSON is the contract: the failed signature's level stays.
	r := segel(t, nil, "verify", "--offline", "--trust", f.root, "--json", writeFile(t, dir, "tampered.pdf", tampered))
	var rep verify.Report
	if err := json.Unmarshal(r.stdout, &rep); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if len(rep.Signatures) != 1 || rep.Signatures[0].Indication != verify.TotalFailed || rep.Signatures[0].Level == "" {
		t.Errorf("JSON of the tampered letter: %+v", rep.Signatures)
	}
}
