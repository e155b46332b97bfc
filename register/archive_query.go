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

// accessExprs returns two SQL conditions on the letter l: vis, that the
// viewer may see it (access.go's visibleClause, the rule of every letter
// page), and listed, that the archive lists it. The archive also lists a
// rahasia letter of the viewer's units (and those below) without its
// perihal, its dispositions or a link, as a paper buku agenda shows the
// envelope of a rahasia letter: its numbers, its sender, its date.
func accessExprs(a *sqlArgs, av archiveViewer) (vis, listed string) {
	vis, args := av.v.visibleClause(len(a.vals) + 1)
	a.vals = append(a.vals, args...)
	if av.all {
		return vis, "1 = 1"
	}
	listed = "l.vis = 1"
	if len(av.v.units) > 0 {
		ph := make([]string, len(av.v.units))
		for i, u := range av.v.units {
			ph[i] = a.p(u)
		}
		listed = `(l.vis = 1 OR (l.sifat = 'rahasia' AND l.unit_id IN (` + strings.Join(ph, ", ") + `)))`
	}
	return vis, listed
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

// archiveQuery builds the search: the letters the archive lists to the
// viewer that match f. It returns the FROM … WHERE part, over the derived
// table l with its vis column (1: the viewer may see the letter).
func archiveQuery(a *sqlArgs, av archiveViewer, f archiveFilter) string {
	vis, listed := accessExprs(a, av)
	w := []string{listed}
	if f.Archived {
		w = append(w, `(l.direction = 'in' OR l.status = 'ditandatangani')`)
	}
	if f.Number != "" {
		p := likePattern(f.Number)
		w = append(w, `(lower(l.number) LIKE `+a.p(p)+` ESCAPE '\' OR lower(l.sender_number) LIKE `+a.p(p)+` ESCAPE '\' OR (l.agenda_no > 0 AND CAST(l.agenda_no AS TEXT) LIKE `+a.p(p)+` ESCAPE '\'))`)
	}
	if f.Subject != "" {
		// Never matched against a perihal the viewer may not read.
		w = append(w, `l.vis = 1 AND lower(l.subject) LIKE `+a.p(likePattern(f.Subject))+` ESCAPE '\'`)
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
	return `FROM (SELECT l.*, CASE WHEN ` + vis + ` THEN 1 ELSE 0 END AS vis FROM letters l) l
LEFT JOIN units u ON u.id = l.unit_id
WHERE ` + strings.Join(w, "\n  AND ")
}

const archiveColumns = `l.id, l.direction, COALESCE(u.code, ''), COALESCE(u.name, ''), CASE WHEN l.agenda_no > 0 THEN CAST(l.agenda_no AS TEXT) ELSE '' END,
 l.number, l.kind, l.sender, l.sender_number, l.letter_date, l.received_date, ` + regDateExpr + `,
 l.subject, l.sifat, l.klasifikasi, l.status, l.signed_at, l.vis`

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

// searchArchive returns one page of the letters the viewer may see that
// match f, newest first, and how many match in all.
func searchArchive(ctx context.Context, db *sql.DB, v archiveViewer, f archiveFilter) ([]archiveRow, int, error) {
	var a sqlArgs
	from := archiveQuery(&a, v, f)
	var total int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) `+from, a.vals...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("register: searching the archive: %w", err)
	}
	page := max(f.Page, 1)
	q := `SELECT ` + archiveColumns + ` ` + from + `
ORDER BY ` + regDateExpr + ` DESC, l.id DESC LIMIT ` + a.p(archivePageSize) + ` OFFSET ` + a.p((page-1)*archivePageSize)
	rs, err := db.QueryContext(ctx, q, a.vals...)
	if err != nil {
		return nil, 0, fmt.Errorf("register: searching the archive: %w", err)
	}
	defer rs.Close()
	var out []archiveRow
	for rs.Next() {
		r, err := scanArchiveRow(rs)
		if err != nil {
			return nil, 0, fmt.Errorf("register: searching the archive: %w", err)
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, 0, fmt.Errorf("register: searching the archive: %w", err)
	}
	return out, total, nil
}
