package register

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAccessTable is the one access rule (docs/register.md, "Access") as
// a table: for each kind of user × kind of letter, whether every route of
// a letter answers it (200) or not (404), and whether the lists and the
// archive show it.
func TestAccessTable(t *testing.T) {
	ta := newTestApp(t)
	ctx := context.Background()
	now := ta.clock.Now()
	ts := FormatTime(now)
	// An OPD with nothing to do with the letters, and a Plh of the
	// signer (Kepala Dinas) sitting in it.
	dishub := &Unit{Code: "DISHUB", Name: "Dinas Perhubungan", Kind: "opd", ParentID: ta.Units["SERANG"].ID}
	if err := insertUnit(ctx, ta.db, dishub); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ user, title, kind string }{
		{"kadis3", "Kepala Dinas Perhubungan", PosEselon2}, {"plh", "Sekretaris Dinas Perhubungan", PosEselon3}} {
		pos := &Position{UnitID: dishub.ID, Title: p.title, Kind: p.kind, Unit: dishub}
		if err := insertPosition(ctx, ta.db, pos); err != nil {
			t.Fatal(err)
		}
		ta.addUser(&User{Username: p.user, Name: p.title, PositionID: pos.ID, Position: pos})
	}
	if err := insertDelegation(ctx, ta.db, &Delegation{PositionID: ta.Pos["kadis"].ID, UserID: ta.Users["plh"].ID, Kind: "plh",
		Starts: now.Add(-time.Hour), Ends: now.Add(72 * time.Hour)}, ta.Users["admin"].ID, now); err != nil {
		t.Fatal(err)
	}

	pdf := []byte("%PDF-1.4\n% access table\n")
	sum := sha256.Sum256(pdf)
	hexSum := hex.EncodeToString(sum[:])
	if err := os.MkdirAll(filepath.Dir(filePath(ta.files, hexSum)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filePath(ta.files, hexSum), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := ta.db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	agenda := 0
	letter := func(subject, dir, unit, sifat, status, by string) int64 {
		t.Helper()
		agenda++
		id, err := InsertID(ctx, ta.db, `INSERT INTO letters (direction, unit_id, year, agenda_no, subject, sifat, klasifikasi, status,
			signer_position_id, created_by, created_at, updated_at, pages, sender, received_date)
			VALUES ($1, $2, 2026, $3, $4, $5, '000', $6, $7, $8, $9, $9, 1, $10, $11) RETURNING id`,
			dir, ta.Units[unit].ID, map[bool]int{true: agenda}[dir == "in"], subject, sifat, status,
			map[bool]any{true: ta.Pos["kadis"].ID, false: nil}[dir == "out"], ta.Users[by].ID, ts,
			map[bool]string{true: "Kementerian"}[dir == "in"], map[bool]string{true: "2026-03-01"}[dir == "in"])
		if err != nil {
			t.Fatalf("letter %s: %v", subject, err)
		}
		kind := map[bool]string{true: "scan", false: "draft"}[dir == "in"]
		exec(`INSERT INTO letter_files (letter_id, version, kind, name, sha256, size, pages, uploaded_by, created_at)
			VALUES ($1, 1, $2, 'a.pdf', $3, $4, 1, $5, $6)`, id, kind, hexSum, len(pdf), ta.Users[by].ID, ts)
		if dir == "in" {
			// Registered by tu, passed to the head; the biasa one on to the Kabid.
			exec(`INSERT INTO dispositions (letter_id, from_position_id, from_user_id, to_position_id, created_at)
				VALUES ($1, $2, $3, $4, $5)`, id, ta.Pos["tu"].ID, ta.Users["tu"].ID, ta.Pos["kadis"].ID, ts)
			if sifat != "rahasia" {
				exec(`INSERT INTO dispositions (letter_id, from_position_id, from_user_id, to_position_id, instructions, created_at)
					VALUES ($1, $2, $3, $4, 'Tindak lanjuti', $5)`, id, ta.Pos["kadis"].ID, ta.Users["kadis"].ID, ta.Pos["kabid"].ID, ts)
			}
			return id
		}
		// Drafted by staf, paraf by Kasi then Kabid, signed by the Kepala
		// Dinas, addressed to KOMINFO.
		exec(`INSERT INTO paraf (letter_id, seq, position_id, action, note, file_version) VALUES ($1, 1, $2, 'approved', '', 1)`, id, ta.Pos["kasi"].ID)
		exec(`INSERT INTO paraf (letter_id, seq, position_id, action, note, file_version) VALUES ($1, 2, $2, $3, '', 1)`, id, ta.Pos["kabid"].ID,
			map[bool]string{true: "approved", false: "pending"}[status == statusSigned])
		exec(`INSERT INTO recipients (letter_id, unit_id, external, tembusan) VALUES ($1, $2, '', false)`, id, ta.Units["KOMINFO"].ID)
		return id
	}
	ids := map[string]int64{
		"in":          letter("Surat masuk biasa", "in", "DPMPTSP", "biasa", "didisposisi", "tu"),
		"in-rahasia":  letter("Surat masuk rahasia", "in", "DPMPTSP", "rahasia", "didisposisi", "tu"),
		"out-draft":   letter("Draf surat keluar", "out", "DPMPTSP-YAN-IZN", "biasa", statusParaf, "staf"),
		"out-signed":  letter("Surat keluar bertanda tangan", "out", "DPMPTSP-YAN-IZN", "biasa", statusSigned, "staf"),
		"out-rahasia": letter("Surat keluar rahasia", "out", "DPMPTSP-YAN-IZN", "rahasia", statusSigned, "staf"),
	}
	subjects := map[string]string{"in": "Surat masuk biasa", "in-rahasia": "Surat masuk rahasia", "out-draft": "Draf surat keluar",
		"out-signed": "Surat keluar bertanda tangan", "out-rahasia": "Surat keluar rahasia"}
	kinds := []string{"in", "in-rahasia", "out-draft", "out-signed", "out-rahasia"}
	// Whether the user sees each kind of letter (in the order of kinds).
	type Y = bool
	cases := []struct {
		who, what string
		sees      [5]Y
	}{
		{"staf", "drafter (seksi)", [5]Y{false, false, true, true, true}},
		{"kasi", "first paraf (seksi)", [5]Y{false, false, true, true, true}},
		{"kabid", "second paraf, disposed to (bidang)", [5]Y{true, false, true, true, true}},
		{"kadis", "signer, head of the OPD", [5]Y{true, true, true, true, true}},
		{"plh", "Plh of the signer (another OPD)", [5]Y{true, true, true, true, true}},
		{"tu", "the OPD's clerk, registrar", [5]Y{true, true, true, true, false}},
		{"bupati", "head of the unit above", [5]Y{true, false, true, true, false}},
		{"kadis2", "member of the recipient unit", [5]Y{false, false, false, true, false}},
		{"kadis3", "unrelated OPD", [5]Y{false, false, false, false, false}},
		{"admin", "admin without a position", [5]Y{false, false, false, false, false}},
	}
	for _, c := range cases {
		t.Run(c.who, func(t *testing.T) {
			cl := ta.login(c.who)
			keluar := cl.get("/surat-keluar").Body
			arsip := cl.get("/arsip").Body
			for i, k := range kinds {
				want := http.StatusNotFound
				if c.sees[i] {
					want = http.StatusOK
				}
				routes := []string{"/surat/%d", "/surat/%d/berkas/1"}
				if strings.HasPrefix(k, "in") {
					routes = append(routes, "/surat/%d/lembar.pdf")
				} else {
					routes = append(routes, "/surat/%d/paraf")
				}
				for _, p := range routes {
					path := fmt.Sprintf(p, ids[k])
					if r := cl.get(path); r.Code != want {
						t.Errorf("%s (%s), %s letter: GET %s = %d, want %d", c.who, c.what, k, p, r.Code, want)
					}
				}
				if got := strings.Contains(arsip, subjects[k]); got != c.sees[i] {
					t.Errorf("%s (%s), %s letter: in /arsip %v, want %v", c.who, c.what, k, got, c.sees[i])
				}
				if strings.HasPrefix(k, "out") {
					if got := strings.Contains(keluar, subjects[k]); got != c.sees[i] {
						t.Errorf("%s (%s), %s letter: in /surat-keluar %v, want %v", c.who, c.what, k, got, c.sees[i])
					}
				}
			}
		})
	}
}
