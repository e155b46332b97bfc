package verify_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/verify"
)

// incUpdate appends to signed one object (contentRef redefined with
// content) and the cross-reference section xref writes: it gets the
// offset of the new object, the offset of contentRef's signed definition,
// and the offset the section itself starts at, and returns its text
// (without startxref). The signature bytes are untouched.
func incUpdate(t *testing.T, signed []byte, contentRef pdf.Ref, content string, xref func(buf *bytes.Buffer, evil, orig, at int64)) []byte {
	t.Helper()
	r := openPDF(t, signed)
	e, ok := r.Entry(contentRef.Num)
	if !ok || e.Type != pdf.EntryInUse {
		t.Fatalf("content %v is not a plain object", contentRef)
	}
	var buf bytes.Buffer
	buf.Write(signed)
	evil := int64(buf.Len())
	fmt.Fprintf(&buf, "%d %d obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", contentRef.Num, contentRef.Gen, len(content), content)
	at := int64(buf.Len())
	xref(&buf, evil, e.Offset, at)
	fmt.Fprintf(&buf, "startxref\n%d\n%%%%EOF\n", at)
	return buf.Bytes()
}

// TestAttackDuplicateXrefEntry: one update lists the page's content
// stream twice, first at a new object that shows other text, then at its
// signed definition. poppler (pdftotext, pdftoppm), qpdf, pdf.js and MuPDF
// take the first entry of a section and show the new text; Segel took the
// last one, saw the signed stream and said TOTAL_PASSED with no change.
func TestAttackDuplicateXrefEntry(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	r := openPDF(t, w.signed)
	contentRef := pageContent(t, r)
	tr := r.Trailer()
	size := int64(r.Size())
	trailer := func() string {
		return fmt.Sprintf("<< /Size %d /Root %v /Info %v /Prev %d >>", size+1, tr.Get("Root"), tr.Get("Info"), r.StartXref())
	}
	const content = "BT /F1 24 Tf 72 700 Td (Surat ini DIBATALKAN) Tj ET"
	n := contentRef.Num
	cases := map[string]func(buf *bytes.Buffer, evil, orig, at int64){
		// Two subsections of one table, both for the content stream.
		"table twice": func(buf *bytes.Buffer, evil, orig, _ int64) {
			fmt.Fprintf(buf, "xref\n%d 1\n%010d 00000 n \n%d 1\n%010d 00000 n \ntrailer\n%s\n", n, evil, n, orig, trailer())
		},
		// Overlapping subsections: [n-1, n] then [n].
		"table overlapping": func(buf *bytes.Buffer, evil, orig, _ int64) {
			prev, ok := r.Entry(n - 1)
			if !ok || prev.Type != pdf.EntryInUse {
				t.Skipf("object %d is not a plain object", n-1)
			}
			fmt.Fprintf(buf, "xref\n%d 2\n%010d %05d n \n%010d 00000 n \n%d 1\n%010d 00000 n \ntrailer\n%s\n", n-1, prev.Offset, prev.Gen, evil, n, orig, trailer())
		},
		// A cross-reference stream whose /Index lists the object twice.
		"xref stream overlapping /Index": func(buf *bytes.Buffer, evil, orig, at int64) {
			row := func(off int64) []byte {
				return []byte{1, byte(off >> 24), byte(off >> 16), byte(off >> 8), byte(off), 0, 0}
			}
			data := append(append(row(evil), row(orig)...), row(at)...)
			fmt.Fprintf(buf, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%d 1 %d 1 %d 1] /Root %v /Info %v /Prev %d /Length %d >>\nstream\n",
				size, size+1, n, n, size, tr.Get("Root"), tr.Get("Info"), r.StartXref(), len(data))
			buf.Write(data)
			buf.WriteString("\nendstream\nendobj\n")
		},
	}
	for name, xref := range cases {
		t.Run(name, func(t *testing.T) {
			out := incUpdate(t, w.signed, contentRef, content, xref)
			st, err := openPDF(t, out).GetStream(contentRef)
			if err != nil {
				t.Fatalf("content stream: %v", err)
			}
			if rr := openPDF(t, out); rr.Repaired() {
				t.Fatalf("the forged file reads as damaged (%v): not the attack", rr.RepairCause())
			}
			if st.Offset < int64(len(w.signed)) {
				t.Errorf("the reader takes the last of the section's entries for object %d (the signed stream); viewers take the first (the new one)", n)
			}
			s := wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalFailed, verify.ModifiedAfterSigning)
			if len(s.ModifiedAfterSigning) == 0 {
				t.Errorf("no change reported")
			}
		})
	}
}

