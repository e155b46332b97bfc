// Command gen rebuilds the conformance corpus of verify/testdata/conformance:
// signed PDFs made by producers other than Segel (poppler's pdfsig over
// NSS, digitorus/pdfsign, LibreOffice, qpdf and pdftk rewrites) and attack
// files made from them, with MANIFEST.tsv giving the verdict a careful
// validator (EU DSS, pyHanko) gives each and why.
//
// It needs pdfsig, certutil, pk12util and qpdf; soffice (LibreOffice) and
// pdftk are used when present, and their files are left out otherwise.
// The keys are fresh TEST keys made in a temporary directory and removed
// at the end: only the root certificate (root.pem) is kept, as the trust
// anchor of verify/conformance_test.go. Run from the repository root:
//
//	go run ./verify/testdata/conformance/gen
//
// Files are signed at the time of the run; the test validates them at a
// fixed time (2030-01-01) inside the 2026-01-01..2046-01-01 validity of
// the TEST certificates. See docs/decisions.md, "Conformance corpus".
package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	dpdf "github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// entry is one line of MANIFEST.tsv.
type entry struct {
	file, producer, class, expected, why string
	sigs                                 string // signatures poppler finds valid (genuine files), else "-"
}

type gen struct {
	out, tmp string
	repo     string
	loSign   bool
	corpus   string // testdata/pdf
	p        *testpki.PKI
	db       string
	nicks    map[string]string // by common name
	fontconf string            // a fontconfig file that offers pdfsig a 2 KB font
	ec, rsa  *testpki.Identity // Segel's and pdfsign's signers
	manifest []entry
}

var notBefore = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
var notAfter = time.Date(2046, 1, 1, 0, 0, 0, 0, time.UTC)

func main() {
	out := flag.String("out", "verify/testdata/conformance", "output directory")
	repo := flag.String("repo", ".", "repository root")
	loSign := flag.Bool("losign", true, "sign with LibreOffice through UNO (gen/losign.py; needs python3-uno)")
	flag.Parse()
	tmp, err := os.MkdirTemp("", "segel-conformance-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	g := &gen{out: *out, tmp: tmp, repo: *repo, loSign: *loSign, corpus: filepath.Join(*repo, "testdata/pdf"), nicks: map[string]string{}}
	if err := g.run(); err != nil {
		os.RemoveAll(tmp)
		log.Fatal(err)
	}
}

func (g *gen) run() error {
	p, err := testpki.New(testpki.Options{
		Name:      "Segel Conformance TEST",
		KeyType:   testpki.RSA2048,
		NotBefore: notBefore,
		NotAfter:  notAfter,
	})
	if err != nil {
		return err
	}
	g.p = p
	issue := func(cn string, kt testpki.KeyType) (*testpki.Identity, error) {
		return p.IssueSigner(testpki.SignerOptions{
			KeyType:        kt,
			Subject:        pkix.Name{CommonName: cn, Organization: []string{"Segel Conformance TEST"}},
			NonRepudiation: true,
			NotBefore:      notBefore,
			NotAfter:       notAfter,
		})
	}
	budi, err := issue("Budi Santoso TEST", testpki.RSA2048)
	if err != nil {
		return err
	}
	rina, err := issue("Rina Wulandari TEST", testpki.RSA2048)
	if err != nil {
		return err
	}
	if g.ec, err = issue("Segel Signer TEST", testpki.ECDSAP256); err != nil {
		return err
	}
	if g.rsa, err = issue("Pdfsign Signer TEST", testpki.RSA2048); err != nil {
		return err
	}
	if err := os.MkdirAll(g.out, 0o755); err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(g.out, "*.pdf"))
	for _, f := range old {
		os.Remove(f)
	}
	if err := os.WriteFile(filepath.Join(g.out, "root.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Root.Cert.Raw}), 0o644); err != nil {
		return err
	}
	if err := g.fonts(); err != nil {
		return err
	}
	if err := g.nss(budi, rina); err != nil {
		return err
	}
	letter, err := os.ReadFile(filepath.Join(g.corpus, "gs-letter.pdf"))
	if err != nil {
		return err
	}
	form, err := os.ReadFile(filepath.Join(g.corpus, "form-2page.pdf"))
	if err != nil {
		return err
	}
	// An empty form with default resources, as many letter templates
	// have: pdfsig -add-signature then uses /DR's font instead of
	// embedding a 400 KB CID font (pdfsig-adbe.pdf keeps the plain case).
	plain := letter
	if letter, err = withFields(letter, "Poppler1", "Poppler2"); err != nil {
		return err
	}
	if err := g.plainPoppler(plain); err != nil {
		return err
	}
	steps := []func(letter, form []byte) error{g.poppler, g.qpdfInputs, g.mixed, g.pdfsign, g.libreoffice, g.rewrites, g.forms, g.attacks}
	for _, s := range steps {
		if err := s(letter, form); err != nil {
			return err
		}
	}
	return g.writeManifest()
}

// ---- tools ----

func (g *gen) cmd(name string, args ...string) (string, error) { return g.cmdEnv(nil, name, args...) }

func (g *gen) cmdEnv(env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, name, args...)
	c.Env = append(append(os.Environ(), "HOME="+g.tmp), env...)
	out, err := c.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

func have(name string) bool { _, err := exec.LookPath(name); return err == nil }

// fonts makes a fontconfig setup whose only font is a 2 KB test font of
// golang.org/x/image: pdfsig embeds the font of its (empty) appearance in
// /DR, and the system's Noto Sans would add 900 KB to every file.
func (g *gen) fonts() error {
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/image").Output()
	if err != nil {
		return fmt.Errorf("go list golang.org/x/image: %w", err)
	}
	font, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "font/testdata/cmapTest.ttf"))
	if err != nil {
		return err
	}
	fd := filepath.Join(g.tmp, "fonts")
	if err := os.MkdirAll(fd, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(fd, "cmapTest.ttf"), font, 0o644); err != nil {
		return err
	}
	g.fontconf = filepath.Join(g.tmp, "fonts.conf")
	conf := fmt.Sprintf(`<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>%s</dir><cachedir>%s</cachedir></fontconfig>
`, fd, filepath.Join(g.tmp, "fccache"))
	return os.WriteFile(g.fontconf, []byte(conf), 0o644)
}

