package signer_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/verify"
)

// letterFlow signs a letter step by step as a regency does, auditing each
// output: its updates object by object (auditUpdates), pdfsig, qpdf
// --check, and Segel's verifier offline.
type letterFlow struct {
	t    *testing.T
	w    *ltvWorld
	base []byte
	doc  []byte
	sigs int // signatures and document timestamps
}

func newLetterFlow(t *testing.T, w *ltvWorld, base []byte) *letterFlow {
	return &letterFlow{t: t, w: w, base: base, doc: base}
}

func (f *letterFlow) options(id *testpki.Identity, level signer.Level) *signer.Options {
	return &signer.Options{
		Signer: id.Key, Certificate: id.Cert, Chain: id.Chain, Level: level,
		Timestamper: f.w.ts, Certificates: []*x509.Certificate{f.w.pki.Root.Cert},
	}
}

// sign signs the letter with opts; its updates must be the kinds given.
func (f *letterFlow) sign(opts *signer.Options, kinds ...string) {
	f.t.Helper()
	var out bytes.Buffer
	if _, err := signer.Sign(context.Background(), bytes.NewReader(f.doc), int64(len(f.doc)), &out, opts); err != nil {
		f.t.Fatalf("Sign: %v", err)
	}
	f.next(out.Bytes(), kinds)
}

// refuse expects Sign to fail with want.
func (f *letterFlow) refuse(opts *signer.Options, want error) {
	f.t.Helper()
	var out bytes.Buffer
	_, err := signer.Sign(context.Background(), bytes.NewReader(f.doc), int64(len(f.doc)), &out, opts)
	if !errors.Is(err, want) {
		f.t.Errorf("Sign: err = %v, want %v", err, want)
	}
	if out.Len() != 0 {
		f.t.Errorf("Sign wrote %d bytes before refusing", out.Len())
	}
}

// augment augments the letter to level; its updates must be the kinds
// given.
func (f *letterFlow) augment(level signer.Level, kinds ...string) {
	f.t.Helper()
	var out bytes.Buffer
	if _, err := signer.Augment(context.Background(), bytes.NewReader(f.doc), int64(len(f.doc)), &out, &signer.AugmentOptions{
		Level: level, Timestamper: f.w.ts, Certificates: []*x509.Certificate{f.w.pki.Root.Cert},
	}); err != nil {
		f.t.Fatalf("Augment: %v", err)
	}
	f.next(out.Bytes(), kinds)
}

func (f *letterFlow) next(out []byte, kinds []string) {
	f.t.Helper()
	if !bytes.HasPrefix(out, f.doc) {
		f.t.Fatal("the input is not a prefix of the output")
	}
	if got := auditUpdates(f.t, out, len(f.doc)); !slices.Equal(got, kinds) {
		f.t.Errorf("updates %v, want %v", got, kinds)
	}
	for _, k := range kinds {
		if k != "DSS" {
			f.sigs++
		}
	}
	f.doc = out
	// The whole chain from the unsigned letter stays clean too.
	auditUpdates(f.t, out, len(f.base))
	qpdfCheck(f.t, out)
	ps, report := runPdfsig(f.t, out)
	if len(ps) != f.sigs {
		f.t.Errorf("pdfsig finds %d signatures, want %d:\n%s", len(ps), f.sigs, report)
	}
	for i, s := range ps {
		if s.SubFilter == "unknown" && strings.Contains(s.Text, "Field Name: Timestamp") {
			continue // pdfsig does not validate document timestamps
		}
		if !strings.Contains(s.Text, "Signature is Valid") {
			f.t.Errorf("pdfsig: signature #%d (%s) is not valid:\n%s", i+1, s.Field, report)
		}
	}
}

// verified checks the letter with Segel's verifier, offline: every
// signature TOTAL_PASSED, the first at level want.
func (f *letterFlow) verified(want string) {
	f.t.Helper()
	pool := trust.NewPool()
	pool.AddCert(f.w.pki.Root.Cert, "test root")
	rep, err := verify.Verify(context.Background(), bytes.NewReader(f.doc), int64(len(f.doc)),
		&verify.Options{Trust: pool, Offline: true})
	if err != nil {
		f.t.Fatal(err)
	}
	if rep.Indication != verify.TotalPassed || len(rep.Signatures) != f.sigs || string(rep.Signatures[0].Level) != want {
		f.t.Errorf("Segel's verifier: %s with %d entries, first at %s; want TOTAL_PASSED, %d, %s",
			rep.Indication, len(rep.Signatures), rep.Signatures[0].Level, f.sigs, want)
		for _, s := range rep.Signatures {
			f.t.Logf("%s %s %s %s %s errors %v warnings %v modified %v", s.Field, s.Type, s.Indication, s.SubIndication, s.Level, s.Errors, s.Warnings, s.ModifiedAfterSigning)
		}
	}
}

