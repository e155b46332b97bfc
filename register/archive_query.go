package register

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// archiveFilter is a search of the archive (/arsip). Empty fields do not
// filter. Every value reaches the database as a bound parameter.
type archiveFilter struct {
	Number      string // agenda number, our number or the sender's
	Subject     string // perihal (never matched against a hidden one)
	Sender      string
	Klasifikasi string // a code or its prefix
	From, To    time.Time
	Sifat       string
	Status      string
	Direction   string // in, out
	UnitID      int64
	Year        int
	Page        int // from 1
	// Archived keeps the letters that are records: every incoming one
	// and the signed outgoing ones (a draft is not yet a record).
	Archived bool
}

// The values status and direction take (sifatValues: masukform.go).
var (
	statusValues    = []string{"baru", "didisposisi", "selesai", "draf", "paraf", "dikembalikan", "siap_ttd", "ditandatangani"}
	directionValues = []string{"in", "out"}
)

// archivePageSize is how many letters one page of results shows.
const archivePageSize = 25

// maxSearchText bounds a text filter; longer input is cut.
const maxSearchText = 200

// parseArchiveFilter reads a filter from the query string of /arsip (and
// of the exports). It returns the words of the fields it could not read,
// for the form to show; those fields do not filter.
func parseArchiveFilter(q url.Values) (archiveFilter, []string) {
	var f archiveFilter
	var bad []string
	text := func(k string) string {
		s := strings.TrimSpace(q.Get(k))
		if r := []rune(s); len(r) > maxSearchText {
			s = string(r[:maxSearchText])
		}
		return s
	}
	f.Number, f.Subject, f.Sender, f.Klasifikasi = text("nomor"), text("perihal"), text("pengirim"), text("klasifikasi")
	day := func(k string) time.Time {
		s := text(k)
		if s == "" {
			return time.Time{}
		}
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			bad = append(bad, k)
		}
		return d
	}
	f.From, f.To = day("dari"), day("sampai")
	oneOf := func(k string, vals []string) string {
		s := text(k)
		if s != "" && !slices.Contains(vals, s) {
			bad = append(bad, k)
			return ""
		}
		return s
	}
	f.Sifat, f.Status, f.Direction = oneOf("sifat", sifatValues), oneOf("status", statusValues), oneOf("arah", directionValues)
	num := func(k string, lo, hi int64) int64 {
		s := text(k)
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < lo || n > hi {
			bad = append(bad, k)
			return 0
		}
		return n
	}
	f.UnitID = num("unit", 1, 1<<62)
	f.Year = int(num("tahun", 1900, 9999))
	f.Page = int(num("hal", 1, 1<<20))
	if f.Page == 0 {
		f.Page = 1
	}
	return f, bad
}

// query returns f as query-string values (for the pager and the export
// links), without the page.
func (f archiveFilter) query() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("nomor", f.Number)
	set("perihal", f.Subject)
	set("pengirim", f.Sender)
	set("klasifikasi", f.Klasifikasi)
	if !f.From.IsZero() {
		v.Set("dari", f.From.Format(time.DateOnly))
	}
	if !f.To.IsZero() {
		v.Set("sampai", f.To.Format(time.DateOnly))
	}
	set("sifat", f.Sifat)
	set("status", f.Status)
	set("arah", f.Direction)
	if f.UnitID > 0 {
		v.Set("unit", strconv.FormatInt(f.UnitID, 10))
	}
	if f.Year > 0 {
		v.Set("tahun", strconv.Itoa(f.Year))
	}
	return v
}

// sqlArgs collects bound parameters and names them $1, $2, … in order
// (both SQLite and PostgreSQL accept the form); each use is a new one.
type sqlArgs struct{ vals []any }

func (a *sqlArgs) p(v any) string {
	a.vals = append(a.vals, v)
	return "$" + strconv.Itoa(len(a.vals))
}

// likePattern is s as a LIKE pattern that matches s anywhere, lower case,
// with its own %, _ and \ matched literally (ESCAPE '\').
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// regDateExpr is the day a letter is filed under in the archive: the
// received date of an incoming letter, the signing day of an outgoing one,
// else its date, else the day it was registered ("YYYY-MM-DD").
const regDateExpr = `substr(COALESCE(NULLIF(l.received_date, ''), NULLIF(l.signed_at, ''), NULLIF(l.letter_date, ''), l.created_at), 1, 10)`

