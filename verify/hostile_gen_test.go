package verify_test

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
	"sync"
)

// rawPDF writes a PDF object by object and closes it with a classic
// xref table: the generators of hostile files below use it.
type rawPDF struct {
	buf  bytes.Buffer
	offs map[int]int64
	max  int
}

func newRawPDF() *rawPDF {
	p := &rawPDF{offs: map[int]int64{}}
	p.buf.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return p
}

func (p *rawPDF) obj(num int, body string) {
	p.offs[num] = int64(p.buf.Len())
	p.max = max(p.max, num)
	fmt.Fprintf(&p.buf, "%d 0 obj\n%s\nendobj\n", num, body)
}

func (p *rawPDF) stream(num int, dict string, data []byte) {
	p.offs[num] = int64(p.buf.Len())
	p.max = max(p.max, num)
	fmt.Fprintf(&p.buf, "%d 0 obj\n<<%s /Length %d>>\nstream\n", num, dict, len(data))
	p.buf.Write(data)
	p.buf.WriteString("\nendstream\nendobj\n")
}

// finish writes the xref table, the trailer and the tail.
func (p *rawPDF) finish(trailer string) []byte {
	start := p.buf.Len()
	fmt.Fprintf(&p.buf, "xref\n0 %d\n0000000000 65535 f \n", p.max+1)
	for i := 1; i <= p.max; i++ {
		if off, ok := p.offs[i]; ok {
			fmt.Fprintf(&p.buf, "%010d 00000 n \n", off)
		} else {
			p.buf.WriteString("0000000000 00000 f \n")
		}
	}
	fmt.Fprintf(&p.buf, "trailer\n<</Size %d %s>>\nstartxref\n%d\n%%%%EOF\n", p.max+1, trailer, start)
	return p.buf.Bytes()
}

// basePages writes a catalog (1), a page tree (2) and one page (3) with
// a small content stream (4); extra goes into the catalog.
func (p *rawPDF) basePages(extra string) {
	p.obj(1, "<</Type /Catalog /Pages 2 0 R "+extra+">>")
	p.obj(2, "<</Type /Pages /Kids [3 0 R] /Count 1>>")
	p.obj(3, "<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R>>")
	p.stream(4, "", []byte("BT /F1 12 Tf 72 720 Td (hostile) Tj ET"))
}

// hostileKidsBomb is a form whose one signature field has n kids, each
// with a partial name and no /FT (so that its type is inherited).
func hostileKidsBomb(n int) []byte {
	p := newRawPDF()
	p.basePages("/AcroForm <</Fields [5 0 R]>>")
	var kids strings.Builder
	for i := range n {
		fmt.Fprintf(&kids, "%d 0 R ", 6+i)
	}
	p.obj(5, "<</FT /Sig /T (sig) /Kids ["+kids.String()+"]>>")
	for i := range n {
		p.obj(6+i, fmt.Sprintf("<</T (k%d) /Parent 5 0 R>>", i))
	}
	return p.finish("/Root 1 0 R")
}

