package verify_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/internal/testpki"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/verify"
)

// diffWorld signs documents for the change-analysis tests.
type diffWorld struct {
	id, other *testpki.Identity
	opts      *verify.Options
}

func newDiffWorld(t testing.TB) *diffWorld {
	t.Helper()
	p := offlinePKIFor(t)
	return &diffWorld{id: signerID(t, p, testpki.ECDSAP256), other: signerID(t, p, testpki.RSA2048),
		opts: &verify.Options{Trust: anchors(p.Root.Cert)}}
}

// sign signs src, certified with permission p (0: an approval).
func (w *diffWorld) sign(t testing.TB, src []byte, p signer.Permission) []byte {
	t.Helper()
	o := optsFor(w.id)
	o.Certify = p
	return signPDF(t, src, o)
}

// wantChange asserts the modification level of signature i, that the
// rules named judged some change, and returns the report.
func wantChange(t testing.TB, rep *verify.Report, i int, level string, rules ...string) *verify.SignatureReport {
	t.Helper()
	s := rep.Signatures[i]
	if s.ModificationLevel != level {
		t.Errorf("signature %d: modification level %q, want %q\n%s\n%s", i, s.ModificationLevel, level, changesOf(s), dumpReport(rep))
	}
	for _, r := range rules {
		if !slices.ContainsFunc(s.Changes, func(c verify.Change) bool { return c.Rule == r }) {
			t.Errorf("signature %d: no change judged by rule %q\n%s", i, r, changesOf(s))
		}
	}
	return s
}

func changesOf(s *verify.SignatureReport) string {
	var b strings.Builder
	for _, c := range s.Changes {
		fmt.Fprintf(&b, "    %s | %s | rule %q | %s | field %q\n", c.Object, c.What, c.Rule, c.Level, c.Field)
	}
	return b.String()
}

// setCatalog returns an edit setting a catalog key.
func setCatalog(t testing.TB, key pdf.Name, v func(r *pdf.Reader, u *pdf.Update) pdf.Object) func(r *pdf.Reader, u *pdf.Update) {
	return func(r *pdf.Reader, u *pdf.Update) {
		c := dictOf(t, r, r.CatalogRef()).Clone()
		c.Set(key, v(r, u))
		u.Set(r.CatalogRef(), c)
	}
}

// stream adds a stream object holding data.
func stream(u *pdf.Update, data string) pdf.Ref {
	ref := u.Alloc()
	u.SetStream(ref, pdf.NewDict(), []byte(data))
	return ref
}

// TestDiffHousekeeping: what a later tool writes that changes nothing a
// reader sees is cleared at LTA_UPDATES, even under DocMDP P=1.
func TestDiffHousekeeping(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	dss := func(r *pdf.Reader, u *pdf.Update) pdf.Object {
		d := pdf.NewDict()
		d.Set("Certs", pdf.Array{stream(u, "cert")})
		vri := pdf.NewDict()
		entry := pdf.NewDict()
		entry.Set("Cert", pdf.Array{stream(u, "cert2")})
		vri.Set("ABCDEF", entry)
		d.Set("VRI", vri)
		ref := u.Alloc()
		u.Set(ref, d)
		return ref
	}
	cases := []struct {
		name  string
		edit  func(r *pdf.Reader, u *pdf.Update)
		level string
		rules []string
	}{
		{"empty update", func(*pdf.Reader, *pdf.Update) {}, "NONE", nil},
		{"every object rewritten with equal values", func(r *pdf.Reader, u *pdf.Update) {
			for _, e := range r.Entries() {
				if e.Type == pdf.EntryFree {
					continue
				}
				ref := e.Ref()
				o, err := r.Resolve(ref)
				if err != nil {
					t.Fatal(err)
				}
				if d, ok := o.(pdf.Dict); ok && d.Has("ByteRange") {
					continue // the signature itself stays where it is
				}
				if st, ok := o.(*pdf.Stream); ok {
					data, err := st.Decode(0)
					if err != nil {
						continue
					}
					d := st.Dict.Clone()
					d.Delete("Filter")
					d.Delete("DecodeParms")
					d.Delete("Length")
					u.SetStream(ref, d, data) // re-coded: equal decoded data
					continue
				}
				u.Set(ref, o)
			}
		}, "NONE", nil},
		{"DSS added", setCatalog(t, "DSS", dss), "LTA_UPDATES", []string{"dss"}},
		{"XMP metadata added", setCatalog(t, "Metadata", func(r *pdf.Reader, u *pdf.Update) pdf.Object {
			return stream(u, "<x:xmpmeta/>")
		}), "LTA_UPDATES", []string{"metadata"}},
		{"language and extensions set", func(r *pdf.Reader, u *pdf.Update) {
			c := dictOf(t, r, r.CatalogRef()).Clone()
			c.Set("Lang", pdf.String{Bytes: []byte("id-ID")})
			ext := pdf.NewDict()
			adbe := pdf.NewDict()
			adbe.Set("BaseVersion", pdf.Name("1.7"))
			adbe.Set("ExtensionLevel", int64(5))
			ext.Set("ADBE", adbe)
			c.Set("Extensions", ext)
			u.Set(r.CatalogRef(), c)
		}, "LTA_UPDATES", []string{"catalog"}},
		{"application data on the page", func(r *pdf.Reader, u *pdf.Update) {
			ref, page := firstPageOf(t, r)
			pi := pdf.NewDict()
			app := pdf.NewDict()
			app.Set("LastModified", pdf.String{Bytes: []byte("D:20260101000000Z")})
			pi.Set("Segel", app)
			pg := page.Clone()
			pg.Set("PieceInfo", pi)
			pg.Set("LastModified", pdf.String{Bytes: []byte("D:20260101000000Z")})
			u.Set(ref, pg)
		}, "LTA_UPDATES", []string{"page"}},
		{"info and ID updated", func(r *pdf.Reader, u *pdf.Update) {
			ref := r.Trailer().Get("Info").(pdf.Ref)
			d := dictOf(t, r, ref).Clone()
			d.Set("Producer", pdf.String{Bytes: []byte("other tool")})
			u.Set(ref, d)
			u.SetTrailer("ID", pdf.Array{pdf.String{Bytes: []byte("0123456789abcdef")}, pdf.String{Bytes: []byte("fedcba9876543210")}})
		}, "LTA_UPDATES", []string{"info", "trailer"}},
	}
	for _, p := range []signer.Permission{signer.NotCertified, signer.NoChanges} {
		signed := w.sign(t, letterPDF(t), p)
		for _, tc := range cases {
			t.Run(fmt.Sprintf("P=%d/%s", p, tc.name), func(t *testing.T) {
				t.Parallel()
				out := appendUpdate(t, signed, tc.edit)
				rep := verifyPDF(t, out, w.opts)
				wantSig(t, rep, 0, verify.TotalPassed, "")
				wantChange(t, rep, 0, tc.level, tc.rules...)
			})
		}
	}
}

