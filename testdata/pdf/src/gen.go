//go:build ignore

// gen writes the two hand-made files of the test corpus, byte by byte, with
// their cross-reference data computed here (no PDF library involved):
//
//	form-raw.pdf     a 2-page AcroForm: text fields (one hierarchical) and an
//	                 empty signature field "Signature1"; make.sh normalises it
//	                 with qpdf into form-2page.pdf
//	hybrid-xref.pdf  a hybrid-reference file (PDF 1.5 §7.5.8.4): a classic
//	                 xref table whose trailer has /XRefStm pointing to an xref
//	                 stream for objects kept in an object stream, the layout
//	                 Microsoft Word's "Save as PDF" writes; committed as is
//
// Usage: go run gen.go OUTDIR
package main

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: go run gen.go OUTDIR")
	}
	dir := os.Args[1]
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	write("form-raw.pdf", formPDF())
	write("hybrid-xref.pdf", hybridPDF())
}

// doc collects numbered objects and writes them with a classic xref table.
type doc struct {
	objs [][]byte // objs[i] is object i+1 ("N 0 obj" ... "endobj" added on write)
}

func (d *doc) add(body string) int {
	d.objs = append(d.objs, []byte(body))
	return len(d.objs)
}

func (d *doc) set(num int, body string) { d.objs[num-1] = []byte(body) }

func stream(dict, data string) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

func (d *doc) bytes(header, trailer string) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	offs := make([]int, len(d.objs))
	for i, o := range d.objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(d.objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n", len(d.objs)+1, trailer, xref)
	return b.Bytes()
}

// pdfString escapes s (Latin-1 bytes) as a literal string.
func pdfString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
	return "(" + r.Replace(s) + ")"
}

// latin1 converts UTF-8 text to WinAnsi/Latin-1 bytes (only the Latin-1 range is used here).
func latin1(s string) string {
	var b []byte
	for _, r := range s {
		if r > 0xff {
			log.Fatalf("latin1: %q", r)
		}
		b = append(b, byte(r))
	}
	return string(b)
}

// id is the file identifier of both files: "Segel corpus 001" in hex.
const id = "[<536567656C20636F7270757320303031> <536567656C20636F7270757320303031>]"

