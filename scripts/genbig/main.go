// Command genbig writes a PDF of about the given size (default 60 MB): one
// page showing one large incompressible image, the shape of a scanned
// letter. It is used by scripts/bench-cli.sh.
//
//	go run ./scripts/genbig -size 60000000 -o big.pdf
package main

import (
	"bufio"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
)

func main() {
	size := flag.Int64("size", 60_000_000, "approximate size in bytes")
	out := flag.String("o", "big.pdf", "output file")
	flag.Parse()
	if err := write(*out, *size); err != nil {
		fmt.Fprintln(os.Stderr, "genbig:", err)
		os.Exit(1)
	}
}

func write(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var off int64
	var offsets []int64
	put := func(s string) {
		n, _ := w.WriteString(s)
		off += int64(n)
	}
	obj := func(body string) {
		offsets = append(offsets, off)
		put(fmt.Sprintf("%d 0 obj\n%s\nendobj\n", len(offsets), body))
	}
	put("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>")
	side := int64(math.Sqrt(float64(size) / 3))
	n := side * side * 3
	offsets = append(offsets, off)
	put(fmt.Sprintf("4 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d >>\nstream\n", side, side, n))
	if _, err := io.CopyN(w, rand.Reader, n); err != nil {
		return err
	}
	off += n
	put("\nendstream\nendobj\n")
	content := "q 595 0 0 842 0 0 cm /Im1 Do Q"
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	xref := off
	put(fmt.Sprintf("xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1))
	for _, o := range offsets {
		put(fmt.Sprintf("%010d 00000 n \n", o))
	}
	put(fmt.Sprintf("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref))
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