// nss makes an NSS database holding the poppler signers' keys.
func (g *gen) nss(ids ...*testpki.Identity) error {
	dir := filepath.Join(g.tmp, "nss")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	g.db = "sql:" + dir
	if _, err := g.cmd("certutil", "-N", "-d", g.db, "--empty-password"); err != nil {
		return err
	}
	for i, id := range ids {
		p12, err := id.PKCS12("test")
		if err != nil {
			return err
		}
		f := filepath.Join(g.tmp, fmt.Sprintf("id%d.p12", i))
		if err := os.WriteFile(f, p12, 0o600); err != nil {
			return err
		}
		if _, err := g.cmd("pk12util", "-i", f, "-d", g.db, "-W", "test", "-K", ""); err != nil {
			return err
		}
	}
	for i, ca := range ids[0].Chain {
		f := filepath.Join(g.tmp, fmt.Sprintf("ca%d.pem", i))
		if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}), 0o600); err != nil {
			return err
		}
		if _, err := g.cmd("certutil", "-A", "-d", g.db, "-n", fmt.Sprintf("ca%d", i), "-t", "CT,C,C", "-a", "-i", f); err != nil {
			return err
		}
	}
	out, err := g.cmd("pdfsig", "-nssdir", g.db, "-list-nicks")
	if err != nil {
		return err
	}
	for _, line := range strings.Split(out, "\n") {
		n := strings.TrimSpace(line)
		for _, id := range ids {
			if strings.Contains(n, id.Cert.Subject.CommonName) && !strings.Contains(n, "Certificate Nicknames") {
				g.nicks[id.Cert.Subject.CommonName] = n
			}
		}
	}
	if len(g.nicks) != len(ids) {
		return fmt.Errorf("nicknames %v in:\n%s", g.nicks, out)
	}
	return nil
}

// pdfsig signs in with poppler as cn; field "" adds a new field named
// newField, else signs the existing field.
func (g *gen) pdfsig(in []byte, cn, newField, field string, etsi bool) ([]byte, error) {
	src, dst := filepath.Join(g.tmp, "in.pdf"), filepath.Join(g.tmp, "out.pdf")
	os.Remove(dst)
	if err := os.WriteFile(src, in, 0o600); err != nil {
		return nil, err
	}
	args := []string{"-nssdir", g.db, "-nick", g.nicks[cn], "-reason", "Paraf TEST"}
	if field != "" {
		args = append(args, "-sign", field)
	} else {
		args = append(args, "-add-signature", "-new-signature-field-name", newField)
	}
	if etsi {
		args = append(args, "-etsi")
	}
	if _, err := g.cmdEnv([]string{"FONTCONFIG_FILE=" + g.fontconf}, "pdfsig", append(args, src, dst)...); err != nil {
		return nil, err
	}
	return os.ReadFile(dst)
}

// segel signs in with Segel's own signer (PAdES-B-B, invisible).
func (g *gen) segel(in []byte, field string) ([]byte, error) {
	return g.segelCertify(in, field, signer.NotCertified)
}

// segelCertify signs in with Segel, certifying with DocMDP permission p.
func (g *gen) segelCertify(in []byte, field string, p signer.Permission) ([]byte, error) {
	var out bytes.Buffer
	_, err := signer.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out, &signer.Options{
		Signer: g.ec.Key, Certificate: g.ec.Cert, Chain: g.ec.Chain, NewField: field, Certify: p,
	})
	return out.Bytes(), err
}

// pdfsignSign signs in with digitorus/pdfsign (adbe.pkcs7.detached).
func (g *gen) pdfsignSign(in []byte) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pdfsign panicked: %v", r)
		}
	}()
	rd := bytes.NewReader(in)
	r, err := dpdf.NewReader(rd, int64(len(in)))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = sign.Sign(rd, &buf, r, int64(len(in)), sign.SignData{
		Signature: sign.SignDataSignature{
			CertType: sign.ApprovalSignature,
			Info:     sign.SignDataSignatureInfo{Name: "Pdfsign Signer TEST", Location: "Serang", Reason: "Paraf TEST", Date: time.Now().Add(-time.Minute)},
		},
		Signer:            g.rsa.Key,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       g.rsa.Cert,
		CertificateChains: [][]*x509.Certificate{append([]*x509.Certificate{g.rsa.Cert}, g.rsa.Chain...)},
	})
	return buf.Bytes(), err
}

// pdfsign makes the digitorus/pdfsign files.
func (g *gen) pdfsign(letter, _ []byte) error {
	sgn := g.pdfsignSign
	one, err := sgn(letter)
	if err != nil {
		return err
	}
	g.add("pdfsign.pdf", one, "digitorus/pdfsign", "genuine", "TOTAL_PASSED", "one adbe.pkcs7.detached approval signature over the whole file")
	two, err := g.segel(one, "Segel")
	if err != nil {
		return err
	}
	g.add("pdfsign-then-segel.pdf", two, "digitorus/pdfsign + Segel", "genuine", "TOTAL_PASSED", "pdfsign's signature, then Segel's in a new field: a later signature is an allowed change")
	s, err := g.segel(letter, "Segel")
	if err != nil {
		return err
	}
	three, err := sgn(s)
	if err != nil {
		return err
	}
	g.add("segel-then-pdfsign.pdf", three, "Segel + digitorus/pdfsign", "genuine", "TOTAL_PASSED", "Segel's signature, then pdfsign's in a new field (pdfsign rewrites the catalog, AcroForm and page /Annots)")
	return nil
}

// add writes a corpus file and its manifest line.
func (g *gen) add(file string, data []byte, producer, class, expected, why string) {
	if err := os.WriteFile(filepath.Join(g.out, file), data, 0o644); err != nil {
		log.Fatal(err)
	}
	sigs := "-"
	if class == "genuine" {
		// What a viewer shows: the signatures poppler finds valid.
		out, err := g.cmd("pdfsig", "-nocert", "-no-ocsp", filepath.Join(g.out, file))
		if err != nil {
			log.Fatal(err)
		}
		sigs = fmt.Sprint(strings.Count(out, "Signature Validation: Signature is Valid."))
	}
	g.manifest = append(g.manifest, entry{file, producer, class, expected, why, sigs})
	log.Printf("%-40s %7d bytes  %s", file, len(data), producer)
}