// TestAttackFreedSignatureField: an update marks the signature field
// (its widget) free in its xref, so /Fields and the page's /Annots point at
// the null object. The current form no longer reads, and verify said
// NO_SIGNATURE with a warning that the form cannot be read: the signature
// that was there, which pdfsig still shows, vanished without being
// reported as removed. It must be reported, and failed, as removed after
// signing.
func TestAttackFreedSignatureField(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	r := openPDF(t, w.signed)
	sigs := sigsOf(t, w.signed)
	if len(sigs) != 1 || sigs[0].Widget.IsZero() {
		t.Fatalf("want one signature field held by reference, got %+v", sigs)
	}
	tr := r.Trailer()
	var buf bytes.Buffer
	buf.Write(w.signed)
	at := buf.Len()
	fmt.Fprintf(&buf, "xref\n%d 1\n0000000000 %05d f \ntrailer\n<< /Size %d /Root %v /Info %v /Prev %d >>\nstartxref\n%d\n%%%%EOF\n",
		sigs[0].Widget.Num, sigs[0].Widget.Gen+1, r.Size(), tr.Get("Root"), tr.Get("Info"), r.StartXref(), at)
	rep := verifyPDF(t, buf.Bytes(), w.opts)
	s := wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
	if !anyContains(s.ModifiedAfterSigning, "removed") {
		t.Errorf("the removal is not reported: %v", s.ModifiedAfterSigning)
	}
}

// TestAttackLinkBorder: a Link (or note) annotation without an
// appearance, added after signing, whose border is wide and white.
// poppler (pdftoppm) and Acrobat stroke a Link's border in its /C colour
// around /Rect: 120 points of white erase the letterhead, the signatory's
// name and the text around even a small rectangle. Only the appearance's
// size was looked at, so this was "a Link annotation was added"
// (ANNOTATIONS) and TOTAL_PASSED, also over a P=3 certification (the evil
// annotation attack). A border wider than the default one draws; a
// default or zero border stays a permitted link.
func TestAttackLinkBorder(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	white := pdf.Array{int64(1), int64(1), int64(1)}
	add := func(annot pdf.Dict) []byte {
		return appendUpdate(t, w.signed, func(r *pdf.Reader, u *pdf.Update) {
			pageRef, page := firstPageOf(t, r)
			l := u.Alloc()
			u.Set(l, annot)
			addAnnot(t, r, u, pageRef, page, l)
		})
	}
	link := func(kv ...any) pdf.Dict {
		return dictWith(append([]any{"Type", pdf.Name("Annot"), "Subtype", pdf.Name("Link"), "Rect", rect(300, 400, 340, 440), "F", int64(4)}, kv...)...)
	}
	for name, annot := range map[string]pdf.Dict{
		"Border": link("Border", pdf.Array{int64(0), int64(0), int64(120)}, "C", white),
		"BS":     link("BS", dictWith("W", int64(120), "S", pdf.Name("S")), "C", white),
		"note":   dictWith("Type", pdf.Name("Annot"), "Subtype", pdf.Name("Text"), "Rect", rect(300, 400, 320, 420), "Border", pdf.Array{int64(0), int64(0), int64(120)}, "C", white),
	} {
		t.Run(name, func(t *testing.T) {
			s := wantSig(t, verifyPDF(t, add(annot), w.opts), 0, verify.TotalFailed, verify.ModifiedAfterSigning)
			if !anyContains(s.ModifiedAfterSigning, "draws over the page") {
				t.Errorf("changes: %v", s.ModifiedAfterSigning)
			}
		})
	}
	t.Run("default border", func(t *testing.T) {
		s := wantSig(t, verifyPDF(t, add(link()), w.opts), 0, verify.TotalPassed, "")
		if s.ModificationLevel != verify.LevelAnnotations {
			t.Errorf("modification level %s, want ANNOTATIONS", s.ModificationLevel)
		}
	})
}

