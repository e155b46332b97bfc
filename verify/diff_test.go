package verify_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
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
	if s.ModificationLevel.String() != level {
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
