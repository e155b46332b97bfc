package verify_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"testing"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

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