func formPDF() []byte {
	d := &doc{}
	catalog := d.add("")
	pages := d.add("")
	font := d.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	fontB := d.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
	page1 := d.add("")
	page2 := d.add("")

	// text field widgets: name, rect, value
	type tf struct {
		name, value string
		rect        [4]int
		page        int
		parent      int
	}
	var annots1, annots2 []string
	var fields []string
	textField := func(f tf) int {
		w, h := f.rect[2]-f.rect[0], f.rect[3]-f.rect[1]
		ap := "/Tx BMC\nEMC"
		if f.value != "" {
			ap = fmt.Sprintf("/Tx BMC\nq BT /Helv 10 Tf 0 g 2 %d Td %s Tj ET Q\nEMC", (h-7)/2, pdfString(latin1(f.value)))
		}
		apRef := d.add(stream(fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 %d %d] /Resources << /Font << /Helv %d 0 R >> >>", w, h, font), ap))
		dict := fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Tx /T %s /F 4 /Rect [%d %d %d %d] /P %d 0 R /DA (/Helv 10 Tf 0 g) /MK << /BC [0 0 0] >> /AP << /N %d 0 R >>",
			pdfString(f.name), f.rect[0], f.rect[1], f.rect[2], f.rect[3], f.page, apRef)
		if f.value != "" {
			dict += " /V " + pdfString(latin1(f.value))
		}
		if f.parent != 0 {
			dict += fmt.Sprintf(" /Parent %d 0 R", f.parent)
		}
		ref := d.add(dict + " >>")
		if f.page == page1 {
			annots1 = append(annots1, fmt.Sprintf("%d 0 R", ref))
		} else {
			annots2 = append(annots2, fmt.Sprintf("%d 0 R", ref))
		}
		return ref
	}

	nomor := textField(tf{name: "nomor", value: "800/124/Setda/2026", rect: [4]int{180, 640, 480, 660}, page: page1})
	perihal := textField(tf{name: "perihal", value: "Permohonan tanda tangan elektronik (café)", rect: [4]int{180, 610, 480, 630}, page: page1})
	pemohon := d.add("") // non-terminal field "pemohon" with kids nama and nip
	nama := textField(tf{name: "nama", value: "René Kurniawan", rect: [4]int{180, 560, 480, 580}, page: page1, parent: pemohon})
	nip := textField(tf{name: "nip", rect: [4]int{180, 530, 480, 550}, page: page1, parent: pemohon})
	d.set(pemohon, fmt.Sprintf("<< /T (pemohon) /Kids [%d 0 R %d 0 R] >>", nama, nip))
	catatan := textField(tf{name: "catatan", rect: [4]int{72, 560, 540, 640}, page: page2})

	sigAP := d.add(stream("/Type /XObject /Subtype /Form /BBox [0 0 200 70] /Resources << >>", ""))
	sig := d.add(fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /F 4 /Rect [340 420 540 490] /P %d 0 R /MK << /BC [0.5 0.5 0.5] >> /AP << /N %d 0 R >> >>", page2, sigAP))
	annots2 = append(annots2, fmt.Sprintf("%d 0 R", sig))
	fields = []string{
		fmt.Sprintf("%d 0 R", nomor), fmt.Sprintf("%d 0 R", perihal),
		fmt.Sprintf("%d 0 R", pemohon), fmt.Sprintf("%d 0 R", catatan), fmt.Sprintf("%d 0 R", sig),
	}

	text := func(x, y int, bold bool, size int, s string) string {
		f := "/F1"
		if bold {
			f = "/F2"
		}
		return fmt.Sprintf("BT %s %d Tf %d %d Td %s Tj ET\n", f, size, x, y, pdfString(latin1(s)))
	}
	c1 := text(72, 760, true, 14, "PEMERINTAH KABUPATEN SERANG") +
		text(72, 740, true, 12, "FORMULIR PERMOHONAN TANDA TANGAN ELEKTRONIK") +
		text(72, 700, false, 10, "Isi formulir ini lalu tandatangani secara elektronik di halaman 2.") +
		text(72, 646, false, 10, "Nomor surat") +
		text(72, 616, false, 10, "Perihal") +
		text(72, 586, true, 10, "Pemohon") +
		text(72, 566, false, 10, "Nama") +
		text(72, 536, false, 10, "NIP") +
		text(72, 60, false, 8, "Halaman 1 dari 2 - formulir uji Segel; data fiktif.")
	c2 := text(72, 760, true, 12, "CATATAN DAN PENGESAHAN") +
		text(72, 650, false, 10, "Catatan") +
		"0.5 G 0.5 w 340 420 200 70 re S\n" +
		text(340, 500, false, 10, "Tanda tangan elektronik:") +
		text(340, 405, false, 9, "(kolom Signature1, belum ditandatangani)") +
		text(72, 60, false, 8, "Halaman 2 dari 2 - formulir uji Segel; data fiktif.")
	content1 := d.add(stream("", c1))
	content2 := d.add(stream("", c2))
	res := fmt.Sprintf("<< /Font << /F1 %d 0 R /F2 %d 0 R >> >>", font, fontB)
	d.set(page1, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources %s /Contents %d 0 R /Annots [%s] >>",
		pages, res, content1, strings.Join(annots1, " ")))
	d.set(page2, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources %s /Contents %d 0 R /Annots [%s] >>",
		pages, res, content2, strings.Join(annots2, " ")))
	d.set(pages, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R %d 0 R] /Count 2 >>", page1, page2))
	info := d.add("<< /Title (Formulir permohonan tanda tangan elektronik) /Producer (Segel test corpus gen.go) >>")
	d.set(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R /AcroForm << /Fields [%s] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv %d 0 R >> >> >> >>",
		pages, strings.Join(fields, " "), font))
	return d.bytes("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", fmt.Sprintf("/Root %d 0 R /Info %d 0 R /ID %s", catalog, info, id))
}