// TestDiffDSSRewritten: a later tool rewrites the DSS: VRI entries
// replaced or dropped, arrays made indirect, and objects the signed DSS
// referred to without defining them defined at last.
func TestDiffDSSRewritten(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	const dangling = 900
	var dssRef, certsRef pdf.Ref
	prepared := appendUpdate(t, letterPDF(t), func(r *pdf.Reader, u *pdf.Update) {
		dssRef, certsRef = u.Alloc(), u.Alloc()
		u.Set(certsRef, pdf.Array{stream(u, "cert-1"), pdf.Ref{Num: dangling}})
		vri := pdf.NewDict()
		e := pdf.NewDict()
		e.Set("Cert", certsRef)
		vri.Set("AAAA", e)
		d := pdf.NewDict()
		d.Set("Certs", certsRef)
		d.Set("VRI", vri)
		u.Set(dssRef, d)
		setCatalog(t, "DSS", func(*pdf.Reader, *pdf.Update) pdf.Object { return dssRef })(r, u)
	})
	for _, p := range []signer.Permission{signer.NotCertified, signer.NoChanges} {
		signed := w.sign(t, prepared, p)
		for name, edit := range map[string]func(r *pdf.Reader, u *pdf.Update){
			"dangling reference defined": func(r *pdf.Reader, u *pdf.Update) {
				u.SetStream(pdf.Ref{Num: dangling}, pdf.NewDict(), []byte("cert-2"))
			},
			"VRI replaced, arrays direct": func(r *pdf.Reader, u *pdf.Update) {
				vri := pdf.NewDict()
				e := pdf.NewDict()
				e.Set("OCSP", pdf.Array{stream(u, "ocsp")})
				vri.Set("BBBB", e)
				d := pdf.NewDict()
				d.Set("Certs", pdf.Array{stream(u, "cert-1"), stream(u, "cert-3")})
				d.Set("OCSPs", pdf.Array{stream(u, "ocsp")})
				d.Set("VRI", vri)
				u.Set(dssRef, d)
			},
			"new DSS object, VRI dropped": setCatalog(t, "DSS", func(r *pdf.Reader, u *pdf.Update) pdf.Object {
				ref, arr := u.Alloc(), u.Alloc()
				u.Set(arr, pdf.Array{stream(u, "cert-4")})
				d := pdf.NewDict()
				d.Set("Certs", arr)
				u.Set(ref, d)
				return ref
			}),
		} {
			t.Run(fmt.Sprintf("P=%d/%s", p, name), func(t *testing.T) {
				t.Parallel()
				out := appendUpdate(t, signed, edit)
				rep := verifyPDF(t, out, w.opts)
				wantSig(t, rep, 0, verify.TotalPassed, "")
				wantChange(t, rep, 0, "LTA_UPDATES")
			})
		}
	}
}

// TestDiffLaterSignatures: later signatures and document timestamps, in
// new fields (widgets without /Type, fields through /Parent, indirect
// /Annots) or prepared ones, are FORM_FILLING or LTA_UPDATES.
func TestDiffLaterSignatures(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	// The letter with an indirect /Annots array on its page.
	indirect := appendUpdate(t, letterPDF(t), func(r *pdf.Reader, u *pdf.Update) {
		ref, page := firstPageOf(t, r)
		annots, _ := r.GetArray(page.Get("Annots"))
		a := u.Alloc()
		u.Set(a, append(pdf.Array{}, annots...))
		pg := page.Clone()
		pg.Set("Annots", a)
		u.Set(ref, pg)
	})
	t.Run("approval after approval, indirect annots", func(t *testing.T) {
		t.Parallel()
		signed := w.sign(t, indirect, 0)
		out := craftSign(t, signed, w.other, craft{Field: "Approval"})
		rep := verifyPDF(t, out, w.opts)
		wantSig(t, rep, 0, verify.TotalPassed, "")
		wantChange(t, rep, 0, "FORM_FILLING", "signature-field")
		if len(rep.Signatures[0].ModifiedAfterSigning) != 0 {
			t.Errorf("a later signature is listed as a modification: %q", rep.Signatures[0].ModifiedAfterSigning)
		}
	})
	t.Run("document timestamp on P=1", func(t *testing.T) {
		t.Parallel()
		signed := w.sign(t, letterPDF(t), signer.NoChanges)
		out := craftSign(t, signed, w.other, craft{Field: "DocTS", SubFilter: "ETSI.RFC3161"})
		rep := verifyPDF(t, out, w.opts)
		wantSig(t, rep, 0, verify.TotalPassed, "")
		wantChange(t, rep, 0, "LTA_UPDATES", "signature-field")
	})
	t.Run("widget without /Type, field through /Parent", func(t *testing.T) {
		t.Parallel()
		signed := w.sign(t, letterPDF(t), signer.FormFilling)
		out := appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) {
			pageRef, page := firstPageOf(t, r)
			field, widget, sig := u.Alloc(), u.Alloc(), u.Alloc()
			sd := pdf.NewDict()
			sd.Set("Type", pdf.Name("Sig"))
			sd.Set("SubFilter", pdf.Name("ETSI.CAdES.detached"))
			sd.Set("ByteRange", pdf.Array{int64(0), int64(1), int64(2), int64(3)})
			sd.Set("Contents", pdf.String{Bytes: []byte{0}, Hex: true})
			u.Set(sig, sd)
			f := pdf.NewDict()
			f.Set("FT", pdf.Name("Sig"))
			f.Set("T", pdf.String{Bytes: []byte("Parent")})
			f.Set("V", sig)
			f.Set("Kids", pdf.Array{widget})
			u.Set(field, f)
			wd := pdf.NewDict()
			wd.Set("Subtype", pdf.Name("Widget"))
			wd.Set("Parent", field)
			wd.Set("Rect", pdf.Array{int64(0), int64(0), int64(0), int64(0)})
			wd.Set("P", pageRef)
			u.Set(widget, wd)
			annots, _ := r.GetArray(page.Get("Annots"))
			pg := page.Clone()
			pg.Set("Annots", append(append(pdf.Array{}, annots...), widget))
			u.Set(pageRef, pg)
			form, formRef, _, _ := r.AcroForm()
			form = form.Clone()
			fields, _ := r.GetArray(form.Get("Fields"))
			form.Set("Fields", append(append(pdf.Array{}, fields...), field))
			if formRef.IsZero() {
				c := dictOf(t, r, r.CatalogRef()).Clone()
				c.Set("AcroForm", form)
				u.Set(r.CatalogRef(), c)
			} else {
				u.Set(formRef, form)
			}
		})
		rep := verifyPDF(t, out, w.opts)
		wantSig(t, rep, 0, verify.TotalPassed, "")
		wantChange(t, rep, 0, "FORM_FILLING", "signature-field")
	})
	t.Run("prepared field signed on P=2", func(t *testing.T) {
		t.Parallel()
		signed := w.sign(t, testcorpus.Base(t)["form-2page"], signer.FormFilling)
		o := optsFor(w.other)
		o.Field = "Signature1"
		out := signPDF(t, signed, o)
		rep := verifyPDF(t, out, w.opts)
		wantSig(t, rep, 0, verify.TotalPassed, "")
		wantChange(t, rep, 0, "FORM_FILLING", "signature-field")
	})
	t.Run("prepared field signed by another tool, /M and /P set", func(t *testing.T) {
		t.Parallel()
		signed := w.sign(t, testcorpus.Base(t)["form-2page"], 0)
		out := appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) {
			ref, d, err := r.FieldByName("Signature1")
			if err != nil {
				t.Fatal(err)
			}
			sig := u.Alloc()
			sd := pdf.NewDict()
			sd.Set("Type", pdf.Name("Sig"))
			sd.Set("ByteRange", pdf.Array{int64(0), int64(1), int64(2), int64(3)})
			sd.Set("Contents", pdf.String{Bytes: []byte{0}, Hex: true})
			u.Set(sig, sd)
			d = d.Clone()
			d.Set("V", sig)
			d.Set("M", pdf.String{Bytes: []byte("D:20261202130846Z")})
			pageRef, _ := firstPageOf(t, r)
			d.Set("P", pageRef)
			n := pdf.NewDict()
			n.Set("N", stream(u, "q Q"))
			d.Set("AP", n)
			u.Set(ref, d)
		})
		rep := verifyPDF(t, out, w.opts)
		wantSig(t, rep, 0, verify.TotalPassed, "")
		wantChange(t, rep, 0, "FORM_FILLING", "signature-field")
	})
	t.Run("visible approval over P=2 (sneaky signature)", func(t *testing.T) {
		t.Parallel()
		signed := w.sign(t, letterPDF(t), signer.FormFilling)
		out := craftSign(t, signed, w.other, craft{Field: "Sneaky",
			Rect:       pdf.Array{int64(0), int64(0), int64(595), int64(842)},
			Appearance: []byte("1 1 1 rg 0 0 595 842 re f")})
		rep := verifyPDF(t, out, w.opts)
		wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
		wantChange(t, rep, 0, "OTHER", "signature-field")
	})
}