func (g *gen) writeManifest() error {
	sort.Slice(g.manifest, func(i, j int) bool { return g.manifest[i].file < g.manifest[j].file })
	var b strings.Builder
	b.WriteString("# file\tproducer\tclass\texpected\tsignatures\twhy\n")
	for _, e := range g.manifest {
		for _, s := range []string{e.file, e.producer, e.class, e.expected, e.sigs, e.why} {
			if strings.ContainsAny(s, "\t\n") {
				return fmt.Errorf("manifest field %q has a tab or newline", s)
			}
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%s\n", e.file, e.producer, e.class, e.expected, e.sigs, e.why)
	}
	return os.WriteFile(filepath.Join(g.out, "MANIFEST.tsv"), []byte(b.String()), 0o644)
}

// ---- poppler ----

// withFields adds a form with empty, invisible signature fields on the
// first page (and /DR with Helvetica), as letter templates have: pdfsig
// -sign then fills a field without embedding the 400 KB CID font that
// -add-signature puts in /DR.
func withFields(src []byte, names ...string) ([]byte, error) {
	return update(src, func(r *pdf.Reader, u *pdf.Update) error {
		cat, err := r.Catalog()
		if err != nil {
			return err
		}
		pref, pg, err := firstPage(r)
		if err != nil {
			return err
		}
		font := u.Alloc()
		f := pdf.NewDict()
		f.Set("Type", pdf.Name("Font"))
		f.Set("Subtype", pdf.Name("Type1"))
		f.Set("BaseFont", pdf.Name("Helvetica"))
		f.Set("Encoding", pdf.Name("WinAnsiEncoding"))
		u.Set(font, f)
		fonts := pdf.NewDict()
		fonts.Set("Helv", font)
		dr := pdf.NewDict()
		dr.Set("Font", fonts)
		var fields pdf.Array
		for _, n := range names {
			ref := u.Alloc()
			fd := pdf.NewDict()
			fd.Set("FT", pdf.Name("Sig"))
			fd.Set("T", pdf.String{Bytes: []byte(n)})
			fd.Set("Type", pdf.Name("Annot"))
			fd.Set("Subtype", pdf.Name("Widget"))
			fd.Set("Rect", pdf.Array{int64(0), int64(0), int64(0), int64(0)})
			fd.Set("F", int64(132))
			fd.Set("P", pref)
			u.Set(ref, fd)
			fields = append(fields, ref)
		}
		af := pdf.NewDict()
		af.Set("Fields", fields)
		af.Set("DR", dr)
		af.Set("DA", pdf.String{Bytes: []byte("/Helv 0 Tf 0 g")})
		cat = cat.Clone()
		cat.Set("AcroForm", af)
		u.Set(r.CatalogRef(), cat)
		pg = pg.Clone()
		pg.Set("Annots", fields)
		u.Set(pref, pg)
		return nil
	})
}

// plainPoppler signs the letter as it is: pdfsig embeds its CID font.
func (g *gen) plainPoppler(letter []byte) error {
	out, err := g.pdfsig(letter, "Budi Santoso TEST", "Poppler1", "", false)
	if err != nil {
		return err
	}
	g.add("pdfsig-add.pdf", out, "poppler pdfsig 22.12 -add-signature (NSS)", "genuine", "TOTAL_PASSED", "one adbe.pkcs7.detached signature in a new field of a letter without a form: pdfsig creates the AcroForm and embeds a CID font in /DR")
	two, err := g.pdfsig(out, "Rina Wulandari TEST", "Poppler2", "", false)
	if err != nil {
		return err
	}
	g.add("pdfsig-add-twice.pdf", two, "poppler pdfsig 22.12 -add-signature x2 (NSS)", "genuine", "TOTAL_PASSED", "a second pdfsig -add-signature: new field and widget, page /Annots, AcroForm /Fields and a second font added to /DR after the first signature")
	return nil
}

func (g *gen) poppler(letter, form []byte) error {
	adbe, err := g.pdfsig(letter, "Budi Santoso TEST", "", "Poppler1", false)
	if err != nil {
		return err
	}
	g.add("pdfsig-adbe.pdf", adbe, "poppler pdfsig 22.12 (NSS)", "genuine", "TOTAL_PASSED", "one adbe.pkcs7.detached signature in a new field, over the whole file")
	twice, err := g.pdfsig(adbe, "Rina Wulandari TEST", "", "Poppler2", false)
	if err != nil {
		return err
	}
	g.add("pdfsig-twice.pdf", twice, "poppler pdfsig 22.12 (NSS) x2", "genuine", "TOTAL_PASSED", "two pdfsig signatures, each in a new field; the second update adds a field, widget and /DR: allowed after an approval signature")
	s, err := g.segel(letter, "Segel")
	if err != nil {
		return err
	}
	sp, err := g.pdfsig(s, "Budi Santoso TEST", "", "Poppler1", false)
	if err != nil {
		return err
	}
	spa, err := g.pdfsig(s, "Rina Wulandari TEST", "Poppler3", "", false)
	if err != nil {
		return err
	}
	g.add("segel-then-pdfsig-add.pdf", spa, "Segel + poppler pdfsig -add-signature", "genuine", "TOTAL_PASSED", "Segel's signature, then pdfsig -add-signature: a new field and widget, page /Annots, AcroForm /Fields and a CID font in /DR")
	for _, c := range []struct {
		p                          signer.Permission
		file, class, expected, why string
	}{
		{signer.FormFilling, "segel-certified-p2-then-pdfsig.pdf", "genuine", "TOTAL_PASSED", "Segel certifies with DocMDP P=2, then pdfsig signs the prepared empty field: signing is allowed under P=2"},
		{signer.NoChanges, "segel-certified-p1-then-pdfsig.pdf", "tampered", "TOTAL_FAILED", "Segel certifies with DocMDP P=1 (no changes), then pdfsig signs a prepared field: P=1 allows only DSS and document timestamps, so the certification is violated"},
	} {
		cert, err := g.segelCertify(letter, "Segel", c.p)
		if err != nil {
			return err
		}
		out, err := g.pdfsig(cert, "Budi Santoso TEST", "", "Poppler1", false)
		if err != nil {
			return err
		}
		g.add(c.file, out, "Segel (certifying) + poppler pdfsig -sign", c.class, c.expected, c.why)
	}
	g.add("segel-then-pdfsig.pdf", sp, "Segel + poppler pdfsig", "genuine", "TOTAL_PASSED", "Segel's signature, then pdfsig's in a new field")
	ps, err := g.segel(adbe, "Segel")
	if err != nil {
		return err
	}
	g.add("pdfsig-then-segel.pdf", ps, "poppler pdfsig + Segel", "genuine", "TOTAL_PASSED", "pdfsig's signature, then Segel's in a new field")
	ff, err := g.pdfsig(form, "Budi Santoso TEST", "", "Signature1", false)
	if err != nil {
		return err
	}
	g.add("pdfsig-form-field.pdf", ff, "poppler pdfsig -sign (existing field)", "genuine", "TOTAL_PASSED", "pdfsig signs the empty field Signature1 of a two-page form")
	// pdfsig 22.12 refuses -etsi with -add-signature and ignores it with
	// -sign (it writes adbe.pkcs7.detached): no ETSI.CAdES.detached file.
	return nil
}

// ---- LibreOffice ----

// fodt is a small flat ODF text document: a heading and two paragraphs.
const fodt = `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"
 office:mimetype="application/vnd.oasis.opendocument.text">
 <office:body><office:text>
  <text:h text:outline-level="1">Surat Undangan (TEST)</text:h>
  <text:p>Dengan hormat, kami mengundang Bapak/Ibu untuk menghadiri rapat koordinasi.</text:p>
  <text:p>Dokumen ini dibuat untuk pengujian kesesuaian Segel.</text:p>
 </office:text></office:body>
</office:document>
`

// taggedPDF exports the document as a tagged PDF with LibreOffice.
func (g *gen) taggedPDF() ([]byte, error) {
	src := filepath.Join(g.tmp, "letter.fodt")
	if err := os.WriteFile(src, []byte(fodt), 0o600); err != nil {
		return nil, err
	}
	opts := `pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}`
	if _, err := g.cmd("soffice", "--headless", "--norestore", "-env:UserInstallation=file://"+g.tmp+"/lo", "--convert-to", opts, "--outdir", g.tmp, src); err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(g.tmp, "letter.pdf"))
}