// archiveViewer is who searches: the access rules' viewer (access.go)
// and, for the archivist's retention list, all.
type archiveViewer struct {
	v *viewer
	// all lists every letter, as an admin sees the retention list; the
	// perihal of a letter they may not see stays hidden.
	all bool
}

// visExpr returns the SQL condition on the letter l that the viewer may
// see it: access.go's visibleClause, the rule of every letter page.
func visExpr(a *sqlArgs, av archiveViewer) string {
	vis, args := av.v.visibleClause(len(a.vals) + 1)
	a.vals = append(a.vals, args...)
	return vis
}

// listedExpr returns the SQL condition on the letter l that the archive
// lists it: the viewer may see it, or it belongs to one of the viewer's
// units (or one below). The second adds only the rahasia letters of
// those units that the viewer may not see; the archive lists them as a
// paper buku agenda shows the envelope of a rahasia letter (numbers,
// sender, dates) without their perihal, dispositions or a link. The cheap
// unit test comes first, so that most rows never reach the subqueries.
func listedExpr(a *sqlArgs, av archiveViewer) string {
	if av.all {
		return "1 = 1"
	}
	if len(av.v.units) == 0 {
		return visExpr(a, av)
	}
	ph := make([]string, len(av.v.units))
	for i, u := range av.v.units {
		ph[i] = a.p(u)
	}
	return `(l.unit_id IN (` + strings.Join(ph, ", ") + `) OR ` + visExpr(a, av) + `)`
}

// archiveRow is one letter as the archive lists it.
type archiveRow struct {
	ID                                int64
	Direction, UnitCode, UnitName     string
	AgendaNo, Number, Kind            string
	Sender, SenderNumber              string
	LetterDate, ReceivedDate, RegDate string
	Subject                           string // "" when Hidden
	Hidden                            bool   // the viewer may not see the letter: no perihal, no link
	Sifat, Klasifikasi, Status        string
	SignedAt                          string
}

// archiveWhere returns the condition on the letter l of the search: the
// letters the archive lists to the viewer that match f.
func archiveWhere(a *sqlArgs, av archiveViewer, f archiveFilter) string {
	w := []string{listedExpr(a, av)}
	if f.Archived {
		w = append(w, `(l.direction = 'in' OR l.status = 'ditandatangani')`)
	}
	if f.Number != "" {
		p := likePattern(f.Number)
		w = append(w, `(lower(l.number) LIKE `+a.p(p)+` ESCAPE '\' OR lower(l.sender_number) LIKE `+a.p(p)+` ESCAPE '\' OR (l.agenda_no > 0 AND CAST(l.agenda_no AS TEXT) LIKE `+a.p(p)+` ESCAPE '\'))`)
	}
	if f.Subject != "" {
		// Never matched against a perihal the viewer may not read.
		w = append(w, `(lower(l.subject) LIKE `+a.p(likePattern(f.Subject))+` ESCAPE '\' AND `+visExpr(a, av)+`)`)
	}
	if f.Sender != "" {
		w = append(w, `lower(l.sender) LIKE `+a.p(likePattern(f.Sender))+` ESCAPE '\'`)
	}
	if f.Klasifikasi != "" {
		k := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Klasifikasi)
		w = append(w, `(l.klasifikasi = `+a.p(f.Klasifikasi)+` OR l.klasifikasi LIKE `+a.p(k+".%")+` ESCAPE '\')`)
	}
	if !f.From.IsZero() {
		w = append(w, regDateExpr+` >= `+a.p(f.From.Format(time.DateOnly)))
	}
	if !f.To.IsZero() {
		w = append(w, regDateExpr+` <= `+a.p(f.To.Format(time.DateOnly)))
	}
	if f.Year > 0 {
		// The year of the agenda number or of our number; for a letter
		// without one yet, the year it is filed under.
		w = append(w, `(l.year = `+a.p(f.Year)+` OR (l.year = 0 AND substr(`+regDateExpr+`, 1, 4) = `+a.p(fmt.Sprintf("%04d", f.Year))+`))`)
	}
	if f.Sifat != "" {
		w = append(w, `l.sifat = `+a.p(f.Sifat))
	}
	if f.Status != "" {
		w = append(w, `l.status = `+a.p(f.Status))
	}
	if f.Direction != "" {
		w = append(w, `l.direction = `+a.p(f.Direction))
	}
	if f.UnitID > 0 {
		w = append(w, `l.unit_id = `+a.p(f.UnitID))
	}
	return strings.Join(w, "\n  AND ")
}