// TestDiffTagged: a new widget on a tagged page gets a structure element,
// a parent tree entry and /StructParent.
func TestDiffTagged(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	var rootRef, docRef, ptRef pdf.Ref
	tagged := appendUpdate(t, letterPDF(t), func(r *pdf.Reader, u *pdf.Update) {
		pageRef, page := firstPageOf(t, r)
		rootRef, docRef, ptRef = u.Alloc(), u.Alloc(), u.Alloc()
		p := pdf.NewDict()
		p.Set("Type", pdf.Name("StructElem"))
		p.Set("S", pdf.Name("P"))
		p.Set("P", docRef)
		p.Set("Pg", pageRef)
		p.Set("K", int64(0))
		pRef := u.Alloc()
		u.Set(pRef, p)
		doc := pdf.NewDict()
		doc.Set("Type", pdf.Name("StructElem"))
		doc.Set("S", pdf.Name("Document"))
		doc.Set("P", rootRef)
		doc.Set("K", pdf.Array{pRef})
		u.Set(docRef, doc)
		pt := pdf.NewDict()
		pt.Set("Nums", pdf.Array{int64(0), pdf.Array{pRef}})
		u.Set(ptRef, pt)
		root := pdf.NewDict()
		root.Set("Type", pdf.Name("StructTreeRoot"))
		root.Set("K", docRef)
		root.Set("ParentTree", ptRef)
		root.Set("ParentTreeNextKey", int64(1))
		u.Set(rootRef, root)
		pg := page.Clone()
		pg.Set("StructParents", int64(0))
		u.Set(pageRef, pg)
		c := dictOf(t, r, r.CatalogRef()).Clone()
		c.Set("StructTreeRoot", rootRef)
		mi := pdf.NewDict()
		mi.Set("Marked", true)
		c.Set("MarkInfo", mi)
		u.Set(r.CatalogRef(), c)
	})
	signed := w.sign(t, tagged, signer.FormFilling)
	tag := func(r *pdf.Reader, u *pdf.Update, alt string) {
		form := u.Alloc()
		fe := pdf.NewDict()
		fe.Set("Type", pdf.Name("StructElem"))
		fe.Set("S", pdf.Name("Form"))
		fe.Set("P", docRef)
		u.Set(form, fe)
		doc := dictOf(t, r, docRef).Clone()
		k, _ := r.GetArray(doc.Get("K"))
		doc.Set("K", append(append(pdf.Array{}, k...), form))
		if alt != "" {
			doc.Set("Alt", pdf.String{Bytes: []byte(alt)})
		}
		u.Set(docRef, doc)
		pt := dictOf(t, r, ptRef).Clone()
		nums, _ := r.GetArray(pt.Get("Nums"))
		pt.Set("Nums", append(append(pdf.Array{}, nums...), int64(1), form))
		u.Set(ptRef, pt)
		root := dictOf(t, r, rootRef).Clone()
		root.Set("ParentTreeNextKey", int64(2))
		u.Set(rootRef, root)
	}
	t.Run("new widget tagged", func(t *testing.T) {
		t.Parallel()
		out := craftSign(t, signed, w.other, craft{Field: "Approval", Extra: func(r *pdf.Reader, u *pdf.Update, _ int) string {
			tag(r, u, "")
			return ""
		}})
		rep := verifyPDF(t, out, w.opts)
		wantSig(t, rep, 0, verify.TotalPassed, "")
		wantChange(t, rep, 0, "FORM_FILLING", "structure-tree", "signature-field")
	})
	t.Run("alternate text changed", func(t *testing.T) {
		t.Parallel()
		out := appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) { tag(r, u, "Surat ini DIBATALKAN") })
		rep := verifyPDF(t, out, w.opts)
		wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
		wantChange(t, rep, 0, "OTHER", "structure-tree")
	})
}

