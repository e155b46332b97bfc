package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// docBuilder writes small PDFs by hand for tests.
type docBuilder struct {
	buf     bytes.Buffer
	offsets map[int]int64
	// inStm holds objects destined for an object stream: num -> body.
	inStm map[int]string
}

func newDoc(version string) *docBuilder {
	b := &docBuilder{offsets: map[int]int64{}, inStm: map[int]string{}}
	fmt.Fprintf(&b.buf, "%%PDF-%s\n%%\xe2\xe3\xcf\xd3\n", version)
	return b
}

func (b *docBuilder) obj(num int, body string) {
	b.offsets[num] = int64(b.buf.Len())
	fmt.Fprintf(&b.buf, "%d 0 obj\n%s\nendobj\n", num, body)
}

func (b *docBuilder) stream(num int, dict string, data []byte) {
	b.offsets[num] = int64(b.buf.Len())
	fmt.Fprintf(&b.buf, "%d 0 obj\n<< %s /Length %d >>\nstream\n", num, dict, len(data))
	b.buf.Write(data)
	b.buf.WriteString("\nendstream\nendobj\n")
}

func (b *docBuilder) maxNum() int {
	m := 0
	for n := range b.offsets {
		m = max(m, n)
	}
	for n := range b.inStm {
		m = max(m, n)
	}
	return m
}

// classic finishes the file with a classic xref table and trailer.
func (b *docBuilder) classic(trailer string) []byte {
	size := b.maxNum() + 1
	xref := b.buf.Len()
	fmt.Fprintf(&b.buf, "xref\n0 %d\n0000000000 65535 f\r\n", size)
	for n := 1; n < size; n++ {
		if off, ok := b.offsets[n]; ok {
			fmt.Fprintf(&b.buf, "%010d 00000 n\r\n", off)
		} else {
			fmt.Fprintf(&b.buf, "0000000000 00000 f\r\n")
		}
	}
	fmt.Fprintf(&b.buf, "trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n", size, trailer, xref)
	return b.buf.Bytes()
}

func deflate(data []byte) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(data)
	zw.Close()
	return z.Bytes()
}

// objStm writes the objects of b.inStm into object stream num.
func (b *docBuilder) objStm(num int) {
	nums := make([]int, 0, len(b.inStm))
	for n := range b.inStm {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	var hdr, body strings.Builder
	for _, n := range nums {
		fmt.Fprintf(&hdr, "%d %d ", n, body.Len())
		body.WriteString(b.inStm[n])
		body.WriteString("\n")
	}
	data := hdr.String() + body.String()
	b.stream(num, fmt.Sprintf("/Type /ObjStm /N %d /First %d /Filter /FlateDecode", len(nums), hdr.Len()), deflate([]byte(data)))
}

// xrefStream writes a cross-reference stream (object num, PNG predictor 12)
// covering all objects; compressed objects are in object stream stm. With
// onlyStm, only the compressed objects are listed (for a hybrid file).
func (b *docBuilder) xrefStream(num, stm int, trailer string, onlyStm bool) int64 {
	size := max(b.maxNum(), num) + 1
	off := int64(b.buf.Len())
	b.offsets[num] = off
	stmIdx := map[int]int{}
	{
		nums := []int{}
		for n := range b.inStm {
			nums = append(nums, n)
		}
		slices.Sort(nums)
		for i, n := range nums {
			stmIdx[n] = i
		}
	}
	const cols = 1 + 4 + 2
	var raw []byte
	prev := make([]byte, cols)
	for n := range size {
		row := make([]byte, cols)
		switch {
		case n == 0:
			row = []byte{0, 0, 0, 0, 0, 0xff, 0xff}
		case b.inStm[n] != "":
			row = []byte{2, 0, 0, byte(stm >> 8), byte(stm), 0, byte(stmIdx[n])}
		case b.offsets[n] != 0 && !onlyStm:
			o := b.offsets[n]
			row = []byte{1, byte(o >> 24), byte(o >> 16), byte(o >> 8), byte(o), 0, 0}
		}
		raw = append(raw, 2) // PNG Up
		for i := range cols {
			raw = append(raw, row[i]-prev[i])
		}
		prev = row
	}
	data := deflate(raw)
	fmt.Fprintf(&b.buf, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns %d >> %s /Length %d >>\nstream\n", num, size, cols, trailer, len(data))
	b.buf.Write(data)
	b.buf.WriteString("\nendstream\nendobj\n")
	return off
}

// samplePDF returns a classic n-page PDF with an Info dictionary and an ID.
func samplePDF(pages int) []byte {
	b := newDoc("1.4")
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	kids := ""
	for i := range pages {
		kids += fmt.Sprintf("%d 0 R ", 10+2*i)
	}
	b.obj(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> >>", kids, pages))
	b.obj(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	b.obj(4, "<< /Producer (segel test \\(hand-made\\)) /Title <FEFF0054> >>")
	for i := range pages {
		b.obj(10+2*i, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Contents %d 0 R >>", 11+2*i))
		b.stream(11+2*i, "", fmt.Appendf(nil, "BT /F1 24 Tf 72 700 Td (Page %d) Tj ET", i+1))
	}
	return b.classic("/Root 1 0 R /Info 4 0 R /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>]")
}

// objStmPDF returns a PDF 1.5 whose catalog, pages and page are in an
// object stream, indexed by an xref stream (hybrid: classic table plus
// /XRefStm).
func objStmPDF(hybrid bool) []byte {
	b := newDoc("1.5")
	b.inStm[1] = "<< /Type /Catalog /Pages 2 0 R >>"
	b.inStm[2] = "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 200 200] >>"
	b.inStm[3] = "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>"
	b.stream(4, "", []byte("0 0 m 100 100 l S"))
	b.objStm(5)
	if !hybrid {
		off := b.xrefStream(6, 5, "/Root 1 0 R", false)
		fmt.Fprintf(&b.buf, "startxref\n%d\n%%%%EOF\n", off)
		return b.buf.Bytes()
	}
	stmOff := b.xrefStream(6, 5, "", true)
	// The classic table lists only the uncompressed objects.
	xref := b.buf.Len()
	fmt.Fprintf(&b.buf, "xref\n0 1\n0000000000 65535 f\r\n4 3\n%010d 00000 n\r\n%010d 00000 n\r\n%010d 00000 n\r\n", b.offsets[4], b.offsets[5], b.offsets[6])
	fmt.Fprintf(&b.buf, "trailer\n<< /Size 7 /Root 1 0 R /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n", stmOff, xref)
	return b.buf.Bytes()
}

func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func openBytes(t testing.TB, data []byte) *Reader {
	t.Helper()
	r, err := Open(bytes.NewReader(data), int64(len(data)), nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return r
}
