// Package vocabtest is for tests of the views that word verification
// reports for people (the CLI's text report, the citizens' page, the
// BSrE verify answer): Corpus builds real reports covering every verdict
// kind and every reason code, and English finds English words in text
// meant for an Indonesian reader (docs/decisions.md, "One vocabulary
// (issue 14)").
package vocabtest

import (
	"bytes"
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/revocation"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/tsa"
	"github.com/segel-id/segel/verify"
)

// Case is one report of the corpus.
type Case struct {
	// Name says where the report comes from.
	Name string
	// Report is the verify package's report.
	Report *verify.Report
	// Synthetic marks a report that is a real one with one note added:
	// a reason code that no file of the corpus produces.
	Synthetic bool
}

// root is the repository's root directory.
func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Corpus returns the reports: the golden reports of the conformance
// corpus (verify/testdata/golden, the verify package's real outputs),
// the conformance files verified again without trust anchors (an unknown
// issuer) and long after their certificates expired, and letters signed
// here with testpki: passed online (B-B, B-T, B-LTA, B-B augmented to
// B-LTA), tampered, revoked before and after the proof of existence,
// TRY_LATER (OCSP responder down), not yet valid, an issuer not accepted,
// trailing bytes, cut short, untrusted, expired, and unsigned. Every code of verify.Codes() that none of
// them carries is added to a copy of a real report as a synthetic note,
// so that every reason code is worded at least once.
func Corpus(t testing.TB) []Case {
	t.Helper()
	var cases []Case
	golden, _ := filepath.Glob(filepath.Join(root(), "verify", "testdata", "golden", "*.json"))
	if len(golden) < 20 {
		t.Fatalf("vocabtest: %d golden reports", len(golden))
	}
	for _, p := range golden {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rep := new(verify.Report)
		if err := json.Unmarshal(data, rep); err != nil {
			t.Fatalf("vocabtest: %s: %v", p, err)
		}
		cases = append(cases, Case{Name: "golden/" + filepath.Base(p), Report: rep})
	}
	cases = append(cases, conformance(t)...)
	cases = append(cases, letters(t)...)
	return append(cases, synthetic(t, cases)...)
}

// conformance verifies the conformance corpus without any trust anchor
// and, with its root, in 2100, when every certificate has expired.
func conformance(t testing.TB) []Case {
	dir := filepath.Join(root(), "verify", "testdata", "conformance")
	rootPEM, err := os.ReadFile(filepath.Join(dir, "root.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := trust.NewPool()
	pool.AddPEM(rootPEM, "conformance TEST root")
	files, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	var out []Case
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			opts *verify.Options
		}{
			{"untrusted", &verify.Options{Trust: trust.NewPool(), Offline: true, Time: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}},
			{"expired", &verify.Options{Trust: pool, Offline: true, Time: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}},
		} {
			rep, err := verify.Verify(context.Background(), bytes.NewReader(data), int64(len(data)), c.opts)
			if err != nil {
				continue // not a PDF: no report to word
			}
			out = append(out, Case{Name: c.name + "/" + filepath.Base(p), Report: rep})
		}
	}
	return out
}