// TestDiffOutlinesRewritten: outlines written again, under new object
// numbers, with equal values are no change.
func TestDiffOutlinesRewritten(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	outline := func(r *pdf.Reader, u *pdf.Update, title string) pdf.Ref {
		pageRef, _ := firstPageOf(t, r)
		o, item := u.Alloc(), u.Alloc()
		od := pdf.NewDict()
		od.Set("Type", pdf.Name("Outlines"))
		od.Set("First", item)
		od.Set("Last", item)
		od.Set("Count", int64(1))
		u.Set(o, od)
		id := pdf.NewDict()
		id.Set("Title", pdf.String{Bytes: []byte(title)})
		id.Set("Parent", o)
		id.Set("Dest", pdf.Array{pageRef, pdf.Name("Fit")})
		u.Set(item, id)
		return o
	}
	prepared := appendUpdate(t, letterPDF(t), setCatalog(t, "Outlines", func(r *pdf.Reader, u *pdf.Update) pdf.Object {
		return outline(r, u, "Surat")
	}))
	signed := w.sign(t, prepared, signer.NoChanges)
	for name, tc := range map[string]struct {
		title string
		ind   verify.Indication
		sub   verify.SubIndication
		level string
	}{
		"equal":   {"Surat", verify.TotalPassed, "", "NONE"},
		"changed": {"Surat DIBATALKAN", verify.TotalFailed, verify.ModifiedAfterSigning, "OTHER"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := appendUpdate(t, signed, setCatalog(t, "Outlines", func(r *pdf.Reader, u *pdf.Update) pdf.Object {
				return outline(r, u, tc.title)
			}))
			rep := verifyPDF(t, out, w.opts)
			wantSig(t, rep, 0, tc.ind, tc.sub)
			wantChange(t, rep, 0, tc.level)
		})
	}
}

// TestDiffVerdicts: the level of a change against the DocMDP permission.
func TestDiffVerdicts(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	form := testcorpus.Base(t)["form-2page"]
	fill := func(withAP bool) func(r *pdf.Reader, u *pdf.Update) {
		return func(r *pdf.Reader, u *pdf.Update) {
			ref, d, err := r.FieldByName("perihal")
			if err != nil {
				t.Fatal(err)
			}
			d = d.Clone()
			d.Set("V", pdf.String{Bytes: []byte("Undangan Rapat")})
			if withAP {
				apd := pdf.NewDict()
				apd.Set("Type", pdf.Name("XObject"))
				apd.Set("Subtype", pdf.Name("Form"))
				apd.Set("BBox", pdf.Array{int64(0), int64(0), int64(200), int64(20)})
				ap := u.Alloc()
				u.SetStream(ap, apd, []byte("/Tx BMC BT /Helv 10 Tf 2 6 Td (Undangan Rapat) Tj ET EMC"))
				n := pdf.NewDict()
				n.Set("N", ap)
				d.Set("AP", n)
			}
			u.Set(ref, d)
		}
	}
	needAppearances := func(r *pdf.Reader, u *pdf.Update) {
		f, formRef, _, _ := r.AcroForm()
		f = f.Clone()
		f.Set("NeedAppearances", true)
		if formRef.IsZero() {
			c := dictOf(t, r, r.CatalogRef()).Clone()
			c.Set("AcroForm", f)
			u.Set(r.CatalogRef(), c)
		} else {
			u.Set(formRef, f)
		}
	}
	annot := func(sub pdf.Name, ap bool) func(r *pdf.Reader, u *pdf.Update) {
		return func(r *pdf.Reader, u *pdf.Update) {
			pageRef, page := firstPageOf(t, r)
			a := pdf.NewDict()
			a.Set("Type", pdf.Name("Annot"))
			a.Set("Subtype", sub)
			a.Set("Rect", pdf.Array{int64(72), int64(600), int64(400), int64(650)})
			a.Set("Contents", pdf.String{Bytes: []byte("DIBATALKAN")})
			if ap {
				n := pdf.NewDict()
				n.Set("N", stream(u, "1 1 1 rg 0 0 328 50 re f"))
				a.Set("AP", n)
			}
			ref := u.Alloc()
			u.Set(ref, a)
			annots, _ := r.GetArray(page.Get("Annots"))
			pg := page.Clone()
			pg.Set("Annots", append(append(pdf.Array{}, annots...), ref))
			u.Set(pageRef, pg)
		}
	}
	type want struct {
		pass bool
	}
	cases := []struct {
		name  string
		edit  func(r *pdf.Reader, u *pdf.Update)
		level string
		rule  string
		// pass per permission: approval, P=1, P=2, P=3.
		pass [4]bool
	}{
		{"field filled with its appearance", fill(true), "FORM_FILLING", "form-filling", [4]bool{true, false, true, true}},
		{"field value changed, old appearance kept (shadow replace)", fill(false), "OTHER", "form-filling", [4]bool{}},
		{"NeedAppearances set", needAppearances, "FORM_FILLING", "form", [4]bool{true, false, true, true}},
		{"note added", annot("Text", false), "ANNOTATIONS", "annotations", [4]bool{true, false, false, true}},
		{"FreeText overlay added", annot("FreeText", false), "OTHER", "annotations", [4]bool{}},
		{"Text annotation with a large appearance", annot("Text", true), "OTHER", "annotations", [4]bool{}},
	}
	perms := []signer.Permission{signer.NotCertified, signer.NoChanges, signer.FormFilling, signer.Annotations}
	for pi, p := range perms {
		signed := w.sign(t, form, p)
		for _, tc := range cases {
			t.Run(fmt.Sprintf("P=%d/%s", p, tc.name), func(t *testing.T) {
				t.Parallel()
				out := appendUpdate(t, signed, tc.edit)
				rep := verifyPDF(t, out, w.opts)
				if tc.pass[pi] {
					wantSig(t, rep, 0, verify.TotalPassed, "")
				} else {
					wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
				}
				wantChange(t, rep, 0, tc.level, tc.rule)
			})
		}
	}
}

