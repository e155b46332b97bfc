package verify_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// TestDamagedAfterSigning: a file whose final cross-reference is broken
// or truncated after the signed bytes is repaired, not "not a PDF"; the
// signatures are found and each whose range ends before the damage is
// TOTAL_FAILED / MODIFIED_AFTER_SIGNING with the reason of issue 11.
func TestDamagedAfterSigning(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	base := verifyPDF(t, w.signed, w.opts)
	if base.Indication != verify.TotalPassed {
		t.Fatalf("baseline %s\n%s", base.Indication, dumpReport(base))
	}
	twice := signPDF(t, w.signed, optsFor(w.id))
	upd := "\n5 0 obj\n<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] >>\nendobj\n"
	cut := func(b []byte) []byte { // the last revision's xref cut off
		i := bytes.LastIndex(b, []byte("\nxref\n"))
		if i < 0 {
			i = bytes.LastIndex(b, []byte("startxref"))
		}
		return bytes.Clone(b[:i+8])
	}
	cases := []struct {
		name   string
		data   []byte
		failed int // signatures that must be TOTAL_FAILED by the damage
	}{
		{"object after EOF", append(w.clone(), upd...), 1},
		{"update without xref", append(w.clone(), upd+"xref\n0 1\n0000000000 65535 f \ntrai"...), 1},
		{"update with bad startxref", append(w.clone(), upd+"startxref\n123456789\n%%EOF\n"...), 1},
		{"second signature's xref cut", cut(twice), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rep, err := verify.Verify(context.Background(), bytes.NewReader(c.data), int64(len(c.data)), w.opts)
			if err != nil {
				t.Fatalf("Verify: %v (a damaged PDF is still a PDF)", err)
			}
			if rep.Indication != verify.TotalFailed || len(rep.Signatures) == 0 {
				t.Fatalf("%s with %d signatures\n%s", rep.Indication, len(rep.Signatures), dumpReport(rep))
			}
			if !anyContains(rep.Warnings, "reconstructed") {
				t.Errorf("no warning about the repair: %q", rep.Warnings)
			}
			s := rep.Signatures[0]
			if s.Indication != verify.TotalFailed || s.SubIndication != verify.ModifiedAfterSigning || !anyContains(s.Errors, "damaged or extended after signing in a way that cannot be analysed") {
				t.Errorf("first signature: %s/%s %q", s.Indication, s.SubIndication, s.Errors)
			}
			// What the signature covers was verified: no hash or
			// structure failure is reported for it.
			for _, e := range s.Errors {
				if strings.Contains(e, "digest") || strings.Contains(e, "ByteRange") {
					t.Errorf("covered part not verified: %q", e)
				}
			}
		})
	}
}

// TestDamagedSignedWhole: a signature covering the whole of a file whose
// own final xref is broken (the signer wrote the damage) is judged as
// usual, with a warning: nothing changed after it.
func TestDamagedSignedWhole(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	data := w.clone()
	i := bytes.LastIndex(data, []byte("startxref\n"))
	j := i + len("startxref\n")
	k := j + bytes.IndexByte(data[j:], '\n')
	bad := fmt.Sprintf("%0*d", k-j, 1) // same width, points nowhere
	copy(data[j:k], bad)
	l := sigsOf(t, w.signed)[0]
	a, b := l.gap()
	writeContents(t, data, a, b, cadesCMS(t, w.id, rangesOf(data, l.BR)))
	rep, err := verify.Verify(context.Background(), bytes.NewReader(data), int64(len(data)), w.opts)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	s := wantSig(t, rep, 0, verify.TotalPassed, "")
	if !s.CoversWholeDocument || !anyContains(s.Warnings, "covers the whole file") || !anyContains(rep.Warnings, "reconstructed") {
		t.Errorf("whole %v, warnings %q / %q", s.CoversWholeDocument, s.Warnings, rep.Warnings)
	}
}

// TestCutShort: a signed file cut in its last bytes (an interrupted
// download) keeps its signature dictionary, whose /ByteRange now runs
// past the end: TOTAL_FAILED / FORMAT_FAILURE, as ETSI and EU DSS judge
// ranges that cannot be read, with the code ranges-past-end (the file is
// cut short) beside the repair. An intact file whose ranges run past
// its end (rewritten whole) keeps the plain structure code.
func TestCutShort(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	for _, n := range []int{5, 30, 200} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			data := bytes.Clone(w.signed[:len(w.signed)-n])
			rep := verifyPDF(t, data, w.opts)
			if rep.Indication != verify.TotalFailed || len(rep.Signatures) != 1 {
				t.Fatalf("%s with %d signatures\n%s", rep.Indication, len(rep.Signatures), dumpReport(rep))
			}
			if len(rep.Notes) == 0 || rep.Notes[0].Code != verify.CodeRepaired {
				t.Errorf("document notes %+v, want repaired first", rep.Notes)
			}
			s := rep.Signatures[0]
			if s.SubIndication != verify.FormatFailure || len(s.Notes) != 1 || s.Notes[0].Code != verify.CodeRangesPastEnd ||
				s.Notes[0].Args["n"] != fmt.Sprint(len(data)) || !anyContains(s.Errors, "reaches beyond the end of the file") {
				t.Errorf("signature %s/%s %+v %q", s.Indication, s.SubIndication, s.Notes, s.Errors)
			}
		})
	}
}
