// Package letters holds the register's sample draft letters of Kabupaten
// Serang (an undangan, a surat dinas and a nota dinas), each with the
// tags ${nomor} (where the register writes the number when the letter is
// signed, signer.FillText) and ${ttd} (where the signature's stamp
// goes). The demo seed uploads them as drafts and the README's tour
// shows one; testdata/letters holds the same PDFs, kept equal to what
// this package renders by its test (go test ./internal/pdfgen/letters
// -update rewrites them). Every name, number and address is fictitious.
package letters

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/segel-id/segel/internal/pdfgen"
)

// The tags a draft leaves for the register and the signer.
const (
	NumberTag    = "${nomor}"
	SignatureTag = "${ttd}"
)

// Letter is a sample draft and what the register records of it.
type Letter struct {
	// File is the name under testdata/letters.
	File string
	// Kind is the kind of naskah dinas: undangan, surat_dinas, nota_dinas.
	Kind string
	// Unit and UnitCode are the drafting unit (its kode_unit in numbers);
	// Address its kop's address line.
	Unit, UnitCode, Address string
	// Date is the letter's date as printed (the place comes first:
	// "Serang, 2 Desember 2026").
	Date string
	// Sifat, Lampiran, Subject (hal) and Klasifikasi, as the register
	// records them.
	Sifat, Lampiran, Subject, Klasifikasi string
	// To are the addressee's lines after "Yth."; Tembusan the copies.
	To, Tembusan []string
	// Body are the paragraphs; Details, when set, a "label : value" table
	// after the first paragraph (an invitation's day, time and place).
	Body    []string
	Details [][2]string
	// SignerTitle, SignerName, SignerRank and SignerNIP are the signature
	// block: the jabatan, the typed name, the pangkat and the NIP.
	SignerTitle, SignerName, SignerRank, SignerNIP string
}

// Samples are the sample drafts.
var Samples = []Letter{
	{
		File: "undangan.pdf", Kind: "undangan",
		Unit: "Dinas Pendidikan dan Kebudayaan", UnitCode: "DISDIKBUD",
		Address: "Jalan Veteran Nomor 1, Serang, Banten 42111 · Telepon (0254) 000101",
		Date:    "Serang, 2 Desember 2026",
		Sifat:   "Biasa", Lampiran: "-", Subject: "Undangan Rapat Koordinasi Penerimaan Peserta Didik Baru 2027", Klasifikasi: "400.3.1",
		To: []string{"Kepala Sekolah Dasar Negeri se-Kabupaten Serang", "di", "    Tempat"},
		Body: []string{
			"Dalam rangka persiapan Penerimaan Peserta Didik Baru (PPDB) tahun ajaran 2027/2028, dengan hormat kami mengundang Saudara untuk hadir pada:",
			"Mengingat pentingnya acara tersebut, kami mohon Saudara hadir tepat waktu dan membawa data daya tampung sekolah. Demikian undangan ini kami sampaikan, atas perhatian dan kehadirannya kami ucapkan terima kasih.",
		},
		Details: [][2]string{
			{"Hari, tanggal", "Kamis, 10 Desember 2026"},
			{"Waktu", "09.00 WIB s.d. selesai"},
			{"Tempat", "Aula Dinas Pendidikan dan Kebudayaan, Jalan Veteran Nomor 1, Serang"},
			{"Acara", "Rapat koordinasi PPDB 2027/2028"},
		},
		SignerTitle: "Kepala Dinas Pendidikan dan Kebudayaan", SignerName: "Dra. Hj. Siti Aminah, M.Pd.",
		SignerRank: "Pembina Utama Muda", SignerNIP: "19680512 199403 2 007",
		Tembusan: []string{"Bupati Serang (sebagai laporan)", "Sekretaris Daerah Kabupaten Serang"},
	},
	{
		File: "surat-dinas.pdf", Kind: "surat_dinas",
		Unit: "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", UnitCode: "DPMPTSP",
		Address: "Jalan Jenderal Sudirman Nomor 5, Serang, Banten 42116 · Telepon (0254) 000202",
		Date:    "Serang, 2 Desember 2026",
		Sifat:   "Penting", Lampiran: "1 (satu) berkas", Subject: "Permohonan Data Realisasi Investasi Triwulan III Tahun 2026", Klasifikasi: "500.16.1",
		To: []string{"Kepala Badan Perencanaan Pembangunan Daerah", "Kabupaten Serang", "di", "    Serang"},
		Body: []string{
			"Sehubungan dengan penyusunan laporan kinerja penanaman modal Kabupaten Serang tahun 2026, bersama ini kami mohon bantuan Saudara untuk menyampaikan data realisasi investasi per kecamatan triwulan III tahun 2026 sesuai format terlampir.",
			"Data tersebut kami harapkan dapat diterima paling lambat tanggal 15 Desember 2026 melalui surat dinas elektronik. Demikian permohonan ini kami sampaikan, atas perhatian dan kerja samanya kami ucapkan terima kasih.",
		},
		SignerTitle: "Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", SignerName: "H. Rahmat Hidayat, S.T., M.M.",
		SignerRank: "Pembina Tingkat I", SignerNIP: "19750817 200012 1 003",
		Tembusan: []string{"Sekretaris Daerah Kabupaten Serang"},
	},
	{
		File: "nota-dinas.pdf", Kind: "nota_dinas",
		Unit: "Dinas Pendidikan dan Kebudayaan", UnitCode: "DISDIKBUD",
		Address: "Jalan Veteran Nomor 1, Serang, Banten 42111 · Telepon (0254) 000101",
		Date:    "Serang, 2 Desember 2026",
		Sifat:   "Segera", Lampiran: "-", Subject: "Laporan Kesiapan Ujian Sekolah Tahun Ajaran 2026/2027", Klasifikasi: "400.3.5",
		To: []string{"Bupati Serang"},
		Body: []string{
			"Dengan hormat, kami laporkan bahwa persiapan ujian sekolah jenjang sekolah dasar dan sekolah menengah pertama tahun ajaran 2026/2027 telah mencapai 85 persen, meliputi penyusunan kisi-kisi, pendataan peserta, dan penyiapan sarana ujian berbasis komputer di 212 sekolah.",
			"Kendala yang masih dihadapi adalah keterbatasan perangkat komputer di 14 sekolah di wilayah Kecamatan Cinangka dan Padarincang, yang akan diatasi dengan penggunaan laboratorium sekolah terdekat. Demikian kami laporkan, mohon arahan Bapak.",
		},
		SignerTitle: "Kepala Dinas Pendidikan dan Kebudayaan", SignerName: "Dra. Hj. Siti Aminah, M.Pd.",
		SignerRank: "Pembina Utama Muda", SignerNIP: "19680512 199403 2 007",
		Tembusan: []string{"Sekretaris Daerah Kabupaten Serang"},
	},
}