func (g *gen) libreoffice(_, _ []byte) error {
	if !have("soffice") {
		log.Print("soffice missing: LibreOffice files left out")
		return nil
	}
	tagged, err := g.taggedPDF()
	if err != nil {
		return err
	}
	g.add("lo-tagged.pdf", tagged, "LibreOffice 7.4 (UseTaggedPDF)", "unsigned", "NO_SIGNATURE", "the tagged base file, unsigned: no signature to validate")
	if tagged, err = withFields(tagged, "Poppler1", "Poppler2"); err != nil {
		return err
	}
	p1, err := g.pdfsig(tagged, "Budi Santoso TEST", "", "Poppler1", false)
	if err != nil {
		return err
	}
	g.add("lo-tagged-pdfsig.pdf", p1, "LibreOffice tagged + poppler pdfsig", "genuine", "TOTAL_PASSED", "tagged PDF signed once by pdfsig")
	p2, err := g.pdfsig(p1, "Rina Wulandari TEST", "", "Poppler2", false)
	if err != nil {
		return err
	}
	g.add("lo-tagged-pdfsig-twice.pdf", p2, "LibreOffice tagged + poppler pdfsig x2", "genuine", "TOTAL_PASSED", "tagged PDF signed twice by pdfsig: the second field joins the form and the page /Annots")
	s1, err := g.segel(tagged, "Segel1")
	if err != nil {
		return err
	}
	s2, err := g.segel(s1, "Segel2")
	if err != nil {
		return err
	}
	g.add("lo-tagged-segel-twice.pdf", s2, "LibreOffice tagged + Segel x2", "genuine", "TOTAL_PASSED", "tagged PDF signed twice by Segel (StructTreeRoot/ParentTree untouched or updated for the widget)")
	sp, err := g.pdfsig(s1, "Budi Santoso TEST", "", "Poppler1", false)
	if err != nil {
		return err
	}
	g.add("lo-tagged-segel-then-pdfsig.pdf", sp, "LibreOffice tagged + Segel + poppler pdfsig", "genuine", "TOTAL_PASSED", "tagged PDF signed by Segel, then by pdfsig")
	if !g.loSign {
		return nil
	}
	signed, err := g.loSignPDF(filepath.Join(g.tmp, "letter.fodt"), "Budi Santoso TEST")
	if err != nil {
		log.Printf("LibreOffice signing left out: %v", err)
		return nil
	}
	g.add("lo-signed.pdf", signed, "LibreOffice 7.4 (xmlsecurity, NSS)", "genuine", "TOTAL_PASSED", "LibreOffice exports the letter and signs the PDF as Draw's Digital Signatures does: ETSI.CAdES.detached in a new field")
	twice, err := g.loSignPDF(filepath.Join(g.out, "lo-signed.pdf"), "Rina Wulandari TEST")
	if err != nil {
		return err
	}
	g.add("lo-signed-twice.pdf", twice, "LibreOffice 7.4 (xmlsecurity, NSS) x2", "genuine", "TOTAL_PASSED", "LibreOffice signs its signed PDF again: a second field in an incremental update")
	ls, err := g.segel(signed, "Segel")
	if err != nil {
		return err
	}
	g.add("lo-signed-then-segel.pdf", ls, "LibreOffice 7.4 + Segel", "genuine", "TOTAL_PASSED", "LibreOffice's signature, then Segel's in a new field")
	sl, err := g.loSignPDF(filepath.Join(g.out, "lo-tagged-segel-twice.pdf"), "Budi Santoso TEST")
	if err != nil {
		return err
	}
	g.add("lo-tagged-segel-twice-then-lo.pdf", sl, "LibreOffice tagged + Segel x2 + LibreOffice", "genuine", "TOTAL_PASSED", "two Segel signatures on a tagged PDF, then LibreOffice signs it")
	return nil
}

// loSign asks LibreOffice to sign its own PDF export through UNO: the
// certificate is an XCertificate from the NSS database, which the JSON
// filter options of --convert-to cannot carry. The script is
// losign.py beside this file.
func (g *gen) loSignPDF(src, cn string) ([]byte, error) {
	script := filepath.Join(g.repo, "verify/testdata/conformance/gen/losign.py")
	if _, err := os.Stat(script); err != nil {
		return nil, err
	}
	dst := filepath.Join(g.tmp, "lo-signed.pdf")
	nssDir := strings.TrimPrefix(g.db, "sql:")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	os.Remove(dst)
	c := exec.CommandContext(ctx, "/usr/bin/python3", script, src, dst, nssDir, cn, g.tmp)
	c.Env = append(os.Environ(), "HOME="+g.tmp, "MOZILLA_CERTIFICATE_FOLDER=sql:"+nssDir)
	if out, err := c.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("losign.py: %w\n%s", err, out)
	}
	return os.ReadFile(dst)
}

// qpdfInputs signs letters that qpdf rewrote before signing: object
// streams with a cross-reference stream, and linearized.
func (g *gen) qpdfInputs(letter, _ []byte) error {
	for _, c := range []struct{ name, arg, what string }{
		{"objstm", "--object-streams=generate", "object streams and a cross-reference stream"},
		{"linearized", "--linearize", "a linearized file"},
	} {
		in, err := g.qpdf(letter, c.arg)
		if err != nil {
			return err
		}
		one, err := g.pdfsig(in, "Budi Santoso TEST", "", "Poppler1", false)
		if err != nil {
			return err
		}
		g.add("qpdf-"+c.name+"-then-pdfsig.pdf", one, "qpdf "+c.arg+" (before signing) + poppler pdfsig", "genuine", "TOTAL_PASSED", "pdfsig signs "+c.what+" that qpdf wrote: its update must extend the source's xref kind")
		two, err := g.segel(one, "Segel")
		if err != nil {
			return err
		}
		g.add("qpdf-"+c.name+"-pdfsig-then-segel.pdf", two, "qpdf "+c.arg+" + poppler pdfsig + Segel", "genuine", "TOTAL_PASSED", "then Segel signs in a new field")
	}
	return nil
}

