package register

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestXLSXOpens writes a workbook and reads it back with excelize (an
// independent reader), and checks that every part is well-formed XML.
func TestXLSXOpens(t *testing.T) {
	var buf bytes.Buffer
	x, err := newXLSX(&buf, "Buku Agenda 2026: DPMPTSP/Serang", []float64{8, 12, 30})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	long := strings.Repeat("é", xlsxMaxText+10)
	must(t, x.Header("No.", "Tanggal", "Perihal"))
	must(t, x.Row(1, day, "=HYPERLINK(\"http://x\")"))
	must(t, x.Row(2, time.Time{}, "Undangan <rapat> & \"koordinasi\"\nbaris dua\x01"))
	must(t, x.Row(int64(3), nil, long))
	must(t, x.Close())

	checkZipXML(t, buf.Bytes())

	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("excelize cannot open it: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 1 || sheets[0] != "Buku Agenda 2026- DPMPTSP-Seran" {
		t.Fatalf("sheets %q", sheets)
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows: %q", len(rows), rows)
	}
	if got := rows[0]; strings.Join(got, "|") != "No.|Tanggal|Perihal" {
		t.Errorf("header %q", got)
	}
	if rows[1][0] != "1" || rows[1][1] != "2026-03-14" {
		t.Errorf("row 1 %q (the date must show as yyyy-mm-dd)", rows[1])
	}
	// A text cell is text: excelize sees no formula in it.
	if formula, _ := f.GetCellFormula(sheets[0], "C2"); formula != "" {
		t.Errorf("C2 became the formula %q", formula)
	}
	if rows[1][2] != `=HYPERLINK("http://x")` {
		t.Errorf("C2 %q", rows[1][2])
	}
	if rows[2][1] != "" || rows[2][2] != "Undangan <rapat> & \"koordinasi\"\nbaris dua\uFFFD" {
		t.Errorf("row 2 %q", rows[2])
	}
	if n := len([]rune(rows[3][2])); n != xlsxMaxText {
		t.Errorf("a long cell kept %d characters, want %d", n, xlsxMaxText)
	}
	v, err := f.GetCellValue(sheets[0], "B2", excelize.Options{RawCellValue: true})
	if err != nil || v != "46095" {
		t.Errorf("B2 serial %q, %v; want 46095 (2026-03-14)", v, err)
	}
	if bold, err := f.GetCellStyle(sheets[0], "A1"); err != nil || bold != xlsxStyleBold {
		t.Errorf("A1 style %d, %v", bold, err)
	}
}

// checkZipXML checks that b is a zip whose parts are all well-formed XML
// and that the parts a spreadsheet needs are there.
func checkZipXML(t *testing.T, b []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	need := map[string]bool{"[Content_Types].xml": false, "_rels/.rels": false, "xl/workbook.xml": false,
		"xl/_rels/workbook.xml.rels": false, "xl/worksheets/sheet1.xml": false, "xl/styles.xml": false}
	for _, zf := range zr.File {
		need[zf.Name] = true
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(rc)
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", zf.Name, err)
			}
		}
		rc.Close()
	}
	for name, seen := range need {
		if !seen {
			t.Errorf("the workbook lacks %s", name)
		}
	}
}

func TestXLSXColumn(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		if got := xlsxColumn(i); got != want {
			t.Errorf("xlsxColumn(%d) = %s, want %s", i, got, want)
		}
	}
}

func TestCSVSafe(t *testing.T) {
	var buf bytes.Buffer
	c := newCSVSheet(&buf, ';')
	// encoding/csv drops a lone \r under UseCRLF; the apostrophe stays.
	in := []string{"=1+2", "+62 812", "-5", "@SUM(A1)", "\tx", "\rx", "-", "", "biasa", "a;b", `kata "kutip"`, "x\xffy"}
	must(t, c.Row(in...))
	must(t, c.Flush())
	out := buf.String()
	if !strings.HasPrefix(out, "\uFEFF") {
		t.Fatalf("no BOM: %q", out)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF")))
	r.Comma = ';'
	got, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"'=1+2", "'+62 812", "'-5", "'@SUM(A1)", "'\tx", "'x", "-", "", "biasa", "a;b", `kata "kutip"`, "x\uFFFDy"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// An empty sheet is still a BOM, so Excel opens it as UTF-8.
	buf.Reset()
	must(t, newCSVSheet(&buf, ',').Flush())
	if buf.String() != "\uFEFF" {
		t.Errorf("empty sheet %q", buf.String())
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