// The page layout, in points from the top left corner of an A4 page.
const (
	marginLeft  = 70.0 // 2.5 cm, the naskah dinas margin
	marginRight = 56.0 // 2 cm
	textWidth   = pdfgen.PageWidth - marginLeft - marginRight
	bodyPt      = 11.0  // body text
	lead        = 15.0  // body leading
	labelW      = 66.0  // "Lampiran" column
	signX       = 320.0 // the signature block's left edge
	// stampRoom is the space between ${ttd} and the typed name, for the
	// stamp (signer.DefaultStampHeight and a margin).
	stampRoom = 92.0
)

var (
	body   = pdfgen.Style{Size: bodyPt}
	bold   = pdfgen.Style{Size: bodyPt, Bold: true}
	kop1   = pdfgen.Style{Size: 15, Bold: true, Align: pdfgen.Center}
	kop2   = pdfgen.Style{Size: 13, Bold: true, Align: pdfgen.Center}
	kopAdr = pdfgen.Style{Size: 8.5, Align: pdfgen.Center}
)

// PDF renders the letter.
func (l *Letter) PDF() ([]byte, error) {
	d, err := pdfgen.New()
	if err != nil {
		return nil, err
	}
	d.Info = pdfgen.Info{Title: l.Subject, Author: l.Unit, Creator: "Segel sample drafts"}
	p := d.AddPage()
	y := kop(d, p, l)
	if l.Kind == "nota_dinas" {
		y = notaHead(p, l, y)
	} else {
		y = suratHead(p, l, y)
	}
	for i, para := range l.Body {
		y = p.Paragraph(marginLeft, y, textWidth, lead, body, para) + 6
		if i == 0 && len(l.Details) > 0 {
			for _, row := range l.Details {
				p.Text(marginLeft+30, y, body, row[0])
				p.Text(marginLeft+130, y, body, ":")
				y = p.Paragraph(marginLeft+140, y, textWidth-140, lead, body, row[1])
			}
			y += 6
		}
	}
	y = signature(d, p, l, y+10)
	// A nota dinas names its tembusan in its heading.
	if len(l.Tembusan) > 0 && l.Kind != "nota_dinas" {
		y += 20
		p.Text(marginLeft, y, body, "Tembusan:")
		for i, t := range l.Tembusan {
			y += lead
			p.Text(marginLeft, y, body, fmt.Sprintf("%d. %s", i+1, t))
		}
	}
	var b bytes.Buffer
	if _, err := d.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// kop draws the kop surat and returns the y below it.
func kop(d *pdfgen.Doc, p *pdfgen.Page, l *Letter) float64 {
	mid := marginLeft + textWidth/2
	p.Text(mid, 62, kop1, "PEMERINTAH KABUPATEN SERANG")
	y := 62.0
	for _, line := range d.Wrap(strings.ToUpper(l.Unit), kop2, textWidth) {
		y += 17
		p.Text(mid, y, kop2, line)
	}
	y += 13
	p.Text(mid, y, kopAdr, l.Address)
	y += 8
	p.Line(marginLeft, y, marginLeft+textWidth, y, 2)
	p.Line(marginLeft, y+3, marginLeft+textWidth, y+3, 0.6)
	return y + 26
}

// suratHead draws the date, Nomor/Sifat/Lampiran/Hal and the addressee
// of a surat dinas or undangan.
func suratHead(p *pdfgen.Page, l *Letter, y float64) float64 {
	p.Text(marginLeft+textWidth, y, pdfgen.Style{Size: bodyPt, Align: pdfgen.Right}, l.Date)
	y += 2 * lead
	y = rows(p, y, [][2]string{{"Nomor", NumberTag}, {"Sifat", l.Sifat}, {"Lampiran", l.Lampiran}, {"Hal", l.Subject}}, 250)
	y += lead
	p.Text(marginLeft, y, body, "Yth. "+l.To[0])
	for _, line := range l.To[1:] {
		y += lead
		p.Text(marginLeft+24, y, body, line)
	}
	return y + 2*lead
}

// notaHead draws the heading of a nota dinas: its title and the
// Yth./Dari/Tembusan/Tanggal/Nomor/Sifat/Lampiran/Hal table, ruled off.
func notaHead(p *pdfgen.Page, l *Letter, y float64) float64 {
	p.Text(marginLeft+textWidth/2, y, pdfgen.Style{Size: 13, Bold: true, Align: pdfgen.Center}, "NOTA DINAS")
	y += 2 * lead
	tembusan := "-"
	if len(l.Tembusan) > 0 {
		tembusan = l.Tembusan[0]
	}
	y = rows(p, y, [][2]string{
		{"Yth.", l.To[0]}, {"Dari", l.SignerTitle}, {"Tembusan", tembusan}, {"Tanggal", trimPlace(l.Date)},
		{"Nomor", NumberTag}, {"Sifat", l.Sifat}, {"Lampiran", l.Lampiran}, {"Hal", l.Subject},
	}, textWidth-labelW-10)
	p.Line(marginLeft, y-4, marginLeft+textWidth, y-4, 1)
	return y + lead
}

// rows draws "label : value" lines, values wrapped to width.
func rows(p *pdfgen.Page, y float64, rows [][2]string, width float64) float64 {
	for _, r := range rows {
		p.Text(marginLeft, y, body, r[0])
		p.Text(marginLeft+labelW, y, body, ":")
		y = p.Paragraph(marginLeft+labelW+10, y, width, lead, body, r[1])
	}
	return y
}

// signature draws the signature block: the jabatan, ${ttd}, room for the
// stamp, the typed name, pangkat and NIP.
func signature(d *pdfgen.Doc, p *pdfgen.Page, l *Letter, y float64) float64 {
	width := marginLeft + textWidth - signX
	y = p.Paragraph(signX, y, width, lead, body, l.SignerTitle+",")
	p.Text(signX, y+4, body, SignatureTag)
	y += stampRoom
	p.Text(signX, y, bold, l.SignerName)
	p.Line(signX, y+2, signX+d.Width(l.SignerName, bold), y+2, 0.6)
	y += lead
	p.Text(signX, y, body, l.SignerRank)
	y += lead
	p.Text(signX, y, body, "NIP "+l.SignerNIP)
	return y
}

// trimPlace drops "Serang, " from a dated line.
func trimPlace(s string) string {
	if _, date, ok := strings.Cut(s, ", "); ok {
		return date
	}
	return s
}
