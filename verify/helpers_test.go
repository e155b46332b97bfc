package verify_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/verify"
)

// The tests share two PKIs: "online", whose certificates point at a live
// OCSP/CRL server on loopback for the whole test binary, and "offline",
// whose certificates name no revocation source. Tests that revoke, close
// servers or move clocks build their own.
// onlinePKI's server lives as long as the test binary.
var onlinePKI = sync.OnceValues(func() (*testpki.PKI, error) {
	var h atomic.Value // http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, _ := h.Load().(http.Handler); h != nil {
			h.ServeHTTP(w, r)
			return
		}
		http.Error(w, "no PKI yet", http.StatusServiceUnavailable)
	}))
	p, err := testpki.New(testpki.Options{Name: "Segel Verify Test", BaseURL: srv.URL})
	if err != nil {
		srv.Close()
		return nil, err
	}
	h.Store(p.Handler())
	return p, nil
})

var offlinePKI = sync.OnceValues(func() (*testpki.PKI, error) {
	return testpki.New(testpki.Options{Name: "Segel Verify Offline"})
})

func onlinePKIFor(t testing.TB) *testpki.PKI {
	t.Helper()
	p, err := onlinePKI()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func offlinePKIFor(t testing.TB) *testpki.PKI {
	t.Helper()
	p, err := offlinePKI()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Signer identities are cached per PKI and key type: RSA keys are slow.
var (
	idMu  sync.Mutex
	idMap = map[string]*testpki.Identity{}
)

// signerID returns the shared identity of key type kt issued by p.
func signerID(t testing.TB, p *testpki.PKI, kt testpki.KeyType) *testpki.Identity {
	t.Helper()
	key := fmt.Sprintf("%p/%s", p, kt)
	idMu.Lock()
	defer idMu.Unlock()
	if id, ok := idMap[key]; ok {
		return id
	}
	id, err := p.IssueSigner(testpki.SignerOptions{
		KeyType:        kt,
		Subject:        pkix.Name{CommonName: "Budi Santoso", Organization: []string{"Pemerintah Kabupaten Serang"}, SerialNumber: "NIP 198001012005011001"},
		NonRepudiation: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	idMap[key] = id
	return id
}

// poolOf returns a trust pool anchored at certs.
func anchors(certs ...*x509.Certificate) *trust.Pool {
	p := trust.NewPool()
	for _, c := range certs {
		p.AddCert(c, "test anchor "+c.Subject.CommonName)
	}
	return p
}

// signOpts returns signing options for id with its chain (root included).
func optsFor(id *testpki.Identity) *signer.Options {
	return &signer.Options{Signer: id.Key, Certificate: id.Cert, Chain: id.Chain}
}

// sign signs src with opts.
func signPDF(t testing.TB, src []byte, opts *signer.Options) []byte {
	t.Helper()
	var out bytes.Buffer
	if _, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &out, opts); err != nil {
		t.Fatalf("signer.Sign: %v", err)
	}
	return out.Bytes()
}

// letter returns the corpus letter most tests sign.
func letterPDF(t testing.TB) []byte {
	t.Helper()
	return testcorpus.Base(t)["gs-letter"]
}

// run verifies data.
func verifyPDF(t testing.TB, data []byte, opts *verify.Options) *verify.Report {
	t.Helper()
	rep, err := verify.Verify(context.Background(), bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if rep.Size != int64(len(data)) {
		t.Errorf("report size %d, want %d", rep.Size, len(data))
	}
	return rep
}

// check asserts the verdict of signature i and that the document's
// indication is at least as bad.
func wantSig(t testing.TB, rep *verify.Report, i int, ind verify.Indication, sub verify.SubIndication) *verify.SignatureReport {
	t.Helper()
	if i >= len(rep.Signatures) {
		t.Fatalf("report has %d signatures, want signature %d\n%s", len(rep.Signatures), i, dumpReport(rep))
	}
	s := rep.Signatures[i]
	if s.Indication != ind || s.SubIndication != sub {
		t.Errorf("signature %d (%s): %s/%s, want %s/%s\n%s", i, s.Field, s.Indication, s.SubIndication, ind, sub, dumpReport(rep))
	}
	if sub.Implies() != ind {
		t.Errorf("test bug: %s does not imply %s", sub, ind)
	}
	if s.Indication != verify.TotalPassed && rep.Indication == verify.TotalPassed {
		t.Errorf("document TOTAL_PASSED while signature %d is %s", i, s.Indication)
	}
	return s
}

// checkOnly asserts that the report has exactly n signatures and the
// document indication ind.
func wantDoc(t testing.TB, rep *verify.Report, n int, ind verify.Indication) {
	t.Helper()
	if len(rep.Signatures) != n || rep.Indication != ind {
		t.Errorf("document: %d signatures, %s; want %d, %s\n%s", len(rep.Signatures), rep.Indication, n, ind, dumpReport(rep))
	}
}

// dump renders a report for failure messages.
func dumpReport(rep *verify.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  document %s, %d bytes, warnings %q\n", rep.Indication, rep.Size, rep.Warnings)
	for i, s := range rep.Signatures {
		fmt.Fprintf(&b, "  [%d] %s %s %s/%s level %s range %v whole=%v\n      modified %q\n      errors %q\n      warnings %q\n",
			i, s.Field, s.Type, s.Indication, s.SubIndication, s.Level, s.ByteRange, s.CoversWholeDocument,
			s.ModifiedAfterSigning, s.Errors, s.Warnings)
	}
	return b.String()
}

// contains reports whether any of list contains sub.
func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// ---- reading signed files ----

// sigLoc locates a signature in a file.
type sigLoc struct {
	Field    string
	Ref      pdf.Ref
	Dict     pdf.Dict
	BR       [4]int64
	DER      []byte // /Contents, trailing zero padding included
	Widget   pdf.Ref
	Revision int
}

func openPDF(t testing.TB, data []byte) *pdf.Reader {
	t.Helper()
	r, err := pdf.Open(bytes.NewReader(data), int64(len(data)), nil)
	if err != nil {
		t.Fatalf("pdf.Open: %v", err)
	}
	return r
}

// sigs returns the signatures of data in field order.
func sigsOf(t testing.TB, data []byte) []sigLoc {
	t.Helper()
	r := openPDF(t, data)
	fields, err := r.Fields()
	if err != nil {
		t.Fatal(err)
	}
	var out []sigLoc
	for _, f := range fields {
		ref, ok := f.Dict.Get("V").(pdf.Ref)
		if !ok {
			continue
		}
		d, err := r.GetDict(ref)
		if err != nil {
			continue
		}
		arr, _ := d.Get("ByteRange").(pdf.Array)
		cs, _ := d.Get("Contents").(pdf.String)
		l := sigLoc{Field: f.Name, Ref: ref, Dict: d, DER: cs.Bytes, Widget: f.Ref}
		for i := 0; i < 4 && i < len(arr); i++ {
			l.BR[i], _ = arr[i].(int64)
		}
		out = append(out, l)
	}
	return out
}

// gap returns the offsets [a, b) of the /Contents hole of a signature.
func (l sigLoc) gap() (int64, int64) { return l.BR[1], l.BR[2] }

// der returns the CMS without the zero padding.
func (l sigLoc) der(t testing.TB) []byte {
	t.Helper()
	sd, err := cms.Parse(l.DER)
	if err != nil {
		t.Fatalf("cms.Parse: %v", err)
	}
	return sd.Raw
}

// writeContents writes der, hex-encoded and zero-padded, into the hole
// [a, b) of data (which starts with '<' and ends with '>').
func writeContents(t testing.TB, data []byte, a, b int64, der []byte) {
	t.Helper()
	width := int(b-a) - 2
	h := hex.EncodeToString(der)
	if len(h) > width {
		t.Fatalf("CMS of %d bytes does not fit a hole of %d hex digits", len(der), width)
	}
	h += strings.Repeat("0", width-len(h))
	copy(data[a+1:b-1], h)
}

// rangesOf returns the bytes a /ByteRange covers.
func rangesOf(data []byte, br [4]int64) []byte {
	out := append([]byte{}, data[br[0]:br[0]+br[1]]...)
	return append(out, data[br[2]:br[2]+br[3]]...)
}

// ---- incremental updates for attacks ----

// update appends to data an incremental update made by edit.
func appendUpdate(t testing.TB, data []byte, edit func(r *pdf.Reader, u *pdf.Update)) []byte {
	t.Helper()
	r := openPDF(t, data)
	u := pdf.NewUpdate(r)
	edit(r, u)
	res, err := u.Bytes()
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	return append(append([]byte{}, data...), res.Data...)
}

// mustDict resolves o as a dictionary.
func dictOf(t testing.TB, r *pdf.Reader, o pdf.Object) pdf.Dict {
	t.Helper()
	d, err := r.GetDict(o)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// firstPage returns the first page of r.
func firstPageOf(t testing.TB, r *pdf.Reader) (pdf.Ref, pdf.Dict) {
	t.Helper()
	pages, err := r.Pages()
	if err != nil || len(pages) == 0 {
		t.Fatalf("pages: %v", err)
	}
	return pages[0], dictOf(t, r, pages[0])
}

// ---- a minimal signer for documents Segel's signer refuses to make ----

// craft describes a signature made by craftSign.
type craft struct {
	// Field is the new field's name; "Crafted" by default.
	Field string
	// SubFilter is ETSI.CAdES.detached by default.
	SubFilter string
	// Extra lets the attack add objects to the signing update; it may
	// return the key of another hex placeholder to use as the gap.
	// ExtraFirst calls it before the signature dictionary is allocated,
	// so that its objects get lower numbers and are written first.
	Extra      func(r *pdf.Reader, u *pdf.Update, width int) (gapKey string)
	ExtraFirst bool
	// CMS makes the signature over the covered bytes; a CAdES-style
	// SignedData by id with SHA-256 by default.
	CMS func(t testing.TB, content []byte) []byte
	// Reserve is the /Contents size in bytes; 8192 by default.
	Reserve int
	// Rect, when set, is the widget rectangle; Appearance its content.
	Rect       pdf.Array
	Appearance []byte
	// NoValue leaves the field empty (an unsigned signature field).
	NoValue bool
	// Reference, when set, is the signature dictionary's /Reference
	// (DocMDP or FieldMDP transforms).
	Reference pdf.Array
	// NotInFields leaves the new field out of the form's /Fields (the
	// widget is only in the page's /Annots), as poppler does over a
	// direct /AcroForm.
	NotInFields bool
	// Flags is the widget's /F; 132 (Print, Locked) by default.
	Flags int64
	// WidgetKeys are set on the widget as well.
	WidgetKeys pdf.Dict
}

// craftSign adds a signature field to src like a signer would, with the
// freedom an attacker has: it does not check DocMDP, and the gap can be
// any hex placeholder.
func craftSign(t testing.TB, src []byte, id *testpki.Identity, c craft) []byte {
	t.Helper()
	if c.Field == "" {
		c.Field = "Crafted"
	}
	if c.SubFilter == "" {
		c.SubFilter = "ETSI.CAdES.detached"
	}
	if c.Reserve == 0 {
		c.Reserve = 8192
	}
	if c.Rect == nil {
		c.Rect = pdf.Array{int64(0), int64(0), int64(0), int64(0)}
	}
	if c.CMS == nil {
		c.CMS = func(t testing.TB, content []byte) []byte { return cadesCMS(t, id, content) }
	}
	width := 2*c.Reserve + 2
	r := openPDF(t, src)
	u := pdf.NewUpdate(r)
	pageRef, page := firstPageOf(t, r)
	gapKey := "Contents"
	if c.Extra != nil && c.ExtraFirst {
		if k := c.Extra(r, u, width); k != "" {
			gapKey = k
		}
	}
	widgetRef := u.Alloc()
	widget := pdf.NewDict()
	widget.Set("Type", pdf.Name("Annot"))
	widget.Set("Subtype", pdf.Name("Widget"))
	widget.Set("FT", pdf.Name("Sig"))
	widget.Set("T", pdf.String{Bytes: []byte(c.Field)})
	if c.Flags == 0 {
		c.Flags = 132
	}
	widget.Set("F", c.Flags)
	for _, k := range c.WidgetKeys.Keys() {
		widget.Set(k, c.WidgetKeys.Get(k))
	}
	widget.Set("Rect", c.Rect)
	widget.Set("P", pageRef)
	if c.Appearance != nil {
		apRef := u.Alloc()
		ap := pdf.NewDict()
		ap.Set("Type", pdf.Name("XObject"))
		ap.Set("Subtype", pdf.Name("Form"))
		ap.Set("BBox", c.Rect)
		ap.Set("Resources", pdf.NewDict())
		u.SetStream(apRef, ap, c.Appearance)
		apd := pdf.NewDict()
		apd.Set("N", apRef)
		widget.Set("AP", apd)
	}
	if !c.NoValue {
		sigRef := u.Alloc()
		sig := pdf.NewDict()
		sig.Set("Type", pdf.Name("Sig"))
		sig.Set("Filter", pdf.Name("Adobe.PPKLite"))
		sig.Set("SubFilter", pdf.Name(c.SubFilter))
		sig.Set("ByteRange", pdf.Placeholder{Key: "ByteRange", Width: 64, Kind: pdf.PlaceholderArray})
		sig.Set("Contents", pdf.Placeholder{Key: "Contents", Width: width, Kind: pdf.PlaceholderHex})
		sig.Set("M", pdf.String{Bytes: []byte(time.Now().UTC().Format("D:20060102150405Z"))})
		if c.Reference != nil {
			sig.Set("Reference", c.Reference)
		}
		u.Set(sigRef, sig)
		widget.Set("V", sigRef)
	}
	u.Set(widgetRef, widget)

	// The page's /Annots.
	addAnnot(t, r, u, pageRef, page, widgetRef)
	// The form.
	cat, err := r.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	cat = cat.Clone()
	form, formRef, hasForm, err := r.AcroForm()
	if err != nil {
		t.Fatal(err)
	}
	if hasForm {
		form = form.Clone()
	} else {
		form = pdf.NewDict()
	}
	if c.NotInFields {
		// The field stays off the form's list.
	} else if fref, ok := form.Get("Fields").(pdf.Ref); ok {
		arr, err := r.GetArray(fref)
		if err != nil {
			t.Fatal(err)
		}
		u.Set(fref, append(append(pdf.Array{}, arr...), widgetRef))
	} else {
		arr, _ := form.Get("Fields").(pdf.Array)
		form.Set("Fields", append(append(pdf.Array{}, arr...), widgetRef))
	}
	form.Set("SigFlags", int64(3))
	switch {
	case !formRef.IsZero():
		u.Set(formRef, form)
	default:
		cat.Set("AcroForm", form)
		u.Set(r.CatalogRef(), cat)
	}
	if c.Extra != nil && !c.ExtraFirst {
		if k := c.Extra(r, u, width); k != "" {
			gapKey = k
		}
	}
	res, err := u.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	data := append(append([]byte{}, src...), res.Data...)
	if c.NoValue {
		return data
	}
	g := res.Placeholders[gapKey]
	a, b := g.Offset, g.Offset+int64(g.Len)
	br := res.Placeholders["ByteRange"]
	s := fmt.Sprintf("[0 %d %d %d", a, b, int64(len(data))-b)
	s += strings.Repeat(" ", br.Len-len(s)-1) + "]"
	copy(data[br.Offset:], s)
	der := c.CMS(t, rangesOf(data, [4]int64{0, a, b, int64(len(data)) - b}))
	for _, p := range res.Placeholders {
		if p.Len == width {
			writeContents(t, data, p.Offset, p.Offset+int64(p.Len), der)
		}
	}
	return data
}

// cadesCMS returns a detached CAdES SignedData over content by id.
func cadesCMS(t testing.TB, id *testpki.Identity, content []byte) []byte {
	t.Helper()
	return cadesCMSWith(t, id, content, nil)
}

// cadesCMSWith is cadesCMS with extra signed attributes.
func cadesCMSWith(t testing.TB, id *testpki.Identity, content []byte, attrs []cms.Attribute) []byte {
	t.Helper()
	b, err := cms.NewBuilder(id.Cert, id.Key, cms.BuildOptions{Certificates: id.Chain, SignedAttributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	der, err := b.Build(context.Background(), sum[:], nil)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func sha1Sum(b []byte) []byte {
	s := sha1.Sum(b)
	return s[:]
}

// addAnnot adds ref to the /Annots of page pageRef (its dictionary page)
// in update u: in the page's own array object when /Annots is one, else
// in a copy of the page.
func addAnnot(t testing.TB, r *pdf.Reader, u *pdf.Update, pageRef pdf.Ref, page pdf.Dict, ref pdf.Ref) {
	t.Helper()
	annots, annotsRef, err := r.PageAnnots(pageRef)
	if err != nil {
		t.Fatal(err)
	}
	list := append(append(pdf.Array{}, annots...), ref)
	if !annotsRef.IsZero() {
		u.Set(annotsRef, list)
		return
	}
	page = page.Clone()
	page.Set("Annots", list)
	u.Set(pageRef, page)
}