// TestAttackObjStmDuplicate: an update puts the page into a new object
// stream twice, the signed page dictionary and one whose /Contents names
// a new stream, and its xref stream points at the signed one by index.
// poppler and pdf.js read the object at the xref's index (the signed
// page); qpdf (and MuPDF) keep the last definition of the number, and
// show the new text. Segel followed the index and said TOTAL_PASSED with
// no change, while qpdf's reading of the same file says "DIBATALKAN".
// An object an object stream defines twice is not read at all.
func TestAttackObjStmDuplicate(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	r := openPDF(t, w.signed)
	pageRef, page := firstPageOf(t, r)
	tr := r.Trailer()
	size := r.Size()
	content := "BT /F1 24 Tf 72 700 Td (Surat ini DIBATALKAN) Tj ET"
	orig, err := pdf.Marshal(page)
	if err != nil {
		t.Fatal(err)
	}
	evilPage := page.Clone()
	evilPage.Set("Contents", pdf.Ref{Num: size})
	evil, err := pdf.Marshal(evilPage)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		objs  [][]byte
		index int
	}{
		{"signed first, index 0", [][]byte{orig, evil}, 0},
		{"signed last, index 1", [][]byte{evil, orig}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr, body bytes.Buffer
			for _, o := range tc.objs {
				fmt.Fprintf(&hdr, "%d %d ", pageRef.Num, body.Len())
				body.Write(o)
				body.WriteByte('\n')
			}
			hdr.WriteByte('\n')
			var buf bytes.Buffer
			buf.Write(w.signed)
			offContent := int64(buf.Len())
			fmt.Fprintf(&buf, "%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", size, len(content), content)
			offStm := int64(buf.Len())
			fmt.Fprintf(&buf, "%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Length %d >>\nstream\n%s%s\nendstream\nendobj\n",
				size+1, len(tc.objs), hdr.Len(), hdr.Len()+body.Len(), hdr.Bytes(), body.Bytes())
			offXref := int64(buf.Len())
			row := func(typ byte, f2 int64, f3 int) []byte {
				return []byte{typ, byte(f2 >> 24), byte(f2 >> 16), byte(f2 >> 8), byte(f2), byte(f3 >> 8), byte(f3)}
			}
			var data []byte
			data = append(data, row(2, int64(size+1), tc.index)...)
			data = append(data, row(1, offContent, 0)...)
			data = append(data, row(1, offStm, 0)...)
			data = append(data, row(1, offXref, 0)...)
			fmt.Fprintf(&buf, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%d 1 %d 3] /Root %v /Info %v /Prev %d /Length %d >>\nstream\n",
				size+2, size+3, pageRef.Num, size, tr.Get("Root"), tr.Get("Info"), r.StartXref(), len(data))
			buf.Write(data)
			fmt.Fprintf(&buf, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", offXref)
			out := buf.Bytes()
			if rr := openPDF(t, out); rr.Repaired() {
				t.Fatalf("the forged file reads as damaged (%v): not the attack", rr.RepairCause())
			}
			s := wantSig(t, verifyPDF(t, out, w.opts), 0, verify.TotalFailed, verify.ModifiedAfterSigning)
			if len(s.ModifiedAfterSigning) == 0 {
				t.Errorf("no change reported")
			}
		})
	}
}

