package register_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/register"
)

var wib = time.FixedZone("WIB", 7*3600)

// sampleLembar is a letter to Dinas Pendidikan disposed twice, the
// second time by a Plh.
func sampleLembar() *register.Lembar {
	return &register.Lembar{
		Kabupaten:    "Serang",
		Unit:         "Dinas Pendidikan dan Kebudayaan",
		From:         "Badan Perencanaan Pembangunan Daerah Provinsi Banten",
		Number:       "005/1234/Bappeda/2026",
		Subject:      "Undangan rapat koordinasi penyusunan Rencana Kerja Pemerintah Daerah tahun 2027 bidang pendidikan",
		Sifat:        "segera",
		Klasifikasi:  "000.1.2",
		AgendaNo:     "0457/DISDIKBUD/2026",
		LetterDate:   time.Date(2026, 11, 27, 0, 0, 0, 0, wib),
		ReceivedDate: time.Date(2026, 12, 1, 0, 0, 0, 0, wib),
		Entries: []register.LembarEntry{
			{
				From: "Kepala Dinas Pendidikan dan Kebudayaan (Dra. Hj. Siti Aminah, M.Pd.)", To: "Sekretaris Dinas (Drs. Ahmad Suhendi)",
				Instructions: []string{"Hadiri/wakili", "koordinasikan"}, Note: "Mohon diwakili, siapkan bahan paparan capaian SPM pendidikan.",
				Due: time.Date(2026, 12, 4, 0, 0, 0, 0, wib), At: time.Date(2026, 12, 1, 9, 15, 0, 0, wib),
			},
			{
				From: "Sekretaris Dinas (Rina Marlina, S.E.)", ActingAs: "Plh.", To: "Kepala Subbagian Perencanaan (Yusuf Maulana)",
				Instructions: []string{"Siapkan jawaban", "Bawa laptop"}, Note: "Data per kecamatan.",
				At: time.Date(2026, 12, 1, 13, 40, 0, 0, wib),
			},
		},
		PrintedAt: time.Date(2026, 12, 2, 8, 5, 0, 0, wib),
	}
}

