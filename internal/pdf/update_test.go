package pdf

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/segel-id/segel/internal/testenv"
)

// applyUpdate appends a signature-like update to src: a new dictionary with
// placeholders, a new stream and a replaced catalog. It returns the new
// file and the result.
func applyUpdate(r *Reader) (*Result, Ref, Ref, error) {
	u := NewUpdate(r)
	sig := u.Alloc()
	d := NewDict()
	d.Set("Type", Name("Sig"))
	d.Set("Filter", Name("Adobe.PPKLite"))
	d.Set("ByteRange", Placeholder{Key: "br", Width: 40, Kind: PlaceholderArray})
	d.Set("Contents", Placeholder{Key: "contents", Width: 66, Kind: PlaceholderHex})
	d.Set("Name", String{Bytes: []byte("Ünïcode (x) \\ \r\n")})
	d.Set("M", String{Bytes: []byte{0, 1, 2, 0xff}, Hex: true})
	d.Set("We#ird Name", Array{int64(-3), 1.25, -0.5, true, nil, Name("a b")})
	u.Set(sig, d)
	st := u.Alloc()
	sd := NewDict()
	sd.Set("Filter", Name("FlateDecode"))
	u.SetStream(st, sd, deflate([]byte("stream data")))
	cat, err := r.Catalog()
	if err != nil {
		return nil, Ref{}, Ref{}, err
	}
	cat = cat.Clone()
	cat.Set("SegelTest", sig)
	cat.Set("SegelStream", st)
	if !r.CatalogRef().IsZero() {
		u.Set(r.CatalogRef(), cat)
	}
	res, err := u.Bytes()
	return res, sig, st, err
}

// testUpdateRoundTrip checks the key property of the incremental writer and
// returns the updated file. With strict, any failure is fatal; otherwise
// (fuzzing) errors before the update are tolerated by the caller.
func testUpdateRoundTrip(t testing.TB, src []byte, strict bool) []byte {
	t.Helper()
	r, err := Open(bytes.NewReader(src), int64(len(src)), fuzzOpts())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	oldCat, catErr := r.Catalog()
	res, sig, st, err := applyUpdate(r)
	if err != nil {
		if strict {
			t.Fatalf("update: %v", err)
		}
		return nil
	}
	if res.Offset != int64(len(src)) {
		t.Fatalf("Offset = %d, want %d", res.Offset, len(src))
	}
	out := append(bytes.Clone(src), res.Data...)
	// Placeholders.
	br, ok1 := res.Placeholders["br"]
	ct, ok2 := res.Placeholders["contents"]
	if !ok1 || !ok2 || br.Len != 40 || ct.Len != 66 {
		t.Fatalf("placeholders = %+v", res.Placeholders)
	}
	if got := string(out[ct.Offset : ct.Offset+int64(ct.Len)]); got != "<"+string(bytes.Repeat([]byte("0"), 64))+">" {
		t.Fatalf("contents placeholder = %q", got)
	}
	if got := out[br.Offset : br.Offset+int64(br.Len)]; got[0] != '[' || got[39] != ']' {
		t.Fatalf("byterange placeholder = %q", got)
	}
	// Patch the placeholders like a signer would.
	copy(out[br.Offset+1:], fmt.Sprintf("0 %d %d %d", ct.Offset, ct.Offset+int64(ct.Len), int64(len(out))-ct.Offset-int64(ct.Len)))
	copy(out[ct.Offset+1:], "DEADBEEF")

	r2, err := Open(bytes.NewReader(out), int64(len(out)), fuzzOpts())
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if !bytes.Equal(out[:len(src)], src) {
		t.Fatal("source is not a prefix")
	}
	if got, want := len(r2.Revisions()), len(r.Revisions())+1; got != want {
		t.Fatalf("Revisions = %d, want %d", got, want)
	}
	last := r2.Revisions()[len(r2.Revisions())-1]
	if last.End != int64(len(out)) || last.StartXref != res.StartXref {
		t.Fatalf("last revision = %+v, file size %d, startxref %d", last, len(out), res.StartXref)
	}
	if r2.XrefIsStream() != r.XrefIsStream() {
		t.Fatalf("XrefIsStream changed")
	}
	sd, err := r2.GetDict(sig)
	if err != nil {
		t.Fatalf("new object: %v", err)
	}
	if n, _ := sd.Name("Type"); n != "Sig" {
		t.Fatalf("sig /Type = %q", n)
	}
	if c, _ := sd.Get("Contents").(String); !c.Hex || !bytes.HasPrefix(c.Bytes, []byte{0xde, 0xad, 0xbe, 0xef}) || len(c.Bytes) != 32 {
		t.Fatalf("sig /Contents = %+v", c)
	}
	if b, _ := sd.Get("ByteRange").(Array); len(b) != 4 {
		t.Fatalf("sig /ByteRange = %v", sd.Get("ByteRange"))
	}
	if s, _ := sd.Get("Name").(String); string(s.Bytes) != "Ünïcode (x) \\ \r\n" {
		t.Fatalf("sig /Name = %q", s.Bytes)
	}
	if a, _ := sd.Get("We#ird Name").(Array); len(a) != 6 || a[1] != 1.25 || a[5] != Name("a b") {
		t.Fatalf("array = %v", sd.Get("We#ird Name"))
	}
	if s, _ := sd.Get("M").(String); !s.Hex || !bytes.Equal(s.Bytes, []byte{0, 1, 2, 0xff}) {
		t.Fatalf("hex string = %+v", s)
	}
	stm, err := r2.GetStream(st)
	if err != nil {
		t.Fatalf("new stream: %v", err)
	}
	if data, err := stm.Decode(0); err != nil || string(data) != "stream data" {
		t.Fatalf("new stream data = %q, %v", data, err)
	}
	if r2.Size() <= st.Num {
		t.Fatalf("Size %d <= %d", r2.Size(), st.Num)
	}
	if catErr == nil && !r.CatalogRef().IsZero() {
		cat, err := r2.Catalog()
		if err != nil || cat.Get("SegelTest") != sig {
			t.Fatalf("new catalog: %v %v", cat.Get("SegelTest"), err)
		}
		// Old objects still resolve, and the previous revision shows the old
		// catalog.
		prev, err := r2.AtRevision(len(r2.Revisions()) - 2)
		if err != nil {
			t.Fatal(err)
		}
		pc, err := prev.Catalog()
		if err != nil || pc.Get("SegelTest") == sig || pc.Len() != oldCat.Len() {
			t.Fatalf("catalog at previous revision: %v, %v", pc.Keys(), err)
		}
		if o, _ := prev.Resolve(sig); o != nil {
			t.Fatalf("new object visible in previous revision: %v", o)
		}
		if strict {
			p1, err1 := r.Pages()
			p2, err2 := r2.Pages()
			if fmt.Sprint(p1, err1) != fmt.Sprint(p2, err2) {
				t.Fatalf("pages changed: %v %v / %v %v", p1, err1, p2, err2)
			}
		}
		ents, err := r2.RevisionEntries(len(r2.Revisions()) - 1)
		if err != nil {
			t.Fatal(err)
		}
		nums := map[uint32]bool{}
		for _, e := range ents {
			nums[e.Num] = true
		}
		if !nums[sig.Num] || !nums[st.Num] || !nums[r.CatalogRef().Num] {
			t.Fatalf("revision entries = %+v", ents)
		}
	}
	// Trailer carries /Root, /Info and /ID over.
	for _, k := range []Name{"Root", "Info"} {
		if fmt.Sprint(r.Trailer().Get(k)) != fmt.Sprint(r2.Trailer().Get(k)) {
			t.Fatalf("trailer /%s: %v -> %v", k, r.Trailer().Get(k), r2.Trailer().Get(k))
		}
	}
	if id, _ := r2.Trailer().Get("ID").(Array); len(id) != 2 {
		t.Fatalf("trailer /ID = %v", r2.Trailer().Get("ID"))
	}
	return out
}