// hybridPDF writes a hybrid-reference file in the layout Word uses: the
// classic table covers objects 0-6 (catalog, pages, page, content, the
// object stream 5 and the xref stream 6); objects 7 (the font) and 8 (the
// document information) live in object stream 5 and appear only in xref
// stream 6, which the trailer's /XRefStm points to. /Size covers them all.
// A PDF 1.4 reader does not find 7 and 8 (a missing font, no /Info); a PDF
// 1.5 reader, not finding them in the table, looks in the xref stream
// (PDF Reference 1.7 §3.4.7, ISO 32000-1 §7.5.8.4).
func hybridPDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	offs := map[int]int{}
	obj := func(n int, body string) {
		offs[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\r\n%s\r\nendobj\r\n", n, body)
	}
	lines := []string{
		"PEMERINTAH KABUPATEN SERANG",
		"SURAT EDARAN Nomor 100/9/Setda/2026",
		"tentang penggunaan tanda tangan elektronik pada naskah dinas",
		"",
		"Ditetapkan di Serang, 28 November 2026 - Bupati Serang (contoh fiktif, é).",
	}
	var content strings.Builder
	content.WriteString("BT /F1 11 Tf 72 770 Td 16 TL\n")
	for _, l := range lines {
		fmt.Fprintf(&content, "%s '\n", pdfString(latin1(l)))
	}
	content.WriteString("ET\n")
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(content.String()))
	zw.Close()

	obj(1, "<< /Type /Catalog /Pages 2 0 R /Lang (id-ID) /MarkInfo << /Marked false >> >>")
	obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.32 841.92] /Resources << /Font << /F1 7 0 R >> /ProcSet [/PDF /Text] >> /Contents 4 0 R /Group << /Type /Group /S /Transparency /CS /DeviceRGB >> >>")
	offs[4] = b.Len()
	fmt.Fprintf(&b, "4 0 obj\r\n<< /Filter /FlateDecode /Length %d >>\r\nstream\r\n", z.Len())
	b.Write(z.Bytes())
	b.WriteString("\r\nendstream\r\nendobj\r\n")

	// object stream 5 holds 7 and 8
	in := []string{
		"<< /Type /Font /Subtype /Type1 /Name /F1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Title (Surat Edaran) /Author (Bagian Umum) /Creator (hand-made in the layout of Microsoft\\256 Word) /Producer (Segel test corpus gen.go) >>",
	}
	first := fmt.Sprintf("7 0 8 %d ", len(in[0])+1)
	osData := first + in[0] + "\n" + in[1] + "\n"
	offs[5] = b.Len()
	fmt.Fprintf(&b, "5 0 obj\r\n<< /Type /ObjStm /N 2 /First %d /Length %d >>\r\nstream\r\n%s\r\nendstream\r\nendobj\r\n", len(first), len(osData), osData)

	// xref stream 6: entries for 7 and 8 (type 2, in object stream 5)
	var xs bytes.Buffer
	for i := range 2 {
		xs.WriteByte(2)
		binary.Write(&xs, binary.BigEndian, uint16(5))
		xs.WriteByte(byte(i))
	}
	offs[6] = b.Len()
	fmt.Fprintf(&b, "6 0 obj\r\n<< /Type /XRef /Size 9 /Index [7 2] /W [1 2 1] /Length %d >>\r\nstream\r\n", xs.Len())
	b.Write(xs.Bytes())
	b.WriteString("\r\nendstream\r\nendobj\r\n")

	xref := b.Len()
	b.WriteString("xref\r\n0 7\r\n0000000000 65535 f\r\n")
	for n := 1; n <= 6; n++ {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", offs[n])
	}
	fmt.Fprintf(&b, "trailer\r\n<< /Size 9 /Root 1 0 R /Info 8 0 R /ID %s /XRefStm %d >>\r\nstartxref\r\n%d\r\n%%%%EOF\r\n", id, offs[6], xref)
	return b.Bytes()
}
