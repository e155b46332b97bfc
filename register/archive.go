package register

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
)

// archiveRoutes registers the archive's routes: the search, the buku
// agenda exports, the retention list and the dashboard.
func (a *App) archiveRoutes() {
	a.handle("GET /arsip", a.archivePage)
	a.handle("GET /arsip/agenda.csv", a.agendaCSV)
	a.handle("GET /arsip/agenda.xlsx", a.agendaXLSX)
	a.handle("GET /arsip/retensi", a.retentionPage)
	a.handle("GET /arsip/retensi.csv", a.retentionCSV)
	a.handle("GET /admin/dasbor", a.adminOnly(a.dashboardPage))
}

// archiveViewerOf is the user as the archive's access rules see them.
func (a *App) archiveViewerOf(ctx context.Context, u *User) (archiveViewer, error) {
	v, err := viewerOf(ctx, a.db, u)
	if err != nil {
		return archiveViewer{}, err
	}
	return archiveViewer{v: v}, nil
}

type archiveData struct {
	F        archiveFilter
	Bad      []string // the fields that could not be read
	Rows     []archiveRow
	Total    int
	Page     int
	Pages    int
	PrevHref string
	NextHref string
	// Export links with the current filter.
	CSV, CSVSemicolon, XLSX string
	Sifat, Status, Arah     []option
	Units                   []option
	Archivist               bool
}

func (a *App) archivePage(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	lang := a.lang(r)
	q := r.URL.Query()
	f, bad := parseArchiveFilter(q)
	av, err := a.archiveViewerOf(r.Context(), u)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rows, total, err := searchArchive(r.Context(), a.db.DB, av, f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d := &archiveData{F: f, Bad: bad, Rows: rows, Total: total, Page: f.Page,
		Pages: (total + archivePageSize - 1) / archivePageSize, Archivist: u.IsAdmin || u.Registers()}
	fq := f.query()
	if f.Page > 1 {
		d.PrevHref = "/arsip?" + withPage(fq, f.Page-1)
	}
	if f.Page < d.Pages {
		d.NextHref = "/arsip?" + withPage(fq, f.Page+1)
	}
	enc := fq.Encode()
	d.CSV, d.XLSX = "/arsip/agenda.csv?"+enc, "/arsip/agenda.xlsx?"+enc
	semi := f.query()
	semi.Set("pemisah", "titikkoma")
	d.CSVSemicolon = "/arsip/agenda.csv?" + semi.Encode()
	d.Sifat = options(lang, "sifat.", sifatValues, f.Sifat)
	d.Status = options(lang, "status.", statusValues, f.Status)
	d.Arah = []option{{Value: "in", Label: T(lang, "arsip.in"), Selected: f.Direction == "in"},
		{Value: "out", Label: T(lang, "arsip.out"), Selected: f.Direction == "out"}}
	if d.Units, err = a.unitOptions(r.Context(), f.UnitID); err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, "arsip", d)
}

func withPage(q url.Values, page int) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	c.Set("hal", strconv.Itoa(page))
	return c.Encode()
}

func options(lang, prefix string, vals []string, cur string) []option {
	out := make([]option, len(vals))
	for i, v := range vals {
		out[i] = option{Value: v, Label: T(lang, prefix+v), Selected: v == cur}
	}
	return out
}

// unitOptions lists every unit, in code order, for the unit filter: the
// list of units is not secret, the letters are filtered by access.
func (a *App) unitOptions(ctx context.Context, cur int64) ([]option, error) {
	rs, err := a.db.QueryContext(ctx, `SELECT id, code, name FROM units ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("register: listing units: %w", err)
	}
	defer rs.Close()
	var out []option
	for rs.Next() {
		var id int64
		var code, name string
		if err := rs.Scan(&id, &code, &name); err != nil {
			return nil, fmt.Errorf("register: listing units: %w", err)
		}
		out = append(out, option{Value: strconv.FormatInt(id, 10), Label: code + " · " + name, Selected: id == cur})
	}
	return out, rs.Err()
}

// exportName is the download's file name: buku-agenda[-UNIT][-YEAR].ext.
func (a *App) exportName(ctx context.Context, f archiveFilter, ext string) string {
	name := "buku-agenda"
	if f.UnitID > 0 {
		if un, err := getUnit(ctx, a.db, f.UnitID); err == nil {
			name += "-" + safeName.ReplaceAllString(un.Code, "_")
		}
	}
	if f.Year > 0 {
		name += fmt.Sprintf("-%04d", f.Year)
	}
	return name + "." + ext
}

var safeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

func (a *App) agendaCSV(w http.ResponseWriter, r *http.Request) {
	f, _ := parseArchiveFilter(r.URL.Query())
	sep := ','
	if p := r.URL.Query().Get("pemisah"); p == "titikkoma" || p == ";" {
		sep = ';'
	}
	a.download(w, r, "text/csv; charset=utf-8", a.exportName(r.Context(), f, "csv"), func(out io.Writer) error {
		av, err := a.archiveViewerOf(r.Context(), currentUser(r))
		if err != nil {
			return err
		}
		return writeAgendaCSV(r.Context(), out, a.db.DB, av, f, a.lang(r), sep)
	})
}

func (a *App) agendaXLSX(w http.ResponseWriter, r *http.Request) {
	f, _ := parseArchiveFilter(r.URL.Query())
	a.download(w, r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", a.exportName(r.Context(), f, "xlsx"),
		func(out io.Writer) error {
			av, err := a.archiveViewerOf(r.Context(), currentUser(r))
			if err != nil {
				return err
			}
			return writeAgendaXLSX(r.Context(), out, a.db.DB, av, f, a.lang(r))
		})
}

// download streams what write makes as an attachment. The first 64 KiB
// are held back, so that an error before them (a query that fails) is a
// clean 500 page; after them the download ends short and the log says
// why.
func (a *App) download(w http.ResponseWriter, r *http.Request, ctype, name string, write func(io.Writer) error) {
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 64<<10)
	hdr := w.Header()
	hdr.Set("Content-Type", ctype)
	hdr.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	err := write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		return
	}
	if cw.n == 0 {
		hdr.Del("Content-Disposition")
		a.fail(w, r, err)
		return
	}
	a.log().Error("register: a download ended short", "path", r.URL.Path, "err", err)
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Href is the page of the letter, "" when the viewer may not open it.
func (r archiveRow) Href() string {
	if r.Hidden {
		return ""
	}
	return "/surat/" + strconv.FormatInt(r.ID, 10)
}

// Num is what the archive shows as the letter's number: its agenda
// number and the sender's number (in), or our number (out).
func (r archiveRow) Num() string {
	if r.Direction == "out" {
		return r.Number
	}
	if r.AgendaNo == "" || r.SenderNumber == "" {
		return r.AgendaNo + r.SenderNumber
	}
	return r.AgendaNo + " · " + r.SenderNumber
}

func init() {
	templateFuncs["humanDuration"] = humanDuration
	templateFuncs["pair"] = func(a, b any) []any { return []any{a, b} }
}