// archiveSelect returns the SELECT … FROM part that reads archiveRows
// (scanArchiveRow), with where's letters l.
func archiveSelect(a *sqlArgs, av archiveViewer) string {
	return `SELECT ` + archiveColumns + `, CASE WHEN ` + visExpr(a, av) + ` THEN 1 ELSE 0 END
FROM letters l LEFT JOIN units u ON u.id = l.unit_id`
}

const archiveColumns = `l.id, l.direction, COALESCE(u.code, ''), COALESCE(u.name, ''), CASE WHEN l.agenda_no > 0 THEN CAST(l.agenda_no AS TEXT) ELSE '' END,
 l.number, l.kind, l.sender, l.sender_number, l.letter_date, l.received_date, ` + regDateExpr + `,
 l.subject, l.sifat, l.klasifikasi, l.status, l.signed_at`

func scanArchiveRow(rs *sql.Rows) (archiveRow, error) {
	var r archiveRow
	var vis int
	err := rs.Scan(&r.ID, &r.Direction, &r.UnitCode, &r.UnitName, &r.AgendaNo, &r.Number, &r.Kind, &r.Sender, &r.SenderNumber,
		&r.LetterDate, &r.ReceivedDate, &r.RegDate, &r.Subject, &r.Sifat, &r.Klasifikasi, &r.Status, &r.SignedAt, &vis)
	if vis != 1 {
		r.Subject, r.Hidden = "", true
	}
	return r, err
}

// searchArchive returns one page of the letters the archive lists to
// the viewer that match f, the last registered first (by id: SQLite walks
// the table backwards and stops at the page, where sorting by the archive
// date cost a sort of every match), and how many match in all. The
// page is found by id first and read after, so that the access rule's
// subqueries run for the rows that need them only.
func searchArchive(ctx context.Context, db *sql.DB, av archiveViewer, f archiveFilter) ([]archiveRow, int, error) {
	fail := func(err error) ([]archiveRow, int, error) {
		return nil, 0, fmt.Errorf("register: searching the archive: %w", err)
	}
	var a sqlArgs
	where := archiveWhere(&a, av, f)
	var total int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM letters l WHERE `+where, a.vals...).Scan(&total); err != nil {
		return fail(err)
	}
	page := max(f.Page, 1)
	q := `SELECT l.id FROM letters l WHERE ` + where + `
ORDER BY l.id DESC LIMIT ` + a.p(archivePageSize) + ` OFFSET ` + a.p((page-1)*archivePageSize)
	rs, err := db.QueryContext(ctx, q, a.vals...)
	if err != nil {
		return fail(err)
	}
	var ids []int64
	for rs.Next() {
		var id int64
		if err := rs.Scan(&id); err != nil {
			rs.Close()
			return fail(err)
		}
		ids = append(ids, id)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return fail(err)
	}
	if len(ids) == 0 {
		return nil, total, nil
	}
	var b sqlArgs
	sel := archiveSelect(&b, av)
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = b.p(id)
	}
	rs, err = db.QueryContext(ctx, sel+` WHERE l.id IN (`+strings.Join(ph, ", ")+`)`, b.vals...)
	if err != nil {
		return fail(err)
	}
	defer rs.Close()
	byID := make(map[int64]archiveRow, len(ids))
	for rs.Next() {
		r, err := scanArchiveRow(rs)
		if err != nil {
			return fail(err)
		}
		byID[r.ID] = r
	}
	if err := rs.Err(); err != nil {
		return fail(err)
	}
	out := make([]archiveRow, 0, len(ids))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, r)
		}
	}
	return out, total, nil
}
