package verify_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/verify"
)

// The red-team suite: incremental updates after a signature that change
// what a page shows or what a signed field holds, each of which must be
// TOTAL_FAILED / MODIFIED_AFTER_SIGNING. Many prepare the document before
// it is signed so that an object the page draws is also reached through a
// role whose rule clears changes (document information, metadata, DSS,
// structure tree, form resources, ...): a change is judged by the rules
// of all its roles, so the content role must still refuse it.

// rtCase is one attack: prepare edits the letter before it is signed (nil:
// the plain letter), attack makes the update after the signature.
type rtCase struct {
	name    string
	prepare func(t *testing.T, r *pdf.Reader, u *pdf.Update)
	certify signer.Permission
	attack  func(t *testing.T, w *diffWorld, signed []byte) []byte
	// pass is set for the benign counterparts.
	pass bool
	// lockIdx is the signature checked (0: the first).
	lockIdx int
	// anyFail accepts any TOTAL_FAILED sub-indication.
	anyFail bool
}

// redefineContent replaces the first page's content stream.
func redefineContent(t *testing.T, r *pdf.Reader, u *pdf.Update) {
	u.SetStream(pageContent(t, r), pdf.NewDict(), []byte("BT /F1 24 Tf 72 700 Td (Rp 100.000.000) Tj ET"))
}

// update returns an attack made by one appended update.
func update(edit func(t *testing.T, r *pdf.Reader, u *pdf.Update)) func(t *testing.T, w *diffWorld, signed []byte) []byte {
	return func(t *testing.T, _ *diffWorld, signed []byte) []byte {
		return appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) { edit(t, r, u) })
	}
}

// catalogKey sets a key of the catalog to what v makes.
func catalogKey(key pdf.Name, v func(t *testing.T, r *pdf.Reader, u *pdf.Update) pdf.Object) func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
	return func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
		c := dictOf(t, r, r.CatalogRef()).Clone()
		c.Set(key, v(t, r, u))
		u.Set(r.CatalogRef(), c)
	}
}

// pageKey sets a key of the first page.
func pageKey(key pdf.Name, v pdf.Object) func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
	return func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
		ref, page := firstPageOf(t, r)
		p := page.Clone()
		p.Set(key, v)
		u.Set(ref, p)
	}
}

// contentVia makes the page's content stream also reachable through
// key of the catalog, wrapped by wrap (nil: the stream itself).
func contentVia(key pdf.Name, wrap func(ref pdf.Ref) pdf.Object) func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
	return catalogKey(key, func(t *testing.T, r *pdf.Reader, _ *pdf.Update) pdf.Object {
		ref := pageContent(t, r)
		if wrap == nil {
			return ref
		}
		return wrap(ref)
	})
}

func dictWith(kv ...any) pdf.Dict {
	d := pdf.NewDict()
	for i := 0; i+1 < len(kv); i += 2 {
		d.Set(pdf.Name(kv[i].(string)), kv[i+1].(pdf.Object))
	}
	return d
}

func jsAction(js string) pdf.Dict {
	return dictWith("S", pdf.Name("JavaScript"), "JS", pdf.String{Bytes: []byte(js)})
}

func rect(a, b, c, d int64) pdf.Array { return pdf.Array{a, b, c, d} }