// xrefStreamPDF writes the base pages and closes the file with an xref
// stream (object 5) whose rows for objects 0..5 are followed by pad zero
// rows (free entries), compressed through stages FlateDecode filters.
func xrefStreamPDF(size, pad, stages int) []byte {
	p := newRawPDF()
	p.basePages("")
	var rows bytes.Buffer
	rows.Write([]byte{0, 0, 0, 0, 0, 0xff})
	start := p.buf.Len()
	for i := 1; i <= 5; i++ {
		off := int64(start)
		if i < 5 {
			off = p.offs[i]
		}
		rows.Write([]byte{1, byte(off >> 24), byte(off >> 16), byte(off >> 8), byte(off), 0})
	}
	rows.Write(make([]byte, 6*pad))
	data := rows.Bytes()
	filters := ""
	for range stages {
		data = deflate(data)
		filters += "/FlateDecode "
	}
	fmt.Fprintf(&p.buf, "5 0 obj\n<</Type /XRef /Size %d /W [1 4 1] /Root 1 0 R /Filter [%s] /Length %d>>\nstream\n", size, filters, len(data))
	p.buf.Write(data)
	fmt.Fprintf(&p.buf, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", start)
	return p.buf.Bytes()
}

// hostileHugeSize is a document of about 50 KB whose xref stream claims
// /Size 8388607 and holds that many rows, all but six free.
func hostileHugeSize() []byte { return xrefStreamPDF(8388607, 8388607-6, 1) }

// hostileDeflateBomb is a document of about 1 KB whose xref stream goes
// through three FlateDecode filters and inflates to about 1 GiB.
// It is made once per test binary (compressing 1 GiB takes seconds).
var hostileDeflateBomb = sync.OnceValue(func() []byte { return xrefStreamPDF(6, 1<<30/6, 3) })

// hostileDeepNesting nests arrays depth levels deep, in the catalog and
// in a chain of indirect dictionaries each referring to the next.
func hostileDeepNesting(depth int) []byte {
	p := newRawPDF()
	p.basePages("/Deep " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + " /Chain 5 0 R /AcroForm 6 0 R")
	p.obj(5, "<</Next 5 0 R>>")
	// A /Parent chain of form fields depth long, each lacking /FT.
	var fields strings.Builder
	for i := range depth {
		fmt.Fprintf(&fields, "%d 0 R ", 7+i)
	}
	p.obj(6, "<</Fields ["+fields.String()+"]>>")
	for i := range depth {
		parent := ""
		if i > 0 {
			parent = fmt.Sprintf("/Parent %d 0 R", 7+i-1)
		}
		p.obj(7+i, fmt.Sprintf("<</T (f%d) %s /Kids [%d 0 R]>>", i, parent, 7+i+1))
	}
	return p.finish("/Root 1 0 R")
}

// hostileRefLoops is a document whose page tree, form tree, /Parent
// chains and /Length refer back to themselves.
func hostileRefLoops() []byte {
	p := newRawPDF()
	p.obj(1, "<</Type /Catalog /Pages 2 0 R /AcroForm <</Fields [5 0 R 6 0 R]>> /Loop 7 0 R>>")
	p.obj(2, "<</Type /Pages /Kids [3 0 R 2 0 R] /Count 2>>")
	p.obj(3, "<</Type /Page /Parent 3 0 R /Contents 4 0 R>>")
	p.buf.WriteString("")
	p.offs[4] = int64(p.buf.Len())
	p.max = max(p.max, 4)
	p.buf.WriteString("4 0 obj\n<</Length 4 0 R>>\nstream\nBT ET\nendstream\nendobj\n")
	p.obj(5, "<</T (a) /Parent 6 0 R /Kids [6 0 R]>>")
	p.obj(6, "<</T (b) /Parent 5 0 R /Kids [5 0 R] /V 7 0 R>>")
	p.obj(7, "8 0 R")
	p.obj(8, "7 0 R")
	return p.finish("/Root 1 0 R")
}

// hostileManyRevisions is a document followed by n small incremental
// updates, each rewriting the catalog.
func hostileManyRevisions(n int) []byte {
	p := newRawPDF()
	p.basePages("")
	data := p.finish("/Root 1 0 R")
	prev := bytes.LastIndex(data, []byte("\nxref\n")) + 1
	var buf bytes.Buffer
	buf.Write(data)
	for i := range n {
		off := buf.Len()
		fmt.Fprintf(&buf, "1 0 obj\n<</Type /Catalog /Pages 2 0 R /N %d>>\nendobj\n", i)
		start := buf.Len()
		fmt.Fprintf(&buf, "xref\n1 1\n%010d 00000 n \ntrailer\n<</Size 5 /Root 1 0 R /Prev %d>>\nstartxref\n%d\n%%%%EOF\n", off, prev, start)
		prev = start
	}
	return buf.Bytes()
}

func deflate(b []byte) []byte {
	var out bytes.Buffer
	w, _ := zlib.NewWriterLevel(&out, zlib.BestCompression)
	w.Write(b)
	w.Close()
	return out.Bytes()
}
