package register

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// archiveLetters adds letters to the test tree of helpers_test.go:
// two for DPMPTSP (one rahasia) registered by tu, one for KOMINFO, a
// signed outgoing letter of the seksi, and a disposition kadis → kabid.
func (ta *testApp) archiveLetters() map[string]int64 {
	ta.t.Helper()
	ctx := context.Background()
	now := FormatTime(ta.clock.Now())
	ids := map[string]int64{}
	add := func(name, dir, unit string, agenda int, number, sender, senderNo, subject, sifat, klas, status, by, date, signed string) {
		year := 2026
		id, err := InsertID(ctx, ta.db, `INSERT INTO letters (direction, unit_id, year, agenda_no, number, sender, sender_number, letter_date, received_date,
 subject, sifat, klasifikasi, status, created_by, created_at, updated_at, signed_at, pages)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 1) RETURNING id`,
			dir, ta.Units[unit].ID, year, agenda, number, sender, senderNo, date, map[bool]string{true: date}[dir == "in"],
			subject, sifat, klas, status, ta.Users[by].ID, now, now, signed)
		if err != nil {
			ta.t.Fatalf("letter %s: %v", name, err)
		}
		ids[name] = id
	}
	add("undangan", "in", "DPMPTSP", 1, "", "PT Maju_Jaya", "005/ABC'; DROP TABLE letters;--", "Undangan rapat 100% hadir", "biasa", "000.1", "didisposisi", "tu", "2026-02-03", "")
	add("rahasia", "in", "DPMPTSP", 2, "", "Inspektorat", "700/12/INSP", "Laporan pemeriksaan khusus", "rahasia", "700", "baru", "tu", "2026-02-10", "")
	add("kominfo", "in", "KOMINFO", 1, "", "Kemkomdigi", "B-1/2026", "Edaran keamanan siber", "penting", "000", "baru", "tu2", "2026-02-11", "")
	add("keluar", "out", "DPMPTSP-YAN-IZN", 0, "500.16/1/DPMPTSP-YAN-IZN/2026", "", "", "=Izin usaha PT Maju", "biasa", "500.16", "ditandatangani", "staf", "2026-02-20",
		FormatTime(ta.clock.Now()))
	if _, err := ta.db.ExecContext(ctx, `INSERT INTO dispositions (letter_id, from_position_id, from_user_id, to_position_id, instructions, created_at)
VALUES ($1, $2, $3, $4, 'Tindak lanjuti', $5)`, ids["undangan"], ta.Pos["kadis"].ID, ta.Users["kadis"].ID, ta.Pos["kabid"].ID, now); err != nil {
		ta.t.Fatal(err)
	}
	// tu passes the rahasia letter to the head, as registering does.
	if _, err := ta.db.ExecContext(ctx, `INSERT INTO dispositions (letter_id, from_position_id, from_user_id, to_position_id, created_at)
VALUES ($1, $2, $3, $4, $5)`, ids["rahasia"], ta.Pos["tu"].ID, ta.Users["tu"].ID, ta.Pos["kadis"].ID, now); err != nil {
		ta.t.Fatal(err)
	}
	return ids
}

func TestArchiveHTTP(t *testing.T) {
	testArchiveHTTP(t, newTestApp(t))
}

func TestArchiveHTTPPostgres(t *testing.T) {
	testArchiveHTTP(t, newTestAppPG(t))
}