// stamp is a visible stamp at a rectangle of page 1.
func stamp(name string) *signer.Appearance {
	return &signer.Appearance{
		Placement: signer.Placement{Rect: [4]float64{340, 80, 540, 160}},
		Lines:     []string{"Ditandatangani secara elektronik oleh", name},
	}
}

// TestRegencyLetter: the everyday letter, a paraf (approval signature),
// then the head's visible signature, then B-LTA.
func TestRegencyLetter(t *testing.T) {
	w := newLTVWorld(t)
	paraf := w.pki.MustIssueSigner(t, testpki.SignerOptions{KeyType: testpki.ECDSAP256, NonRepudiation: true})
	for _, name := range []string{"gs-letter", "cairo-letter/objstm", "hybrid-xref", "gs-pdf13/linearize", "form-2page"} {
		t.Run(name, func(t *testing.T) {
			base := testcorpus.All(t)[name]

			// Paraf at B-B, the head at B-T, then augment: the paraf
			// needs a proof of existence, whose TSA's data the head's
			// signature timestamp already brought, so that it is the
			// archive timestamp too.
			f := newLetterFlow(t, w, base)
			o := f.options(paraf, signer.LevelB)
			o.Reason = "Paraf"
			f.sign(o, "signature")
			o = f.options(w.signer, signer.LevelT)
			o.Reason = "Kepala Dinas"
			o.Appearance = stamp("Kepala Dinas")
			f.sign(o, "signature")
			f.augment(signer.LevelLTA, "DSS", "document timestamp")
			f.verified("PAdES-BASELINE-LTA")
			// Renewal adds only.
			f.augment(signer.LevelLTA, "DSS", "document timestamp")
			f.verified("PAdES-BASELINE-LTA")

			// Paraf at B-T, the head signs at B-LTA directly.
			f = newLetterFlow(t, w, base)
			o = f.options(paraf, signer.LevelT)
			f.sign(o, "signature")
			o = f.options(w.signer, signer.LevelLTA)
			o.Appearance = stamp("Kepala Dinas")
			f.sign(o, "signature", "DSS", "document timestamp")
			// (Sign embeds the validation data of its own signature
			// only: the paraf's comes with augment.)
			f.augment(signer.LevelLTA, "DSS", "document timestamp")
			f.verified("PAdES-BASELINE-LTA")
		})
	}
}

// TestCertifiedThenApproved: a P=2 certification, then an approval: a new
// visible signature is refused, an invisible one or one into a prepared
// field is made, and the letter goes to B-LTA.
func TestCertifiedThenApproved(t *testing.T) {
	w := newLTVWorld(t)
	other := w.pki.MustIssueSigner(t, testpki.SignerOptions{KeyType: testpki.ECDSAP256, NonRepudiation: true})
	for _, p := range []signer.Permission{signer.FormFilling, signer.Annotations} {
		t.Run(fmt.Sprintf("P%d", p), func(t *testing.T) {
			f := newLetterFlow(t, w, testcorpus.Base(t)["gs-letter"])
			o := f.options(w.signer, signer.LevelT)
			o.Certify = p
			o.Appearance = stamp("Kepala Dinas")
			f.sign(o, "signature")

			o = f.options(other, signer.LevelT)
			o.Appearance = stamp("Sekretaris")
			key := &countingSigner{Signer: other.Key}
			o.Signer = key
			f.refuse(o, signer.ErrVisibleAfterCertification)
			if key.calls.Load() != 0 {
				t.Errorf("the key signed %d times before the refusal", key.calls.Load())
			}
			o.Signer = other.Key
			o.Appearance = nil
			f.sign(o, "signature")
			f.augment(signer.LevelLTA, "DSS", "document timestamp")
			f.verified("PAdES-BASELINE-LTA")
		})
	}
	t.Run("prepared field", func(t *testing.T) {
		f := newLetterFlow(t, w, testcorpus.Base(t)["form-2page"])
		o := f.options(w.signer, signer.LevelT)
		o.Certify = signer.FormFilling
		f.sign(o, "signature")
		o = f.options(other, signer.LevelT)
		o.Appearance = &signer.Appearance{Placement: signer.Placement{Field: "Signature1"}}
		f.sign(o, "signature")
		f.augment(signer.LevelLTA, "DSS", "document timestamp")
		f.verified("PAdES-BASELINE-LTA")
	})
}

// TestCertifiedNoChanges: a P=1 certification refuses any signature but
// may be augmented to B-LTA (DSS and document timestamps only).
func TestCertifiedNoChanges(t *testing.T) {
	w := newLTVWorld(t)
	other := w.pki.MustIssueSigner(t, testpki.SignerOptions{KeyType: testpki.ECDSAP256, NonRepudiation: true})
	for _, level := range []signer.Level{signer.LevelB, signer.LevelT, signer.LevelLTA} {
		t.Run(level.String(), func(t *testing.T) {
			f := newLetterFlow(t, w, testcorpus.Base(t)["gs-letter"])
			o := f.options(w.signer, level)
			o.Certify = signer.NoChanges
			switch level {
			case signer.LevelB:
				f.sign(o, "signature")
				f.refuse(f.options(other, signer.LevelB), signer.ErrLocked)
				f.augment(signer.LevelLTA, "DSS", "document timestamp", "DSS", "document timestamp")
			case signer.LevelT:
				f.sign(o, "signature")
				f.refuse(f.options(other, signer.LevelB), signer.ErrLocked)
				f.augment(signer.LevelLTA, "DSS", "document timestamp")
			default:
				f.sign(o, "signature", "DSS", "document timestamp")
			}
			f.verified("PAdES-BASELINE-LTA")
			f.refuse(f.options(other, signer.LevelB), signer.ErrLocked)
		})
	}
}

