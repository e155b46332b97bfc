package register

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
)

// BenchmarkArchiveSearch: one page of /arsip over 20,000 letters (a
// large OPD's five years), each with a disposition, on SQLite:
//
//	go test -run '^$' -bench ArchiveSearch ./register/
func BenchmarkArchiveSearch(b *testing.B) {
	ta := newTestApp(b)
	ctx := context.Background()
	const n = 20000
	units := []string{"DPMPTSP", "DPMPTSP-YAN", "DPMPTSP-YAN-IZN", "KOMINFO"}
	sifat := []string{"biasa", "penting", "segera", "rahasia"}
	now := FormatTime(ta.now())
	err := ta.db.Tx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			id, err := InsertID(ctx, tx, `INSERT INTO letters (direction, unit_id, year, agenda_no, sender, sender_number, letter_date, received_date,
 subject, sifat, klasifikasi, status, created_by, created_at, updated_at) VALUES ('in', $1, $2, $3, $4, $5, $6, $6, $7, $8, '000.1', 'didisposisi', $9, $10, $10) RETURNING id`,
				ta.Units[units[i%4]].ID, 2022+i%5, i+1, fmt.Sprintf("Pengirim %d", i%300), fmt.Sprintf("%d/X/%d", i, 2022+i%5),
				fmt.Sprintf("%04d-%02d-%02d", 2022+i%5, 1+i%12, 1+i%28), fmt.Sprintf("Perihal surat nomor %d tentang perizinan", i),
				sifat[i%4], ta.Users["tu"].ID, now)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO dispositions (letter_id, from_position_id, from_user_id, to_position_id, created_at)
VALUES ($1, $2, $3, $4, $5)`, id, ta.Pos["tu"].ID, ta.Users["tu"].ID, ta.Pos["kadis"].ID, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name, user string
		f          archiveFilter
	}{
		{"kadis/all", "kadis", archiveFilter{}},
		{"kadis/perihal", "kadis", archiveFilter{Subject: "nomor 1234"}},
		{"bupati/all", "bupati", archiveFilter{}},
		{"kasi/year", "kasi", archiveFilter{Year: 2024, Page: 3}},
	} {
		b.Run(c.name, func(b *testing.B) {
			u, err := loadUser(ctx, ta.db, ta.Users[c.user].ID, ta.now())
			if err != nil {
				b.Fatal(err)
			}
			av, err := ta.archiveViewerOf(ctx, u)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, _, err := searchArchive(ctx, ta.db.DB, av, c.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