func TestRedTeam(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	cases := []rtCase{
		// Dual roles: the content stream also reached as something a
		// rule clears, then redefined.
		{name: "content also /Info entry", prepare: func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			info := u.Alloc()
			u.Set(info, dictWith("Producer", pdf.String{Bytes: []byte("x")}, "X", pageContent(t, r)))
			u.SetTrailer("Info", info)
		}, attack: update(redefineContent)},
		{name: "content also catalog /Metadata", prepare: contentVia("Metadata", nil), attack: update(redefineContent)},
		{name: "content also in /DSS /Certs", prepare: contentVia("DSS", func(ref pdf.Ref) pdf.Object { return dictWith("Certs", pdf.Array{ref}) }), attack: update(redefineContent)},
		{name: "content also in /StructTreeRoot /K", prepare: contentVia("StructTreeRoot", func(ref pdf.Ref) pdf.Object {
			return dictWith("Type", pdf.Name("StructTreeRoot"), "K", pdf.Array{ref})
		}), attack: update(redefineContent)},
		{name: "content also catalog /PieceInfo", prepare: contentVia("PieceInfo", func(ref pdf.Ref) pdf.Object { return dictWith("App", dictWith("Private", ref)) }), attack: update(redefineContent)},
		{name: "content also /Outlines", prepare: contentVia("Outlines", func(ref pdf.Ref) pdf.Object { return dictWith("X", ref) }), attack: update(redefineContent)},
		{name: "content also /Names", prepare: contentVia("Names", func(ref pdf.Ref) pdf.Object { return dictWith("X", ref) }), attack: update(redefineContent)},
		{name: "content also /AcroForm /DR", prepare: contentVia("AcroForm", func(ref pdf.Ref) pdf.Object {
			return dictWith("Fields", pdf.Array{}, "DR", dictWith("XObject", dictWith("C", ref)))
		}), attack: update(redefineContent)},
		{name: "content also /Perms", prepare: contentVia("Perms", func(ref pdf.Ref) pdf.Object { return dictWith("X", ref) }), attack: update(redefineContent)},
		{name: "content made metadata then redefined", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			contentVia("Metadata", nil)(t, r, u)
			redefineContent(t, r, u)
		})},
		{name: "content made the AP of a new signature then redefined", attack: func(t *testing.T, w *diffWorld, signed []byte) []byte {
			return craftSign(t, signed, w.id, craft{Field: "Second", Extra: func(r *pdf.Reader, u *pdf.Update, _ int) string {
				redefineContent(t, r, u)
				return ""
			}})
		}},
		// Actions and scripts.
		{name: "catalog /OpenAction JavaScript", attack: update(catalogKey("OpenAction", func(*testing.T, *pdf.Reader, *pdf.Update) pdf.Object { return jsAction("app.alert(1)") }))},
		{name: "catalog /AA", attack: update(catalogKey("AA", func(*testing.T, *pdf.Reader, *pdf.Update) pdf.Object { return dictWith("WC", jsAction("app.alert(1)")) }))},
		{name: "page /AA", attack: update(pageKey("AA", dictWith("O", jsAction("app.alert(1)"))))},
		{name: "/Names /JavaScript added", attack: update(catalogKey("Names", func(*testing.T, *pdf.Reader, *pdf.Update) pdf.Object {
			return dictWith("JavaScript", dictWith("Names", pdf.Array{pdf.String{Bytes: []byte("a")}, jsAction("app.alert(1)")}))
		}))},
		{name: "/Names /EmbeddedFiles added", attack: update(catalogKey("Names", func(_ *testing.T, _ *pdf.Reader, u *pdf.Update) pdf.Object {
			fs := dictWith("Type", pdf.Name("Filespec"), "F", pdf.String{Bytes: []byte("a.exe")}, "EF", dictWith("F", stream(u, "MZ")))
			return dictWith("EmbeddedFiles", dictWith("Names", pdf.Array{pdf.String{Bytes: []byte("a")}, fs}))
		}))},
		// Optional content.
		{name: "/OCProperties added", attack: update(catalogKey("OCProperties", func(_ *testing.T, _ *pdf.Reader, u *pdf.Update) pdf.Object {
			ocg := u.Alloc()
			u.Set(ocg, dictWith("Type", pdf.Name("OCG"), "Name", pdf.String{Bytes: []byte("L")}))
			return dictWith("OCGs", pdf.Array{ocg}, "D", dictWith("OFF", pdf.Array{ocg}))
		}))},
		// Geometry.
		{name: "page /Rotate", attack: update(pageKey("Rotate", int64(180)))},
		{name: "page /MediaBox", attack: update(pageKey("MediaBox", rect(0, 0, 300, 300)))},
		{name: "page /CropBox", attack: update(pageKey("CropBox", rect(0, 700, 595, 842)))},
		{name: "page /UserUnit", attack: update(pageKey("UserUnit", int64(3)))},
		{name: "inherited /Rotate on /Pages", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			root := dictOf(t, r, r.CatalogRef()).Get("Pages").(pdf.Ref)
			d := dictOf(t, r, root).Clone()
			d.Set("Rotate", int64(90))
			u.Set(root, d)
		})},
		// Overlays.
		{name: "new text field widget overlays the page", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			addWidget(t, r, u, dictWith("FT", pdf.Name("Tx"), "T", pdf.String{Bytes: []byte("t")}), "1 1 1 rg 0 0 595 842 re f")
		})},
		{name: "new widget inherits /FT /Sig from a parent it is not a kid of", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			parent := u.Alloc()
			kid := addWidget(t, r, u, dictWith("Parent", parent), "1 1 1 rg 0 0 595 842 re f")
			u.Set(parent, dictWith("FT", pdf.Name("Sig"), "T", pdf.String{Bytes: []byte("p")}, "Kids", pdf.Array{kid}))
		})},
		// Annotation flags: NoView (32) is not drawn on screen but is
		// printed with Print (4), and ToggleNoView (256) shows it on
		// hover; only Hidden (2) hides it everywhere.
		{name: "new text field widget NoView|Print", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			addWidget(t, r, u, dictWith("F", int64(32|4), "FT", pdf.Name("Tx"), "T", pdf.String{Bytes: []byte("t")}), "1 1 1 rg 0 0 595 842 re f")
		})},
		{name: "new Square annotation NoView|ToggleNoView", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			squareOverlay(t, r, u, 32|256)
		})},
		{name: "new Square annotation NoView|Print", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			squareOverlay(t, r, u, 32|4)
		})},
		{name: "benign: new Square annotation Hidden", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			squareOverlay(t, r, u, 2)
		}), pass: true},
		{name: "certified P=2: new signature widget NoView|Print over the page", certify: signer.FormFilling, attack: func(t *testing.T, w *diffWorld, signed []byte) []byte {
			return craftSign(t, signed, w.id, craft{Field: "Second", Rect: rect(0, 0, 595, 842), Appearance: []byte("1 1 1 rg 0 0 595 842 re f"), Flags: 32 | 4})
		}},
		{name: "certified P=2: new signature widget visible over the page", certify: signer.FormFilling, attack: func(t *testing.T, w *diffWorld, signed []byte) []byte {
			return craftSign(t, signed, w.id, craft{Field: "Second", Rect: rect(0, 0, 595, 842), Appearance: []byte("1 1 1 rg 0 0 595 842 re f")})
		}},
		// Actions on new annotations: scripts run when the page opens
		// (/AA /PO, /PV) or on a click, and can change what it shows.
		{name: "new signature widget with /AA page-open JavaScript", attack: func(t *testing.T, w *diffWorld, signed []byte) []byte {
			return craftSign(t, signed, w.id, craft{Field: "Second", WidgetKeys: dictWith("AA", dictWith("PO", jsAction("this.getField('x').display = display.hidden")))})
		}},
		{name: "new Link annotation running JavaScript", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			linkAnnot(t, r, u, jsAction("app.alert(1)"))
		})},
		{name: "new Link annotation launching a file", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			linkAnnot(t, r, u, dictWith("S", pdf.Name("Launch"), "F", pdf.String{Bytes: []byte("cmd.exe")}))
		})},
		{name: "benign: new Link annotation to a URI", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			linkAnnot(t, r, u, dictWith("S", pdf.Name("URI"), "URI", pdf.String{Bytes: []byte("https://segel.id/")}))
		}), pass: true},
		// XFA: viewers that support it draw the XFA form instead of the
		// pages.
		{name: "/AcroForm /XFA added", attack: update(catalogKey("AcroForm", func(_ *testing.T, _ *pdf.Reader, u *pdf.Update) pdf.Object {
			return dictWith("Fields", pdf.Array{}, "XFA", stream(u, "<xdp:xdp xmlns:xdp=\"http://ns.adobe.com/xdp/\"/>"))
		}))},
		{name: "catalog /NeedsRendering", attack: update(catalogKey("NeedsRendering", func(*testing.T, *pdf.Reader, *pdf.Update) pdf.Object { return true }))},
		{name: "benign: catalog /Lang set", attack: update(catalogKey("Lang", func(*testing.T, *pdf.Reader, *pdf.Update) pdf.Object { return pdf.String{Bytes: []byte("id-ID")} })), pass: true},
		{name: "benign: a second, invisible approval signature", attack: func(t *testing.T, w *diffWorld, signed []byte) []byte {
			return craftSign(t, signed, w.id, craft{Field: "Second"})
		}, pass: true},
		{name: "benign: certified P=2, invisible approval signature", certify: signer.FormFilling, attack: func(t *testing.T, w *diffWorld, signed []byte) []byte {
			return craftSign(t, signed, w.id, craft{Field: "Second"})
		}, pass: true},
		// The trailer.
		{name: "/Encrypt added to the trailer", attack: func(t *testing.T, _ *diffWorld, signed []byte) []byte {
			// Update.Bytes does not write /Encrypt: the trailer is patched.
			var enc pdf.Ref
			out := appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) {
				enc = u.Alloc()
				u.Set(enc, dictWith("Filter", pdf.Name("Standard"), "V", int64(1), "R", int64(2), "O", pdf.String{Bytes: make([]byte, 32)}, "U", pdf.String{Bytes: make([]byte, 32)}, "P", int64(-4)))
			})
			tail := out[len(signed):]
			i := bytes.LastIndex(tail, []byte("/Prev "))
			if i < 0 {
				t.Skip("the update has no /Prev")
			}
			patched := append(append(append([]byte{}, tail[:i]...), []byte("/Encrypt "+enc.String()+" ")...), tail[i:]...)
			out = append(append([]byte{}, signed...), patched...)
			if !openPDF(t, out).Encrypted() {
				t.Fatal("the patched file is not encrypted")
			}
			return out
		}, anyFail: true},
		{name: "new /Info with page content as a value, then redefined", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			info := u.Alloc()
			u.Set(info, dictWith("X", pageContent(t, r)))
			u.SetTrailer("Info", info)
			redefineContent(t, r, u)
		})},
		// Field inheritance.
		{name: "new overlay widget under the signed signature field", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			ref, fd, err := r.FieldByName("Signature1")
			if err != nil {
				t.Fatal(err)
			}
			kid := addWidget(t, r, u, dictWith("Parent", ref), "1 1 1 rg 0 0 595 842 re f")
			fd = fd.Clone()
			fd.Set("Kids", pdf.Array{kid})
			u.Set(ref, fd)
		})},
		{name: "new overlay widget /Parent the signed field, not its kid", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			ref, _, err := r.FieldByName("Signature1")
			if err != nil {
				t.Fatal(err)
			}
			addWidget(t, r, u, dictWith("Parent", ref), "1 1 1 rg 0 0 595 842 re f")
		})},
		// Revisions.
		{name: "final /Prev skips the signed revision", attack: func(t *testing.T, w *diffWorld, signed []byte) []byte {
			return prevSkips(t, signed)
		}, anyFail: true},
		// The signed field.
		{name: "signed /V replaced by a new signature", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			ref, fd, err := r.FieldByName("Signature1")
			if err != nil {
				t.Fatal(err)
			}
			sig := u.Alloc()
			u.Set(sig, dictWith("Type", pdf.Name("Sig"), "Filter", pdf.Name("Adobe.PPKLite"), "ByteRange", pdf.Array{int64(0), int64(1), int64(2), int64(3)}, "Contents", pdf.String{Bytes: []byte{0}}))
			fd = fd.Clone()
			fd.Set("V", sig)
			u.Set(ref, fd)
		}), anyFail: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := letterPDF(t)
			if tc.prepare != nil {
				src = appendUpdate(t, src, func(r *pdf.Reader, u *pdf.Update) { tc.prepare(t, r, u) })
			}
			signed := w.sign(t, src, tc.certify)
			rep := verifyPDF(t, signed, w.opts)
			wantSig(t, rep, 0, verify.TotalPassed, "")
			out := tc.attack(t, w, signed)
			rep = verifyPDF(t, out, w.opts)
			if tc.pass {
				wantSig(t, rep, 0, verify.TotalPassed, "")
				return
			}
			if tc.anyFail {
				if len(rep.Signatures) == 0 {
					// The signature is gone from the document read: the
					// document must not pass.
					if rep.Indication == verify.TotalPassed {
						t.Errorf("no signature found, document TOTAL_PASSED\n%s", dumpReport(rep))
					}
					t.Logf("no signature found; document %s\n%s", rep.Indication, dumpReport(rep))
					return
				}
				if rep.Signatures[0].Indication != verify.TotalFailed {
					t.Errorf("signature 0: %s, want TOTAL_FAILED\n%s", rep.Signatures[0].Indication, dumpReport(rep))
				}
				return
			}
			wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
		})
	}
}

