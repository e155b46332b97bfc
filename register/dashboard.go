package register

import (
	"net/http"
	"strconv"
)

type dashboardView struct {
	*dashboardData
	Years []option
	// Max is the largest month's pages, the scale of the bars.
	Max int64
}

// dashboardPage is /admin/dasbor, for admins: paper not printed, letters
// by status, and the time from draft to signature, for one year
// (?tahun=, the current year by default). The route is adminOnly.
func (a *App) dashboardPage(w http.ResponseWriter, r *http.Request) {
	now := a.now()
	y := now.Year()
	if s := r.URL.Query().Get("tahun"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 2000 && n <= now.Year()+1 {
			y = n
		}
	}
	d, err := loadDashboard(r.Context(), a.db.DB, y)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v := &dashboardView{dashboardData: d}
	for _, m := range d.Months {
		v.Max = max(v.Max, m.Pages)
	}
	for yy := now.Year(); yy >= now.Year()-5; yy-- {
		v.Years = append(v.Years, option{Value: strconv.Itoa(yy), Label: strconv.Itoa(yy), Selected: yy == y})
	}
	a.render(w, r, "dasbor", v)
}
