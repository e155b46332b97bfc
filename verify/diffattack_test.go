package verify_test

import (
	"testing"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// TestDiffSneakyAppearance: a new widget whose /AP points at the signed
// signature's appearance stream, which the update then redefines (or the
// signed widget hidden, or unhidden): what the signed page shows changes.
func TestDiffSneakyAppearance(t *testing.T) {
	t.Parallel()
	// A visible stamp: since invisible widgets carry no /AP, the attack
	// needs a signed appearance stream to share.
	p := offlinePKIFor(t)
	id := signerID(t, p, testpki.ECDSAP256)
	o := optsFor(id)
	o.Reserve = 2048
	o.Appearance = &signer.Appearance{Placement: signer.Placement{Page: 1, Rect: [4]float64{40, 40, 220, 120}}}
	w := &attackWorld{pki: p, id: id, signed: signPDF(t, letterPDF(t), o), opts: &verify.Options{Trust: anchors(p.Root.Cert)}}
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
