package pdf

import (
	"testing"

	"github.com/segel-id/segel/internal/testenv"
)

// viewPDF is a one-page certified document whose form, /Perms, DocMDP
// signature and page /Annots are all direct objects, inside the catalog
// and the page that the Reader reads without copies.
func viewPDF() []byte {
	b := newDoc("1.7")
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R /Version /1.7 /AcroForm << /Fields [4 0 R] /SigFlags 3 >>"+
		" /Perms << /DocMDP << /Type /Sig /Reference [<< /TransformMethod /DocMDP /TransformParams << /P 2 /V /1.2 >> >>] /Name (Certifier) >> >> >>")
	b.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] >>")
	b.obj(3, "<< /Type /Page /Parent 2 0 R /Annots [4 0 R] >>")
	b.obj(4, "<< /T (Signature1) /FT /Sig /Type /Annot /Subtype /Widget /P 3 0 R /Rect [0 0 0 0] >>")
	return b.classic("/Root 1 0 R")
}

// TestViewsNotHandedOut checks that what Pages, Version, AcroForm,
// PageAnnots and Certification hand out, which they read from the
// Reader's own cached catalog and page (Reader.view), is the caller's
// to change: changing it changes no later read.
func TestViewsNotHandedOut(t *testing.T) {
	r := openBytes(t, viewPDF())
	encode := func(o Object) string {
		w := &objWriter{}
		if err := w.object(o, 0); err != nil {
			t.Fatal(err)
		}
		return string(w.buf)
	}
	var wantCatalog, wantPage, wantForm, wantAnnots, wantSig string
	for i := range 3 {
		pages, err := r.Pages()
		if err != nil || len(pages) != 1 || pages[0] != (Ref{Num: 3}) {
			t.Fatalf("Pages = %v, %v", pages, err)
		}
		if v := r.Version(); v != "1.7" {
			t.Fatalf("Version = %q", v)
		}
		form, ref, ok, err := r.AcroForm()
		if err != nil || !ok || !ref.IsZero() {
			t.Fatalf("AcroForm: %v %v %v", ref, ok, err)
		}
		annots, aref, err := r.PageAnnots(pages[0])
		if err != nil || !aref.IsZero() || len(annots) != 1 {
			t.Fatalf("PageAnnots = %v %v %v", annots, aref, err)
		}
		sig, p, ok := r.Certification()
		if !ok || p != 2 {
			t.Fatalf("Certification: P=%d %v", p, ok)
		}
		cat, err := r.Catalog()
		if err != nil {
			t.Fatal(err)
		}
		page, err := r.GetDict(pages[0])
		if err != nil {
			t.Fatal(err)
		}
		got := []string{encode(cat), encode(page), encode(form), encode(annots), encode(sig)}
		if i == 0 {
			wantCatalog, wantPage, wantForm, wantAnnots, wantSig = got[0], got[1], got[2], got[3], got[4]
		}
		for j, want := range []string{wantCatalog, wantPage, wantForm, wantAnnots, wantSig} {
			if got[j] != want {
				t.Fatalf("read %d, part %d:\n%s\nwant\n%s", i+1, j, got[j], want)
			}
		}
		// Change everything handed out, nested parts included.
		form.Set("SigFlags", int64(0))
		form.Get("Fields").(Array)[0] = Name("Changed")
		annots[0] = Name("Changed")
		sig.Set("Name", String{Bytes: []byte("Other")})
		params := sig.Get("Reference").(Array)[0].(Dict).Get("TransformParams").(Dict)
		params.Set("P", int64(1))
		cat.Delete("Perms")
		page.Delete("Annots")
	}
}

// TestReadsShareCache checks that the Reader's own reads of the catalog
// and page tree (Pages, Version, AcroForm, Certification, PageAnnots)
// make no deep copies of the cached dictionaries once the document has
// been read: only what they hand out is copied.
func TestReadsShareCache(t *testing.T) {
	if testenv.Race {
		t.Skip("the race detector's instrumentation allocates")
	}
	r := openBytes(t, viewPDF())
	reads := func() {
		pages, err := r.Pages()
		if err != nil {
			t.Fatal(err)
		}
		_ = r.Version()
		if _, _, _, err := r.AcroForm(); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.PageAnnots(pages[0]); err != nil {
			t.Fatal(err)
		}
		r.Certification()
	}
	reads()
	// What is handed out (the page list, the form, the annotations and
	// the certification signature, copied) is about 20 allocations; the
	// copies of the catalog and page made for the Reader's own reading
	// were 70 more.
	if allocs := testing.AllocsPerRun(50, reads); allocs > 30 {
		t.Errorf("reading the catalog and page tree again: %.0f allocations, want at most 30", allocs)
	}
}
