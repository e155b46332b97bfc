package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/segel-id/segel/internal/testenv"
)

// checkDoc verifies the basic reader API on a sample document.
func checkDoc(t *testing.T, r *Reader, pages int) {
	t.Helper()
	cat, err := r.Catalog()
	if err != nil {
		t.Fatalf("Catalog: %v", err)
	}
	if typ, _ := cat.Name("Type"); typ != "Catalog" {
		t.Errorf("catalog /Type = %q", typ)
	}
	if r.CatalogRef().IsZero() {
		t.Errorf("CatalogRef is zero")
	}
	ps, err := r.Pages()
	if err != nil {
		t.Fatalf("Pages: %v", err)
	}
	if len(ps) != pages {
		t.Fatalf("Pages: got %d, want %d", len(ps), pages)
	}
	for i, p := range ps {
		d, err := r.GetDict(p)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		if typ, _ := d.Name("Type"); typ != "Page" {
			t.Errorf("page %d /Type = %q", i, typ)
		}
		mb, err := r.PageAttr(p, "MediaBox")
		if err != nil || mb == nil {
			t.Errorf("page %d MediaBox: %v %v", i, mb, err)
		}
		if c := d.Get("Contents"); c != nil {
			st, err := r.GetStream(c)
			if err != nil {
				t.Fatalf("page %d contents: %v", i, err)
			}
			if _, err := st.Decode(0); err != nil {
				t.Errorf("page %d contents decode: %v", i, err)
			}
		}
	}
	maxNum := uint32(0)
	for _, e := range r.Entries() {
		maxNum = max(maxNum, e.Num)
		if _, err := r.Resolve(e.Ref()); err != nil && e.Type != EntryFree {
			t.Errorf("resolve %v: %v", e.Ref(), err)
		}
	}
	if r.Size() <= maxNum {
		t.Errorf("Size %d <= max object number %d", r.Size(), maxNum)
	}
}

func TestOpenSample(t *testing.T) {
	data := samplePDF(3)
	r := openBytes(t, data)
	checkDoc(t, r, 3)
	if r.XrefIsStream() {
		t.Error("XrefIsStream true for a classic file")
	}
	if r.Size() != 16 {
		t.Errorf("Size = %d, want 16", r.Size())
	}
	if v := r.Version(); v != "1.4" {
		t.Errorf("Version = %q", v)
	}
	if r.Encrypted() {
		t.Error("Encrypted")
	}
	revs := r.Revisions()
	if len(revs) != 1 || revs[0].End != int64(len(data)) {
		t.Errorf("Revisions = %+v (size %d)", revs, len(data))
	}
	info, err := r.GetDict(r.Trailer().Get("Info"))
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := info.Get("Producer").(String); string(p.Bytes) != "segel test (hand-made)" {
		t.Errorf("Producer = %q", p.Bytes)
	}
}

func TestOpenObjStm(t *testing.T) {
	for _, hybrid := range []bool{false, true} {
		t.Run(fmt.Sprint("hybrid=", hybrid), func(t *testing.T) {
			data := objStmPDF(hybrid)
			r := openBytes(t, data)
			checkDoc(t, r, 1)
			if r.XrefIsStream() == hybrid {
				t.Errorf("XrefIsStream = %v", r.XrefIsStream())
			}
			e, ok := r.Entry(2)
			if !ok || e.Type != EntryCompressed || e.Stream != 5 || e.Index != 1 {
				t.Errorf("entry 2 = %+v", e)
			}
			if r.Size() != 7 {
				t.Errorf("Size = %d", r.Size())
			}
			out := testUpdateRoundTrip(t, data, true)
			t.Run("qpdf", func(t *testing.T) {
				qpdf := testenv.Tool(t, "qpdf")
				qpdfCheck(t, qpdf, data)
				qpdfCheck(t, qpdf, out)
			})
		})
	}
}