// mixed: pdfsig and pdfsign one after the other.
func (g *gen) mixed(letter, _ []byte) error {
	one, err := g.pdfsig(letter, "Budi Santoso TEST", "", "Poppler1", false)
	if err != nil {
		return err
	}
	two, err := g.pdfsignSign(one)
	if err != nil {
		return err
	}
	g.add("pdfsig-then-pdfsign.pdf", two, "poppler pdfsig + digitorus/pdfsign", "genuine", "TOTAL_PASSED", "pdfsig signs a prepared field, then pdfsign adds its own field")
	first, err := g.pdfsignSign(letter)
	if err != nil {
		return err
	}
	three, err := g.pdfsig(first, "Rina Wulandari TEST", "", "Poppler1", false)
	if err != nil {
		return err
	}
	g.add("pdfsign-then-pdfsig.pdf", three, "digitorus/pdfsign + poppler pdfsig", "genuine", "TOTAL_PASSED", "pdfsign signs, then pdfsig signs the prepared empty field Poppler1")
	return nil
}

// ---- rewrites by qpdf and pdftk ----

func (g *gen) qpdf(in []byte, args ...string) ([]byte, error) {
	src, dst := filepath.Join(g.tmp, "q-in.pdf"), filepath.Join(g.tmp, "q-out.pdf")
	os.Remove(dst)
	if err := os.WriteFile(src, in, 0o600); err != nil {
		return nil, err
	}
	_, err := g.cmd("qpdf", append(args, src, dst)...)
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 { // warnings: repaired
		err = nil
	}
	if err != nil {
		return nil, err
	}
	return os.ReadFile(dst)
}

func (g *gen) rewrites(letter, _ []byte) error {
	signed, err := g.pdfsig(letter, "Budi Santoso TEST", "", "Poppler1", false)
	if err != nil {
		return err
	}
	ostm, err := g.qpdf(signed, "--object-streams=generate")
	if err != nil {
		return err
	}
	g.add("qpdf-objstm.pdf", ostm, "pdfsig + qpdf --object-streams=generate", "tampered", "TOTAL_FAILED", "qpdf rewrites the whole file: the signed bytes move, the digest over /ByteRange no longer matches (qpdf cannot write an incremental update)")
	lin, err := g.qpdf(signed, "--linearize")
	if err != nil {
		return err
	}
	g.add("qpdf-linearized.pdf", lin, "pdfsig + qpdf --linearize", "tampered", "TOTAL_FAILED", "full linearized rewrite: covered bytes changed")
	// Damage the xref of the signed file: covered bytes change.
	damaged := append([]byte{}, signed...)
	i := bytes.LastIndex(damaged, []byte("\nxref"))
	if i < 0 {
		return fmt.Errorf("no classic xref in the pdfsig output")
	}
	copy(damaged[i+1:], "XREF")
	g.add("damaged-xref.pdf", damaged, "pdfsig + xref keyword damaged in place", "damaged", "TOTAL_FAILED", "a byte inside the signed range changed (the final xref keyword): digest mismatch")
	rep, err := g.qpdf(damaged)
	if err != nil {
		return err
	}
	g.add("qpdf-repaired.pdf", rep, "pdfsig + damaged xref + qpdf repair", "tampered", "TOTAL_FAILED", "qpdf reconstructs the xref and writes a new file: covered bytes changed")
	// A broken update after the signed bytes: a viewer repairs the file and
	// shows the new content.
	r, err := pdf.Open(bytes.NewReader(signed), int64(len(signed)), nil)
	if err != nil {
		return err
	}
	pages, err := r.Pages()
	if err != nil {
		return err
	}
	page, err := r.GetDict(pages[0])
	if err != nil {
		return err
	}
	cref, ok := page.Get("Contents").(pdf.Ref)
	if !ok {
		return fmt.Errorf("page /Contents is not a reference")
	}
	content := "BT /F1 36 Tf 72 400 Td (DIBATALKAN) Tj ET"
	trunc := fmt.Sprintf("%s\n%d %d obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\nxref\n0 1\n0000000000 65535 f \n%d 1\n00000", signed, cref.Num, cref.Gen, len(content), content, cref.Num)
	g.add("truncated-update.pdf", []byte(trunc), "pdfsig + appended update with truncated xref", "damaged", "TOTAL_FAILED", "after the signed bytes, a redefinition of the page content whose xref is cut off: a repairing viewer shows the new content; the signature no longer covers what is shown")
	return nil
}

// ---- forms ----

func (g *gen) forms(_, form []byte) error {
	signed, err := g.pdfsig(form, "Budi Santoso TEST", "", "Signature1", false)
	if err != nil {
		return err
	}
	// An incremental fill of the text field "perihal": /V and a new /AP.
	filled, err := update(signed, func(r *pdf.Reader, u *pdf.Update) error {
		ref, d, err := r.FieldByName("perihal")
		if err != nil {
			return err
		}
		d = d.Clone()
		d.Set("V", pdf.String{Bytes: []byte("Undangan Rapat")})
		ap := u.Alloc()
		apd := pdf.NewDict()
		apd.Set("Type", pdf.Name("XObject"))
		apd.Set("Subtype", pdf.Name("Form"))
		apd.Set("BBox", pdf.Array{int64(0), int64(0), int64(200), int64(20)})
		u.SetStream(ap, apd, []byte("/Tx BMC BT /Helv 10 Tf 2 6 Td (Undangan Rapat) Tj ET EMC"))
		n := pdf.NewDict()
		n.Set("N", ap)
		d.Set("AP", n)
		u.Set(ref, d)
		return nil
	})
	if err != nil {
		return err
	}
	g.add("form-fill-incremental.pdf", filled, "pdfsig -sign + incremental form fill (hand-made update)", "genuine", "TOTAL_PASSED", "a text field's /V and its regenerated /AP set in an update after an approval signature without DocMDP: form filling is allowed (pyHanko: FORM_FILLING)")
	if !have("pdftk") {
		log.Print("pdftk missing: pdftk file left out")
		return nil
	}
	fdf := filepath.Join(g.tmp, "fill.fdf")
	if err := os.WriteFile(fdf, []byte("%FDF-1.2\n1 0 obj\n<< /FDF << /Fields [ << /T (perihal) /V (Undangan Rapat) >> ] >> >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"), 0o600); err != nil {
		return err
	}
	src, dst := filepath.Join(g.tmp, "tk-in.pdf"), filepath.Join(g.tmp, "tk-out.pdf")
	if err := os.WriteFile(src, signed, 0o600); err != nil {
		return err
	}
	if _, err := g.cmd("pdftk", src, "fill_form", fdf, "output", dst); err != nil {
		return err
	}
	tk, err := os.ReadFile(dst)
	if err != nil {
		return err
	}
	g.add("pdftk-fill.pdf", tk, "pdfsig -sign + pdftk-java 3.3 fill_form", "tampered", "TOTAL_FAILED", "pdftk rewrites the whole file to fill the form: the signed bytes moved, digest mismatch")
	return nil
}

