package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// adminOnly lets only administrators (users.is_admin) through: 403 for
// everyone else.
func (a *App) adminOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if u := currentUser(r); u == nil || !u.IsAdmin {
			a.forbidden(w, r, "")
			return
		}
		h(w, r)
	}
}

// formErrors collects the validation messages of a form, translated.
type formErrors struct {
	lang string
	list []string
}

func (e *formErrors) add(key string, args ...any) {
	msg := T(e.lang, key)
	if len(args) > 0 {
		msg = fmt.Sprintf(msg, args...)
	}
	e.list = append(e.list, msg)
}

func (e *formErrors) ok() bool { return len(e.list) == 0 }

// formID reads an id field of a form: 0 when empty, -1 when not a number.
func formID(r *http.Request, name string) int64 {
	s := strings.TrimSpace(r.PostFormValue(name))
	if s == "" {
		return 0
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return -1
	}
	return id
}

// pathID reads the {id} of the route; ok false when it is not an id.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// byPathID reads the row that the request's {id} names with get. When the
// id is bad or there is no such row it answers 404, on another error 500;
// ok is false then and the handler is done.
func byPathID[T any](a *App, w http.ResponseWriter, r *http.Request,
	get func(ctx context.Context, q Querier, id int64) (T, error)) (id int64, v T, ok bool) {
	id, ok = pathID(r)
	if !ok {
		a.notFound(w, r)
		return 0, v, false
	}
	v, err := get(r.Context(), a.db, id)
	if errors.Is(err, ErrNotFound) {
		a.notFound(w, r)
		return 0, v, false
	}
	if err != nil {
		a.fail(w, r, err)
		return 0, v, false
	}
	return id, v, true
}

// field returns a trimmed form value with inner runs of white space kept
// as they are.
func field(r *http.Request, name string) string {
	return strings.TrimSpace(r.PostFormValue(name))
}

// redirectOK sends the browser to path with a notice (a key of "ok.*").
func redirectOK(w http.ResponseWriter, r *http.Request, path, notice string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	http.Redirect(w, r, path+sep+"ok="+url.QueryEscape(notice), http.StatusSeeOther)
}

var (
	unitCodeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9.\-]{0,29}$`)
	usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._\-]{2,31}$`)
	nipRE      = regexp.MustCompile(`^[0-9]{18}$`)
	profileRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$`)
)

type adminIndexData struct {
	Units, Positions, Users, Delegations int
	Dashboard                            bool
	// Events are the latest administration changes.
	Events []*AdminEvent
}

// adminIndex is the administration's start page.
func (a *App) adminIndex(w http.ResponseWriter, r *http.Request) {
	d := &adminIndexData{Dashboard: a.routed["GET /admin/dasbor"]}
	ctx := r.Context()
	for _, c := range []struct {
		n *int
		q string
	}{
		{&d.Units, `SELECT COUNT(*) FROM units`},
		{&d.Positions, `SELECT COUNT(*) FROM positions`},
		{&d.Users, `SELECT COUNT(*) FROM users WHERE NOT disabled`},
		{&d.Delegations, `SELECT COUNT(*) FROM delegations WHERE starts <= $1 AND ends > $1`},
	} {
		var err error
		if strings.Contains(c.q, "$1") {
			err = a.db.QueryRowContext(ctx, c.q, FormatTime(a.now())).Scan(c.n)
		} else {
			err = a.db.QueryRowContext(ctx, c.q).Scan(c.n)
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
	}
	var err error
	if d.Events, err = recentAdminEvents(ctx, a.db, 20); err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, "admin", d)
}

// adminTx runs fn in a transaction and records the change in the trail
// (events with letter_id NULL) in the same transaction.
func (a *App) adminTx(ctx context.Context, u *User, action string, fn func(tx *sql.Tx) (detail string, err error)) error {
	return a.db.Tx(ctx, func(tx *sql.Tx) error {
		detail, err := fn(tx)
		if err != nil {
			return err
		}
		return logEvent(ctx, tx, a.now(), 0, u.ID, "", action, detail)
	})
}

// AdminEvent is one administration change in the trail.
type AdminEvent struct {
	At     string
	User   string
	Action string
	Detail string
}

// recentAdminEvents returns the last n administration changes.
func recentAdminEvents(ctx context.Context, q Querier, n int) ([]*AdminEvent, error) {
	r, err := q.QueryContext(ctx, `SELECT e.at, COALESCE(u.name, ''), e.action, e.detail FROM events e
		LEFT JOIN users u ON u.id = e.user_id WHERE e.letter_id IS NULL AND e.action LIKE 'admin.%'
		ORDER BY e.id DESC LIMIT $1`, n)
	if err != nil {
		return nil, fmt.Errorf("register: reading the trail: %w", err)
	}
	defer r.Close()
	var out []*AdminEvent
	for r.Next() {
		e := &AdminEvent{}
		var at string
		if err := r.Scan(&at, &e.User, &e.Action, &e.Detail); err != nil {
			return nil, err
		}
		if t, err := ParseTime(at); err == nil {
			e.At = t.In(wib).Format("02-01-2006 15:04")
		}
		out = append(out, e)
	}
	return out, r.Err()
}