// addWidget adds a widget with the fields of f and an appearance drawing
// ap over the whole first page, listed in the page's /Annots (and the
// form's /Fields when it has /FT).
func addWidget(t *testing.T, r *pdf.Reader, u *pdf.Update, f pdf.Dict, ap string) pdf.Ref {
	pageRef, page := firstPageOf(t, r)
	apRef := u.Alloc()
	u.SetStream(apRef, dictWith("Type", pdf.Name("XObject"), "Subtype", pdf.Name("Form"), "BBox", rect(0, 0, 595, 842)), []byte(ap))
	d := f.Clone()
	d.Set("Type", pdf.Name("Annot"))
	d.Set("Subtype", pdf.Name("Widget"))
	d.Set("Rect", rect(0, 0, 595, 842))
	d.Set("P", pageRef)
	d.Set("AP", dictWith("N", apRef))
	ref := u.Alloc()
	u.Set(ref, d)
	addAnnot(t, r, u, pageRef, page, ref)
	return ref
}

// fontDict is a simple Type1 font.
func fontDict(base string) pdf.Dict {
	return dictWith("Type", pdf.Name("Font"), "Subtype", pdf.Name("Type1"), "BaseFont", pdf.Name(base))
}

// TestRedTeamForm: attacks on a signed form (form-2page: fields perihal,
// nomor, catatan over two pages).
func TestRedTeamForm(t *testing.T) {
	t.Parallel()
	w := newDiffWorld(t)
	form := testcorpus.Base(t)["form-2page"]
	field := func(t *testing.T, r *pdf.Reader, name string) (pdf.Ref, pdf.Dict) {
		ref, d, err := r.FieldByName(name)
		if err != nil {
			t.Fatal(err)
		}
		return ref, d
	}
	fill := func(t *testing.T, r *pdf.Reader, u *pdf.Update, name, v string) {
		ref, d := field(t, r, name)
		d = d.Clone()
		d.Set("V", pdf.String{Bytes: []byte(v)})
		d.Set("AP", dictWith("N", stream(u, "/Tx BMC BT /Helv 10 Tf 2 6 Td ("+v+") Tj ET EMC")))
		u.Set(ref, d)
	}
	// setForm edits the form dictionary (direct in the catalog or not).
	setForm := func(t *testing.T, r *pdf.Reader, u *pdf.Update, edit func(f pdf.Dict)) {
		f, fref, _, err := r.AcroForm()
		if err != nil {
			t.Fatal(err)
		}
		f = f.Clone()
		edit(f)
		if !fref.IsZero() {
			u.Set(fref, f)
			return
		}
		c := dictOf(t, r, r.CatalogRef()).Clone()
		c.Set("AcroForm", f)
		u.Set(r.CatalogRef(), c)
	}
	var helv, shared, sharedV, note pdf.Ref
	drPrepare := func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
		helv = u.Alloc()
		u.Set(helv, fontDict("Helvetica"))
		setForm(t, r, u, func(f pdf.Dict) {
			f.Set("DA", pdf.String{Bytes: []byte("/Helv 10 Tf 0 g")})
			f.Set("DR", dictWith("Font", dictWith("Helv", helv)))
		})
	}
	// sharedPrepare gives the field perihal and a Square annotation on
	// its page the same appearance stream; first says which is listed
	// first in the page's /Annots.
	sharedPrepare := func(fieldFirst bool) func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
		return func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			ref, d := field(t, r, "perihal")
			pageRef, _ := d.Get("P").(pdf.Ref)
			if pageRef.IsZero() {
				pageRef, _ = firstPageOf(t, r)
			}
			shared = u.Alloc()
			u.SetStream(shared, dictWith("Type", pdf.Name("XObject"), "Subtype", pdf.Name("Form"), "BBox", rect(0, 0, 200, 20)), []byte("/Tx BMC EMC"))
			d = d.Clone()
			d.Set("AP", dictWith("N", shared))
			u.Set(ref, d)
			sq := u.Alloc()
			u.Set(sq, dictWith("Type", pdf.Name("Annot"), "Subtype", pdf.Name("Square"), "Rect", rect(72, 600, 272, 620), "AP", dictWith("N", shared)))
			annots, aref, err := r.PageAnnots(pageRef)
			if err != nil {
				t.Fatal(err)
			}
			var list pdf.Array
			for _, a := range annots {
				if a != ref {
					list = append(list, a)
				}
			}
			if fieldFirst {
				list = append(pdf.Array{ref}, append(list, sq)...)
			} else {
				list = append(pdf.Array{sq}, append(list, ref)...)
			}
			if !aref.IsZero() {
				u.Set(aref, list)
			} else {
				p := dictOf(t, r, pageRef).Clone()
				p.Set("Annots", list)
				u.Set(pageRef, p)
			}
		}
	}
	sharedAttack := update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
		ref, d := field(t, r, "perihal")
		d = d.Clone()
		d.Set("V", pdf.String{Bytes: []byte("Rp 100.000.000")})
		u.Set(ref, d)
		u.SetStream(shared, dictWith("Type", pdf.Name("XObject"), "Subtype", pdf.Name("Form"), "BBox", rect(0, 0, 200, 20)), []byte("/Tx BMC BT /Helv 10 Tf 2 6 Td (Rp 100.000.000) Tj ET EMC"))
	})
	cases := []rtCase{
		{name: "benign: fill perihal", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) { fill(t, r, u, "perihal", "Undangan") }), pass: true},
		{name: "form /DR font redefined, /NeedAppearances set", prepare: drPrepare, attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			u.Set(helv, fontDict("Symbol"))
			setForm(t, r, u, func(f pdf.Dict) { f.Set("NeedAppearances", true) })
		})},
		{name: "form /DR font replaced directly", prepare: drPrepare, attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			setForm(t, r, u, func(f pdf.Dict) { f.Set("DR", dictWith("Font", dictWith("Helv", fontDict("Symbol")))) })
		})},
		{name: "benign: form /DR gains a font", prepare: drPrepare, attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			f2 := u.Alloc()
			u.Set(f2, fontDict("Courier"))
			setForm(t, r, u, func(f pdf.Dict) { f.Set("DR", dictWith("Font", dictWith("Helv", helv, "SegelF", f2))) })
		}), pass: true},
		{name: "appearance shared with an annotation, field listed first", prepare: sharedPrepare(true), attack: sharedAttack},
		{name: "appearance shared with an annotation, annotation listed first", prepare: sharedPrepare(false), attack: sharedAttack},
		{name: "benign: appearance shared by two fields, both filled", prepare: func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			shared = u.Alloc()
			u.SetStream(shared, dictWith("Type", pdf.Name("XObject"), "Subtype", pdf.Name("Form"), "BBox", rect(0, 0, 200, 20)), []byte("/Tx BMC EMC"))
			for _, n := range []string{"perihal", "nomor"} {
				ref, d := field(t, r, n)
				d = d.Clone()
				d.Set("AP", dictWith("N", shared))
				u.Set(ref, d)
			}
		}, attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			for _, n := range []string{"perihal", "nomor"} {
				ref, d := field(t, r, n)
				d = d.Clone()
				d.Set("V", pdf.String{Bytes: []byte("sama")})
				u.Set(ref, d)
			}
			u.SetStream(shared, dictWith("Type", pdf.Name("XObject"), "Subtype", pdf.Name("Form"), "BBox", rect(0, 0, 200, 20)), []byte("/Tx BMC BT /Helv 10 Tf 2 6 Td (sama) Tj ET EMC"))
		}), pass: true},
		{name: "signed widget of page 1 listed on page 2", attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			pages, err := r.Pages()
			if err != nil || len(pages) < 2 {
				t.Fatal("form-2page has fewer than 2 pages")
			}
			a1, _, _ := r.PageAnnots(pages[0])
			a2, aref, _ := r.PageAnnots(pages[1])
			var moved pdf.Object
			for _, a := range a1 {
				if paintsSomething(r, a) {
					moved = a
				}
			}
			if moved == nil {
				t.Skip("no annotation on page 1")
			}
			list := append(append(pdf.Array{}, a2...), moved)
			if !aref.IsZero() {
				u.Set(aref, list)
			} else {
				p := dictOf(t, r, pages[1]).Clone()
				p.Set("Annots", list)
				u.Set(pages[1], p)
			}
		})},
		{name: "benign: a note of page 1 also listed on page 2", prepare: func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			pages, _ := r.Pages()
			note = u.Alloc()
			u.Set(note, dictWith("Type", pdf.Name("Annot"), "Subtype", pdf.Name("Text"), "Rect", rect(10, 10, 30, 30), "Contents", pdf.String{Bytes: []byte("catatan")}))
			a1, aref, _ := r.PageAnnots(pages[0])
			list := append(append(pdf.Array{}, a1...), note)
			if !aref.IsZero() {
				u.Set(aref, list)
			} else {
				p := dictOf(t, r, pages[0]).Clone()
				p.Set("Annots", list)
				u.Set(pages[0], p)
			}
		}, attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			pages, _ := r.Pages()
			a2, aref, _ := r.PageAnnots(pages[1])
			list := append(append(pdf.Array{}, a2...), note)
			if !aref.IsZero() {
				u.Set(aref, list)
			} else {
				p := dictOf(t, r, pages[1]).Clone()
				p.Set("Annots", list)
				u.Set(pages[1], p)
			}
		}), pass: true},
		{name: "read-only field filled in", prepare: func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			ref, d := field(t, r, "perihal")
			d = d.Clone()
			d.Set("Ff", int64(1))
			u.Set(ref, d)
		}, attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) { fill(t, r, u, "perihal", "Rp 100.000.000") })},
		{name: "push button appearance redrawn", prepare: func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			ref, d := field(t, r, "perihal")
			d = d.Clone()
			d.Set("FT", pdf.Name("Btn"))
			d.Set("Ff", int64(1<<16))
			d.Delete("V")
			d.Set("AP", dictWith("N", stream(u, "0 0 1 rg 0 0 200 20 re f")))
			u.Set(ref, d)
		}, attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			ref, d := field(t, r, "perihal")
			d = d.Clone()
			d.Set("AP", dictWith("N", stream(u, "BT /Helv 10 Tf 2 6 Td (LUNAS) Tj ET")))
			u.Set(ref, d)
		})},
		{name: "page /Annots reordered: a covered field comes on top", prepare: func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			// A white square drawn over the field perihal (annotations are
			// drawn in /Annots order: the last on top).
			ref, d := field(t, r, "perihal")
			pageRef, _ := d.Get("P").(pdf.Ref)
			if pageRef.IsZero() {
				pageRef, _ = firstPageOf(t, r)
			}
			sq := u.Alloc()
			u.Set(sq, dictWith("Type", pdf.Name("Annot"), "Subtype", pdf.Name("Square"), "Rect", d.Get("Rect"), "AP", dictWith("N", stream(u, "1 1 1 rg 0 0 1000 1000 re f"))))
			annots, aref, _ := r.PageAnnots(pageRef)
			var list pdf.Array
			for _, a := range annots {
				if a != ref {
					list = append(list, a)
				}
			}
			list = append(list, ref, sq)
			if !aref.IsZero() {
				u.Set(aref, list)
			} else {
				p := dictOf(t, r, pageRef).Clone()
				p.Set("Annots", list)
				u.Set(pageRef, p)
			}
		}, attack: update(func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			_, d := field(t, r, "perihal")
			pageRef, _ := d.Get("P").(pdf.Ref)
			if pageRef.IsZero() {
				pageRef, _ = firstPageOf(t, r)
			}
			annots, aref, _ := r.PageAnnots(pageRef)
			n := len(annots)
			list := append(append(pdf.Array{}, annots[:n-2]...), annots[n-1], annots[n-2])
			if !aref.IsZero() {
				u.Set(aref, list)
			} else {
				p := dictOf(t, r, pageRef).Clone()
				p.Set("Annots", list)
				u.Set(pageRef, p)
			}
		})},
		{name: "shared indirect value fills a locked field", prepare: func(t *testing.T, r *pdf.Reader, u *pdf.Update) {
			sharedV = u.Alloc()
			u.Set(sharedV, pdf.String{Bytes: []byte("001")})
			for _, n := range []string{"perihal", "nomor"} {
				ref, d := field(t, r, n)
				d = d.Clone()
				d.Set("V", sharedV)
				u.Set(ref, d)
			}
		}, attack: func(t *testing.T, w *diffWorld, signed []byte) []byte {
			locked := craftSign(t, signed, w.id, craft{Field: "Locking", Reference: fieldLock("nomor")})
			return appendUpdate(t, locked, func(r *pdf.Reader, u *pdf.Update) {
				// Only perihal is filled in (its appearance regenerated);
				// nomor, locked, changes through the value it shares.
				u.Set(sharedV, pdf.String{Bytes: []byte("999")})
				ref, d := field(t, r, "perihal")
				d = d.Clone()
				d.Set("AP", dictWith("N", stream(u, "/Tx BMC BT /Helv 10 Tf 2 6 Td (999) Tj ET EMC")))
				u.Set(ref, d)
			})
		}, lockIdx: 1},
	}
	for _, tc := range cases {
		// Not parallel: the cases share the references their prepare
		// steps allocate.
		t.Run(tc.name, func(t *testing.T) {
			src := form
			if tc.prepare != nil {
				src = appendUpdate(t, src, func(r *pdf.Reader, u *pdf.Update) { tc.prepare(t, r, u) })
			}
			signed := w.sign(t, src, tc.certify)
			out := tc.attack(t, w, signed)
			rep := verifyPDF(t, out, w.opts)
			if tc.pass {
				wantSig(t, rep, tc.lockIdx, verify.TotalPassed, "")
				return
			}
			s := wantSig(t, rep, tc.lockIdx, verify.TotalFailed, verify.ModifiedAfterSigning)
			t.Log(changesOf(s))
		})
	}
}