func TestOpenErrors(t *testing.T) {
	good := samplePDF(1)
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrNotPDF},
		{"not pdf", []byte("hello world, this is not a PDF"), ErrNotPDF},
		{"no startxref", bytes.ReplaceAll(good, []byte("startxref"), []byte("startxreX")), ErrTruncated},
		{"no eof", good[:len(good)-7], ErrTruncated},
		{"bad startxref", bytes.Replace(good, []byte(fmt.Sprintf("startxref\n%d", bytes.LastIndex(good, []byte("xref\n0 ")))), []byte("startxref\n12"), 1), ErrBrokenXref},
		{"prev cycle", bytes.Replace(good, []byte("trailer\n<< "), []byte(fmt.Sprintf("trailer\n<< /Prev %d ", bytes.LastIndex(good, []byte("xref\n0 ")))), 1), ErrCycle},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Open(bytes.NewReader(c.data), int64(len(c.data)), &ReadOptions{NoRepair: true})
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			t.Log(err)
			// Repaired: a PDF whose xref is broken opens, and says so.
			r, err := Open(bytes.NewReader(c.data), int64(len(c.data)), nil)
			if c.want == ErrNotPDF {
				if !errors.Is(err, ErrNotPDF) {
					t.Fatalf("repairing: err = %v, want %v", err, c.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("repairing: %v", err)
			}
			if !r.Repaired() || !errors.Is(r.RepairCause(), c.want) {
				t.Fatalf("Repaired %v, cause %v", r.Repaired(), r.RepairCause())
			}
			checkDoc(t, r, 1)
			if _, err := NewUpdate(r).Bytes(); !errors.Is(err, ErrBrokenXref) {
				t.Errorf("Update of a repaired file: %v, want ErrBrokenXref", err)
			}
		})
	}
}

func TestBrokenOffset(t *testing.T) {
	data := samplePDF(1)
	// Shift object 3's offset in the table.
	r := openBytes(t, data)
	e, _ := r.Entry(3)
	old := []byte(fmt.Sprintf("%010d 00000 n", e.Offset))
	bad := bytes.Replace(data, old, []byte(fmt.Sprintf("%010d 00000 n", e.Offset+7)), 1)
	r = openBytes(t, bad)
	_, err := r.Resolve(Ref{Num: 3})
	if !errors.Is(err, ErrBrokenXref) {
		t.Fatalf("err = %v, want ErrBrokenXref", err)
	}
	t.Log(err)
}

func TestEncrypted(t *testing.T) {
	b := newDoc("1.6")
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(2, "<< /Type /Pages /Kids [] /Count 0 >>")
	b.obj(3, "<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>")
	data := b.classic("/Root 1 0 R /Encrypt 3 0 R /ID [<01> <01>]")
	r := openBytes(t, data)
	if !r.Encrypted() {
		t.Fatal("Encrypted() = false")
	}
	if _, err := NewUpdate(r).Bytes(); !errors.Is(err, ErrEncrypted) {
		t.Fatalf("Bytes err = %v, want ErrEncrypted", err)
	}
}

func TestStreamLength(t *testing.T) {
	b := newDoc("1.4")
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(2, "<< /Type /Pages /Kids [] /Count 0 >>")
	b.offsets[3] = int64(b.buf.Len())
	b.buf.WriteString("3 0 obj\n<< /Length 4 0 R >>\nstream\r\nhello world\r\nendstream\nendobj\n")
	b.obj(4, "11")
	b.offsets[5] = int64(b.buf.Len())
	b.buf.WriteString("5 0 obj <</Length 3>>stream\nwrong length here\nendstream endobj\n")
	b.offsets[6] = int64(b.buf.Len())
	b.buf.WriteString("6 0 obj <</Length 6 0 R>>stream\nself\nendstream endobj\n")
	b.offsets[7] = int64(b.buf.Len())
	b.buf.WriteString("7 0 obj <</Filter [/AHx /A85] /Length 999999>>stream\n" +
		fmt.Sprintf("%X", []byte("87cURD]i,\"Ebo80~>")) + ">\nendstream endobj\n")
	data := b.classic("/Root 1 0 R")
	r := openBytes(t, data)
	for num, want := range map[uint32]string{3: "hello world", 5: "wrong length here", 6: "self", 7: "Hello World!"} {
		st, err := r.GetStream(Ref{Num: num})
		if err != nil {
			t.Fatalf("%d: %v", num, err)
		}
		got, err := st.Decode(0)
		if err != nil || string(got) != want {
			t.Errorf("%d: got %q, %v; want %q", num, got, err, want)
		}
	}
}