// TestDiffFieldMDP: a signature locking fields with FieldMDP fails when a
// locked field is filled in afterwards, and names the field.
func TestDiffFieldMDP(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	form := testcorpus.Base(t)["form-2page"]
	lock := func(action pdf.Name, fields ...string) pdf.Array {
		params := pdf.NewDict()
		params.Set("Type", pdf.Name("TransformParams"))
		params.Set("Action", action)
		var arr pdf.Array
		for _, f := range fields {
			arr = append(arr, pdf.String{Bytes: []byte(f)})
		}
		if arr != nil {
			params.Set("Fields", arr)
		}
		params.Set("V", pdf.Name("1.2"))
		ref := pdf.NewDict()
		ref.Set("Type", pdf.Name("SigRef"))
		ref.Set("TransformMethod", pdf.Name("FieldMDP"))
		ref.Set("TransformParams", params)
		return pdf.Array{ref}
	}
	fill := func(name string) func(r *pdf.Reader, u *pdf.Update) {
		return func(r *pdf.Reader, u *pdf.Update) {
			ref, d, err := r.FieldByName(name)
			if err != nil {
				t.Fatal(err)
			}
			d = d.Clone()
			d.Set("V", pdf.String{Bytes: []byte("diisi")})
			n := pdf.NewDict()
			n.Set("N", stream(u, "/Tx BMC EMC"))
			d.Set("AP", n)
			u.Set(ref, d)
		}
	}
	for _, tc := range []struct {
		name   string
		lock   pdf.Array
		field  string
		locked bool
	}{
		{"Include, listed field", lock("Include", "perihal"), "perihal", true},
		{"Include, other field", lock("Include", "perihal"), "nomor", false},
		{"Exclude, listed field", lock("Exclude", "perihal"), "perihal", false},
		{"Exclude, other field", lock("Exclude", "perihal"), "nomor", true},
		{"All", lock("All"), "catatan", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			signed := craftSign(t, form, w.id, craft{Field: "Locking", Reference: tc.lock})
			out := appendUpdate(t, signed, fill(tc.field))
			rep := verifyPDF(t, out, w.opts)
			s := wantChange(t, rep, 0, "FORM_FILLING", "form-filling")
			if !tc.locked {
				wantSig(t, rep, 0, verify.TotalPassed, "")
				return
			}
			wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
			if !anyContains(s.Errors, fmt.Sprintf("%q", tc.field)) {
				t.Errorf("errors %q do not name the locked field %q", s.Errors, tc.field)
			}
		})
	}
}

// TestDiffSneakyAppearance: a new widget whose /AP points at the signed
// signature's appearance stream, which the update then redefines (or the
// signed widget hidden, or unhidden): what the signed page shows changes.
func TestDiffSneakyAppearance(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	r := openPDF(t, w.signed)
	l := sigsOf(t, w.signed)[0]
	widget := dictOf(t, r, l.Widget)
	apRef, ok := dictOf(t, r, widget.Get("AP")).Get("N").(pdf.Ref)
	if !ok {
		t.Fatal("the signature widget has no indirect appearance")
	}
	for name, extra := range map[string]func(r *pdf.Reader, u *pdf.Update, _ int) string{
		"new widget shares the signed appearance, which is redefined": func(r *pdf.Reader, u *pdf.Update, _ int) string {
			d := pdf.NewDict()
			d.Set("Type", pdf.Name("XObject"))
			d.Set("Subtype", pdf.Name("Form"))
			d.Set("BBox", pdf.Array{int64(0), int64(0), int64(595), int64(842)})
			u.SetStream(apRef, d, []byte("1 1 1 rg 0 0 595 842 re f"))
			return ""
		},
		"signed widget flags changed": func(r *pdf.Reader, u *pdf.Update, _ int) string {
			d := widget.Clone()
			d.Set("F", int64(2))
			u.Set(l.Widget, d)
			return ""
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := craftSign(t, w.signed, w.id, craft{Field: "Second", Extra: extra})
			rep := verifyPDF(t, out, w.opts)
			wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
			wantChange(t, rep, 0, "OTHER")
		})
	}
}

// TestDiffManyKids: a signature field with 8 000 kids that lack /FT (they
// inherit it) costs one walk, not a walk per kid (31 s before). Not
// parallel, so that it is timed alone; the limit leaves room for a loaded
// machine.
func TestDiffManyKids(t *testing.T) {
	w := newDiffWorld(t)
	const n = 8000
	prepared := appendUpdate(t, letterPDF(t), func(r *pdf.Reader, u *pdf.Update) {
		parent := u.Alloc()
		kids := make(pdf.Array, n)
		for i := range kids {
			ref := u.Alloc()
			k := pdf.NewDict()
			k.Set("T", pdf.String{Bytes: []byte(fmt.Sprintf("k%d", i))})
			k.Set("Parent", parent)
			u.Set(ref, k)
			kids[i] = ref
		}
		p := pdf.NewDict()
		p.Set("FT", pdf.Name("Sig"))
		p.Set("T", pdf.String{Bytes: []byte("Many")})
		p.Set("Kids", kids)
		u.Set(parent, p)
		form := pdf.NewDict()
		form.Set("Fields", pdf.Array{parent})
		setCatalog(t, "AcroForm", func(*pdf.Reader, *pdf.Update) pdf.Object { return form })(r, u)
	})
	signed := craftSign(t, prepared, w.id, craft{})
	out := appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) {
		ref := r.Trailer().Get("Info").(pdf.Ref)
		d := dictOf(t, r, ref).Clone()
		d.Set("ModDate", pdf.String{Bytes: []byte("D:20260101000000Z")})
		u.Set(ref, d)
	})
	start := time.Now()
	rep := verifyPDF(t, out, w.opts)
	elapsed := time.Since(start)
	t.Logf("%d kids, %d bytes: verified in %v", n, len(out), elapsed)
	wantSig(t, rep, 0, verify.TotalPassed, "")
	wantChange(t, rep, 0, "LTA_UPDATES", "info")
	if limit := 2 * time.Second * time.Duration(raceFactor); elapsed > limit {
		t.Errorf("verification took %v, want well under %v", elapsed, limit)
	}
}

