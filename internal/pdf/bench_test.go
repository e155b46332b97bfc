package pdf

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

type countWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeLargePDF streams a PDF with the given number of pages and one image
// XObject of imageBytes raw bytes to path, never holding it in memory.
func writeLargePDF(tb testing.TB, path string, pages int, imageBytes int64) int64 {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := &countWriter{w: bufio.NewWriterSize(f, 1<<20)}
	offsets := map[int]int64{}
	obj := func(num int, body string) {
		offsets[num] = w.n
		fmt.Fprintf(w, "%d 0 obj\n%s\nendobj\n", num, body)
	}
	fmt.Fprintf(w, "%%PDF-1.7\n")
	obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	kidsPerNode := 100
	nodes := (pages + kidsPerNode - 1) / kidsPerNode
	// 2: root; 10..: intermediate nodes; then pages.
	kids := ""
	for i := range nodes {
		kids += fmt.Sprintf("%d 0 R ", 10+i)
	}
	obj(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 612 792] >>", kids, pages))
	firstPage := 10 + nodes
	for i := range nodes {
		k := ""
		n := 0
		for p := i * kidsPerNode; p < min(pages, (i+1)*kidsPerNode); p++ {
			k += fmt.Sprintf("%d 0 R ", firstPage+p)
			n++
		}
		obj(10+i, fmt.Sprintf("<< /Type /Pages /Parent 2 0 R /Kids [%s] /Count %d >>", k, n))
	}
	img := firstPage + pages
	for p := range pages {
		obj(firstPage+p, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /Resources << /XObject << /Im0 %d 0 R >> >> >>", 10+p/kidsPerNode, img))
	}
	offsets[img] = w.n
	fmt.Fprintf(w, "%d 0 obj\n<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n", img, imageBytes)
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i * 7)
	}
	for left := imageBytes; left > 0; {
		n := min(left, int64(len(chunk)))
		w.Write(chunk[:n])
		left -= n
	}
	fmt.Fprintf(w, "\nendstream\nendobj\n")
	size := img + 1
	xref := w.n
	fmt.Fprintf(w, "xref\n0 %d\n0000000000 65535 f\r\n", size)
	for n := 1; n < size; n++ {
		if off, ok := offsets[n]; ok {
			fmt.Fprintf(w, "%010d 00000 n\r\n", off)
		} else {
			fmt.Fprintf(w, "0000000000 00000 f\r\n")
		}
	}
	fmt.Fprintf(w, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", size, xref)
	if err := w.w.Flush(); err != nil {
		tb.Fatal(err)
	}
	return w.n
}

// BenchmarkOpenPages opens a generated ~60 MB PDF (5 000 pages and a 56 MB
// image stream) and walks its page tree. It fails if one Open+Pages
// allocates more than 32 MiB, i.e. if the reader slurps the file.
func BenchmarkOpenPages(b *testing.B) {
	path := filepath.Join(b.TempDir(), "large.pdf")
	size := writeLargePDF(b, path, 5000, 56<<20)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.SetBytes(size)
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	for b.Loop() {
		r, err := Open(f, size, nil)
		if err != nil {
			b.Fatal(err)
		}
		ps, err := r.Pages()
		if err != nil || len(ps) != 5000 {
			b.Fatal(len(ps), err)
		}
		im, err := r.GetStream(Ref{Num: uint32(10 + 50 + 5000)})
		if err != nil || im.Length != 56<<20 {
			b.Fatal(err)
		}
		if n, err := io.Copy(io.Discard, im.Raw()); err != nil || n != im.Length {
			b.Fatal(n, err)
		}
	}
	runtime.ReadMemStats(&ms1)
	perOp := (ms1.TotalAlloc - ms0.TotalAlloc) / uint64(b.N)
	b.ReportMetric(float64(perOp)/(1<<20), "MiB-alloc/op")
	if perOp > 32<<20 {
		b.Fatalf("Open+Pages allocated %d bytes per op on a %d-byte file", perOp, size)
	}
}