// TestRenewalKeepsVRI: a DSS with /VRI entries written by another tool
// keeps them exactly (direct and indirect) when Segel renews the archive.
func TestRenewalKeepsVRI(t *testing.T) {
	w := newLTVWorld(t)
	f := newLetterFlow(t, w, testcorpus.Base(t)["gs-letter"])
	f.sign(f.options(w.signer, signer.LevelLTA), "signature", "DSS", "document timestamp")

	// Another tool adds a VRI: one entry direct, one indirect.
	r, err := pdf.Open(bytes.NewReader(f.doc), int64(len(f.doc)), nil)
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := r.Catalog()
	dssRef := cat.Get("DSS").(pdf.Ref)
	dss, _ := r.GetDict(dssRef)
	ocsps, _ := r.GetArray(dss.Get("OCSPs"))
	u := pdf.NewUpdate(r)
	vri := pdf.NewDict()
	direct := pdf.NewDict()
	direct.Set("OCSP", pdf.Array{ocsps[0]})
	vri.Set(pdf.Name(strings.Repeat("AB", 20)), direct)
	indirect := u.Alloc()
	entry := pdf.NewDict()
	entry.Set("OCSP", pdf.Array{ocsps[len(ocsps)-1]})
	u.Set(indirect, entry)
	vri.Set(pdf.Name(strings.Repeat("CD", 20)), indirect)
	dss = dss.Clone()
	dss.Set("VRI", vri)
	u.Set(dssRef, dss)
	res, err := u.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	doc := append(bytes.Clone(f.doc), res.Data...)

	var out bytes.Buffer
	if _, err := signer.Augment(context.Background(), bytes.NewReader(doc), int64(len(doc)), &out, &signer.AugmentOptions{
		Level: signer.LevelLTA, Timestamper: w.ts, Certificates: []*x509.Certificate{w.pki.Root.Cert},
	}); err != nil {
		t.Fatal(err)
	}
	if got, want := auditUpdates(t, out.Bytes(), len(doc)), []string{"DSS", "document timestamp"}; !slices.Equal(got, want) {
		t.Errorf("renewal updates %v, want %v", got, want)
	}
	r2, err := pdf.Open(bytes.NewReader(out.Bytes()), int64(out.Len()), nil)
	if err != nil {
		t.Fatal(err)
	}
	cat2, _ := r2.Catalog()
	dss2, _ := r2.GetDict(cat2.Get("DSS"))
	if got, want := marshal(dss2.Get("VRI")), marshal(vri); !bytes.Equal(got, want) {
		t.Errorf("/VRI after renewal:\n%s\nwant\n%s", got, want)
	}
	if e, _ := r2.Entry(indirect.Num); e.Offset >= int64(len(doc)) {
		t.Errorf("the indirect VRI entry was rewritten")
	}
}

// TestAugmentDefinesDanglingDSS: a catalog /DSS that refers to an object
// the file does not define gets its DSS defined there, the catalog
// untouched.
func TestAugmentDefinesDanglingDSS(t *testing.T) {
	w := newLTVWorld(t)
	base := testcorpus.Base(t)["gs-letter"]
	r, err := pdf.Open(bytes.NewReader(base), int64(len(base)), nil)
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := r.Catalog()
	u := pdf.NewUpdate(r)
	dangling := u.Alloc()
	dangling.Num += 5 // beyond anything the update writes
	cat = cat.Clone()
	cat.Set("DSS", dangling)
	u.Set(r.CatalogRef(), cat)
	res, err := u.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	f := newLetterFlow(t, w, append(bytes.Clone(base), res.Data...))
	f.sign(f.options(w.signer, signer.LevelT), "signature")
	f.augment(signer.LevelLT, "DSS")
	r2, err := pdf.Open(bytes.NewReader(f.doc), int64(len(f.doc)), nil)
	if err != nil {
		t.Fatal(err)
	}
	cat2, _ := r2.Catalog()
	if cat2.Get("DSS") != pdf.Object(dangling) {
		t.Errorf("catalog /DSS = %v, want %v", cat2.Get("DSS"), dangling)
	}
	if dss, err := r2.GetDict(dangling); err != nil || !dss.Has("Certs") {
		t.Errorf("DSS at %v: %v, %v", dangling, dss, err)
	}
	f.verified("PAdES-BASELINE-LT")
}