func TestUpdateClassic(t *testing.T) {
	src := samplePDF(2)
	out := testUpdateRoundTrip(t, src, true)
	// A second update on top of the first.
	out2 := testUpdateRoundTrip(t, out, true)
	r := openBytes(t, out2)
	revs := r.Revisions()
	if len(revs) != 3 || revs[0].End != int64(len(src)) || revs[1].End != int64(len(out)) {
		t.Fatalf("revisions = %+v (sizes %d %d %d)", revs, len(src), len(out), len(out2))
	}
	t.Run("qpdf", func(t *testing.T) {
		qpdf := testenv.Tool(t, "qpdf")
		qpdfCheck(t, qpdf, src)
		qpdfCheck(t, qpdf, out2)
	})
}

func TestUpdateNoTrailingEOL(t *testing.T) {
	src := bytes.TrimRight(samplePDF(1), "\n")
	r := openBytes(t, src)
	res, err := NewUpdate(r).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if res.Data[0] != '\n' || res.Offset != int64(len(src)) {
		t.Fatalf("Data starts %q, Offset %d", res.Data[:1], res.Offset)
	}
	testUpdateRoundTrip(t, src, true)
}

func TestUpdateGeneratesID(t *testing.T) {
	b := newDoc("1.7")
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(2, "<< /Type /Pages /Kids [] /Count 0 >>")
	r := openBytes(t, b.classic("/Root 1 0 R"))
	res, err := NewUpdate(r).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(res.Data, []byte("/ID [<")) {
		t.Fatalf("no /ID in %s", res.Data)
	}
}

func TestUpdateDuplicatePlaceholder(t *testing.T) {
	r := openBytes(t, samplePDF(1))
	u := NewUpdate(r)
	u.Set(u.Alloc(), Array{Placeholder{Key: "x", Width: 4}, Placeholder{Key: "x", Width: 4}})
	if _, err := u.Bytes(); err == nil {
		t.Fatal("no error for duplicate placeholder")
	}
}

// TestUpdateBytesInto checks that BytesInto writes the update Bytes
// writes, into the given buffer's storage when it has room, whatever
// the buffer held, and into a buffer of its own when it has not.
func TestUpdateBytesInto(t *testing.T) {
	r := openBytes(t, samplePDF(1))
	u := NewUpdate(r)
	d := NewDict()
	d.Set("Contents", Placeholder{Key: "contents", Width: 66, Kind: PlaceholderHex})
	u.Set(u.Alloc(), d)
	want, err := u.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{0, 10, 64 << 10} {
		buf := bytes.Repeat([]byte{'X'}, size)
		got, err := u.BytesInto(buf)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Data, want.Data) || !reflect.DeepEqual(got.Placeholders, want.Placeholders) || got.StartXref != want.StartXref {
			t.Fatalf("buffer of %d bytes: the update differs from Bytes':\n%q\nwant\n%q", size, got.Data, want.Data)
		}
		shared := len(got.Data) > 0 && size > 0 && &got.Data[0] == &buf[0]
		if shared != (size >= 64<<10) {
			t.Errorf("buffer of %d bytes: Data shares it = %v", size, shared)
		}
	}
}