// TestDiffShadow: shadow attacks (Mainka, Mladenov, Rohlmann 2021): the
// signed document is prepared so that an update, harmless looking,
// changes what it shows.
func TestDiffShadow(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	var overlay, choice, choiceAP, box pdf.Ref
	prepared := appendUpdate(t, letterPDF(t), func(r *pdf.Reader, u *pdf.Update) {
		pageRef, page := firstPageOf(t, r)
		// Hide: the page draws an overlay (a white box with other text)
		// over the letter's text.
		overlay = u.Alloc()
		od := pdf.NewDict()
		od.Set("Type", pdf.Name("XObject"))
		od.Set("Subtype", pdf.Name("Form"))
		od.Set("BBox", pdf.Array{int64(0), int64(0), int64(595), int64(842)})
		u.SetStream(overlay, od, []byte("1 1 1 rg 0 600 595 100 re f"))
		res, _ := r.GetDict(page.Get("Resources"))
		res = res.Clone()
		xo := pdf.NewDict()
		xo.Set("Ov", overlay)
		res.Set("XObject", xo)
		draw := stream(u, "q /Ov Do Q")
		pg := page.Clone()
		pg.Set("Resources", res)
		pg.Set("Contents", pdf.Array{page.Get("Contents"), draw})
		// Replace: a choice field and a check box, drawn from their
		// prepared appearances.
		choice, choiceAP, box = u.Alloc(), u.Alloc(), u.Alloc()
		apd := pdf.NewDict()
		apd.Set("Subtype", pdf.Name("Form"))
		apd.Set("BBox", pdf.Array{int64(0), int64(0), int64(200), int64(20)})
		u.SetStream(choiceAP, apd, []byte("/Tx BMC BT /Helv 10 Tf 2 6 Td (Rp 1.000.000) Tj ET EMC"))
		ch := pdf.NewDict()
		ch.Set("Type", pdf.Name("Annot"))
		ch.Set("Subtype", pdf.Name("Widget"))
		ch.Set("FT", pdf.Name("Ch"))
		ch.Set("Ff", int64(1<<17)) // combo box
		ch.Set("T", pdf.String{Bytes: []byte("jumlah")})
		ch.Set("Opt", pdf.Array{pdf.String{Bytes: []byte("Rp 1.000.000")}, pdf.String{Bytes: []byte("Rp 100.000.000")}})
		ch.Set("V", pdf.String{Bytes: []byte("Rp 1.000.000")})
		ch.Set("Rect", pdf.Array{int64(72), int64(500), int64(272), int64(520)})
		ch.Set("P", pageRef)
		n := pdf.NewDict()
		n.Set("N", choiceAP)
		ch.Set("AP", n)
		u.Set(choice, ch)
		bx := pdf.NewDict()
		bx.Set("Type", pdf.Name("Annot"))
		bx.Set("Subtype", pdf.Name("Widget"))
		bx.Set("FT", pdf.Name("Btn"))
		bx.Set("T", pdf.String{Bytes: []byte("setuju")})
		bx.Set("V", pdf.Name("Off"))
		bx.Set("AS", pdf.Name("Off"))
		bx.Set("Rect", pdf.Array{int64(72), int64(450), int64(92), int64(470)})
		bx.Set("P", pageRef)
		states := pdf.NewDict()
		states.Set("Yes", stream(u, "0 0 20 20 re f"))
		states.Set("Off", stream(u, ""))
		bn := pdf.NewDict()
		bn.Set("N", states)
		bx.Set("AP", bn)
		u.Set(box, bx)
		annots, _ := r.GetArray(page.Get("Annots"))
		pg.Set("Annots", append(append(pdf.Array{}, annots...), choice, box))
		u.Set(pageRef, pg)
		form := pdf.NewDict()
		form.Set("Fields", pdf.Array{choice, box})
		c := dictOf(t, r, r.CatalogRef()).Clone()
		c.Set("AcroForm", form)
		u.Set(r.CatalogRef(), c)
	})
	signed := w.sign(t, prepared, 0)
	wantSig(t, verifyPDF(t, signed, w.opts), 0, verify.TotalPassed, "")
	setField := func(ref pdf.Ref, key pdf.Name, v pdf.Object) func(r *pdf.Reader, u *pdf.Update) {
		return func(r *pdf.Reader, u *pdf.Update) {
			d := dictOf(t, r, ref).Clone()
			d.Set(key, v)
			u.Set(ref, d)
		}
	}
	for _, tc := range []struct {
		name string
		edit func(r *pdf.Reader, u *pdf.Update)
		pass bool
		rule string
	}{
		{"hide: overlay emptied", func(r *pdf.Reader, u *pdf.Update) {
			od := pdf.NewDict()
			od.Set("Type", pdf.Name("XObject"))
			od.Set("Subtype", pdf.Name("Form"))
			od.Set("BBox", pdf.Array{int64(0), int64(0), int64(1), int64(1)})
			u.SetStream(overlay, od, nil)
		}, false, ""},
		{"replace: choice value changed, prepared appearance kept", setField(choice, "V", pdf.String{Bytes: []byte("Rp 100.000.000")}), false, "form-filling"},
		{"replace: choice appearance redefined in place", func(r *pdf.Reader, u *pdf.Update) {
			apd := pdf.NewDict()
			apd.Set("Subtype", pdf.Name("Form"))
			apd.Set("BBox", pdf.Array{int64(0), int64(0), int64(200), int64(20)})
			u.SetStream(choiceAP, apd, []byte("/Tx BMC BT /Helv 10 Tf 2 6 Td (Rp 100.000.000) Tj ET EMC"))
		}, false, "appearance"},
		{"replace: check box value without its state", setField(box, "V", pdf.Name("Yes")), false, "form-filling"},
		{"check box ticked", func(r *pdf.Reader, u *pdf.Update) {
			d := dictOf(t, r, box).Clone()
			d.Set("V", pdf.Name("Yes"))
			d.Set("AS", pdf.Name("Yes"))
			u.Set(box, d)
		}, true, "form-filling"},
		{"choice filled with a regenerated appearance", func(r *pdf.Reader, u *pdf.Update) {
			apd := pdf.NewDict()
			apd.Set("Subtype", pdf.Name("Form"))
			apd.Set("BBox", pdf.Array{int64(0), int64(0), int64(200), int64(20)})
			ap := u.Alloc()
			u.SetStream(ap, apd, []byte("/Tx BMC BT /Helv 10 Tf 2 6 Td (Rp 100.000.000) Tj ET EMC"))
			d := dictOf(t, r, choice).Clone()
			d.Set("V", pdf.String{Bytes: []byte("Rp 100.000.000")})
			n := pdf.NewDict()
			n.Set("N", ap)
			d.Set("AP", n)
			u.Set(choice, d)
		}, true, "form-filling"},
		{"hide: widget hidden", setField(choice, "F", int64(2)), false, "form-node"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := appendUpdate(t, signed, tc.edit)
			rep := verifyPDF(t, out, w.opts)
			var rules []string
			if tc.rule != "" {
				rules = append(rules, tc.rule)
			}
			if tc.pass {
				wantSig(t, rep, 0, verify.TotalPassed, "")
				wantChange(t, rep, 0, "FORM_FILLING", rules...)
				return
			}
			wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
			wantChange(t, rep, 0, "OTHER", rules...)
		})
	}
}