// TestAttackFreedSecondSignatureField: on a letter signed twice, the
// update frees the second signature's field. The form still reads (a null
// entry is no field, as viewers skip it): the first signature is judged
// as usual and the second is reported removed, rather than both being
// called removed because the form did not read.
func TestAttackFreedSecondSignatureField(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	o := optsFor(w.id)
	o.Reserve = 2048
	twice := signPDF(t, w.signed, o)
	sigs := sigsOf(t, twice)
	if len(sigs) != 2 || sigs[1].Widget.IsZero() {
		t.Fatalf("want two signature fields held by reference, got %d", len(sigs))
	}
	r := openPDF(t, twice)
	tr := r.Trailer()
	var buf bytes.Buffer
	buf.Write(twice)
	at := buf.Len()
	fmt.Fprintf(&buf, "xref\n%d 1\n0000000000 %05d f \ntrailer\n<< /Size %d /Root %v /Info %v /Prev %d >>\nstartxref\n%d\n%%%%EOF\n",
		sigs[1].Widget.Num, sigs[1].Widget.Gen+1, r.Size(), tr.Get("Root"), tr.Get("Info"), r.StartXref(), at)
	rep := verifyPDF(t, buf.Bytes(), w.opts)
	if len(rep.Signatures) != 2 {
		t.Fatalf("%d signatures, want 2\n%s", len(rep.Signatures), dumpReport(rep))
	}
	for _, s := range rep.Signatures {
		switch s.Field {
		case sigs[0].Field:
			if anyContains(s.ModifiedAfterSigning, "removed") {
				t.Errorf("%s is reported removed: %v", s.Field, s.ModifiedAfterSigning)
			}
		case sigs[1].Field:
			if s.Indication != verify.TotalFailed || !anyContains(s.ModifiedAfterSigning, "removed") {
				t.Errorf("%s: %s, %v; want TOTAL_FAILED, removed", s.Field, s.Indication, s.ModifiedAfterSigning)
			}
		}
	}
	if rep.Indication == verify.TotalPassed {
		t.Errorf("document TOTAL_PASSED")
	}
}

// TestAttackUnlinkedUpdate: an update appended after signing with a whole
// new cross-reference table and no /Prev, redefining the page's content.
// Viewers read the appended table and show the new text; the signed
// revision is intact but no longer reached. It was FORMAT_FAILURE ("not
// the end of a revision"), as if the signature could not be processed;
// it is a change after signing.
func TestAttackUnlinkedUpdate(t *testing.T) {
	t.Parallel()
	w := newAttackWorld(t, testpki.ECDSAP256)
	r := openPDF(t, w.signed)
	contentRef := pageContent(t, r)
	tr := r.Trailer()
	size := int(r.Size())
	out := incUpdate(t, w.signed, contentRef, "BT /F1 24 Tf 72 700 Td (Surat ini DIBATALKAN) Tj ET", func(buf *bytes.Buffer, evil, _, _ int64) {
		fmt.Fprintf(buf, "xref\n0 %d\n0000000000 65535 f \n", size)
		for num := 1; num < size; num++ {
			e, ok := r.Entry(uint32(num))
			switch {
			case num == int(contentRef.Num):
				fmt.Fprintf(buf, "%010d %05d n \n", evil, contentRef.Gen)
			case ok && e.Type == pdf.EntryInUse:
				fmt.Fprintf(buf, "%010d %05d n \n", e.Offset, e.Gen)
			case !ok || e.Type == pdf.EntryFree:
				fmt.Fprintf(buf, "0000000000 00001 f \n")
			default:
				t.Fatalf("object %d is in an object stream: the letter does not suit a classic table", num)
			}
		}
		fmt.Fprintf(buf, "trailer\n<< /Size %d /Root %v /Info %v >>\n", size, tr.Get("Root"), tr.Get("Info"))
	})
	rr := openPDF(t, out)
	if rr.Repaired() || len(rr.Revisions()) != 1 {
		t.Fatalf("the forged file reads as damaged (%v) or with %d revisions: not the attack", rr.Repaired(), len(rr.Revisions()))
	}
	if st, err := rr.GetStream(contentRef); err != nil || st.Offset < int64(len(w.signed)) {
		t.Fatalf("the page's content is not the appended stream (%v): not the attack", err)
	}
	rep := verifyPDF(t, out, w.opts)
	s := wantSig(t, rep, 0, verify.TotalFailed, verify.ModifiedAfterSigning)
	found := false
	for _, n := range s.Notes {
		found = found || n.Code == verify.CodeDamagedAfter && n.Args["from"] == fmt.Sprint(len(w.signed))
	}
	if !found || len(s.ModifiedAfterSigning) == 0 {
		t.Errorf("want a %q note from byte %d and the change listed\n%s", verify.CodeDamagedAfter, len(w.signed), dumpReport(rep))
	}
}