func TestUnsupportedFilter(t *testing.T) {
	st := &Stream{Dict: NewDict(), src: bytes.NewReader([]byte("xx")), Length: 2}
	st.Dict.Set("Filter", Name("DCTDecode"))
	_, err := st.Decode(0)
	var uf *UnsupportedFilterError
	if !errors.As(err, &uf) || uf.Filter != "DCTDecode" {
		t.Fatalf("err = %v", err)
	}
}

// qpdfVariants transforms a PDF with qpdf.
func qpdfVariants(t *testing.T, qpdf string, src []byte) map[string][]byte {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, src, 0o644); err != nil {
		t.Fatal(err)
	}
	variants := map[string][]string{
		"objstm":       {"--object-streams=generate"},
		"qdf":          {"--qdf"},
		"linearize":    {"--linearize"},
		"linearize-os": {"--linearize", "--object-streams=generate"},
		"v2":           {"--force-version=2.0"},
		"v2-os":        {"--force-version=2.0", "--object-streams=generate"},
		"no-os":        {"--object-streams=disable"},
	}
	out := map[string][]byte{}
	for name, args := range variants {
		p := filepath.Join(dir, name+".pdf")
		cmd := exec.Command(qpdf, append(append(args, "--"), in, p)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			// exit status 3 means warnings only.
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
				t.Fatalf("qpdf %v: %v\n%s", args, err, b)
			}
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = data
	}
	return out
}

func TestQpdfVariants(t *testing.T) {
	qpdf := testenv.Tool(t, "qpdf")
	for name, data := range qpdfVariants(t, qpdf, samplePDF(5)) {
		t.Run(name, func(t *testing.T) {
			r := openBytes(t, data)
			checkDoc(t, r, 5)
			wantStream := name == "objstm" || name == "v2-os" || name == "linearize-os"
			if r.XrefIsStream() != wantStream {
				t.Errorf("XrefIsStream = %v, want %v", r.XrefIsStream(), wantStream)
			}
			if name == "v2" || name == "v2-os" {
				if v := r.Version(); v != "2.0" {
					t.Errorf("Version = %q", v)
				}
			}
			t.Logf("%s: %d bytes, %d sections, Size %d, version %s", name, len(data), len(r.Revisions()), r.Size(), r.Version())
			out := testUpdateRoundTrip(t, data, true)
			qpdfCheck(t, qpdf, out)
		})
	}
}

func qpdfCheck(t *testing.T, qpdf string, data []byte) {
	t.Helper()
	p := writeTemp(t, "check.pdf", data)
	out, err := exec.Command(qpdf, "--check", p).CombinedOutput()
	if err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
}

func TestConcurrentResolve(t *testing.T) {
	r := openBytes(t, objStmPDF(false))
	done := make(chan error)
	for range 8 {
		go func() {
			for range 50 {
				if _, err := r.Pages(); err != nil {
					done <- err
					return
				}
				r.Revisions()
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// TestDictCacheCopies checks that a dictionary read several times is the
// same object each time however the caller changed the earlier copies:
// their entries, a nested array, a nested dictionary and a string's bytes
// (the Reader caches dictionaries and hands out deep copies).
func TestDictCacheCopies(t *testing.T) {
	r := openBytes(t, samplePDF(2))
	cat, err := r.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	node, infoRef := cat.Get("Pages"), r.Trailer().Get("Info")
	encode := func(d Dict) string {
		w := &objWriter{}
		if err := w.object(d, 0); err != nil {
			t.Fatal(err)
		}
		return string(w.buf)
	}
	var want string
	for i := range 4 {
		d, err := r.GetDict(node)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			want = encode(d)
		} else if got := encode(d); got != want {
			t.Fatalf("page tree root, read %d:\n%s\nwant\n%s", i+1, got, want)
		}
		box, ok := d.Get("MediaBox").(Array)
		if !ok || len(box) == 0 {
			t.Fatalf("page tree root has no /MediaBox array: %s", want)
		}
		box[0] = Name("Changed")
		d.Set("Extra", int64(1))
		d.Delete("Type")
		if res, ok := d.Get("Resources").(Dict); ok {
			res.Set("Changed", true)
		}
		info, err := r.GetDict(infoRef)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := info.Get("Producer").(String)
		if string(p.Bytes) != "segel test (hand-made)" {
			t.Fatalf("Producer, read %d = %q", i+1, p.Bytes)
		}
		p.Bytes[0] = 'X'
	}
}
