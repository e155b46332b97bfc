package signer_test

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/oids"
	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// letter returns the committed Ghostscript letter.
func letter(t testing.TB) []byte {
	t.Helper()
	return testcorpus.Base(t)["gs-letter"]
}

// sigDict returns the signature dictionary (the /V) of the named field.
func sigDict(t testing.TB, data []byte, field string) (*pdf.Reader, pdf.Dict) {
	t.Helper()
	r, err := pdf.Open(bytes.NewReader(data), int64(len(data)), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, f, err := r.FieldByName(field)
	if err != nil {
		t.Fatalf("field %q: %v", field, err)
	}
	d, err := r.GetDict(f.Get("V"))
	if err != nil {
		t.Fatalf("field %q: /V: %v", field, err)
	}
	return r, d
}

// parseCMS parses the signature of a Result and returns its only
// SignerInfo.
func parseCMS(t testing.TB, der []byte) (*cms.SignedData, *cms.SignerInfo) {
	t.Helper()
	sd, err := cms.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.SignerInfos) != 1 {
		t.Fatalf("%d SignerInfos, want 1", len(sd.SignerInfos))
	}
	return sd, sd.SignerInfos[0]
}

// checkBaselineAttributes checks the signed attributes of a PAdES
// baseline signature: contentType id-data, messageDigest of the byte
// ranges, signingCertificateV2 naming the signer, and no signingTime.
func checkBaselineAttributes(t testing.TB, out []byte, br [4]int64, si *cms.SignerInfo, id *testpki.Identity, h crypto.Hash) {
	t.Helper()
	oid, err := cms.OIDForHash(h)
	if err != nil {
		t.Fatal(err)
	}
	if !si.DigestAlgorithm.Algorithm.Equal(oid) {
		t.Errorf("digest algorithm %v, want %v (%v)", si.DigestAlgorithm.Algorithm, oid, h)
	}
	ct, err := si.ContentType()
	if err != nil || !ct.Equal(oids.Data) {
		t.Errorf("contentType = %v, %v; want id-data", ct, err)
	}
	md, err := si.MessageDigest()
	hh := h.New()
	hh.Write(signedContent(out, br))
	if err != nil || !bytes.Equal(md, hh.Sum(nil)) {
		t.Errorf("messageDigest = %x, %v; want %x", md, err, hh.Sum(nil))
	}
	sc, err := si.SigningCertificateV2()
	if err != nil {
		t.Errorf("signingCertificateV2: %v", err)
	} else if len(sc.Certs) == 0 || !sc.Certs[0].Matches(id.Cert) {
		t.Errorf("signingCertificateV2 does not identify the signer's certificate")
	}
	if _, ok := si.SigningTime(); ok {
		t.Errorf("the CMS carries a signingTime attribute (forbidden by PAdES)")
	}
	if _, ok := si.SignedAttribute(oids.SigningTime); ok {
		t.Errorf("the CMS carries a signingTime attribute (forbidden by PAdES)")
	}
	if len(si.UnsignedAttrs) != 0 {
		t.Errorf("B-B signature has %d unsigned attributes", len(si.UnsignedAttrs))
	}
}

// TestSignAlgorithms signs with each supported key type, digest and RSA
// padding and checks the CMS algorithms and the external validators.
func TestSignAlgorithms(t *testing.T) {
	t.Parallel()
	rsaPSS := oids.RSAPSS
	cases := []struct {
		name string
		key  testpki.KeyType
		hash crypto.Hash
		pss  bool
	}{
		{"rsa2048-sha256", testpki.RSA2048, 0, false},
		{"rsa2048-sha384", testpki.RSA2048, crypto.SHA384, false},
		{"rsa2048-sha512", testpki.RSA2048, crypto.SHA512, false},
		{"rsa2048-pss-sha256", testpki.RSA2048, crypto.SHA256, true},
		{"rsa2048-pss-sha512", testpki.RSA2048, crypto.SHA512, true},
		{"rsa3072-sha256", testpki.RSA3072, crypto.SHA256, false},
		{"rsa3072-pss-sha384", testpki.RSA3072, crypto.SHA384, true},
		{"ecdsa-p256-sha256", testpki.ECDSAP256, 0, false},
		{"ecdsa-p256-sha384", testpki.ECDSAP256, crypto.SHA384, false},
		{"ecdsa-p256-sha512", testpki.ECDSAP256, crypto.SHA512, false},
		{"ecdsa-p384-sha384", testpki.ECDSAP384, crypto.SHA384, false},
		{"ecdsa-p384-sha512", testpki.ECDSAP384, crypto.SHA512, false},
	}
	src := letter(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id := identity(t, tc.key)
			opts := optionsFor(id)
			opts.Hash = tc.hash
			opts.PSS = tc.pss
			out, res := signBytes(t, src, opts)
			checkExternal(t, out, res, allSegel(1))
			h := tc.hash
			if h == 0 {
				h = crypto.SHA256
			}
			sd, si := parseCMS(t, res.Signature)
			checkBaselineAttributes(t, out, res.ByteRange, si, id, h)
			if err := sd.VerifyDetached(si, id.Cert, digest(h, signedContent(out, res.ByteRange))); err != nil {
				t.Errorf("VerifyDetached: %v", err)
			}
			if got, want := len(sd.Certificates), 1+len(id.Chain); got != want {
				t.Errorf("%d certificates embedded, want %d (signer and chain)", got, want)
			}
			isPSS := si.SignatureAlgorithm.Algorithm.Equal(rsaPSS)
			if isPSS != tc.pss {
				t.Errorf("signature algorithm %v, PSS requested: %v", si.SignatureAlgorithm.Algorithm, tc.pss)
			}
			if tc.pss {
				p := si.PSS
				if p == nil || len(si.SignatureAlgorithm.Parameters) == 0 {
					t.Fatalf("RSASSA-PSS without parameters")
				}
				if p.Hash != h || p.MGFHash != h || p.SaltLength != h.Size() || p.TrailerField != 1 {
					t.Errorf("RSASSA-PSS params %+v, want hash and MGF1 %v, salt %d", *p, h, h.Size())
				}
			}
		})
	}
}

