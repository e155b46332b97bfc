package citizen

import (
	"math"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/verify"
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
			id, en := headline(langID, ind, sub), headline(langEN, ind, sub)
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
				case laterSubs[sub]:
					if !strings.HasPrefix(id, "Belum dapat dipastikan: ") || !strings.HasPrefix(en, "Cannot be confirmed yet: ") {
						t.Errorf("%s/%s: %q / %q", ind, sub, id, en)
					}
				default:
					if !strings.HasPrefix(id, "Tidak dapat dibuktikan asli: ") || !strings.HasPrefix(en, "Cannot be proven authentic: ") {
						t.Errorf("%s/%s: %q / %q", ind, sub, id, en)
					}
				}
				// Yellow only for what may change later.
				if yellow := kindOf(ind, sub) == kindUnsure; yellow != laterSubs[sub] || (classOf(ind, sub) == "warn") != yellow {
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
		_, failed := failedWhy[sub]
		_, unsure := unsureWhy[sub]
		if failed != (sub.Implies() == verify.TotalFailed) || unsure != (sub.Implies() == verify.Indeterminate) {
			t.Errorf("%s: failed %v, indeterminate %v", sub, failed, unsure)
		}
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
		if got := headline(langID, c.ind, c.sub); got != c.want {
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
		ind, sub := summary(c.rep)
		if ind != c.want || sub != c.sub {
			t.Errorf("%+v: %s/%s, want %s/%s", c.rep, ind, sub, c.want, c.sub)
		}
	}
}

// TestWords: every phrase exists in both languages.
func TestWords(t *testing.T) {
	for k, w := range words {
		if w.id == "" || w.en == "" {
			t.Errorf("%s: %q / %q", k, w.id, w.en)
		}
		if strings.Count(w.id, "%s") != strings.Count(w.en, "%s") {
			t.Errorf("%s: the verbs differ: %q / %q", k, w.id, w.en)
		}
	}
}

func TestPickLang(t *testing.T) {
	for _, c := range []struct {
		query, accept string
		want          lang
	}{
		// Indonesian whatever the browser prefers (issue 14): the page is
		// the regency's; English is the reader's explicit choice.
		{"", "", langID},
		{"", "en-US,en;q=0.9", langID},
		{"", "id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7", langID},
		{"", "fr-FR,fr;q=0.9,en;q=0.8", langID},
		{"lang=id", "en-US", langID},
		{"lang=en", "id-ID", langEN},
		{"lang=EN", "", langEN},
		{"lang=xx", "en", langID},
	} {
		r := httptest.NewRequest("GET", "/verify?"+c.query, nil)
		if c.accept != "" {
			r.Header.Set("Accept-Language", c.accept)
		}
		if got := pickLang(r); got != c.want {
			t.Errorf("?%s, Accept-Language %q: %v, want %v", c.query, c.accept, got, c.want)
		}
	}
}

func TestDNAttr(t *testing.T) {
	for _, c := range []struct{ dn, attr, want string }{
		{"CN=Budi Santoso,O=Pemerintah Kabupaten Sleman,C=ID", "CN", "Budi Santoso"},
		{"CN=Budi Santoso,O=Pemerintah Kabupaten Sleman,C=ID", "O", "Pemerintah Kabupaten Sleman"},
		{"SERIALNUMBER=3604012345670001,CN=Sari\\, S.H.,OU=Bagian Umum+O=Dinas Kominfo,C=ID", "CN", "Sari, S.H."},
		{"SERIALNUMBER=3604012345670001,CN=Sari\\, S.H.,OU=Bagian Umum+O=Dinas Kominfo,C=ID", "O", "Dinas Kominfo"},
		{"CN=BSrE CA DS G1,O=Badan Siber dan Sandi Negara,C=ID", "cn", "BSrE CA DS G1"},
		{"CN=a\\2Cb", "CN", "a,b"},
		{"O=Only", "CN", ""},
		{"", "CN", ""},
	} {
		if got := dnAttr(c.dn, c.attr); got != c.want {
			t.Errorf("dnAttr(%q, %q) = %q, want %q", c.dn, c.attr, got, c.want)
		}
	}
}

func TestFormatTime(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	if got := formatTime(langID, "2026-03-02T07:05:00Z", wib); got != "2 Maret 2026, 14.05 WIB" {
		t.Errorf("id: %q", got)
	}
	if got := formatTime(langEN, "2026-03-02T07:05:00Z", wib); got != "2 March 2026, 14:05 WIB" {
		t.Errorf("en: %q", got)
	}
	if got := formatTime(langEN, "not a time", wib); got != "not a time" {
		t.Errorf("bad: %q", got)
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(3, time.Minute)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if _, ok := l.allow("a", now); !ok {
			t.Fatalf("upload %d refused", i+1)
		}
	}
	wait, ok := l.allow("a", now)
	if ok || wait != 20*time.Second {
		t.Fatalf("fourth upload: %v %v", ok, wait)
	}
	if _, ok := l.allow("b", now); !ok {
		t.Fatal("another address was refused")
	}
	if _, ok := l.allow("a", now.Add(20*time.Second)); !ok {
		t.Fatal("refused after a token came back")
	}
	if _, ok := l.allow("a", now.Add(21*time.Second)); ok {
		t.Fatal("allowed before a token came back")
	}
	// The map stays bounded.
	for i := range limiterPrune + 10 {
		l.allow(strconv.Itoa(i), now.Add(time.Duration(i)*time.Millisecond+2*time.Minute))
	}
	if len(l.buckets) > limiterPrune+10 {
		t.Errorf("%d buckets", len(l.buckets))
	}
	if clientKey("2001:db8:1:2:3:4:5:6") != clientKey("2001:db8:1:2:ffff::1") || clientKey("192.0.2.1") == clientKey("192.0.2.2") {
		t.Error("clientKey")
	}
}

// TestContrast holds the colour pairs of page.css to WCAG's 4.5:1 for
// normal text.
func TestContrast(t *testing.T) {
	css, err := assets.ReadFile("page.css")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-fA-F]{6});`).FindAllStringSubmatch(string(css), -1) {
		vars[m[1]] = m[2]
	}
	for _, p := range [][2]string{
		{"fg", "bg"}, {"fg", "card"}, {"muted", "card"}, {"muted", "bg"}, {"link", "card"}, {"link", "bg"},
		{"btn-fg", "btn-bg"}, {"ok-fg", "ok-bg"}, {"bad-fg", "bad-bg"}, {"warn-fg", "warn-bg"},
		{"code-fg", "code-bg"}, {"muted", "ok-bg"}, {"muted", "bad-bg"}, {"muted", "warn-bg"},
	} {
		fg, bg := vars[p[0]], vars[p[1]]
		if fg == "" || bg == "" {
			t.Errorf("--%s or --%s is not in page.css", p[0], p[1])
			continue
		}
		if r := contrast(fg, bg); r < 4.5 {
			t.Errorf("--%s %s on --%s %s: contrast %.2f < 4.5", p[0], fg, p[1], bg, r)
		}
	}
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var c [3]float64
	for i := range 3 {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.04045 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}