// paintsSomething reports whether annotation a has a normal appearance.
func paintsSomething(r *pdf.Reader, a pdf.Object) bool {
	d, err := r.GetDict(a)
	if err != nil {
		return false
	}
	ap, err := r.GetDict(d.Get("AP"))
	return err == nil && ap.Has("N")
}

// fieldLock is a FieldMDP /Reference locking the fields named.
func fieldLock(fields ...string) pdf.Array {
	var arr pdf.Array
	for _, f := range fields {
		arr = append(arr, pdf.String{Bytes: []byte(f)})
	}
	params := dictWith("Type", pdf.Name("TransformParams"), "Action", pdf.Name("Include"), "Fields", arr, "V", pdf.Name("1.2"))
	return pdf.Array{dictWith("Type", pdf.Name("SigRef"), "TransformMethod", pdf.Name("FieldMDP"), "TransformParams", params)}
}

// squareOverlay adds a white Square annotation over the first page with
// flags f.
func squareOverlay(t *testing.T, r *pdf.Reader, u *pdf.Update, f int64) {
	pageRef, page := firstPageOf(t, r)
	apRef := u.Alloc()
	u.SetStream(apRef, dictWith("Type", pdf.Name("XObject"), "Subtype", pdf.Name("Form"), "BBox", rect(0, 0, 595, 842)), []byte("1 1 1 rg 0 0 595 842 re f"))
	sq := u.Alloc()
	u.Set(sq, dictWith("Type", pdf.Name("Annot"), "Subtype", pdf.Name("Square"), "F", f, "Rect", rect(0, 0, 595, 842), "AP", dictWith("N", apRef)))
	addAnnot(t, r, u, pageRef, page, sq)
}