// letters signs a sample letter with testpki certificates and verifies
// it online against the PKI's OCSP responder.
func letters(t testing.TB) []Case {
	ctx := context.Background()
	letter, err := os.ReadFile(filepath.Join(root(), "testdata", "letters", "surat-dinas.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	pki, _ := testpki.MustNewServer(t, testpki.Options{})
	pool := trust.NewPool()
	pool.AddCert(pki.Root.Cert, "testpki root")
	official := pki.MustIssueSigner(t, testpki.SignerOptions{
		Subject: pkix.Name{CommonName: "Budi Santoso", Organization: []string{"Pemerintah Kabupaten Sleman"}}, NonRepudiation: true})
	revoked := pki.MustIssueSigner(t, testpki.SignerOptions{
		Subject: pkix.Name{CommonName: "Sari Wulandari", Organization: []string{"Pemerintah Kabupaten Sleman"}}, NonRepudiation: true})
	tsaID, err := pki.IssueTSA(testpki.SignerOptions{Subject: pkix.Name{CommonName: "Segel Test TSA"}})
	if err != nil {
		t.Fatal(err)
	}
	tsaSrv := httptest.NewServer(testpki.NewTSA(tsaID, testpki.TSAOptions{}))
	t.Cleanup(tsaSrv.Close)
	stamper, err := tsa.New(tsa.Options{URLs: []string{tsaSrv.URL}, Roots: pki.Roots()})
	if err != nil {
		t.Fatal(err)
	}
	signAt := func(id *testpki.Identity, level signer.Level, at time.Time) []byte {
		t.Helper()
		o := &signer.Options{Signer: id.Key, Certificate: id.Cert, Chain: id.Chain, Level: level, Reason: "Menyetujui", Location: "Sleman", Time: at}
		if level != signer.LevelB {
			o.Timestamper = stamper
		}
		if level >= signer.LevelLT {
			o.Revocation = revocation.New(revocation.Options{})
		}
		var dst bytes.Buffer
		if _, err := signer.Sign(ctx, bytes.NewReader(letter), int64(len(letter)), &dst, o); err != nil {
			t.Fatalf("vocabtest: sign %s: %v", level, err)
		}
		return dst.Bytes()
	}
	sign := func(id *testpki.Identity, level signer.Level) []byte { return signAt(id, level, time.Time{}) }
	check := func(name string, data []byte, opts *verify.Options) Case {
		t.Helper()
		rep, err := verify.Verify(ctx, bytes.NewReader(data), int64(len(data)), opts)
		if err != nil {
			t.Fatalf("vocabtest: %s: %v", name, err)
		}
		return Case{Name: "letter/" + name, Report: rep}
	}
	online := &verify.Options{Trust: pool}
	signed := sign(official, signer.LevelB)
	stamped := sign(official, signer.LevelT)
	lta := sign(official, signer.LevelLTA)
	tampered := bytes.Clone(signed)
	if i := bytes.LastIndex(tampered[:len(letter)], []byte("endstream")); i > 0 {
		tampered[i-2] ^= 0x01
	}
	// Revoked a minute ago: a letter without a timestamp has nothing to
	// prove it came first, one timestamped now came after.
	revokedB := sign(revoked, signer.LevelB)
	if err := pki.Revoke(revoked.Cert, time.Now().Add(-time.Minute), 1); err != nil {
		t.Fatal(err)
	}
	revokedLate := sign(revoked, signer.LevelT)
	// Timestamped now, revoked in a minute: the revocation follows the
	// proof of existence.
	later := pki.MustIssueSigner(t, testpki.SignerOptions{
		Subject: pkix.Name{CommonName: "Rina Kartika", Organization: []string{"Pemerintah Kabupaten Sleman"}}, NonRepudiation: true})
	revokedT := sign(later, signer.LevelT)
	if err := pki.Revoke(later.Cert, time.Now().Add(time.Minute), 1); err != nil {
		t.Fatal(err)
	}
	// A PKI whose OCSP responder and CRL are down.
	down := testpki.MustNew(t, testpki.Options{BaseURL: "http://127.0.0.1:9"})
	downPool := trust.NewPool()
	downPool.AddCert(down.Root.Cert, "down root")
	unreachable := down.MustIssueSigner(t, testpki.SignerOptions{Subject: pkix.Name{CommonName: "Dewi Lestari"}, NonRepudiation: true})
	tryLater := sign(unreachable, signer.LevelB)
	// A B-B letter augmented to B-LTA: a document timestamp gives it its
	// proof of existence.
	var augmented bytes.Buffer
	if _, err := signer.Augment(ctx, bytes.NewReader(signed), int64(len(signed)), &augmented,
		&signer.AugmentOptions{Level: signer.LevelLTA, Timestamper: stamper}); err != nil {
		t.Fatalf("vocabtest: augment: %v", err)
	}
	// A certificate valid only from tomorrow, on a letter claiming to be
	// signed the day after.
	future := pki.MustIssueSigner(t, testpki.SignerOptions{Subject: pkix.Name{CommonName: "Agus Wibowo"}, NonRepudiation: true,
		NotBefore: time.Now().AddDate(0, 0, 1), NotAfter: time.Now().AddDate(1, 0, 0)})
	early := signAt(future, signer.LevelB, time.Now().AddDate(0, 0, 2))
	return []Case{
		check("passed", signed, online),
		check("not-yet-valid", early, &verify.Options{Trust: pool, Offline: true}),
		check("issuer-not-accepted", signed, &verify.Options{Trust: pool, Offline: true, IssuedBy: []*x509.Certificate{down.Root.Cert}}),
		check("passed-b-t", stamped, online),
		check("passed-b-lta", lta, online),
		check("augmented-b-lta", augmented.Bytes(), online),
		check("tampered", tampered, online),
		check("revoked-no-poe", revokedB, online),
		check("revoked-after-poe", revokedT, &verify.Options{Trust: pool, Time: time.Now().Add(time.Hour)}),
		check("revoked-before-poe", revokedLate, online),
		check("try-later", tryLater, &verify.Options{Trust: downPool}),
		check("offline", signed, &verify.Options{Trust: pool, Offline: true}),
		check("untrusted", signed, &verify.Options{Trust: trust.NewPool(), Offline: true}),
		check("expired-b-t", stamped, &verify.Options{Trust: pool, Offline: true, Time: time.Now().AddDate(30, 0, 0)}),
		check("no-signature", letter, online),
		// Bytes after the last revision that no reader shows: unproven.
		check("trailing-bytes", append(bytes.Clone(signed), "sisa transfer 0123456789\n"...), online),
		// Downloads cut short: the signature lost with the first third
		// (repaired, no signature), and cut in the last bytes (its
		// /ByteRange past the end).
		check("damaged", signed[:len(signed)/3], online),
		check("cut-short", signed[:len(signed)-200], online),
	}
}

// synthetic adds each code no case carries, as a note (with an English
// message beside it, as verify writes them) on a copy of a real failed
// signature.
func synthetic(t testing.TB, cases []Case) []Case {
	seen := map[verify.Code]bool{}
	var base *verify.SignatureReport
	var baseRep *verify.Report
	for _, c := range cases {
		for _, n := range c.Report.Notes {
			seen[n.Code] = true
		}
		for _, s := range c.Report.Signatures {
			for _, n := range s.Notes {
				seen[n.Code] = true
			}
			if base == nil && s.Indication == verify.TotalFailed && s.Signer != nil {
				base, baseRep = s, c.Report
			}
		}
	}
	if base == nil {
		t.Fatal("vocabtest: no failed signature to build on")
	}
	args := map[string]string{
		"cert": "Budi Santoso", "date": "2026-12-02T07:05:00Z", "poe": "2026-11-30T01:00:00Z", "time": "2026-11-30T01:00:00Z",
		"n": "3", "i": "2", "bits": "1024", "field": "Signature1", "action": "Include", "hash": "SHA-1", "sigHash": "SHA-256",
		"level": "OTHER", "source": "OCSP", "subFilter": "adbe.x509.rsa_sha1", "issuers": "BSrE TEST CA", "signer": "Budi Santoso",
		"from": "1234", "p": "1", "object": "page object 4 (page 1)", "change": "page object 4 (page 1): /Contents was changed",
		"detail": "x509: certificate signed by unknown authority; the signature was not made by this key",
	}
	var out []Case
	for _, code := range verify.Codes() {
		if seen[code] {
			continue
		}
		s := *base
		s.Errors = append(slices.Clone(s.Errors), "the "+string(code)+" check failed: this is an English message")
		s.Notes = append(slices.Clone(s.Notes), verify.Note{Code: code, Severity: verify.SeverityError, Args: args})
		rep := *baseRep
		rep.Signatures = []*verify.SignatureReport{&s}
		out = append(out, Case{Name: "synthetic/" + string(code), Report: &rep, Synthetic: true})
	}
	return out
}

// englishWords are common English words that no Indonesian sentence of
// Segel's holds as a whole word. Words both languages use alike (data,
// status, format, PDF) are not listed.
var englishWords = strings.Fields(`the a an is are was were be been not no nothing and or of to in on at by for from with
	without this that which it its there only cannot could can may after before signature signatures signed signing signer
	certificate certificates document documents revoked revocation expired unknown failed fails valid invalid trusted
	timestamp timestamps changed change changes file field fields page object bytes error warning issuer authority
	key value digest proves proven existed reader viewer damaged broken analysed analysis checked check supported
	encrypted password level more than fewer none other whole covers letter unauthorized forbidden
	not found too large request`)

var englishSet = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range englishWords {
		m[w] = true
	}
	return m
}()

// tokens are words as a reader sees them: letters and digits, joined by
// hyphens or underscores (PAdES-BASELINE-B, TOTAL_PASSED, Signature1).
var tokens = regexp.MustCompile(`[\p{L}\p{N}]+(?:[-_][\p{L}\p{N}]+)*`)

// English returns the English words of text, after removing the strings
// of allow (user data such as a signer's name, which is shown as it is).
// Codes in capitals (TOTAL_PASSED, NONE, OCSP) and mixed technical names
// (FieldMDP, Signature1) are not words.
func English(text string, allow []string) []string {
	slices.SortFunc(allow, func(a, b string) int { return len(b) - len(a) })
	for _, a := range allow {
		if strings.TrimSpace(a) != "" {
			text = strings.ReplaceAll(text, a, " ")
		}
	}
	var found []string
	for _, tok := range tokens.FindAllString(text, -1) {
		if strings.ToUpper(tok) == tok && len(tok) > 1 {
			continue // a code
		}
		if englishSet[strings.ToLower(tok)] && (tok == strings.ToLower(tok) || tok[1:] == strings.ToLower(tok[1:])) {
			found = append(found, tok)
		}
	}
	return found
}

// UserData returns what a report shows as given rather than worded:
// names and fields of certificates, the signer's claims (reason,
// location, name), field names, the trust anchor's label, and the values
// of notes (a field's or certificate's name).
func UserData(rep *verify.Report) []string {
	var out []string
	cert := func(c *verify.Certificate) {
		if c != nil {
			out = append(out, c.CommonName, c.Organization, c.Subject, c.Issuer)
		}
	}
	notes := func(ns []verify.Note) {
		for _, n := range ns {
			for k, v := range n.Args {
				if k == "cert" || k == "field" || k == "signer" || k == "issuers" || k == "subFilter" {
					out = append(out, v)
				}
			}
		}
	}
	notes(rep.Notes)
	for _, s := range rep.Signatures {
		if s == nil {
			continue
		}
		out = append(out, s.Field, s.Reason, s.Location, s.Name, s.ContactInfo, s.TrustAnchor, s.SubFilter)
		cert(s.Signer)
		for _, c := range s.Chain {
			cert(c)
		}
		if s.Timestamp != nil {
			out = append(out, s.Timestamp.TSA)
		}
		notes(s.Notes)
	}
	return out
}
