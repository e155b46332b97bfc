package signer_test

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"math/rand/v2"
	"strings"
)

// genOptions shape a generated PDF. The generator writes the file by
// hand (objects, a classic xref table, trailer), so the signer meets
// layouts no corpus producer makes.
type genOptions struct {
	Pages       int    // number of pages (at least 1)
	LinesPerPg  int    // text lines per page
	EOL         string // "\n", "\r\n" or "\r"
	Compress    bool   // FlateDecode the content streams
	NestedPages bool   // an intermediate /Pages node
	Info        bool   // an /Info dictionary
	// Form: 0 none, 1 /AcroForm direct in the catalog, 2 indirect.
	Form           int
	FieldsIndirect bool // /Fields as an indirect array
	TextFields     int  // text fields (merged field/widget) on page 1
	EmptySig       bool // an empty signature field "Approval"
	SigKidWidget   bool // … whose widget is a separate kid
	// Annots on page 1: 0 none, 1 a direct array, 2 an indirect array
	// (with a link annotation).
	Annots      int
	Extra       int  // unreferenced extra objects
	FreeEntries bool // gaps in the object numbers (free xref entries)
	PriorUpdate bool // an unsigned incremental update replacing /Info
	NoFinalEOL  bool // nothing after the last %%EOF
	ImageBytes  int  // an incompressible image XObject of about this size on page 1
	Seed        uint64
}

type genObj struct {
	num  int
	body []byte
}

type pdfGen struct {
	o    genOptions
	rng  *rand.Rand
	objs []genObj
	next int
}

// alloc reserves an object number, skipping some when FreeEntries.
func (g *pdfGen) alloc() int {
	if g.o.FreeEntries && g.rng.IntN(4) == 0 {
		g.next++ // leave a free entry
	}
	g.next++
	return g.next
}

func (g *pdfGen) set(num int, format string, args ...any) {
	g.objs = append(g.objs, genObj{num, fmt.Appendf(nil, format, args...)})
}

var genWords = []string{
	"Surat", "Keputusan", "Bupati", "Sleman", "Nomor", "tentang", "Penetapan", "Anggaran",
	"Pendapatan", "Belanja", "Daerah", "Tahun", "2026", "Menimbang", "bahwa", "dalam",
	"rangka", "pelaksanaan", "(kegiatan)", "back\\slash", "Sekretariat", "Camat", "Lurah",
	"Desa", "Kepala", "Dinas", "Kominfo", "NIP.", "19800101", "200501", "1", "001",
}

func (g *pdfGen) text(n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = genWords[g.rng.IntN(len(genWords))]
	}
	return strings.Join(w, " ")
}

// literal escapes s for a PDF literal string.
func pdfLiteral(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
	return "(" + r.Replace(s) + ")"
}

func (g *pdfGen) stream(dict string, data []byte, compress bool) []byte {
	if compress {
		var b bytes.Buffer
		zw := zlib.NewWriter(&b)
		zw.Write(data)
		zw.Close()
		data = b.Bytes()
		dict += " /Filter /FlateDecode"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "<< %s /Length %d >>%sstream\n", dict, len(data), g.o.EOL)
	b.Write(data)
	b.WriteString(g.o.EOL + "endstream")
	return b.Bytes()
}

