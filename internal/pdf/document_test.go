package pdf

import (
	"errors"
	"testing"
)

// formPDF has an indirect /AcroForm with a field tree, a direct /Annots
// on page 1 and an indirect /Annots array on page 2.
func formPDF() []byte {
	b := newDoc("1.7")
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 5 0 R /Version /2.0 >>")
	b.obj(2, "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 /MediaBox [0 0 100 100] >>")
	b.obj(3, "<< /Type /Page /Parent 2 0 R /Annots [8 0 R] >>")
	b.obj(4, "<< /Type /Page /Parent 2 0 R /Annots 9 0 R /Rotate 90 >>")
	b.obj(5, "<< /Fields [6 0 R 8 0 R] /SigFlags 3 >>")
	b.obj(6, "<< /T (parent) /Kids [7 0 R] >>")
	b.obj(7, "<< /T <FEFF006B00EF0064> /FT /Sig /Kids [10 0 R] >>")
	b.obj(8, "<< /T (Signature1) /FT /Sig /Type /Annot /Subtype /Widget /P 3 0 R >>")
	b.obj(9, "[10 0 R]")
	b.obj(10, "<< /Type /Annot /Subtype /Widget /Parent 7 0 R /P 4 0 R >>")
	return b.classic("/Root 1 0 R")
}

func TestForms(t *testing.T) {
	r := openBytes(t, formPDF())
	if v := r.Version(); v != "2.0" {
		t.Errorf("Version = %q (catalog override)", v)
	}
	form, ref, ok, err := r.AcroForm()
	if err != nil || !ok || ref != (Ref{Num: 5}) || form.Get("SigFlags") != int64(3) {
		t.Fatalf("AcroForm = %v %v %v %v", form.Keys(), ref, ok, err)
	}
	fs, err := r.Fields()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range fs {
		names = append(names, f.Name)
	}
	if want := "[parent parent.kïd Signature1]"; fmtSlice(names) != want {
		t.Fatalf("fields = %v, want %v", names, want)
	}
	fr, fd, err := r.FieldByName("parent.kïd")
	if err != nil || fr != (Ref{Num: 7}) || fd.Get("FT") != Name("Sig") {
		t.Fatalf("FieldByName = %v %v %v", fr, fd.Keys(), err)
	}
	if _, _, err := r.FieldByName("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("FieldByName(nope) err = %v", err)
	}
	pages, err := r.Pages()
	if err != nil || len(pages) != 2 {
		t.Fatal(pages, err)
	}
	a, aref, err := r.PageAnnots(pages[0])
	if err != nil || !aref.IsZero() || len(a) != 1 {
		t.Fatalf("page 1 annots = %v %v %v", a, aref, err)
	}
	a, aref, err = r.PageAnnots(pages[1])
	if err != nil || aref != (Ref{Num: 9}) || len(a) != 1 {
		t.Fatalf("page 2 annots = %v %v %v", a, aref, err)
	}
	if rot, err := r.PageAttr(pages[1], "Rotate"); rot != int64(90) || err != nil {
		t.Fatalf("Rotate = %v %v", rot, err)
	}
	if rot, err := r.PageAttr(pages[0], "Rotate"); rot != nil || err != nil {
		t.Fatalf("Rotate = %v %v", rot, err)
	}
}

func TestPageTreeCycle(t *testing.T) {
	b := newDoc("1.4")
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	b.obj(3, "<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 3 0 R >>")
	b.obj(4, "5 0 R")
	b.obj(5, "4 0 R")
	r := openBytes(t, b.classic("/Root 1 0 R"))
	if _, err := r.Pages(); !errors.Is(err, ErrCycle) {
		t.Fatalf("Pages err = %v", err)
	}
	if _, err := r.PageAttr(Ref{Num: 3}, "MediaBox"); !errors.Is(err, ErrCycle) {
		t.Fatalf("PageAttr err = %v", err)
	}
	if _, err := r.Resolve(Ref{Num: 4}); !errors.Is(err, ErrCycle) {
		t.Fatalf("Resolve err = %v", err)
	}
	if o, err := r.Resolve(Ref{Num: 99}); o != nil || err != nil {
		t.Fatalf("missing object = %v %v", o, err)
	}
}

func fmtSlice(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}