// update appends an incremental update made by edit.
func update(src []byte, edit func(r *pdf.Reader, u *pdf.Update) error) ([]byte, error) {
	r, err := pdf.Open(bytes.NewReader(src), int64(len(src)), nil)
	if err != nil {
		return nil, err
	}
	u := pdf.NewUpdate(r)
	if err := edit(r, u); err != nil {
		return nil, err
	}
	res, err := u.Bytes()
	if err != nil {
		return nil, err
	}
	return append(append([]byte{}, src...), res.Data...), nil
}

// firstPage returns the first page's reference and dictionary.
func firstPage(r *pdf.Reader) (pdf.Ref, pdf.Dict, error) {
	pages, err := r.Pages()
	if err != nil {
		return pdf.Ref{}, pdf.Dict{}, err
	}
	if len(pages) == 0 {
		return pdf.Ref{}, pdf.Dict{}, fmt.Errorf("no page")
	}
	d, err := r.GetDict(pages[0])
	return pages[0], d, err
}

// ---- attacks ----

func (g *gen) attacks(letter, _ []byte) error {
	signed, err := g.pdfsig(letter, "Budi Santoso TEST", "", "Poppler1", false)
	if err != nil {
		return err
	}
	r, err := pdf.Open(bytes.NewReader(signed), int64(len(signed)), nil)
	if err != nil {
		return err
	}
	pageRef, page, err := firstPage(r)
	if err != nil {
		return err
	}
	content, ok := page.Get("Contents").(pdf.Ref)
	if !ok {
		return fmt.Errorf("page /Contents is not a reference")
	}
	const evil = "BT /F1 36 Tf 72 400 Td (DIBATALKAN) Tj ET"

	// ISA: the page content redefined in an update.
	isa, err := update(signed, func(r *pdf.Reader, u *pdf.Update) error {
		u.SetStream(content, pdf.NewDict(), []byte(evil))
		return nil
	})
	if err != nil {
		return err
	}
	g.add("attack-isa-content.pdf", isa, "pdfsig + ISA (incremental saving attack)", "tampered", "TOTAL_FAILED", "an update after the signature redefines the page content stream: what the page shows changed")
	// ISA: a new page tree.
	isa2, err := update(signed, func(r *pdf.Reader, u *pdf.Update) error {
		cat, err := r.Catalog()
		if err != nil {
			return err
		}
		np, nc, pages := u.Alloc(), u.Alloc(), u.Alloc()
		u.SetStream(nc, pdf.NewDict(), []byte(evil))
		pg := page.Clone()
		pg.Set("Contents", nc)
		pg.Set("Parent", pages)
		u.Set(np, pg)
		pt := pdf.NewDict()
		pt.Set("Type", pdf.Name("Pages"))
		pt.Set("Kids", pdf.Array{np})
		pt.Set("Count", int64(1))
		u.Set(pages, pt)
		cat = cat.Clone()
		cat.Set("Pages", pages)
		u.Set(r.CatalogRef(), cat)
		return nil
	})
	if err != nil {
		return err
	}
	g.add("attack-isa-pagetree.pdf", isa2, "pdfsig + ISA (new page tree)", "tampered", "TOTAL_FAILED", "an update replaces the catalog's /Pages by a new tree showing other content")

	// USF: the signature dictionary redefined with no usable value.
	sigRef, sigDict, err := sigOf(r)
	if err != nil {
		return err
	}
	usf := func(file, why string, edit func(d pdf.Dict)) error {
		out, err := update(signed, func(r *pdf.Reader, u *pdf.Update) error {
			d := sigDict.Clone()
			edit(d)
			u.Set(sigRef, d)
			return nil
		})
		if err != nil {
			return err
		}
		g.add(file, out, "pdfsig + USF (universal signature forgery)", "tampered", "TOTAL_FAILED", why)
		return nil
	}
	if err := usf("attack-usf-contents-empty.pdf", "signature dictionary redefined with /Contents <>: no CMS to verify", func(d pdf.Dict) { d.Set("Contents", pdf.String{Hex: true}) }); err != nil {
		return err
	}
	if err := usf("attack-usf-contents-missing.pdf", "signature dictionary redefined without /Contents", func(d pdf.Dict) { d.Delete("Contents") }); err != nil {
		return err
	}
	if err := usf("attack-usf-byterange-zero.pdf", "signature dictionary redefined with /ByteRange [0 0 0 0]: covers nothing", func(d pdf.Dict) {
		d.Set("ByteRange", pdf.Array{int64(0), int64(0), int64(0), int64(0)})
	}); err != nil {
		return err
	}
	// USF on an unsigned letter: a signature field whose value was never signed.
	forged, err := update(letter, func(r *pdf.Reader, u *pdf.Update) error {
		pref, pg, err := firstPage(r)
		if err != nil {
			return err
		}
		cat, err := r.Catalog()
		if err != nil {
			return err
		}
		sig, field := u.Alloc(), u.Alloc()
		sd := pdf.NewDict()
		sd.Set("Type", pdf.Name("Sig"))
		sd.Set("Filter", pdf.Name("Adobe.PPKLite"))
		sd.Set("SubFilter", pdf.Name("adbe.pkcs7.detached"))
		sd.Set("ByteRange", pdf.Array{int64(0), int64(0), int64(0), int64(0)})
		sd.Set("Contents", pdf.String{Hex: true})
		sd.Set("Name", pdf.String{Bytes: []byte("Budi Santoso TEST")})
		u.Set(sig, sd)
		f := pdf.NewDict()
		f.Set("FT", pdf.Name("Sig"))
		f.Set("T", pdf.String{Bytes: []byte("Forged")})
		f.Set("V", sig)
		f.Set("Type", pdf.Name("Annot"))
		f.Set("Subtype", pdf.Name("Widget"))
		f.Set("Rect", pdf.Array{int64(0), int64(0), int64(0), int64(0)})
		f.Set("F", int64(132))
		f.Set("P", pref)
		u.Set(field, f)
		pg = pg.Clone()
		pg.Set("Annots", pdf.Array{field})
		u.Set(pref, pg)
		af := pdf.NewDict()
		af.Set("Fields", pdf.Array{field})
		af.Set("SigFlags", int64(3))
		cat = cat.Clone()
		cat.Set("AcroForm", af)
		u.Set(r.CatalogRef(), cat)
		return nil
	})
	if err != nil {
		return err
	}
	g.add("attack-usf-unsigned.pdf", forged, "USF on an unsigned letter (hand-made)", "tampered", "TOTAL_FAILED", "a signature field whose value has /ByteRange [0 0 0 0] and empty /Contents: nothing was ever signed")

	// SWA: the second signed range moved to the end, new objects and a
	// new xref before it, /ByteRange rewritten to the new offsets.
	swa, err := g.swa(signed, content, evil)
	if err != nil {
		return err
	}
	g.add("attack-swa-moved-byterange.pdf", swa, "pdfsig + SWA (signature wrapping)", "tampered", "TOTAL_FAILED", "second signed part moved to the end of the file, a redefined page content and a second xref inserted before it, /ByteRange rewritten: the signed bytes are no longer those the ranges name")
	_ = pageRef
	if err := g.annotAttacks(letter); err != nil {
		return err
	}
	return g.shadows(letter)
}

