package explain_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/verify"
	"github.com/segel-id/segel/verify/explain"
)

var placeholder = regexp.MustCompile(`\{[A-Za-z]+\}`)

// TestEveryCodeHasWords iterates verify.Codes(): each code has its
// sentence in Indonesian and in English, different from each other; the
// sentences name only values notes carry; and no Indonesian sentence
// puts in the English detail. A code added to verify without words fails
// here.
func TestEveryCodeHasWords(t *testing.T) {
	codes := verify.Codes()
	if len(codes) < 60 {
		t.Fatalf("only %d codes", len(codes))
	}
	seen := map[verify.Code]bool{}
	for _, c := range codes {
		if seen[c] {
			t.Errorf("code %q listed twice", c)
		}
		seen[c] = true
		if !explain.HasWords(c) {
			t.Errorf("code %q has no words in both languages", c)
			continue
		}
		n := verify.Note{Code: c, Args: map[string]string{}}
		id, en := explain.Note(explain.ID, n), explain.Note(explain.EN, n)
		if id == en || strings.Contains(id, "code ") {
			t.Errorf("%s: id %q, en %q", c, id, en)
		}
		for _, s := range []string{id, en} {
			if m := placeholder.FindString(s); m != "" {
				t.Errorf("%s: %q left %s", c, s, m)
			}
		}
		n.Args["detail"] = "x509: certificate signed by unknown authority"
		if got := explain.Note(explain.ID, n); strings.Contains(got, "x509") {
			t.Errorf("%s: Indonesian shows the English detail: %q", c, got)
		}
	}
	// An unknown code (from a newer report) is named, not dropped.
	if got := explain.Note(explain.ID, verify.Note{Code: "brand-new"}); !strings.Contains(got, "brand-new") {
		t.Errorf("unknown code: %q", got)
	}
}

// TestNoteValues: a note's values are put in, dates in the reader's
// language and levels in words.
func TestNoteValues(t *testing.T) {
	n := verify.Note{Code: verify.CodeCertExpiredNoPOE, Args: map[string]string{"cert": "Budi Santoso", "date": "2026-12-02T07:05:00Z"}}
	if got, want := explain.Note(explain.ID, n), "sertifikat “Budi Santoso” kedaluwarsa pada 2 Desember 2026 07.05 UTC dan tidak ada bukti bahwa tanda tangan dibuat sebelumnya"; got != want {
		t.Errorf("id: %q, want %q", got, want)
	}
	if got := explain.Note(explain.EN, n); !strings.Contains(got, "2 December 2026 07:05 UTC") {
		t.Errorf("en: %q", got)
	}
	c := verify.Note{Code: verify.CodeChanged, Args: map[string]string{"level": "ANNOTATIONS", "change": "a Text annotation was added"}}
	if got, want := explain.Note(explain.ID, c), "dokumen diubah setelah tanda tangan ini; tingkat perubahan: anotasi, isian formulir dan tanda tangan (ANNOTATIONS)"; got != want {
		t.Errorf("id: %q, want %q", got, want)
	}
}

// TestEverySubIndicationHasWords: each sub-indication verify defines has
// its own words in both languages.
func TestEverySubIndicationHasWords(t *testing.T) {
	for _, s := range explain.SubIndications() {
		id, en := explain.SubIndication(explain.ID, s), explain.SubIndication(explain.EN, s)
		if id == "" || en == "" || id == en || id == explain.SubIndication(explain.ID, "SOMETHING_NEW") {
			t.Errorf("%s: %q / %q", s, id, en)
		}
	}
}

// TestReasonsWithoutNotes: a report without notes (an older one) never
// gives the English messages to an Indonesian reader.
func TestReasonsWithoutNotes(t *testing.T) {
	s := &verify.SignatureReport{Indication: verify.Indeterminate, SubIndication: verify.TryLater,
		Errors: []string{"the revocation status of \"X\" cannot be established"}, Warnings: []string{"something odd"}}
	errs, warns := explain.Reasons(explain.ID, s)
	if len(errs) != 1 || errs[0] != explain.SubIndication(explain.ID, verify.TryLater) || len(warns) != 1 || strings.Contains(warns[0], "odd") {
		t.Errorf("id: %q %q", errs, warns)
	}
	errs, warns = explain.Reasons(explain.EN, s)
	if errs[0] != s.Errors[0] || warns[0] != s.Warnings[0] {
		t.Errorf("en: %q %q", errs, warns)
	}
}

// TestDates: one month list, in both languages, and Indonesia's zones.
func TestDates(t *testing.T) {
	wita := time.FixedZone("X", 8*3600)
	at := time.Date(2026, time.August, 17, 9, 5, 0, 0, wita)
	if got := explain.DateTime(explain.ID, at); got != "17 Agustus 2026 09.05 WITA" {
		t.Errorf("id: %q", got)
	}
	if got := explain.DateTime(explain.EN, at); got != "17 August 2026 09:05 WITA" {
		t.Errorf("en: %q", got)
	}
	if explain.Date(explain.ID, time.Time{}) != "" || explain.Month(explain.ID, 13) != "" {
		t.Error("zero time or bad month is not empty")
	}
	if got := explain.Zone(time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 5*3600+1800))); got != "+05:30" {
		t.Errorf("zone: %q", got)
	}
}

// TestNoteValueIsNotTemplate: a value holding braces (a certificate's
// name is the signer's to choose) is put in as it is, once.
func TestNoteValueIsNotTemplate(t *testing.T) {
	n := verify.Note{Code: verify.CodeNoRevocationSource, Args: map[string]string{"cert": "{cert}{cert}"}}
	if got := explain.Note(explain.ID, n); !strings.Contains(got, "“{cert}{cert}”") {
		t.Errorf("%q", got)
	}
}

// FuzzNote: any code and values give a sentence without panic, and an
// Indonesian sentence never holds the detail.
func FuzzNote(f *testing.F) {
	f.Add("cert-expired", "Budi {date}", "2026-12-02T00:00:00Z", "x509: bad")
	f.Add("changed", "", "OTHER", "{detail}")
	f.Add("unknown-code", "{", "}", "")
	f.Fuzz(func(t *testing.T, code, cert, date, detail string) {
		detail = "⟨" + detail + "⟩"
		n := verify.Note{Code: verify.Code(code), Args: map[string]string{"cert": cert, "date": date, "level": date, "detail": detail}}
		id := explain.Note(explain.ID, n)
		_ = explain.Note(explain.EN, n)
		if !strings.Contains(cert+date+code, "⟨") && strings.Contains(id, "⟨") {
			t.Errorf("detail in %q", id)
		}
	})
}
