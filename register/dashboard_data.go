package register

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// dashboardMonth is one month of the dashboard (/admin/dasbor).
//
// Paper not printed (docs/register-archive.md, "Dashboard") counts the sheets a paper office would have printed or copied
// for what the register handled that month:
//
//	Pages = ScanPages + DraftPages + SignedPages + LembarPages + LembarViews + Dispositions
//
//	ScanPages    the pages of each scanned incoming letter uploaded
//	             (the copy that would go round with the lembar disposisi)
//	DraftPages   the pages of each draft version uploaded (each version
//	             is printed for paraf in a paper office, returns included)
//	SignedPages  the pages of each signed outgoing letter, once per
//	             addressee and per tembusan (at least once): the printed
//	             originals (an internal recipient's incoming copy is not
//	             counted again)
//	LembarPages  the pages of each lembar disposisi the register stored
//	             (letter_files of kind lembar)
//	LembarViews  one sheet per lembar disposisi opened on screen (events
//	             of action lembarViewAction)
//	Dispositions one sheet per disposition (the lembar that travels with
//	             the letter in a paper office)
//
// A month is that of the file's upload, the disposition's creation or the
// signature, in UTC.
type dashboardMonth struct {
	Month                                  string // YYYY-MM
	ScanPages, DraftPages, SignedPages     int64
	LembarPages, LembarViews, Dispositions int64
	Pages                                  int64
	Signed                                 durationStats // from the draft's creation to the signature
	LettersIn, LettersOut                  int64
}

// lembarViewAction is the action of the event the lembar disposisi route
// records each time it serves the sheet (docs/register-archive.md,
// "Dashboard").
const lembarViewAction = "masuk.lembar"

// statusCount is how many letters have one status.
type statusCount struct {
	Direction, Status string
	N                 int64
}

// dashboardData is the dashboard of one year.
type dashboardData struct {
	Year   int
	Months []dashboardMonth // January to December
	Total  dashboardMonth   // the year
	Status []statusCount    // every letter of the register, now
}

