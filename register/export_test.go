package register

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestAgendaCSV(t *testing.T) {
	fx := seedArchive(t, openArchiveDB(t))
	var buf bytes.Buffer
	f := archiveFilter{UnitID: 2, Year: 2026, Direction: "in"}
	if err := writeAgendaCSV(context.Background(), &buf, fx.db, fx.viewer(uBupati), f, "id", ','); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF")) {
		t.Fatal("no UTF-8 BOM")
	}
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], "|") != strings.Join(agendaHeaderID, "|") {
		t.Errorf("header %q", rows[0])
	}
	// DPMPTSP's book for 2026: undangan (1), rahasia (2), mirip (3),
	// tanpa_jra (9), in the order they were registered.
	if len(rows) != 5 {
		t.Fatalf("%d rows: %q", len(rows)-1, rows)
	}
	und, rah, mir := rows[1], rows[2], rows[3]
	if und[0] != "1" || und[1] != "2026-02-03" || und[2] != "PT Maju_Jaya" || und[4] != "2026-02-01" ||
		und[5] != "Undangan rapat koordinasi 100% hadir" || und[6] != "biasa" || und[7] != "000.1" || und[9] != "didisposisi" {
		t.Errorf("undangan %q", und)
	}
	if und[8] != "Kepala Bidang Perizinan: Tindak lanjuti, Hadiri/wakili" {
		t.Errorf("disposition summary %q", und[8])
	}
	// The Bupati is not involved in the rahasia letter: the row is in the
	// book (no gap in the agenda numbers), its perihal and dispositions
	// are not.
	if rah[0] != "2" || rah[5] != hiddenSubject || rah[8] != "" || strings.Contains(buf.String(), "pemeriksaan") {
		t.Errorf("rahasia row %q", rah)
	}
	// Formula injection neutralised.
	if mir[3] != `'=HYPERLINK("http://evil")` || mir[5] != "'+Permohonan izin usaha" {
		t.Errorf("mirip %q", mir)
	}
	// The Dinkes head exports nothing of DPMPTSP.
	buf.Reset()
	if err := writeAgendaCSV(context.Background(), &buf, fx.db, fx.viewer(uKadiskes), f, "en", ';'); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(buf.Bytes()[3:]))
	r.Comma = ';'
	rows, err = r.ReadAll()
	if err != nil || len(rows) != 1 || rows[0][0] != "Agenda No." {
		t.Errorf("a forbidden user's export: %q, %v", rows, err)
	}
}

func TestAgendaXLSX(t *testing.T) {
	fx := seedArchive(t, openArchiveDB(t))
	var buf bytes.Buffer
	if err := writeAgendaXLSX(context.Background(), &buf, fx.db, fx.viewer(uKadis), archiveFilter{Year: 2026}, "id"); err != nil {
		t.Fatal(err)
	}
	checkZipXML(t, buf.Bytes())
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheet := x.GetSheetList()[0]
	if sheet != "Buku Agenda 2026" {
		t.Errorf("sheet %q", sheet)
	}
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	// Kadis: undangan, rahasia, mirip, keluar, draf, tanpa_jra of 2026.
	if len(rows) != 7 {
		t.Fatalf("%d rows: %q", len(rows)-1, rows)
	}
	byAgenda := map[string][]string{}
	for _, r := range rows[1:] {
		byAgenda[r[0]+"|"+r[3]] = r
	}
	rah := byAgenda["2|700/12/INSP"]
	if rah == nil || rah[5] != "Laporan pemeriksaan khusus" {
		t.Errorf("the unit head reads the rahasia perihal: %q", rah)
	}
	out := byAgenda["|500.16/1/PRZ/2026"]
	if out == nil || out[1] != "2026-04-10" || out[2] != "Bidang Perizinan" || out[11] != "out" {
		t.Errorf("the outgoing letter %q", out)
	}
	// The agenda number is a number and the date a date.
	if v, _ := x.GetCellValue(sheet, "B2", excelize.Options{RawCellValue: true}); v != "46056" {
		t.Errorf("B2 raw %q, want the serial of 2026-02-03", v)
	}
	if typ, _ := x.GetCellType(sheet, "A2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("A2 type %v", typ)
	}
	// A text cell that starts with "=" is text in the workbook.
	for i := 2; i <= len(rows); i++ {
		for _, col := range []string{"D", "F"} {
			if f, _ := x.GetCellFormula(sheet, col+strconv.Itoa(i)); f != "" {
				t.Errorf("%s%d is the formula %q", col, i, f)
			}
		}
	}
}
