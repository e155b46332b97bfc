package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// The administrator's page of the numbering (/admin/penomoran): the
// number pattern (setting number_pattern) and each unit's last number of
// the year.

// numberSeqRow is one unit's sequence of a year.
type numberSeqRow struct {
	Code, Name string
	Year       int
	Last       int64
}

type penomoranData struct {
	Pattern  string
	Example  string
	Seqs     []numberSeqRow
	Error    string
	Notice   string
	Defaults string
}

func (a *App) penomoranData(ctx context.Context, pattern string) (*penomoranData, error) {
	d := &penomoranData{Pattern: pattern, Defaults: DefaultNumberPattern}
	d.Example, _ = FormatNumber(pattern, NumberFields{Klasifikasi: "005", Urut: 17, KodeUnit: "DPMPTSP", At: a.now()})
	rows, err := a.db.QueryContext(ctx, `SELECT u.code, u.name, s.year, s.last FROM number_seq s JOIN units u ON u.id = s.unit_id
		ORDER BY s.year DESC, u.code`)
	if err != nil {
		return nil, fmt.Errorf("register: number sequences: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s numberSeqRow
		if err := rows.Scan(&s.Code, &s.Name, &s.Year, &s.Last); err != nil {
			return nil, fmt.Errorf("register: number sequences: %w", err)
		}
		d.Seqs = append(d.Seqs, s)
	}
	return d, rows.Err()
}

// adminPenomoran is GET /admin/penomoran.
func (a *App) adminPenomoran(w http.ResponseWriter, r *http.Request) {
	p, err := a.numberPattern(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d, err := a.penomoranData(r.Context(), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("ok") == "1" {
		d.Notice = T(a.lang(r), "penomoran.saved")
	}
	a.render(w, r, "keluar_penomoran", d)
}

// adminPenomoranSave is POST /admin/penomoran: a new pattern, checked
// (ValidateNumberPattern), for the letters signed from now on; numbers
// already given stay as they are, and the sequences go on.
func (a *App) adminPenomoranSave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	pattern := strings.TrimSpace(r.PostFormValue("pattern"))
	if err := ValidateNumberPattern(pattern); err != nil || len(pattern) > 200 || strings.ContainsAny(pattern, "\r\n\x00") {
		d, derr := a.penomoranData(ctx, pattern)
		if derr != nil {
			a.fail(w, r, derr)
			return
		}
		d.Example = ""
		d.Error = T(a.lang(r), "penomoran.err")
		if err != nil && !errors.Is(err, ErrNumberPattern) {
			d.Error += " " + err.Error()
		}
		a.renderStatus(w, r, http.StatusUnprocessableEntity, "keluar_penomoran", d)
		return
	}
	u := currentUser(r)
	old, err := a.numberPattern(ctx)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	err = a.adminTx(ctx, u, "admin.penomoran", func(tx *sql.Tx) (string, error) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('number_pattern', $1)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, pattern); err != nil {
			return "", fmt.Errorf("register: number pattern: %w", err)
		}
		return old + " → " + pattern, nil
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/penomoran?ok=1", http.StatusSeeOther)
}
