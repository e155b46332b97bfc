package verify_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// claimedTime matches the /M entry of a Segel signature dictionary.
var claimedTime = regexp.MustCompile(`/M \(D:[0-9]{14}Z\)`)

// TestRepeatedKeysInSignature: a signature dictionary, or the field that
// holds it, that writes a key twice is FORMAT_FAILURE, never read one
// way: Segel's parser keeps the last value, another reader may keep the
// first. The files are re-signed over the edit (a valid signature of the
// signer's), so that nothing but the repeated key is wrong with them; the
// same edit without a repetition passes.
func TestRepeatedKeysInSignature(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	l := sigsOf(t, w.signed)[0]
	start, end := objectSpan(t, w.signed, l.Ref)
	m := claimedTime.Find(w.signed[start:end])
	if m == nil {
		t.Fatal("the signature dictionary has no /M entry to rewrite")
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", n-len(s)) }
	resigned := func(ref any, old, repl string) []byte {
		t.Helper()
		r := l.Ref
		if ref != nil {
			r = l.Widget
		}
		return resign(t, w.signed, l, func(d []byte) {
			copy(d, patchObject(t, d, r, old, repl))
		}, func(c []byte) []byte { return cadesCMS(t, w.id, c) })
	}
	// The re-signing is sound: another claimed time, no repetition.
	wantSig(t, verifyPDF(t, resigned(nil, string(m), "/M (D:20260101000000Z)"), w.opts), 0, verify.TotalPassed, "")
	widgetRect := "/Rect [0 0 0 0]"
	wantSig(t, verifyPDF(t, resigned(l.Widget, widgetRect, pad("/F 4", len(widgetRect))), w.opts), 0, verify.TotalPassed, "")

	for _, c := range []struct {
		name        string
		widget      bool
		old, repl   string
		wantInError string
	}{
		{"dictionary /Type", false, string(m), pad("/Type /Sig", len(m)), "signature dictionary writes /Type more than once"},
		{"dictionary /ByteRange", false, string(m), pad("/ByteRange [0 1 2 3]", len(m)), "signature dictionary writes /ByteRange more than once"},
		{"dictionary /SubFilter", false, string(m), pad("/SubFilter /x.y", len(m)), "signature dictionary writes /SubFilter more than once"},
		{"field /V", true, widgetRect, pad(fmt.Sprintf("/V %d 0 R", l.Ref.Num), len(widgetRect)), `signature field "Signature1" writes /V more than once`},
		{"field /FT", true, widgetRect, pad("/FT /Sig", len(widgetRect)), `signature field "Signature1" writes /FT more than once`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ref any
			if c.widget {
				ref = l.Widget
			}
			rep := verifyPDF(t, resigned(ref, c.old, c.repl), w.opts)
			s := wantSig(t, rep, 0, verify.FormatFailure.Implies(), verify.FormatFailure)
			found := false
			for _, n := range s.Notes {
				found = found || n.Code == verify.CodeStructure && strings.Contains(n.Args["detail"], c.wantInError)
			}
			if !found {
				t.Errorf("no %q note saying %q\n%s", verify.CodeStructure, c.wantInError, dumpReport(rep))
			}
		})
	}
}
