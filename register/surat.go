package register

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// suratPage is GET /surat/{id}: the page of an incoming letter (its
// trail of dispositions) or of an outgoing one (its paraf chain).
func (a *App) suratPage(w http.ResponseWriter, r *http.Request) {
	id := letterID(r)
	if id == 0 {
		a.notFound(w, r)
		return
	}
	ok, err := a.mayView(r.Context(), currentUser(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !ok {
		a.notFound(w, r)
		return
	}
	var dir string
	if err := a.db.QueryRowContext(r.Context(), `SELECT direction FROM letters WHERE id = $1`, id).Scan(&dir); err != nil {
		a.fail(w, r, err)
		return
	}
	// One route for both directions: the access rules above, then the
	// page of the letter's direction.
	switch dir {
	case "in":
		a.masukLetterPage(w, r, id)
	case "out":
		a.keluarPage(w, r) // it checks the surat keluar rules again
	default:
		a.notFound(w, r)
	}
}

// trailRow is one disposition as the letter page shows it.
type trailRow struct {
	*dispo
	Depth    int
	Delivery bool // the registration's passing to the head
	Overdue  bool
	State    string // waiting, forwarded, done
	Mine     bool   // held by the viewer: they may act on it
	ToLabel  string
	// ActingAsFor is how the viewer holds a row of theirs: "" in person,
	// "Plh. …" under a delegation.
	ActingAsFor string
}

// trailEvent is one entry of the letter's history.
type trailEvent struct {
	At                     time.Time
	User, ActingAs, Action string
	Detail                 string
}

// letterFile is one stored file of a letter.
type letterFile struct {
	Version int
	Kind    string
	Name    string
	Size    int64
	Pages   int
	At      time.Time
}

type masukLetterData struct {
	Letter     *inLetter
	Trail      []*trailRow
	Events     []*trailEvent
	Files      []*letterFile
	Mine       []*trailRow // rows waiting for the viewer
	Done       bool
	HasOverdue bool
	Notice     string
}

// letterFiles lists the files of a letter.
func letterFiles(ctx context.Context, q Querier, letterID int64) ([]*letterFile, error) {
	r, err := q.QueryContext(ctx, `SELECT version, kind, name, size, pages, created_at FROM letter_files
		WHERE letter_id = $1 ORDER BY version`, letterID)
	if err != nil {
		return nil, fmt.Errorf("register: files of letter %d: %w", letterID, err)
	}
	defer r.Close()
	var out []*letterFile
	for r.Next() {
		f := &letterFile{}
		var at string
		if err := r.Scan(&f.Version, &f.Kind, &f.Name, &f.Size, &f.Pages, &at); err != nil {
			return nil, err
		}
		f.At, _ = ParseTime(at)
		out = append(out, f)
	}
	return out, r.Err()
}

// letterEvents reads the trail of a letter, oldest first.
func letterEvents(ctx context.Context, q Querier, lang string, letterID int64) ([]*trailEvent, error) {
	r, err := q.QueryContext(ctx, `SELECT e.at, COALESCE(u.name, ''), e.acting_as, e.action, e.detail
		FROM events e LEFT JOIN users u ON u.id = e.user_id WHERE e.letter_id = $1 ORDER BY e.at, e.id`, letterID)
	if err != nil {
		return nil, fmt.Errorf("register: trail of letter %d: %w", letterID, err)
	}
	defer r.Close()
	var out []*trailEvent
	for r.Next() {
		e := &trailEvent{}
		var at, action string
		if err := r.Scan(&at, &e.User, &e.ActingAs, &action, &e.Detail); err != nil {
			return nil, err
		}
		e.At, _ = ParseTime(at)
		e.Action = T(lang, "event."+action)
		out = append(out, e)
	}
	return out, r.Err()
}

// masukLetterPage shows an incoming letter: its fields, the tree of its
// dispositions with their state, the history, and what the viewer may do.
// Opening it marks the viewer's dispositions read.
func (a *App) masukLetterPage(w http.ResponseWriter, r *http.Request, id int64) {
	ctx := r.Context()
	u := currentUser(r)
	lang := a.lang(r)
	l, err := getInLetter(ctx, a.db, id)
	if errors.Is(err, ErrNotFound) {
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.markRead(ctx, u, id); err != nil {
		a.fail(w, r, err)
		return
	}
	rows, err := letterDispos(ctx, a.db, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	d := &masukLetterData{Letter: l}
	roots := dispoTree(rows)
	d.Done = allClosed(roots)
	today := a.now().In(wib)
	var werr error
	walk(roots, func(x *dispo, depth int) {
		t := &trailRow{dispo: x, Depth: depth, Delivery: x.ParentID == 0 && len(x.Instructions) == 0,
			Overdue: x.overdue(today)}
		switch {
		case !x.DoneAt.IsZero():
			t.State = "done"
		case x.forwarded():
			t.State = "forwarded"
		default:
			t.State = "waiting"
		}
		// Rows the viewer holds and has not marked done: those still
		// waiting are listed on top; those disposed further may be
		// disposed to more (a link on the trail).
		if acting, ok := u.ActingAs(x.ToPosition); ok && x.DoneAt.IsZero() {
			t.Mine, t.ActingAsFor = true, acting
			if t.State == "waiting" {
				d.Mine = append(d.Mine, t)
			}
		}
		if t.ToLabel, err = holderLabel(ctx, a.db, x.ToPosition); err != nil && werr == nil {
			werr = err
		}
		d.HasOverdue = d.HasOverdue || t.Overdue
		d.Trail = append(d.Trail, t)
	})
	if werr != nil {
		a.fail(w, r, werr)
		return
	}
	if d.Events, err = letterEvents(ctx, a.db, lang, id); err != nil {
		a.fail(w, r, err)
		return
	}
	if d.Files, err = letterFiles(ctx, a.db, id); err != nil {
		a.fail(w, r, err)
		return
	}
	switch q := r.URL.Query(); {
	case q.Get("dicatat") != "":
		d.Notice = fmt.Sprintf(T(lang, "masuk.registered"), l.Agenda())
	case q.Get("ok") == "dispo.sent" || q.Get("ok") == "dispo.marked.done":
		d.Notice = T(lang, q.Get("ok"))
	}
	a.render(w, r, "masuk_letter", d)
}