// prevSkips appends to signed an update that redefines the page content
// and whose /Prev points at the revision before the signature, so that
// the chain of the final xref hides the signed revision.
func prevSkips(t *testing.T, signed []byte) []byte {
	r := openPDF(t, signed)
	revs := r.Revisions()
	if len(revs) < 2 {
		t.Fatal("signed file has one revision")
	}
	before := revs[len(revs)-2].StartXref
	out := appendUpdate(t, signed, func(r *pdf.Reader, u *pdf.Update) { redefineContent(t, r, u) })
	tail := out[len(signed):]
	i := bytes.LastIndex(tail, []byte("/Prev "))
	if i < 0 {
		t.Skip("the update has no /Prev")
	}
	j := i + len("/Prev ")
	k := j
	for k < len(tail) && tail[k] >= '0' && tail[k] <= '9' {
		k++
	}
	num := strconv.FormatInt(before, 10)
	if len(num) > k-j {
		t.Skip("no room for /Prev")
	}
	num += strings.Repeat(" ", k-j-len(num))
	copy(tail[j:k], num)
	return out
}

// linkAnnot adds a Link annotation over the first page with action act.
func linkAnnot(t *testing.T, r *pdf.Reader, u *pdf.Update, act pdf.Dict) {
	pageRef, page := firstPageOf(t, r)
	l := u.Alloc()
	u.Set(l, dictWith("Type", pdf.Name("Annot"), "Subtype", pdf.Name("Link"), "Rect", rect(0, 0, 595, 842), "Border", pdf.Array{int64(0), int64(0), int64(0)}, "A", act))
	addAnnot(t, r, u, pageRef, page, l)
}
