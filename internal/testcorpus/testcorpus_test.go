package testcorpus_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/internal/testenv"
)

// TestBase checks the committed files themselves: each is described, listed
// in the README, small, valid for qpdf, and carries no private key.
func TestBase(t *testing.T) {
	base := testcorpus.Base(t)
	readme, err := os.ReadFile(filepath.Join(testcorpus.Dir(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	qpdf := testenv.Tool(t, "qpdf")
	for _, name := range testcorpus.Names(base) {
		data := base[name]
		info, ok := testcorpus.Describe(name)
		if !ok {
			t.Errorf("%s.pdf: not described in testcorpus.files", name)
		}
		if !bytes.Contains(readme, []byte("`"+name+".pdf`")) {
			t.Errorf("%s.pdf: not listed in testdata/pdf/README.md", name)
		}
		if len(data) > 100<<10 {
			t.Errorf("%s.pdf: %d bytes; keep corpus files under 100 KB", name, len(data))
		}
		if want := "%PDF-" + info.Version; !bytes.HasPrefix(data, []byte(want)) {
			t.Errorf("%s.pdf: header %q, want %q", name, data[:min(len(data), 8)], want)
		}
		if bytes.Contains(data, []byte("PRIVATE KEY")) {
			t.Errorf("%s.pdf: contains a PEM private key", name)
		}
		if err := testcorpus.Check(qpdf, filepath.Join(testcorpus.Dir(t), name+".pdf")); err != nil {
			t.Errorf("%s.pdf: %v", name, err)
		}
	}
	if len(base) < 6 {
		t.Errorf("Base: %d files, want at least 6", len(base))
	}
}

// TestVariants checks that each base file yields every variant, that the
// variants differ from the base, and that they have the structure their
// names promise.
func TestVariants(t *testing.T) {
	all := testcorpus.All(t)
	for name := range testcorpus.Base(t) {
		for _, v := range testcorpus.VariantNames() {
			data, ok := all[name+"/"+v]
			if !ok {
				t.Errorf("All: %s/%s missing", name, v)
				continue
			}
			if bytes.Equal(data, all[name]) {
				t.Errorf("%s/%s: identical to the base file", name, v)
			}
		}
	}
	if got, want := len(all), len(testcorpus.Base(t))*(1+len(testcorpus.VariantNames())); got != want {
		t.Errorf("All: %d entries, want %d", got, want)
	}
	// Structure promised by the variant names, read without internal/pdf.
	for _, name := range testcorpus.Names(all) {
		data := all[name]
		_, v, _ := strings.Cut(name, "/")
		tail := data[max(0, len(data)-1024):]
		switch v {
		case "objstm", "linearize-objstm":
			if !bytes.Contains(data, []byte("/ObjStm")) || !bytes.Contains(data, []byte("/XRef")) {
				t.Errorf("%s: no object stream or no xref stream", name)
			}
		case "no-objstm", "qdf", "linearize":
			if bytes.Contains(data, []byte("/ObjStm")) || !bytes.Contains(tail, []byte("trailer")) {
				t.Errorf("%s: object streams or no classic trailer", name)
			}
		case "pdf20":
			if !bytes.HasPrefix(data, []byte("%PDF-2.0")) {
				t.Errorf("%s: header %q, want %%PDF-2.0", name, data[:8])
			}
		}
		if strings.HasPrefix(v, "linearize") && !bytes.Contains(data[:min(len(data), 1024)], []byte("/Linearized")) {
			t.Errorf("%s: no linearization dictionary", name)
		}
	}
}

// TestOpen opens every corpus entry with internal/pdf and checks pages,
// rotation, form fields and the xref kind against the corpus description.
func TestOpen(t *testing.T) {
	all := testcorpus.All(t)
	for _, name := range testcorpus.Names(all) {
		data := all[name]
		t.Run(name, func(t *testing.T) {
			info, ok := testcorpus.Describe(name)
			if !ok {
				t.Fatalf("%s: not described", name)
			}
			r, err := pdf.Open(bytes.NewReader(data), int64(len(data)), nil)
			if err != nil {
				t.Fatalf("pdf.Open: %v", err)
			}
			pages, err := r.Pages()
			if err != nil {
				t.Fatalf("Pages: %v", err)
			}
			if len(pages) != info.Pages {
				t.Fatalf("Pages: %d, want %d", len(pages), info.Pages)
			}
			for i, p := range pages {
				rot, err := r.PageAttr(p, "Rotate")
				if err != nil {
					t.Fatalf("page %d /Rotate: %v", i+1, err)
				}
				n, _ := rot.(int64)
				if want := slices.Contains(info.RotatedPages, i+1); (n%360 != 0) != want {
					t.Errorf("page %d: /Rotate %v, want rotated %v", i+1, rot, want)
				}
				if _, err := r.PageAttr(p, "MediaBox"); err != nil {
					t.Errorf("page %d /MediaBox: %v", i+1, err)
				}
			}
			fields, err := r.Fields()
			if err != nil {
				t.Fatalf("Fields: %v", err)
			}
			var names []string
			for _, f := range fields {
				names = append(names, f.Name)
			}
			if !slices.Equal(names, info.Fields) {
				t.Errorf("Fields: %q, want %q", names, info.Fields)
			}
			for _, sig := range info.EmptySignatureFields {
				_, d, err := r.FieldByName(sig)
				if err != nil {
					t.Errorf("FieldByName(%q): %v", sig, err)
					continue
				}
				if ft, _ := d.Name("FT"); ft != "Sig" {
					t.Errorf("%s: /FT %q, want /Sig", sig, ft)
				}
				if d.Get("V") != nil {
					t.Errorf("%s: has a value; want an empty signature field", sig)
				}
			}
			_, v, _ := strings.Cut(name, "/")
			switch v {
			case "objstm", "linearize-objstm":
				if !r.XrefIsStream() {
					t.Errorf("XrefIsStream false, want an xref stream")
				}
			case "no-objstm", "qdf", "linearize":
				if r.XrefIsStream() {
					t.Errorf("XrefIsStream true, want a classic xref table")
				}
			case "pdf20":
				if got := r.HeaderVersion(); got != "2.0" {
					t.Errorf("HeaderVersion %q, want 2.0", got)
				}
			}
			if name == "hybrid-xref" {
				// The font and /Info are reachable only through /XRefStm.
				info, err := r.GetDict(r.Trailer().Get("Info"))
				if err != nil {
					t.Fatalf("hybrid /Info: %v", err)
				}
				if s, ok := info.Get("Title").(pdf.String); !ok || string(s.Bytes) != "Surat Edaran" {
					t.Errorf("hybrid /Info /Title: %v", info.Get("Title"))
				}
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	if _, ok := testcorpus.Describe("form-2page/linearize"); !ok {
		t.Error(`Describe("form-2page/linearize"): not found`)
	}
	if _, ok := testcorpus.Describe("no-such-file"); ok {
		t.Error(`Describe("no-such-file"): found`)
	}
}