// TestDiffCertifiedThenLTA: Segel's own B-LTA augmentation of a letter
// certified with P=1 (DSS, then document timestamps) and of one certified
// with P=2 then approved: every signature passes, the certification at
// LTA_UPDATES or FORM_FILLING.
func TestDiffCertifiedThenLTA(t *testing.T) {
	t.Parallel()
	p, _ := testpki.MustNewServer(t, testpki.Options{})
	id := p.MustIssueSigner(t, testpki.SignerOptions{})
	ts := newTestTSA(t, p, nil)
	opts := &verify.Options{Trust: anchors(p.Root.Cert)}
	augment := func(t *testing.T, in []byte) []byte {
		var out bytes.Buffer
		if _, err := signer.Augment(context.Background(), bytes.NewReader(in), int64(len(in)), &out,
			&signer.AugmentOptions{Level: signer.LevelLTA, Timestamper: ts, Certificates: []*x509.Certificate{p.Root.Cert}}); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	t.Run("P=1", func(t *testing.T) {
		t.Parallel()
		o := optsFor(id)
		o.Certify = signer.NoChanges
		out := augment(t, signPDF(t, letterPDF(t), o))
		rep := verifyPDF(t, out, opts)
		for i := range rep.Signatures {
			wantSig(t, rep, i, verify.TotalPassed, "")
		}
		wantChange(t, rep, 0, "LTA_UPDATES", "dss", "signature-field")
	})
	t.Run("P=2 then approval", func(t *testing.T) {
		t.Parallel()
		o := optsFor(id)
		o.Certify = signer.FormFilling
		two := signPDF(t, signPDF(t, letterPDF(t), o), optsFor(id))
		out := augment(t, two)
		rep := verifyPDF(t, out, opts)
		for i := range rep.Signatures {
			wantSig(t, rep, i, verify.TotalPassed, "")
		}
		wantChange(t, rep, 0, "FORM_FILLING", "signature-field")
	})
}

// TestDiffIndirectValue: a field whose /V is an object of its own, filled
// in by redefining that object: form filling when the appearance follows.
func TestDiffIndirectValue(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	var value, field pdf.Ref
	prepared := appendUpdate(t, testcorpus.Base(t)["form-2page"], func(r *pdf.Reader, u *pdf.Update) {
		ref, d, err := r.FieldByName("perihal")
		if err != nil {
			t.Fatal(err)
		}
		field, value = ref, u.Alloc()
		u.Set(value, pdf.String{Bytes: []byte("Undangan")})
		d = d.Clone()
		d.Set("V", value)
		u.Set(ref, d)
	})
	signed := w.sign(t, prepared, signer.FormFilling)
	for _, tc := range []struct {
		name  string
		ap    bool
		pass  bool
		level string
	}{{"with its appearance", true, true, "FORM_FILLING"}, {"appearance kept", false, false, "OTHER"}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) {
				u.Set(value, pdf.String{Bytes: []byte("Undangan Rapat")})
				if tc.ap {
					d := dictOf(t, r, field).Clone()
					n := pdf.NewDict()
					n.Set("N", stream(u, "/Tx BMC BT /Helv 10 Tf 2 6 Td (Undangan Rapat) Tj ET EMC"))
					d.Set("AP", n)
					u.Set(field, d)
				}
			})
			rep := verifyPDF(t, out, w.opts)
			if tc.pass {
				wantSig(t, rep, 0, verify.TotalPassed, "")
			} else {
				wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
			}
			wantChange(t, rep, 0, tc.level, "form-filling")
		})
	}
}

// TestDiffRepacked: an update that moves the catalog, the page tree and
// the first page into a new object stream, with equal values, under a
// new cross-reference stream, changes nothing.
func TestDiffRepacked(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	for _, name := range []string{"gs-letter", "gs-letter/objstm"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			signed := w.sign(t, testcorpus.All(t)[name], signer.NoChanges)
			r := openPDF(t, signed)
			cat, err := r.Catalog()
			if err != nil {
				t.Fatal(err)
			}
			pageRef, _ := firstPageOf(t, r)
			refs := []pdf.Ref{r.CatalogRef(), cat.Get("Pages").(pdf.Ref), pageRef}
			var hdr, body bytes.Buffer
			for _, ref := range refs {
				o, err := r.Resolve(ref)
				if err != nil {
					t.Fatal(err)
				}
				b, err := pdf.Marshal(o)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&hdr, "%d %d ", ref.Num, body.Len())
				body.Write(b)
				body.WriteString("\n")
			}
			size := int64(r.Size())
			stmNum, xrefNum := size, size+1
			var buf bytes.Buffer
			buf.Write(signed)
			offStm := int64(buf.Len())
			data := append(hdr.Bytes(), body.Bytes()...)
			fmt.Fprintf(&buf, "%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Length %d >>\nstream\n", stmNum, len(refs), hdr.Len(), len(data))
			buf.Write(data)
			buf.WriteString("\nendstream\nendobj\n")
			offXref := int64(buf.Len())
			var entries bytes.Buffer
			var index []string
			entry := func(num int64, typ byte, a int64, b int) {
				index = append(index, fmt.Sprintf("%d 1", num))
				entries.Write([]byte{typ, byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a), byte(b >> 8), byte(b)})
			}
			for i, ref := range refs {
				entry(int64(ref.Num), 2, stmNum, i)
			}
			entry(stmNum, 1, offStm, 0)
			entry(xrefNum, 1, offXref, 0)
			tr := r.Trailer()
			fmt.Fprintf(&buf, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%s] /Root %v /Info %v /Prev %d /Length %d >>\nstream\n",
				xrefNum, xrefNum+1, strings.Join(index, " "), tr.Get("Root"), tr.Get("Info"), r.StartXref(), entries.Len())
			buf.Write(entries.Bytes())
			fmt.Fprintf(&buf, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", offXref)
			out := buf.Bytes()
			if e, ok := openPDF(t, out).Entry(pageRef.Num); !ok || e.Type != pdf.EntryCompressed || e.Stream != uint32(stmNum) {
				t.Fatalf("test bug: the page is not read from the new object stream: %+v", e)
			}
			rep := verifyPDF(t, out, w.opts)
			wantSig(t, rep, 0, verify.TotalPassed, "")
			wantChange(t, rep, 0, "NONE")
		})
	}
}