func render(t *testing.T, l *register.Lembar) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := register.WriteLembar(&b, l); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tool runs a poppler or qpdf tool on doc.
func tool(t *testing.T, doc []byte, name string, args ...string) string {
	t.Helper()
	bin := testenv.Tool(t, name)
	path := filepath.Join(t.TempDir(), "lembar.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args = append(args, path)
	if name == "pdftotext" {
		args = append(args, "-")
	}
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	return string(out)
}

// flat joins a text's white space runs into single spaces.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// pages returns pdfinfo's page count.
func pages(t *testing.T, doc []byte) int {
	t.Helper()
	m := regexp.MustCompile(`Pages:\s+(\d+)`).FindStringSubmatch(tool(t, doc, "pdfinfo"))
	if m == nil {
		t.Fatal("pdfinfo: no page count")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestWriteLembar: every field shows in pdftotext's text, chosen check
// boxes are ☒ and the others ☐, qpdf and pdfinfo accept the file, one
// page.
func TestWriteLembar(t *testing.T) {
	t.Parallel()
	l := sampleLembar()
	doc := render(t, l)
	if out := tool(t, doc, "qpdf", "--check"); !strings.Contains(out, "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check:\n%s", out)
	}
	if n := pages(t, doc); n != 1 {
		t.Errorf("%d pages, want 1", n)
	}
	// -raw keeps content order, so a wrapped value reads as one text.
	text := flat(tool(t, doc, "pdftotext", "-raw"))
	for _, want := range []string{
		"PEMERINTAH KABUPATEN SERANG", "DINAS PENDIDIKAN DAN KEBUDAYAAN", "LEMBAR DISPOSISI",
		"Surat dari", l.From, "Nomor surat", l.Number, "Tanggal surat", "27 November 2026",
		"Diterima tanggal", "1 Desember 2026", "Nomor agenda", l.AgendaNo, "Klasifikasi", l.Klasifikasi,
		"☐ Biasa", "☐ Penting", "☒ Segera", "☐ Rahasia", "Perihal", l.Subject,
		"Dari: " + l.Entries[0].From, "Kepada: " + l.Entries[0].To,
		"Tanggal: 1 Desember 2026 09.15 WIB", "Batas waktu: 4 Desember 2026",
		"☒ Hadiri/wakili", "☒ Koordinasikan", "☐ Untuk diketahui", "☐ Arsipkan", "Catatan:", l.Entries[0].Note,
		"Dari: Plh. Sekretaris Dinas (Rina Marlina, S.E.)", "Kepada: " + l.Entries[1].To, "Batas waktu: -",
		"☒ Siapkan jawaban", "Lainnya: Bawa laptop", l.Entries[1].Note,
		"Dicetak dari register surat Dinas Pendidikan dan Kebudayaan, Kabupaten Serang pada 2 Desember 2026 08.05 WIB",
		"Halaman 1 dari 1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("text: %s", text)
	}
	if again := render(t, sampleLembar()); !bytes.Equal(doc, again) {
		t.Error("the same lembar gave different bytes")
	}
}

// TestWriteLembarLongTrail: 40 dispositions span pages, each on one page
// (a block is never split), all of them shown, every page numbered.
func TestWriteLembarLongTrail(t *testing.T) {
	t.Parallel()
	l := sampleLembar()
	l.Entries = nil
	for i := range 40 {
		l.Entries = append(l.Entries, register.LembarEntry{
			From: fmt.Sprintf("Pejabat %d", i+1), To: fmt.Sprintf("Penerima %d", i+1),
			Instructions: []string{"Tindak lanjuti"}, Note: fmt.Sprintf("Catatan nomor %d: %s", i+1, strings.Repeat("tindak lanjuti segera ", i%5)),
			At: time.Date(2026, 12, 1, 8, i, 0, 0, wib),
		})
	}
	doc := render(t, l)
	n := pages(t, doc)
	if n < 3 {
		t.Fatalf("%d pages for 40 dispositions", n)
	}
	if out := tool(t, doc, "qpdf", "--check"); !strings.Contains(out, "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check:\n%s", out)
	}
	for page := 1; page <= n; page++ {
		text := flat(tool(t, doc, "pdftotext", "-raw", "-f", strconv.Itoa(page), "-l", strconv.Itoa(page)))
		if want := fmt.Sprintf("Halaman %d dari %d", page, n); !strings.Contains(text, want) {
			t.Errorf("page %d lacks %q", page, want)
		}
		if page > 1 && !strings.Contains(text, "LEMBAR DISPOSISI (lanjutan) · Nomor agenda "+l.AgendaNo) {
			t.Errorf("page %d lacks the continuation header", page)
		}
	}
	text := flat(tool(t, doc, "pdftotext", "-raw"))
	for i := range 40 {
		for _, want := range []string{fmt.Sprintf("%d. Dari: Pejabat %d", i+1, i+1), fmt.Sprintf("Kepada: Penerima %d", i+1), fmt.Sprintf("Catatan nomor %d:", i+1)} {
			if !strings.Contains(text, want) {
				t.Errorf("lacks %q", want)
			}
		}
	}
}

// TestWriteLembarEdges: no dispositions (blank blocks to fill by hand),
// hostile text (control characters, invalid UTF-8, a huge note, a
// trail over the limit), nil.
func TestWriteLembarEdges(t *testing.T) {
	t.Parallel()
	l := sampleLembar()
	l.Entries = nil
	l.Sifat = ""
	text := flat(tool(t, render(t, l), "pdftotext", "-raw"))
	if strings.Count(text, "☐ Untuk diketahui") != 2 || strings.Contains(text, "☒") {
		t.Errorf("blank lembar: %s", text)
	}

	l = sampleLembar()
	l.From = "Bappeda\x00\n\tBanten\xff"
	l.Entries[0].Note = strings.Repeat("sangat panjang ", 5000)
	doc := render(t, l)
	if n := pages(t, doc); n > 2 {
		t.Errorf("a huge note took %d pages", n)
	}
	if text := flat(tool(t, doc, "pdftotext", "-raw")); !strings.Contains(text, "Bappeda Banten\uFFFD") {
		t.Errorf("hostile sender: %s", text[:200])
	}

	l.Entries = make([]register.LembarEntry, 1001)
	if err := register.WriteLembar(&bytes.Buffer{}, l); !errors.Is(err, register.ErrLembar) {
		t.Errorf("1001 entries: %v", err)
	}
	var b bytes.Buffer
	if err := register.WriteLembar(&b, nil); !errors.Is(err, register.ErrLembar) || b.Len() != 0 {
		t.Errorf("nil: %v, %d bytes", err, b.Len())
	}
}