// loadDashboard computes the dashboard of year y over the whole register.
func loadDashboard(ctx context.Context, db *sql.DB, y int) (*dashboardData, error) {
	d := &dashboardData{Year: y, Months: make([]dashboardMonth, 12)}
	for i := range d.Months {
		d.Months[i].Month = fmt.Sprintf("%04d-%02d", y, i+1)
	}
	year := fmt.Sprintf("%04d", y)
	// index is the month of a "YYYY-MM…" text in the year, from 0; -1
	// for another year or a malformed text.
	index := func(s string) int {
		if len(s) < 7 || s[:4] != year || s[4] != '-' {
			return -1
		}
		m := int(s[5]-'0')*10 + int(s[6]-'0')
		if m < 1 || m > 12 {
			return -1
		}
		return m - 1
	}
	month := func(s string) *dashboardMonth {
		if i := index(s); i >= 0 {
			return &d.Months[i]
		}
		return nil
	}
	fail := func(err error) (*dashboardData, error) {
		return nil, fmt.Errorf("register: the dashboard: %w", err)
	}

	// Files by kind and month; a signed letter's pages once per addressee
	// and tembusan.
	rs, err := db.QueryContext(ctx, `SELECT substr(f.created_at, 1, 7), f.kind, f.pages, l.direction,
  (SELECT COUNT(*) FROM recipients r WHERE r.letter_id = f.letter_id)
FROM letter_files f JOIN letters l ON l.id = f.letter_id WHERE substr(f.created_at, 1, 4) = $1`, year)
	if err != nil {
		return fail(err)
	}
	for rs.Next() {
		var mo, kind, dir string
		var pages, recipients int64
		if err := rs.Scan(&mo, &kind, &pages, &dir, &recipients); err != nil {
			rs.Close()
			return fail(err)
		}
		m := month(mo)
		if m == nil {
			continue
		}
		switch kind {
		case "scan":
			m.ScanPages += pages
		case "draft":
			m.DraftPages += pages
		case "signed":
			// The copy an internal recipient receives (an incoming letter
			// holding the signed file) is counted at its original, once
			// per recipient.
			if dir == "out" {
				m.SignedPages += pages * max(recipients, 1)
			}
		case "lembar":
			m.LembarPages += pages
		}
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return fail(err)
	}

	if err := eachMonthCount(ctx, db, `SELECT substr(created_at, 1, 7), COUNT(*) FROM dispositions WHERE substr(created_at, 1, 4) = $1 GROUP BY substr(created_at, 1, 7)`,
		func(mo string, n int64) {
			if m := month(mo); m != nil {
				m.Dispositions += n
			}
		}, year); err != nil {
		return fail(err)
	}
	if err := eachMonthCount(ctx, db, `SELECT substr(at, 1, 7), COUNT(*) FROM events WHERE action = $1 AND substr(at, 1, 4) = $2 GROUP BY substr(at, 1, 7)`,
		func(mo string, n int64) {
			if m := month(mo); m != nil {
				m.LembarViews += n
			}
		}, lembarViewAction, year); err != nil {
		return fail(err)
	}
	if err := eachMonthCount(ctx, db, `SELECT substr(created_at, 1, 7) || direction, COUNT(*) FROM letters WHERE substr(created_at, 1, 4) = $1 GROUP BY substr(created_at, 1, 7) || direction`,
		func(mo string, n int64) {
			if m := month(mo); m != nil {
				if mo[7:] == "in" {
					m.LettersIn += n
				} else {
					m.LettersOut += n
				}
			}
		}, year); err != nil {
		return fail(err)
	}

	// Draft to signature, by the month of the signature.
	rs, err = db.QueryContext(ctx, `SELECT created_at, signed_at FROM letters
WHERE direction = 'out' AND signed_at IS NOT NULL AND signed_at <> '' AND substr(signed_at, 1, 4) = $1`, year)
	if err != nil {
		return fail(err)
	}
	byMonth := make([][]time.Duration, 12)
	var all []time.Duration
	for rs.Next() {
		var created, signed string
		if err := rs.Scan(&created, &signed); err != nil {
			rs.Close()
			return fail(err)
		}
		c, err1 := time.Parse(time.RFC3339Nano, created)
		s, err2 := time.Parse(time.RFC3339Nano, signed)
		if err1 != nil || err2 != nil || s.Before(c) {
			continue
		}
		if i := index(signed); i >= 0 {
			byMonth[i] = append(byMonth[i], s.Sub(c))
			all = append(all, s.Sub(c))
		}
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return fail(err)
	}
	for i := range d.Months {
		m := &d.Months[i]
		m.Signed = summarise(byMonth[i])
		m.Pages = m.ScanPages + m.DraftPages + m.SignedPages + m.LembarPages + m.LembarViews + m.Dispositions
		t := &d.Total
		t.ScanPages += m.ScanPages
		t.DraftPages += m.DraftPages
		t.SignedPages += m.SignedPages
		t.LembarPages += m.LembarPages
		t.LembarViews += m.LembarViews
		t.Dispositions += m.Dispositions
		t.Pages += m.Pages
		t.LettersIn += m.LettersIn
		t.LettersOut += m.LettersOut
	}
	d.Total.Month = year
	d.Total.Signed = summarise(all)

	rs, err = db.QueryContext(ctx, `SELECT direction, status, COUNT(*) FROM letters GROUP BY direction, status ORDER BY direction, status`)
	if err != nil {
		return fail(err)
	}
	defer rs.Close()
	for rs.Next() {
		var s statusCount
		if err := rs.Scan(&s.Direction, &s.Status, &s.N); err != nil {
			return fail(err)
		}
		d.Status = append(d.Status, s)
	}
	if err := rs.Err(); err != nil {
		return fail(err)
	}
	return d, nil
}

// eachMonthCount runs a query of (key, count) rows.
func eachMonthCount(ctx context.Context, db *sql.DB, q string, fn func(string, int64), args ...any) error {
	rs, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		var k string
		var n int64
		if err := rs.Scan(&k, &n); err != nil {
			return err
		}
		fn(k, n)
	}
	return rs.Err()
}