// generatePDF writes a PDF as o describes.
func generatePDF(o genOptions) []byte {
	if o.Pages < 1 {
		o.Pages = 1
	}
	if o.EOL == "" {
		o.EOL = "\n"
	}
	if o.LinesPerPg == 0 {
		o.LinesPerPg = 10
	}
	g := &pdfGen{o: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x5e9e1))}
	eol := o.EOL

	catalog := g.alloc()
	pages := g.alloc()
	font := g.alloc()
	g.set(font, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")

	var image int
	if o.ImageBytes > 0 {
		image = g.alloc()
		side := 1
		for side*side*3 < o.ImageBytes {
			side++
		}
		data := make([]byte, side*side*3)
		for i := 0; i+8 <= len(data); i += 8 {
			v := g.rng.Uint64()
			for k := range 8 {
				data[i+k] = byte(v >> (8 * k))
			}
		}
		g.objs = append(g.objs, genObj{image, g.stream(fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8", side, side), data, false)})
	}

	// Page tree: optionally one intermediate node holding every page.
	parent := pages
	var mid int
	if o.NestedPages {
		mid = g.alloc()
		parent = mid
	}
	pageNums := make([]int, o.Pages)
	for i := range pageNums {
		pageNums[i] = g.alloc()
	}

	// Form fields and annotations of page 1.
	var fieldRefs, annotRefs []string
	for i := range o.TextFields {
		f := g.alloc()
		y := 700 - 30*i
		g.set(f, "<< /Type /Annot /Subtype /Widget /FT /Tx /T %s /V %s /Rect [72 %d 300 %d] /P %d 0 R /F 4 /DA (/Helv 10 Tf 0 g) >>",
			pdfLiteral(fmt.Sprintf("isian%d", i+1)), pdfLiteral(g.text(3)), y, y+20, pageNums[0])
		fieldRefs = append(fieldRefs, fmt.Sprintf("%d 0 R", f))
		annotRefs = append(annotRefs, fmt.Sprintf("%d 0 R", f))
	}
	if o.EmptySig {
		f := g.alloc()
		if o.SigKidWidget {
			w := g.alloc()
			g.set(f, "<< /FT /Sig /T (Approval) /Kids [%d 0 R] >>", w)
			g.set(w, "<< /Type /Annot /Subtype /Widget /Parent %d 0 R /Rect [350 100 550 160] /P %d 0 R /F 4 >>", f, pageNums[0])
			annotRefs = append(annotRefs, fmt.Sprintf("%d 0 R", w))
		} else {
			g.set(f, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Approval) /Rect [350 100 550 160] /P %d 0 R /F 4 >>", pageNums[0])
			annotRefs = append(annotRefs, fmt.Sprintf("%d 0 R", f))
		}
		fieldRefs = append(fieldRefs, fmt.Sprintf("%d 0 R", f))
	}
	if o.Annots > 0 {
		l := g.alloc()
		g.set(l, "<< /Type /Annot /Subtype /Link /Rect [72 50 200 70] /Border [0 0 0] /A << /S /URI /URI (https://slemankab.go.id/) >> >>")
		annotRefs = append(annotRefs, fmt.Sprintf("%d 0 R", l))
	}

	for i, p := range pageNums {
		var content bytes.Buffer
		fmt.Fprintf(&content, "BT /F1 11 Tf 72 800 Td 14 TL%s", eol)
		for range o.LinesPerPg {
			fmt.Fprintf(&content, "%s Tj T*%s", pdfLiteral(g.text(4+g.rng.IntN(8))), eol)
		}
		content.WriteString("ET")
		res := "/Font << /F1 " + fmt.Sprint(font) + " 0 R >>"
		if i == 0 && image != 0 {
			content.WriteString(eol + "q 200 0 0 200 300 300 cm /Im1 Do Q")
			res += fmt.Sprintf(" /XObject << /Im1 %d 0 R >>", image)
		}
		c := g.alloc()
		g.objs = append(g.objs, genObj{c, g.stream("", content.Bytes(), o.Compress && g.rng.IntN(5) != 0)})
		annots := ""
		if i == 0 && len(annotRefs) > 0 {
			switch {
			case o.Annots == 2:
				a := g.alloc()
				g.set(a, "[%s]", strings.Join(annotRefs, " "))
				annots = fmt.Sprintf(" /Annots %d 0 R", a)
			default:
				annots = " /Annots [" + strings.Join(annotRefs, " ") + "]"
			}
		}
		media := ""
		if !o.NestedPages || i%2 == 0 {
			media = " /MediaBox [0 0 595 842]" // otherwise inherited
		}
		g.set(p, "<< /Type /Page /Parent %d 0 R%s /Contents %d 0 R /Resources << %s >>%s >>", parent, media, c, res, annots)
	}
	kids := make([]string, len(pageNums))
	for i, p := range pageNums {
		kids[i] = fmt.Sprintf("%d 0 R", p)
	}
	if o.NestedPages {
		g.set(mid, "<< /Type /Pages /Parent %d 0 R /Kids [%s] /Count %d >>", pages, strings.Join(kids, " "), len(kids))
		g.set(pages, "<< /Type /Pages /Kids [%d 0 R] /Count %d /MediaBox [0 0 612 792] >>", mid, len(kids))
	} else {
		g.set(pages, "<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	}

	for range o.Extra {
		e := g.alloc()
		switch g.rng.IntN(5) {
		case 0:
			g.set(e, "<< /Kind /Catatan /Text %s /N %d /R %.3f /B true /Z null >>", pdfLiteral(g.text(6)), g.rng.IntN(1e6), g.rng.Float64()*100)
		case 1:
			g.set(e, "[%d %s /Nama <%X> [1 2 [3]] << /K (v) >>]", g.rng.IntN(100), pdfLiteral(g.text(2)), []byte(g.text(1)))
		case 2:
			data := make([]byte, 64+g.rng.IntN(2048))
			for i := range data {
				data[i] = byte(g.rng.Uint32())
			}
			g.objs = append(g.objs, genObj{e, g.stream("/Type /EmbeddedData", data, g.rng.IntN(2) == 0)})
		case 3:
			g.set(e, "%s", pdfLiteral("endobj stream xref trailer %%EOF startxref"))
		default:
			g.set(e, "%d", g.rng.IntN(1000))
		}
	}

	form := ""
	if o.Form > 0 {
		fields := "[" + strings.Join(fieldRefs, " ") + "]"
		if o.FieldsIndirect {
			f := g.alloc()
			g.set(f, "%s", fields)
			fields = fmt.Sprintf("%d 0 R", f)
		}
		dict := fmt.Sprintf("<< /Fields %s /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv %d 0 R >> >> >>", fields, font)
		if o.Form == 2 {
			a := g.alloc()
			g.set(a, "%s", dict)
			form = fmt.Sprintf(" /AcroForm %d 0 R", a)
		} else {
			form = " /AcroForm " + dict
		}
	}
	g.set(catalog, "<< /Type /Catalog /Pages %d 0 R%s /Lang (id-ID) >>", pages, form)
	info := 0
	if o.Info {
		info = g.alloc()
		g.set(info, "<< /Title %s /Author (Bagian Umum) /Producer (segel test generator) /CreationDate (D:20260102030405+07'00') >>", pdfLiteral(g.text(5)))
	}

	// Write the objects in a shuffled order: offsets need not follow
	// object numbers.
	g.rng.Shuffle(len(g.objs), func(i, j int) { g.objs[i], g.objs[j] = g.objs[j], g.objs[i] })
	var b bytes.Buffer
	b.WriteString("%PDF-1.7" + eol + "%\xe2\xe3\xcf\xd3" + eol)
	offsets := map[int]int{}
	for _, obj := range g.objs {
		offsets[obj.num] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj%s", obj.num, eol)
		b.Write(obj.body)
		b.WriteString(eol + "endobj" + eol)
	}
	size := g.next + 1
	entryEOL := " \n"
	switch eol {
	case "\r\n":
		entryEOL = "\r\n"
	case "\r":
		entryEOL = " \r"
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref%s0 %d%s", eol, size, eol)
	// The free list: 0 → first free → … → 0.
	var free []int
	for n := 1; n < size; n++ {
		if _, ok := offsets[n]; !ok {
			free = append(free, n)
		}
	}
	nextFree := func(n int) int {
		for _, f := range free {
			if f > n {
				return f
			}
		}
		return 0
	}
	fmt.Fprintf(&b, "%010d 65535 f%s", nextFree(0), entryEOL)
	for n := 1; n < size; n++ {
		if off, ok := offsets[n]; ok {
			fmt.Fprintf(&b, "%010d 00000 n%s", off, entryEOL)
		} else {
			fmt.Fprintf(&b, "%010d 00001 f%s", nextFree(n), entryEOL)
		}
	}
	trailerInfo := ""
	if info != 0 {
		trailerInfo = fmt.Sprintf(" /Info %d 0 R", info)
	}
	id := fmt.Sprintf("<%016X%016X>", g.rng.Uint64(), g.rng.Uint64())
	fmt.Fprintf(&b, "trailer%s<< /Size %d /Root %d 0 R%s /ID [%s %s] >>%sstartxref%s%d%s%%%%EOF", eol, size, catalog, trailerInfo, id, id, eol, eol, xref, eol)

	if o.PriorUpdate {
		b.WriteString(eol)
		upd := size
		off := b.Len()
		fmt.Fprintf(&b, "%d 0 obj%s<< /Title (Revisi) /ModDate (D:20260203040506Z) >>%sendobj%s", upd, eol, eol, eol)
		x := b.Len()
		fmt.Fprintf(&b, "xref%s0 1%s%010d 65535 f%s%d 1%s%010d 00000 n%s", eol, eol, nextFree(0), entryEOL, upd, eol, off, entryEOL)
		fmt.Fprintf(&b, "trailer%s<< /Size %d /Root %d 0 R /Info %d 0 R /Prev %d /ID [%s %s] >>%sstartxref%s%d%s%%%%EOF", eol, upd+1, catalog, upd, xref, id, id, eol, eol, x, eol)
	}
	if !o.NoFinalEOL {
		b.WriteString(eol)
	}
	return b.Bytes()
}

// randomGenOptions draws generator options from rng.
func randomGenOptions(rng *rand.Rand) genOptions {
	eols := []string{"\n", "\r\n", "\r"}
	o := genOptions{
		Pages:       1 + rng.IntN(5),
		LinesPerPg:  1 + rng.IntN(30),
		EOL:         eols[rng.IntN(len(eols))],
		Compress:    rng.IntN(2) == 0,
		NestedPages: rng.IntN(3) == 0,
		Info:        rng.IntN(2) == 0,
		Form:        rng.IntN(3),
		Annots:      rng.IntN(3),
		Extra:       rng.IntN(12),
		FreeEntries: rng.IntN(3) == 0,
		PriorUpdate: rng.IntN(3) == 0,
		NoFinalEOL:  rng.IntN(4) == 0,
		Seed:        rng.Uint64(),
	}
	if o.Form > 0 {
		o.FieldsIndirect = rng.IntN(2) == 0
		o.TextFields = rng.IntN(4)
		o.EmptySig = rng.IntN(2) == 0
		o.SigKidWidget = o.EmptySig && rng.IntN(2) == 0
	}
	if o.PriorUpdate {
		o.Info = true
	}
	return o
}
