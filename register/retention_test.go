package register

import (
	"context"
	"testing"
	"time"
)

func TestRetentionList(t *testing.T) {
	fx := seedArchive(t, openArchiveDB(t))
	// An old draft is not a record: never due.
	mustExec(t, fx.db, `INSERT INTO letters (direction, unit_id, subject, sifat, klasifikasi, status, created_by, created_at, updated_at, letter_date)
VALUES ('out', 2, 'Draf lama', 'biasa', '000', 'draf', $1, $2, $2, '2015-01-01')`, uStaf, fx.now.Format(timeFormat))
	// A rahasia record of Dinkes, long due.
	mustExec(t, fx.db, `INSERT INTO letters (direction, unit_id, agenda_no, subject, sifat, klasifikasi, status, created_by, created_at, updated_at, letter_date, received_date)
VALUES ('in', 4, 5, 'Hasil audit rahasia', 'rahasia', '000', 'selesai', $1, $2, $2, '2019-03-01', '2019-03-02')`, uKadiskes, fx.now.Format(timeFormat))

	rep, err := retentionList(context.Background(), fx.db, archiveViewer{v: fx.viewer(uBupati).v, all: true}, fx.now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.DueCount != 2 || len(rep.Due) != 2 {
		t.Fatalf("due %d: %+v", rep.DueCount, rep.Due)
	}
	// By due date: the Dinkes audit (2019-03-01 + 5 y) before "lama"
	// (2021-01-04 + 5 y).
	audit, lama := rep.Due[0], rep.Due[1]
	if !audit.Hidden || audit.Subject != "" || audit.Due.Format(time.DateOnly) != "2024-03-01" || audit.JRA.Final != "musnah" {
		t.Errorf("audit %+v", audit)
	}
	if lama.ID != fx.L["lama"] || lama.JRA.Code != "000" || lama.Inactive.Format(time.DateOnly) != "2023-01-04" ||
		lama.Due.Format(time.DateOnly) != "2026-01-04" || lama.Days != -162 {
		t.Errorf("lama %+v", lama)
	}
	if rep.SoonCount != 1 || rep.Soon[0].ID != fx.L["segera_jatuh"] || rep.Soon[0].Days != 47 || rep.Soon[0].JRA.Final != "dinilai_kembali" {
		t.Errorf("soon %+v", rep.Soon)
	}
	if rep.UnclassifiedCount != 1 || rep.Unclassified[0].ID != fx.L["tanpa_jra"] {
		t.Errorf("unclassified %+v", rep.Unclassified)
	}

	// The DPMPTSP clerk sees the records of DPMPTSP only.
	rep, err = retentionList(context.Background(), fx.db, fx.viewer(uClerk), fx.now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.DueCount != 1 || rep.Due[0].ID != fx.L["lama"] || rep.SoonCount != 1 {
		t.Errorf("the clerk's list: %+v", rep)
	}
	// On the day it is due, a record is due, not soon.
	rep, err = retentionList(context.Background(), fx.db, fx.viewer(uClerk), time.Date(2026, 8, 1, 23, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if rep.DueCount != 2 || rep.SoonCount != 0 {
		t.Errorf("on 2026-08-01: due %d soon %d", rep.DueCount, rep.SoonCount)
	}
}
