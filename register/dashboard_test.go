package register

import (
	"context"
	"testing"
	"time"
)

func TestDashboardFigures(t *testing.T) {
	fx := seedArchive(t, openArchiveDB(t))
	file := func(letter string, version int, kind string, pages int, at string) {
		mustExec(t, fx.db, `INSERT INTO letter_files (letter_id, version, kind, name, sha256, size, pages, uploaded_by, created_at)
VALUES ($1, $2, $3, 'x.pdf', 'ab', 10, $4, 1, $5)`, fx.L[letter], version, kind, pages, at)
	}
	file("undangan", 1, "scan", 2, "2026-02-03T02:00:00.000000000Z")
	file("undangan", 2, "lembar", 1, "2026-02-04T02:00:00.000000000Z")
	file("keluar", 1, "draft", 3, "2026-04-01T01:00:00.000000000Z")
	file("keluar", 2, "draft", 3, "2026-04-05T01:00:00.000000000Z")
	file("keluar", 3, "signed", 3, "2026-04-10T03:00:00.000000000Z") // 2 recipients: 6 pages
	file("lama", 1, "scan", 5, "2021-01-05T02:00:00.000000000Z")     // another year
	// The incoming copy of "keluar" delivered to Dinkes holds the signed
	// file: counted at the original already.
	var copyID int64
	if err := fx.db.QueryRow(`INSERT INTO letters (direction, unit_id, year, agenda_no, subject, sifat, status, created_by, created_at, updated_at)
VALUES ('in', 4, 2026, 2, 'Izin usaha PT Maju', 'biasa', 'baru', $1, '2026-04-10T03:00:00.000000000Z', '2026-04-10T03:00:00.000000000Z') RETURNING id`, uStaf).Scan(&copyID); err != nil {
		t.Fatal(err)
	}
	fx.L["salinan"] = copyID
	file("salinan", 1, "signed", 3, "2026-04-10T03:00:00.000000000Z")
	// Four more letters signed in April, a day, two, three and twenty
	// days after their drafts; "keluar" took 9 d 2 h.
	for _, d := range []time.Duration{24 * time.Hour, 48 * time.Hour, 72 * time.Hour, 480 * time.Hour} {
		signed := time.Date(2026, 4, 25, 0, 0, 0, 0, time.UTC)
		mustExec(t, fx.db, `INSERT INTO letters (direction, unit_id, subject, sifat, status, created_by, created_at, updated_at, signed_at)
VALUES ('out', 3, 'Surat', 'biasa', 'ditandatangani', $1, $2, $2, $3)`, uStaf, signed.Add(-d).Format(timeFormat), signed.Format(timeFormat))
	}
	// One signed in May, in 30 minutes.
	mustExec(t, fx.db, `INSERT INTO letters (direction, unit_id, subject, sifat, status, created_by, created_at, updated_at, signed_at)
VALUES ('out', 3, 'Surat', 'biasa', 'ditandatangani', $1, '2026-05-02T08:00:00.000000000Z', '2026-05-02T08:00:00.000000000Z', '2026-05-02T08:30:00.000000000Z')`, uStaf)

	d, err := loadDashboard(context.Background(), fx.db, 2026)
	if err != nil {
		t.Fatal(err)
	}
	feb, apr, may := d.Months[1], d.Months[3], d.Months[4]
	if feb.Month != "2026-02" || feb.ScanPages != 2 || feb.LembarPages != 1 || feb.Dispositions != 2 || feb.Pages != 5 {
		t.Errorf("February %+v", feb)
	}
	if apr.DraftPages != 6 || apr.SignedPages != 6 || apr.Pages != 12 {
		t.Errorf("April %+v", apr)
	}
	// April: 1 d, 2 d, 3 d, 9 d 2 h, 20 d: median 3 d, p90 (rank 5) 20 d.
	if apr.Signed.N != 5 || apr.Signed.Median != 72*time.Hour || apr.Signed.P90 != 480*time.Hour {
		t.Errorf("April draft to signature %+v", apr.Signed)
	}
	if may.Signed.N != 1 || may.Signed.Median != 30*time.Minute {
		t.Errorf("May %+v", may.Signed)
	}
	if d.Total.Pages != 17 || d.Total.Signed.N != 6 || d.Total.ScanPages != 2 {
		t.Errorf("the year %+v", d.Total)
	}
	// Letters registered per month.
	if feb.LettersIn != 2 || d.Months[2].LettersIn != 2 || apr.LettersOut != 5 {
		t.Errorf("letters: Feb in %d, Mar in %d, Apr out %d", feb.LettersIn, d.Months[2].LettersIn, apr.LettersOut)
	}
	status := map[string]int64{}
	for _, s := range d.Status {
		status[s.Direction+"/"+s.Status] = s.N
	}
	if status["out/ditandatangani"] != 6 || status["in/baru"] != 5 || status["out/draf"] != 1 || status["in/selesai"] != 2 {
		t.Errorf("status %v", status)
	}
	// Another year holds only its own.
	d, err = loadDashboard(context.Background(), fx.db, 2021)
	if err != nil {
		t.Fatal(err)
	}
	if d.Total.Pages != 5 || d.Months[0].ScanPages != 5 {
		t.Errorf("2021 %+v", d.Total)
	}
}
