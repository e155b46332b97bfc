package verify_test

import (
	"testing"

	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// TestCoverageRules: which later signatures make a signature "signed
// again", and which changes are named.
func TestCoverageRules(t *testing.T) {
	sig := func(rev int, whole bool, mod ...string) *verify.SignatureReport {
		return &verify.SignatureReport{Type: "signature", Indication: verify.TotalPassed, Revision: rev,
			CoversWholeDocument: whole, ModifiedAfterSigning: append([]string{}, mod...)}
	}
	ts := func(rev int) *verify.SignatureReport {
		return &verify.SignatureReport{Type: "document-timestamp", Indication: verify.TotalPassed, Revision: rev, CoversWholeDocument: true}
	}
	s := sig(2, false)
	for _, c := range []struct {
		name string
		s    *verify.SignatureReport
		all  []*verify.SignatureReport
		want verify.Coverage
	}{
		{"alone, whole", sig(1, true), nil, verify.CoverageWhole},
		{"later timestamps only", s, []*verify.SignatureReport{s, ts(3), ts(4)}, verify.CoverageLTA},
		{"earlier signature, later timestamp", s, []*verify.SignatureReport{sig(1, false), s, ts(3)}, verify.CoverageLTA},
		{"later signature", s, []*verify.SignatureReport{s, sig(3, true)}, verify.CoverageSigned},
		{"nil entries", s, []*verify.SignatureReport{nil, s, nil}, verify.CoverageLTA},
		{"not in all", s, nil, verify.CoverageLTA},
		{"a field filled", sig(1, false, "the document information dictionary was updated", `form field "NIP" was filled in`), nil, verify.CoverageFormFilled},
		{"an unknown change", sig(1, false, "object 7 was added"), nil, verify.CoverageChanged},
	} {
		if got := c.s.Coverage(c.all); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	// Every coverage has its own name.
	seen := map[string]bool{}
	for c := verify.CoverageUnknown; c <= verify.CoverageChanged; c++ {
		if seen[c.String()] {
			t.Errorf("%d: name %q twice", c, c)
		}
		seen[c.String()] = true
	}
}

// TestCoverageOfRealFiles: a B-LTA signature is followed only by
// validation data and a document timestamp; the first of two signatures
// is followed by another signature.
func TestCoverageOfRealFiles(t *testing.T) {
	t.Parallel()
	p, _ := testpki.MustNewServer(t, testpki.Options{})
	id := p.MustIssueSigner(t, testpki.SignerOptions{})
	o := optsFor(id)
	o.Level = signer.LevelLTA
	o.Timestamper = newTestTSA(t, p, nil)
	lta := signPDF(t, letterPDF(t), o)
	rep := verifyPDF(t, lta, &verify.Options{Trust: anchors(p.Root.Cert), Offline: true})
	if len(rep.Signatures) != 2 || rep.Signatures[1].Type != "document-timestamp" {
		t.Fatalf("want a signature and a document timestamp\n%s", dumpReport(rep))
	}
	if got := rep.Signatures[0].Coverage(rep.Signatures); got != verify.CoverageLTA {
		t.Errorf("B-LTA signature: %v\n%s", got, dumpReport(rep))
	}
	if got := rep.Signatures[1].Coverage(rep.Signatures); got != verify.CoverageWhole {
		t.Errorf("document timestamp: %v", got)
	}

	two := signPDF(t, signPDF(t, letterPDF(t), optsFor(id)), optsFor(id))
	rep = verifyPDF(t, two, &verify.Options{Trust: anchors(p.Root.Cert), Offline: true})
	if len(rep.Signatures) != 2 {
		t.Fatalf("want two signatures\n%s", dumpReport(rep))
	}
	if got := rep.Signatures[0].Coverage(rep.Signatures); got != verify.CoverageSigned {
		t.Errorf("first of two: %v\n%s", got, dumpReport(rep))
	}
	if got := rep.Signatures[1].Coverage(rep.Signatures); got != verify.CoverageWhole {
		t.Errorf("second of two: %v", got)
	}
}