func testArchiveHTTP(t *testing.T, ta *testApp) {
	ids := ta.archiveLetters()
	kadis, kadis2, bupati := ta.login("kadis"), ta.login("kadis2"), ta.login("bupati")

	r := kadis.get("/arsip")
	if r.Code != http.StatusOK || !strings.Contains(r.Body, "Undangan rapat 100% hadir") || !strings.Contains(r.Body, "Laporan pemeriksaan khusus") ||
		!strings.Contains(r.Body, "=Izin usaha PT Maju") || strings.Contains(r.Body, "Edaran keamanan siber") {
		t.Errorf("kadis /arsip: %d\n%s", r.Code, r.Body)
	}
	// The forbidden user: another dinas finds none of DPMPTSP's letters,
	// whatever the query.
	for _, q := range []string{"", "?perihal=undangan", "?nomor=700%2F12", "?unit=" + strconv.FormatInt(ta.Units["DPMPTSP"].ID, 10), "?sifat=rahasia"} {
		r = kadis2.get("/arsip" + q)
		if r.Code != http.StatusOK || strings.Contains(r.Body, "Undangan rapat") || strings.Contains(r.Body, "pemeriksaan") ||
			strings.Contains(r.Body, "Inspektorat") || strings.Contains(r.Body, "/surat/"+strconv.FormatInt(ids["undangan"], 10)+`"`) {
			t.Errorf("kadis2 /arsip%s shows DPMPTSP's letters: %d\n%s", q, r.Code, r.Body)
		}
	}
	if r = kadis2.get("/arsip"); !strings.Contains(r.Body, "Edaran keamanan siber") {
		t.Errorf("kadis2 does not find KOMINFO's letter:\n%s", r.Body)
	}
	// The Bupati lists the rahasia letter without its perihal, and no
	// link to it; the perihal does not find it.
	r = bupati.get("/arsip?sifat=rahasia")
	if !strings.Contains(r.Body, "(rahasia)") || strings.Contains(r.Body, "pemeriksaan") || strings.Contains(r.Body, "/surat/"+strconv.FormatInt(ids["rahasia"], 10)) {
		t.Errorf("bupati, rahasia:\n%s", r.Body)
	}
	if r = bupati.get("/arsip?perihal=pemeriksaan"); !strings.Contains(r.Body, ">0 surat ditemukan") && !strings.Contains(r.Body, ": 0 surat ditemukan") {
		t.Errorf("bupati finds the rahasia letter by its perihal:\n%s", r.Body)
	}
	// SQL and LIKE metacharacters are text.
	for q, want := range map[string]int{
		"perihal=" + url.QueryEscape("100%"):                   1,
		"perihal=" + url.QueryEscape("%"):                      1,
		"pengirim=" + url.QueryEscape("_"):                     1,
		"nomor=" + url.QueryEscape("'; DROP TABLE letters;--"): 1,
		"pengirim=" + url.QueryEscape(`x' OR '1'='1`):          0,
		"perihal=" + url.QueryEscape(`") UNION SELECT 1 --`):   0,
		"nomor=" + url.QueryEscape(`\`):                        0,
		"klasifikasi=" + url.QueryEscape("%") + "&sifat=biasa": 0,
	} {
		r = kadis.get("/arsip?" + q)
		if r.Code != http.StatusOK || !strings.Contains(r.Body, ": "+strconv.Itoa(want)+" surat ditemukan") {
			t.Errorf("/arsip?%s: %d, want %d found\n%s", q, r.Code, want, r.Body)
		}
	}
	var n int
	if err := ta.db.QueryRow(`SELECT COUNT(*) FROM letters`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("letters: %d, %v", n, err)
	}
	// A bad field is said, and ignored.
	if r = kadis.get("/arsip?dari=kemarin&sifat=x"); r.Code != http.StatusOK || !strings.Contains(r.Body, `role="alert"`) {
		t.Errorf("bad fields: %d\n%s", r.Code, r.Body)
	}
	// English.
	if r = kadis.get("/arsip?lang=en"); !strings.Contains(r.Body, "letters found") {
		t.Errorf("English: %s", r.Body)
	}
	// Not logged in: the login page.
	if r = ta.anon().get("/arsip/agenda.csv"); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/masuk") {
		t.Errorf("anonymous export: %d %s", r.Code, r.Location)
	}
}

func TestAgendaExportHTTP(t *testing.T) {
	ta := newTestApp(t)
	ta.archiveLetters()
	tu, kadis2 := ta.login("tu"), ta.login("kadis2")
	unit := strconv.FormatInt(ta.Units["DPMPTSP"].ID, 10)

	r := tu.get("/arsip/agenda.csv?arah=in&tahun=2026&unit=" + unit)
	if r.Code != http.StatusOK || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		r.Header.Get("Content-Disposition") != `attachment; filename="buku-agenda-DPMPTSP-2026.csv"` {
		t.Fatalf("csv: %d %v", r.Code, r.Header)
	}
	if !strings.HasPrefix(r.Body, "\uFEFF") {
		t.Fatal("no BOM")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// tu registered both DPMPTSP letters: it reads the rahasia one.
	if len(rows) != 3 || rows[1][0] != "1" || rows[1][3] != "005/ABC'; DROP TABLE letters;--" ||
		rows[1][8] != "Kepala Bidang Pelayanan Perizinan: Tindak lanjuti" || rows[2][5] != "Laporan pemeriksaan khusus" {
		t.Errorf("tu's book: %q", rows)
	}
	// The forbidden user gets the header and nothing else.
	r = kadis2.get("/arsip/agenda.csv?arah=in&tahun=2026&unit=" + unit)
	if rows, _ := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\uFEFF"))).ReadAll(); r.Code != http.StatusOK || len(rows) != 1 {
		t.Errorf("kadis2's export of DPMPTSP: %q", rows)
	}
	// Semicolons on request.
	if r = tu.get("/arsip/agenda.csv?pemisah=titikkoma"); !strings.HasPrefix(r.Body, "\uFEFFNo. Agenda;") {
		t.Errorf("semicolon csv %q", r.Body[:min(len(r.Body), 40)])
	}

	r = tu.get("/arsip/agenda.xlsx?tahun=2026")
	if r.Code != http.StatusOK || r.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("xlsx: %d %v", r.Code, r.Header)
	}
	checkZipXML(t, []byte(r.Body))
	x, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	xr, err := x.GetRows(x.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	// tu: the two DPMPTSP letters (the outgoing one belongs to the seksi,
	// below tu's unit: listed too).
	if len(xr) != 4 || xr[3][5] != "=Izin usaha PT Maju" {
		t.Errorf("xlsx rows %q", xr)
	}
	if f, _ := x.GetCellFormula(x.GetSheetList()[0], "F4"); f != "" {
		t.Errorf("F4 is the formula %q", f)
	}
}

func TestRetentionAndDashboardHTTP(t *testing.T) {
	ta := newTestApp(t)
	ids := ta.archiveLetters()
	ctx := context.Background()
	if _, err := ta.db.ExecContext(ctx, `INSERT INTO klasifikasi (code, name, active_years, inactive_years, final) VALUES ('000', 'Umum', 0, 0, 'musnah'), ('700', 'Pengawasan', 0, 0, 'permanen')`); err != nil {
		t.Fatal(err)
	}
	// Files, a lembar view, a signature: the dashboard counts them.
	now := FormatTime(ta.clock.Now())
	if _, err := ta.db.ExecContext(ctx, `INSERT INTO letter_files (letter_id, version, kind, sha256, size, pages, created_at) VALUES
($1, 1, 'scan', 'a', 1, 3, $3), ($2, 1, 'draft', 'b', 1, 2, $3), ($2, 2, 'signed', 'c', 1, 2, $3)`, ids["undangan"], ids["keluar"], now); err != nil {
		t.Fatal(err)
	}
	if err := logEvent(ctx, ta.db, ta.clock.Now(), ids["undangan"], ta.Users["kadis"].ID, "", lembarViewAction, ""); err != nil {
		t.Fatal(err)
	}

	for _, who := range []string{"staf", "kadis", "kabid"} {
		if r := ta.login(who).get("/arsip/retensi"); r.Code != http.StatusForbidden {
			t.Errorf("%s /arsip/retensi: %d", who, r.Code)
		}
	}
	// JRA 0 + 0 years: every classified record is due today.
	r := ta.login("tu").get("/arsip/retensi")
	if r.Code != http.StatusOK || !strings.Contains(r.Body, "Undangan rapat 100% hadir") || !strings.Contains(r.Body, "Laporan pemeriksaan khusus") ||
		strings.Contains(r.Body, "Edaran keamanan siber") {
		t.Errorf("tu /arsip/retensi: %d\n%s", r.Code, r.Body)
	}
	// The admin lists every record, but reads no perihal: being admin
	// grants no letter (access.go).
	r = ta.login("admin").get("/arsip/retensi")
	if r.Code != http.StatusOK || strings.Contains(r.Body, "Edaran keamanan siber") || strings.Contains(r.Body, "pemeriksaan") ||
		strings.Contains(r.Body, "Undangan rapat") || !strings.Contains(r.Body, "Telah jatuh tempo (3)") ||
		strings.Count(r.Body, "(perihal tidak ditampilkan") != 3 || !strings.Contains(r.Body, "(rahasia)") || !strings.Contains(r.Body, "Tanpa JRA") {
		t.Errorf("admin /arsip/retensi: %d\n%s", r.Code, r.Body)
	}

	// The list as CSV: tu's two records, due; the admin's three, one
	// rahasia, no perihal; others 403.
	r = ta.login("tu").get("/arsip/retensi.csv")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\uFEFF"))).ReadAll()
	if r.Code != http.StatusOK || !strings.HasPrefix(r.Body, "\uFEFF") || err != nil || len(rows) != 3 ||
		rows[1][0] != "Telah jatuh tempo" || rows[1][3] != "Undangan rapat 100% hadir" || rows[2][3] != "Laporan pemeriksaan khusus" ||
		rows[2][11] != "Permanen" || rows[2][10] != "2026-02-10" ||
		!strings.HasPrefix(r.Header.Get("Content-Disposition"), `attachment; filename="retensi-2026-03-02.csv"`) {
		t.Errorf("tu /arsip/retensi.csv: %d %v %q", r.Code, err, rows)
	}
	r = ta.login("admin").get("/arsip/retensi.csv")
	if rows, _ := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\uFEFF"))).ReadAll(); len(rows) != 4 ||
		strings.Contains(r.Body, "pemeriksaan") || strings.Contains(r.Body, "Undangan rapat") {
		t.Errorf("admin /arsip/retensi.csv: %q", rows)
	}
	if r := ta.login("kabid").get("/arsip/retensi.csv"); r.Code != http.StatusForbidden {
		t.Errorf("kabid /arsip/retensi.csv: %d", r.Code)
	}

	for _, who := range []string{"bupati", "tu", "kadis"} {
		if r := ta.login(who).get("/admin/dasbor"); r.Code != http.StatusForbidden {
			t.Errorf("%s /admin/dasbor: %d", who, r.Code)
		}
	}
	admin := ta.login("admin")
	r = admin.get("/admin/dasbor")
	// March 2026 (the test clock): scan 3 + draft 2 + signed 2 × 1 +
	// 1 lembar view + 2 dispositions = 10.
	if r.Code != http.StatusOK || !strings.Contains(r.Body, `<strong class="big">10</strong>`) || !strings.Contains(r.Body, `value="10" aria-hidden="true"></meter> 10</td>`) ||
		!strings.Contains(r.Body, "<td>3</td><td>2</td><td>2</td><td>0 + 1</td><td>2</td><td>3</td><td>1</td></tr>") {
		t.Errorf("admin /admin/dasbor: %d\n%s", r.Code, r.Body)
	}
	if r = admin.get("/admin/dasbor?tahun=2025"); r.Code != http.StatusOK || !strings.Contains(r.Body, `<strong class="big">0</strong>`) {
		t.Errorf("2025: %d", r.Code)
	}
}