// TestDiffDanglingAnnotation: the signed page lists an annotation that
// does not exist; a later signer that reuses its number for the widget of
// a new signature adds a signature, and an attacker who defines it as an
// overlay adds an overlay.
func TestDiffDanglingAnnotation(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	const dangling = 900
	prepared := appendUpdate(t, letterPDF(t), func(r *pdf.Reader, u *pdf.Update) {
		ref, page := firstPageOf(t, r)
		annots, _ := r.GetArray(page.Get("Annots"))
		pg := page.Clone()
		pg.Set("Annots", append(append(pdf.Array{}, annots...), pdf.Ref{Num: dangling}))
		u.Set(ref, pg)
	})
	signed := w.sign(t, prepared, 0)
	for _, tc := range []struct {
		name    string
		subtype pdf.Name
		pass    bool
		level   string
	}{{"note", "Text", true, "ANNOTATIONS"}, {"overlay", "Square", false, "OTHER"}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) {
				a := pdf.NewDict()
				a.Set("Type", pdf.Name("Annot"))
				a.Set("Subtype", tc.subtype)
				a.Set("Rect", pdf.Array{int64(0), int64(0), int64(595), int64(842)})
				u.Set(pdf.Ref{Num: dangling}, a)
			})
			rep := verifyPDF(t, out, w.opts)
			if tc.pass {
				wantSig(t, rep, 0, verify.TotalPassed, "")
			} else {
				wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
			}
			wantChange(t, rep, 0, tc.level, "annotations")
		})
	}
}

// TestDiffFieldLock: a prepared signature field's /Lock (what the signer
// was asked to lock) locks the fields it names once the field is signed.
func TestDiffFieldLock(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	prepared := appendUpdate(t, testcorpus.Base(t)["form-2page"], func(r *pdf.Reader, u *pdf.Update) {
		ref, d, err := r.FieldByName("Signature1")
		if err != nil {
			t.Fatal(err)
		}
		lock := pdf.NewDict()
		lock.Set("Type", pdf.Name("SigFieldLock"))
		lock.Set("Action", pdf.Name("Include"))
		lock.Set("Fields", pdf.Array{pdf.String{Bytes: []byte("nomor")}})
		d = d.Clone()
		d.Set("Lock", lock)
		u.Set(ref, d)
	})
	o := optsFor(w.id)
	o.Field = "Signature1"
	signed := signPDF(t, prepared, o)
	fill := func(name string) func(r *pdf.Reader, u *pdf.Update) {
		return func(r *pdf.Reader, u *pdf.Update) {
			ref, d, err := r.FieldByName(name)
			if err != nil {
				t.Fatal(err)
			}
			d = d.Clone()
			d.Set("V", pdf.String{Bytes: []byte("diisi")})
			n := pdf.NewDict()
			n.Set("N", stream(u, "/Tx BMC EMC"))
			d.Set("AP", n)
			u.Set(ref, d)
		}
	}
	rep := verifyPDF(t, appendUpdate(t, signed, fill("nomor")), w.opts)
	s := wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
	if !anyContains(s.Errors, `"nomor"`) {
		t.Errorf("errors %q do not name the locked field", s.Errors)
	}
	wantSig(t, verifyPDF(t, appendUpdate(t, signed, fill("perihal")), w.opts), 0, verify.TotalPassed, "")
}

// TestDiffAnnotationRemoved: removing a note is an annotation change;
// removing a stamp the signed page showed changes what it shows.
func TestDiffAnnotationRemoved(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	prepared := appendUpdate(t, letterPDF(t), func(r *pdf.Reader, u *pdf.Update) {
		ref, page := firstPageOf(t, r)
		annots, _ := r.GetArray(page.Get("Annots"))
		list := append(pdf.Array{}, annots...)
		for _, sub := range []pdf.Name{"Text", "Stamp"} {
			a := pdf.NewDict()
			a.Set("Type", pdf.Name("Annot"))
			a.Set("Subtype", sub)
			a.Set("Rect", pdf.Array{int64(72), int64(600), int64(400), int64(650)})
			n := pdf.NewDict()
			n.Set("N", stream(u, "1 0 0 rg 0 0 328 50 re f"))
			if sub == "Stamp" {
				a.Set("AP", n)
			}
			ar := u.Alloc()
			u.Set(ar, a)
			list = append(list, ar)
		}
		pg := page.Clone()
		pg.Set("Annots", list)
		u.Set(ref, pg)
	})
	signed := w.sign(t, prepared, 0)
	for _, tc := range []struct {
		sub   pdf.Name
		pass  bool
		level string
	}{{"Text", true, "ANNOTATIONS"}, {"Stamp", false, "OTHER"}} {
		t.Run(string(tc.sub), func(t *testing.T) {
			t.Parallel()
			out := appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) {
				ref, page := firstPageOf(t, r)
				annots, _ := r.GetArray(page.Get("Annots"))
				var list pdf.Array
				for _, e := range annots {
					if d, _ := r.GetDict(e); d.Get("Subtype") != tc.sub {
						list = append(list, e)
					}
				}
				pg := page.Clone()
				pg.Set("Annots", list)
				u.Set(ref, pg)
			})
			rep := verifyPDF(t, out, w.opts)
			if tc.pass {
				wantSig(t, rep, 0, verify.TotalPassed, "")
			} else {
				wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
			}
			wantChange(t, rep, 0, tc.level, "annotations")
		})
	}
}

// TestDiffFieldNotInForm: a later signature whose field is only in the
// page's /Annots (not in /Fields) is found, verified, and is form filling
// for the earlier one.
func TestDiffFieldNotInForm(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	signed := w.sign(t, letterPDF(t), 0)
	out := craftSign(t, signed, w.other, craft{Field: "OffTheList", NotInFields: true})
	rep := verifyPDF(t, out, w.opts)
	checkDocLen(t, rep, 2)
	wantSig(t, rep, 0, verify.TotalPassed, "")
	wantChange(t, rep, 0, "FORM_FILLING", "signature-field")
	if s := wantSig(t, rep, 1, verify.TotalPassed, ""); s.Field != "OffTheList" {
		t.Errorf("field %q", s.Field)
	}
	if !anyContains(rep.Warnings, "OffTheList") {
		t.Errorf("no warning names the field off the list: %q", rep.Warnings)
	}
}

// TestDiffTrailingUpdate: objects after the last revision (an update
// whose xref is cut off) fail the signatures; junk is only unexplained.
func TestDiffTrailingUpdate(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	signed := w.sign(t, letterPDF(t), 0)
	for _, tc := range []struct {
		name string
		tail string
		ind  verify.Indication
		sub  verify.SubIndication
	}{
		{"truncated update", "\n7 0 obj\n<< /Length 10 >>\nstream\nBT (X) Tj ET\nendstream\nendobj\nxref\n0 1\n00000", verify.TotalFailed, verify.ModifiedAfterSigning},
		{"junk", "\n<html>502 Bad Gateway</html>\n", verify.Indeterminate, verify.UnsupportedFeature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := append(append([]byte{}, signed...), tc.tail...)
			wantSig(t, verifyPDF(t, out, w.opts), 0, tc.ind, tc.sub)
		})
	}
}