func digest(h crypto.Hash, b []byte) []byte {
	hh := h.New()
	hh.Write(b)
	return hh.Sum(nil)
}

// utf16Text is the PDF text string encoding of a non-ASCII string:
// UTF-16BE with a byte order mark.
func utf16Text(s string) []byte {
	b := []byte{0xfe, 0xff}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

// literal escapes b as inside a PDF literal string: the bytes the file
// holds between the parentheses.
func literal(b []byte) []byte {
	var out []byte
	for _, c := range b {
		switch c {
		case '(', ')', '\\':
			out = append(out, '\\', c)
		case '\r':
			out = append(out, '\\', 'r')
		case '\n':
			out = append(out, '\\', 'n')
		default:
			out = append(out, c)
		}
	}
	return out
}

// TestSignDictionary checks the signature dictionary: the text entries
// (UTF-16BE with a BOM when not ASCII, as read back by qpdf), /M, the
// SubFilter and Prop_Build, and the CMS attributes.
func TestSignDictionary(t *testing.T) {
	t.Parallel()
	id := identity(t, testpki.ECDSAP256)
	wib := time.FixedZone("WIB", 7*3600)
	when := time.Now().In(wib).Add(-10 * time.Minute).Truncate(time.Second)
	opts := optionsFor(id)
	opts.Name = "Budi Santoso, S.Kom."
	opts.Reason = "Menyetujui surat «Undangan Rapat»"
	opts.Location = "Sékretariat Daérah, Kabupaten Sleman"
	opts.ContactInfo = "budi@slemankab.go.id ☎ (0274) 868405"
	opts.Time = when
	src := letter(t)
	out, res := signBytes(t, src, opts)
	checkExternal(t, out, res, allSegel(1))
	qpdfCheck(t, out)
	update := out[len(src):]

	r, sig := sigDict(t, out, res.Field)
	for key, want := range map[pdf.Name]string{"Name": opts.Name, "Reason": opts.Reason, "Location": opts.Location, "ContactInfo": opts.ContactInfo} {
		s, ok := sig.Get(key).(pdf.String)
		if !ok {
			t.Errorf("/%s is %T, want a string", key, sig.Get(key))
			continue
		}
		wantBytes := []byte(want)
		if strings.IndexFunc(want, func(r rune) bool { return r > 0x7e }) >= 0 {
			wantBytes = utf16Text(want)
			if !bytes.Contains(update, literal(wantBytes)) {
				t.Errorf("/%s: the raw bytes FE FF + UTF-16BE of %q are not in the update", key, want)
			}
		}
		if !bytes.Equal(s.Bytes, wantBytes) {
			t.Errorf("/%s = % X, want % X", key, s.Bytes, wantBytes)
		}
	}
	if !bytes.Contains(update, []byte("Budi Santoso, S.Kom.")) {
		t.Errorf("the ASCII /Name is not stored as is")
	}
	m, ok := sig.Get("M").(pdf.String)
	if want := when.Format("D:20060102150405") + "+07'00'"; !ok || string(m.Bytes) != want {
		t.Errorf("/M = %q, want %q", m.Bytes, want)
	}
	if sf, _ := sig.Name("SubFilter"); sf != "ETSI.CAdES.detached" {
		t.Errorf("/SubFilter = %q", sf)
	}
	if f, _ := sig.Name("Filter"); f != "Adobe.PPKLite" {
		t.Errorf("/Filter = %q", f)
	}
	if ty, _ := sig.Name("Type"); ty != "Sig" {
		t.Errorf("/Type = %q", ty)
	}
	if sig.Has("Reference") {
		t.Errorf("an approval signature has /Reference")
	}
	// The widget: invisible, printed and locked, on page 1.
	_, widget, err := r.FieldByName(res.Field)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := r.Pages()
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := widget.Get("P").(pdf.Ref); p != pages[0] {
		t.Errorf("widget /P = %v, want page 1 %v", widget.Get("P"), pages[0])
	}
	if ft, _ := widget.Name("FT"); ft != "Sig" {
		t.Errorf("widget /FT = %q", ft)
	}
	annots, _, err := r.PageAnnots(pages[0])
	if err != nil || len(annots) == 0 {
		t.Errorf("page 1 /Annots = %v, %v; want the widget", annots, err)
	}
	form, _, ok, err := r.AcroForm()
	if err != nil || !ok {
		t.Fatalf("no /AcroForm after signing: %v", err)
	}
	if flags, _ := form.Int("SigFlags"); flags != 3 {
		t.Errorf("/SigFlags = %d, want 3", flags)
	}

	_, si := parseCMS(t, res.Signature)
	checkBaselineAttributes(t, out, res.ByteRange, si, id, crypto.SHA256)

	// qpdf, an independent reader, decodes the text strings back.
	jsonOut, err := runTool(t, "qpdf", "--json=2", "--json-key=qpdf", writeTemp(t, "signed.pdf", out))
	if err != nil {
		t.Fatalf("qpdf --json: %v\n%s", err, jsonOut)
	}
	for _, want := range []string{opts.Name, opts.Reason, opts.Location, opts.ContactInfo} {
		enc, _ := json.Marshal("u:" + want)
		if !strings.Contains(jsonOut, string(enc)) && !strings.Contains(jsonOut, strings.ReplaceAll(string(enc), "u:", "")) {
			t.Errorf("qpdf --json does not show %s", enc)
		}
	}
}

// TestSignPages checks Options.Page: the widget goes on the page asked
// (-1 is the last), and pages out of range give ErrPage.
func TestSignPages(t *testing.T) {
	t.Parallel()
	src := testcorpus.Base(t)["qpdf-merged"] // 2 pages
	id := identity(t, testpki.ECDSAP256)
	for _, tc := range []struct{ page, want int }{{0, 1}, {1, 1}, {2, 2}, {-1, 2}, {-2, 1}} {

		opts := optionsFor(id)
		opts.Page = tc.page
		out, res := signBytes(t, src, opts)
		r, _ := sigDict(t, out, res.Field)
		wref, widget, err := r.FieldByName(res.Field)
		if err != nil {
			t.Fatal(err)
		}
		pages, _ := r.Pages()
		if p, _ := widget.Get("P").(pdf.Ref); p != pages[tc.want-1] {
			t.Errorf("Page %d: widget on %v, want page %d (%v)", tc.page, widget.Get("P"), tc.want, pages[tc.want-1])
		}
		annots, _, err := r.PageAnnots(pages[tc.want-1])
		if err != nil || !slices.Contains(annots, pdf.Object(wref)) {
			t.Errorf("Page %d: /Annots of page %d = %v (%v), want it to hold %v", tc.page, tc.want, annots, err, wref)
		}
		checkExternal(t, out, res, allSegel(1))
	}
	for _, page := range []int{3, -3, 100} {
		opts := optionsFor(id)
		opts.Page = page
		var buf bytes.Buffer
		_, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &buf, opts)
		if !errors.Is(err, signer.ErrPage) {
			t.Errorf("Page %d: err = %v, want ErrPage", page, err)
		}
		if buf.Len() != 0 {
			t.Errorf("Page %d: %d bytes written on error", page, buf.Len())
		}
	}
}