// annotAttacks: a certified letter (P=2) overlaid with an annotation, and
// a pdfsig signature whose own appearance is redrawn afterwards.
func (g *gen) annotAttacks(letter []byte) error {
	cert, err := g.segelCertify(letter, "Segel", signer.FormFilling)
	if err != nil {
		return err
	}
	overlay, err := update(cert, func(r *pdf.Reader, u *pdf.Update) error {
		pref, pg, err := firstPage(r)
		if err != nil {
			return err
		}
		ap, annot := u.Alloc(), u.Alloc()
		apd := pdf.NewDict()
		apd.Set("Type", pdf.Name("XObject"))
		apd.Set("Subtype", pdf.Name("Form"))
		apd.Set("BBox", pdf.Array{int64(0), int64(0), int64(400), int64(60)})
		u.SetStream(ap, apd, []byte("q 1 1 1 rg 0 0 400 60 re f Q BT /Helv 36 Tf 0 0 0 rg 10 15 Td (DIBATALKAN) Tj ET"))
		a := pdf.NewDict()
		a.Set("Type", pdf.Name("Annot"))
		a.Set("Subtype", pdf.Name("FreeText"))
		a.Set("Rect", pdf.Array{int64(60), int64(600), int64(460), int64(660)})
		a.Set("Contents", pdf.String{Bytes: []byte("DIBATALKAN")})
		a.Set("DA", pdf.String{Bytes: []byte("/Helv 36 Tf 0 g")})
		a.Set("P", pref)
		n := pdf.NewDict()
		n.Set("N", ap)
		a.Set("AP", n)
		u.Set(annot, a)
		annots, _ := r.GetArray(pg.Get("Annots"))
		pg = pg.Clone()
		pg.Set("Annots", append(append(pdf.Array{}, annots...), annot))
		u.Set(pref, pg)
		return nil
	})
	if err != nil {
		return err
	}
	g.add("attack-certified-p2-overlay.pdf", overlay, "Segel (certifying P=2) + FreeText overlay (hand-made update)", "tampered", "TOTAL_FAILED", "an annotation drawn over the letter's text after a DocMDP P=2 certification, which allows form filling and signing only")
	signed, err := g.pdfsig(letter, "Budi Santoso TEST", "", "Poppler1", false)
	if err != nil {
		return err
	}
	r, err := pdf.Open(bytes.NewReader(signed), int64(len(signed)), nil)
	if err != nil {
		return err
	}
	fref, fd, err := r.FieldByName("Poppler1")
	if err != nil {
		return err
	}
	apRef, ok := dictGet(r, fd.Get("AP"), "N").(pdf.Ref)
	if !ok {
		return fmt.Errorf("pdfsig's widget has no indirect /AP /N")
	}
	redrawn, err := update(signed, func(r *pdf.Reader, u *pdf.Update) error {
		d := pdf.NewDict()
		d.Set("Type", pdf.Name("XObject"))
		d.Set("Subtype", pdf.Name("Form"))
		d.Set("BBox", pdf.Array{int64(0), int64(0), int64(400), int64(60)})
		u.SetStream(apRef, d, []byte("BT /Helv 24 Tf 10 20 Td (Ditolak - tidak sah) Tj ET"))
		w := fd.Clone()
		w.Set("Rect", pdf.Array{int64(60), int64(600), int64(460), int64(660)})
		u.Set(fref, w)
		return nil
	})
	if err != nil {
		return err
	}
	g.add("attack-sig-appearance.pdf", redrawn, "pdfsig + signed widget redrawn (hand-made update)", "tampered", "TOTAL_FAILED", "after signing, the signature's own widget is moved onto the page and its appearance stream overwritten in place with other text")
	return nil
}

// dictGet returns key of the dictionary o resolves to, or nil.
func dictGet(r *pdf.Reader, o pdf.Object, key pdf.Name) pdf.Object {
	d, err := r.GetDict(o)
	if err != nil {
		return nil
	}
	return d.Get(key)
}

// sigOf returns the first signature dictionary of r.
func sigOf(r *pdf.Reader) (pdf.Ref, pdf.Dict, error) {
	cat, err := r.Catalog()
	if err != nil {
		return pdf.Ref{}, pdf.Dict{}, err
	}
	af, err := r.GetDict(cat.Get("AcroForm"))
	if err != nil {
		return pdf.Ref{}, pdf.Dict{}, err
	}
	fields, err := r.GetArray(af.Get("Fields"))
	if err != nil {
		return pdf.Ref{}, pdf.Dict{}, err
	}
	for _, f := range fields {
		fd, err := r.GetDict(f)
		if err != nil {
			continue
		}
		if ref, ok := fd.Get("V").(pdf.Ref); ok {
			d, err := r.GetDict(ref)
			if err == nil {
				return ref, d, nil
			}
		}
	}
	return pdf.Ref{}, pdf.Dict{}, fmt.Errorf("no signature dictionary")
}

