package register

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// retentionWindow is how far ahead /arsip/retensi looks: what falls due
// within it is listed beside what is due.
const retentionWindow = 90 * 24 * time.Hour

// maxRetentionItems bounds each list on the page.
const maxRetentionItems = 1000

// retentionItem is one letter whose retention ends, or soon ends.
type retentionItem struct {
	archiveRow
	Date     time.Time // the letter's date the JRA counts from
	JRA      jraEntry
	Inactive time.Time // the end of the active period
	Due      time.Time // the end of retention: the final action is due
	Days     int       // days from today to Due (negative: overdue)
}

// retentionReport is what /arsip/retensi shows. The register never
// deletes or moves anything itself: destruction (musnah) needs a list
// approved by the head of the agency and a berita acara (ANRI's rules), so
// the page is that list's draft (docs/register-archive.md, "Retention").
type retentionReport struct {
	Today time.Time
	// Due: retention ended on or before Today. Soon: it ends within
	// retentionWindow. Both by Due, the earliest first.
	Due, Soon []retentionItem
	// DueCount and SoonCount count them all, when the lists are cut at
	// maxRetentionItems.
	DueCount, SoonCount int
	// Unclassified are records whose klasifikasi has no JRA entry (nor a
	// parent with one): their retention cannot be computed.
	Unclassified      []archiveRow
	UnclassifiedCount int
}

// loadJRA reads the klasifikasi table.
func loadJRA(ctx context.Context, db *sql.DB) (jraTable, error) {
	rs, err := db.QueryContext(ctx, `SELECT code, COALESCE(name, ''), COALESCE(active_years, 0), COALESCE(inactive_years, 0), COALESCE(final, '') FROM klasifikasi`)
	if err != nil {
		return nil, fmt.Errorf("register: reading the JRA: %w", err)
	}
	defer rs.Close()
	t := jraTable{}
	for rs.Next() {
		var e jraEntry
		if err := rs.Scan(&e.Code, &e.Name, &e.ActiveYears, &e.InactYears, &e.Final); err != nil {
			return nil, fmt.Errorf("register: reading the JRA: %w", err)
		}
		t[e.Code] = e
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("register: reading the JRA: %w", err)
	}
	return t, nil
}

// retentionList computes the retention of every record the viewer may
// see (every incoming letter, every signed outgoing one) and returns what
// is due on today and what falls due within retentionWindow. It reads the
// records once; the dates are computed here, where the dotted klasifikasi
// hierarchy is resolved, rather than in two SQL dialects.
func retentionList(ctx context.Context, db *sql.DB, v archiveViewer, today time.Time) (*retentionReport, error) {
	jra, err := loadJRA(ctx, db)
	if err != nil {
		return nil, err
	}
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	horizon := today.Add(retentionWindow)
	rep := &retentionReport{Today: today}
	var a sqlArgs
	sel := archiveSelect(&a, v)
	rs, err := db.QueryContext(ctx, sel+` WHERE `+archiveWhere(&a, v, archiveFilter{Archived: true})+` ORDER BY l.id`, a.vals...)
	if err != nil {
		return nil, fmt.Errorf("register: reading the records: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		r, err := scanArchiveRow(rs)
		if err != nil {
			return nil, fmt.Errorf("register: reading the records: %w", err)
		}
		e, ok := jra.lookup(r.Klasifikasi)
		date, derr := time.Parse(time.DateOnly, firstN(r.LetterDate, 10))
		if derr != nil {
			date, derr = time.Parse(time.DateOnly, r.RegDate)
		}
		if !ok || derr != nil {
			rep.UnclassifiedCount++
			if len(rep.Unclassified) < maxRetentionItems {
				rep.Unclassified = append(rep.Unclassified, r)
			}
			continue
		}
		d := retentionOf(date, e)
		if d.Due.After(horizon) {
			continue
		}
		it := retentionItem{archiveRow: r, Date: date, JRA: e, Inactive: d.Inactive, Due: d.Due,
			Days: int(d.Due.Sub(today).Hours() / 24)}
		if !d.Due.After(today) {
			rep.DueCount++
			rep.Due = append(rep.Due, it)
		} else {
			rep.SoonCount++
			rep.Soon = append(rep.Soon, it)
		}
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("register: reading the records: %w", err)
	}
	for _, l := range []*[]retentionItem{&rep.Due, &rep.Soon} {
		slices.SortStableFunc(*l, func(x, y retentionItem) int { return x.Due.Compare(y.Due) })
		if len(*l) > maxRetentionItems {
			*l = (*l)[:maxRetentionItems]
		}
	}
	return rep, nil
}

type retentionData struct {
	*retentionReport
}

// retentionPage is /arsip/retensi, for the archivist: an admin sees every
// record (a rahasia perihal still hidden unless involved), a clerk those
// the access rules give them. Others get 403.
func (a *App) retentionPage(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	if !u.IsAdmin && !u.Registers() {
		a.forbidden(w, r, "")
		return
	}
	v, err := a.archiveViewerOf(r.Context(), u)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v.all = u.IsAdmin
	rep, err := retentionList(r.Context(), a.db.DB, v, a.now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, "retensi", &retentionData{rep})
}

// retentionCSV is /arsip/retensi.csv: the due and soon lists as the
// draft of a list of records for destruction or transfer (daftar arsip
// usul musnah), for the archivist to complete outside the register.
func (a *App) retentionCSV(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	if !u.IsAdmin && !u.Registers() {
		a.forbidden(w, r, "")
		return
	}
	lang := a.lang(r)
	name := "retensi-" + a.now().Format("2006-01-02") + ".csv"
	a.download(w, r, "text/csv; charset=utf-8", name, func(out io.Writer) error {
		v, err := a.archiveViewerOf(r.Context(), u)
		if err != nil {
			return err
		}
		v.all = u.IsAdmin
		rep, err := retentionList(r.Context(), a.db.DB, v, a.now())
		if err != nil {
			return err
		}
		c := newCSVSheet(out, ',')
		if err := c.Row(T(lang, "retensi.csv.state"), T(lang, "arsip.col.no"), T(lang, "arsip.unit"), T(lang, "arsip.col.subject"),
			T(lang, "retensi.col.date"), T(lang, "retensi.col.klas"), T(lang, "retensi.csv.jra"), T(lang, "retensi.csv.active"),
			T(lang, "retensi.csv.inactive"), T(lang, "retensi.col.inactive"), T(lang, "retensi.col.due"), T(lang, "retensi.col.final")); err != nil {
			return err
		}
		for _, l := range []struct {
			state string
			items []retentionItem
		}{{T(lang, "retensi.due"), rep.Due}, {T(lang, "retensi.soon"), rep.Soon}} {
			for _, it := range l.items {
				subject := it.Subject
				if it.Hidden {
					subject = T(lang, "arsip.hidden")
					if it.Sifat != "rahasia" {
						subject = T(lang, "arsip.withheld")
					}
				}
				if err := c.Row(l.state, it.Num(), it.UnitCode, subject, it.Date.Format(time.DateOnly), it.Klasifikasi,
					it.JRA.Code+" "+it.JRA.Name, strconv.Itoa(it.JRA.ActiveYears), strconv.Itoa(it.JRA.InactYears),
					it.Inactive.Format(time.DateOnly), it.Due.Format(time.DateOnly), T(lang, "final."+it.JRA.Final)); err != nil {
					return err
				}
			}
		}
		return c.Flush()
	})
}