// dateRE is the PDF date format Segel writes.
var dateRE = regexp.MustCompile(`^D:\d{14}(Z|[+-]\d\d'\d\d')$`)

// TestSignTimeDefault checks that /M defaults to the current time.
func TestSignTimeDefault(t *testing.T) {
	t.Parallel()
	before := time.Now().Add(-time.Second)
	out, res := signBytes(t, letter(t), optionsFor(identity(t, testpki.ECDSAP256)))
	checkExternal(t, out, res, allSegel(1))
	_, sig := sigDict(t, out, res.Field)
	m, _ := sig.Get("M").(pdf.String)
	if !dateRE.Match(m.Bytes) {
		t.Fatalf("/M = %q", m.Bytes)
	}
	got, err := parsePDFDate(string(m.Bytes))
	if err != nil {
		t.Fatal(err)
	}
	if got.Before(before.Truncate(time.Second)) || got.After(time.Now().Add(time.Second)) {
		t.Errorf("/M = %v, want about now", got)
	}
}

func parsePDFDate(s string) (time.Time, error) {
	s = strings.TrimPrefix(s, "D:")
	if strings.HasSuffix(s, "Z") {
		return time.Parse("20060102150405Z", s)
	}
	return time.Parse("20060102150405-07'00'", s)
}