// swa builds a signature wrapping file from signed.
func (g *gen) swa(signed []byte, content pdf.Ref, evil string) ([]byte, error) {
	br, a, b, err := byteRange(signed)
	if err != nil {
		return nil, err
	}
	obj := fmt.Sprintf("\n%d %d obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", content.Num, content.Gen, len(evil), evil)
	r, err := pdf.Open(bytes.NewReader(signed), int64(len(signed)), nil)
	if err != nil {
		return nil, err
	}
	xrefAt := b + int64(len(obj))
	tr := r.Trailer()
	x := fmt.Sprintf("xref\n0 1\n0000000000 65535 f \n%d 1\n%010d %05d n \ntrailer\n<< /Size %d /Root %d %d R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n",
		content.Num, b+1, content.Gen, r.Size(), r.CatalogRef().Num, r.CatalogRef().Gen, r.StartXref(), xrefAt)
	_ = tr
	ins := obj + x
	c := int64(len(signed)) - b
	nb := fmt.Sprintf("[0 %d %d %d]", a, b+int64(len(ins)), c)
	if len(nb) > len(br.text) {
		return nil, fmt.Errorf("new /ByteRange %s longer than %s", nb, br.text)
	}
	nb += strings.Repeat(" ", len(br.text)-len(nb))
	var out []byte
	if br.at < int(a) { // /ByteRange before /Contents: in the first range
		out = append(out, signed[:br.at]...)
		out = append(out, nb...)
		out = append(out, signed[br.at+len(br.text):b]...)
		out = append(out, ins...)
		out = append(out, signed[b:]...)
	} else { // after /Contents: in the moved second range
		out = append(out, signed[:b]...)
		out = append(out, ins...)
		out = append(out, signed[b:br.at]...)
		out = append(out, nb...)
		out = append(out, signed[br.at+len(br.text):]...)
	}
	return out, nil
}

type brText struct {
	at   int
	text string
}

// byteRange finds the last /ByteRange array of data and its gap [a, b).
func byteRange(data []byte) (brText, int64, int64, error) {
	i := bytes.LastIndex(data, []byte("/ByteRange"))
	if i < 0 {
		return brText{}, 0, 0, fmt.Errorf("no /ByteRange")
	}
	s := i + len("/ByteRange")
	for s < len(data) && data[s] == ' ' {
		s++
	}
	e := bytes.IndexByte(data[s:], ']')
	if data[s] != '[' || e < 0 {
		return brText{}, 0, 0, fmt.Errorf("no /ByteRange array")
	}
	text := string(data[s : s+e+1])
	var v [4]int64
	if _, err := fmt.Sscanf(strings.Trim(text, "[] "), "%d %d %d %d", &v[0], &v[1], &v[2], &v[3]); err != nil {
		return brText{}, 0, 0, fmt.Errorf("/ByteRange %q: %w", text, err)
	}
	return brText{at: s, text: text}, v[1], v[2], nil
}

// shadows builds the shadow attacks: a document prepared before signing
// with content that a later, harmless-looking update brings out.
func (g *gen) shadows(letter []byte) error {
	var hidden, cover, alt, font pdf.Ref
	prepared, err := update(letter, func(r *pdf.Reader, u *pdf.Update) error {
		pref, pg, err := firstPage(r)
		if err != nil {
			return err
		}
		orig := pg.Get("Contents")
		hidden, cover, alt, font = u.Alloc(), u.Alloc(), u.Alloc(), u.Alloc()
		u.SetStream(hidden, pdf.NewDict(), []byte("BT /Helvetica 36 Tf 72 400 Td (DIBATALKAN) Tj ET"))
		u.SetStream(cover, pdf.NewDict(), []byte("q 1 1 1 rg 60 380 420 60 re f Q"))
		u.SetStream(alt, pdf.NewDict(), []byte("BT /F1 24 Tf 72 700 Td (Surat ini DIBATALKAN) Tj ET"))
		f := pdf.NewDict()
		f.Set("Type", pdf.Name("Font"))
		f.Set("Subtype", pdf.Name("Type1"))
		f.Set("BaseFont", pdf.Name("Symbol"))
		u.Set(font, f)
		pg = pg.Clone()
		pg.Set("Contents", pdf.Array{orig, hidden, cover})
		u.Set(pref, pg)
		return nil
	})
	if err != nil {
		return err
	}
	signed, err := g.pdfsig(prepared, "Budi Santoso TEST", "", "Poppler1", false)
	if err != nil {
		return err
	}
	g.add("shadow-prepared.pdf", signed, "prepared letter + poppler pdfsig", "genuine", "TOTAL_PASSED", "the shadow attacks' signed base: hidden text under a white cover and unused objects, as signed; nothing after the signature")
	r, err := pdf.Open(bytes.NewReader(signed), int64(len(signed)), nil)
	if err != nil {
		return err
	}
	pref, pg, err := firstPage(r)
	if err != nil {
		return err
	}
	contents, err := r.GetArray(pg.Get("Contents"))
	if err != nil || len(contents) != 3 {
		return fmt.Errorf("prepared /Contents %v: %v", pg.Get("Contents"), err)
	}
	setPage := func(edit func(pg pdf.Dict)) ([]byte, error) {
		return update(signed, func(r *pdf.Reader, u *pdf.Update) error {
			p := pg.Clone()
			edit(p)
			u.Set(pref, p)
			return nil
		})
	}
	hide, err := setPage(func(p pdf.Dict) { p.Set("Contents", pdf.Array{contents[0], contents[1]}) })
	if err != nil {
		return err
	}
	g.add("attack-shadow-hide.pdf", hide, "prepared + pdfsig + shadow hide", "tampered", "TOTAL_FAILED", "the update drops the white cover from the page /Contents, revealing the text it hid; no new content object")
	hr, err := setPage(func(p pdf.Dict) { p.Set("Contents", alt) })
	if err != nil {
		return err
	}
	g.add("attack-shadow-hide-and-replace.pdf", hr, "prepared + pdfsig + shadow hide-and-replace", "tampered", "TOTAL_FAILED", "the update points the page /Contents at an alternative content stream that was in the signed file but unused")
	rep, err := update(signed, func(r *pdf.Reader, u *pdf.Update) error {
		res, err := r.GetDict(pg.Get("Resources"))
		if err != nil {
			return err
		}
		fontObj := res.Get("Font")
		fd, err := r.GetDict(fontObj)
		if err != nil {
			return err
		}
		fd = fd.Clone()
		for _, k := range fd.Keys() {
			fd.Set(k, font)
		}
		if ref, ok := fontObj.(pdf.Ref); ok {
			u.Set(ref, fd)
			return nil
		}
		res = res.Clone()
		res.Set("Font", fd)
		if ref, ok := pg.Get("Resources").(pdf.Ref); ok {
			u.Set(ref, res)
			return nil
		}
		p := pg.Clone()
		p.Set("Resources", res)
		u.Set(pref, p)
		return nil
	})
	if err != nil {
		return err
	}
	g.add("attack-shadow-replace.pdf", rep, "prepared + pdfsig + shadow replace", "tampered", "TOTAL_FAILED", "the update swaps the page's font resources for a font that was in the signed file but unused: the same text shows other glyphs")
	return nil
}
