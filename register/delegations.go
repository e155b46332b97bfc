package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// DelegationRow is a delegation in the admin's list.
type DelegationRow struct {
	Delegation
	Position string
	User     string
	Active   bool
	Ended    bool
}

// listDelegations returns the delegations that have not ended before
// since, the newest first.
func listDelegations(ctx context.Context, q Querier, since, now time.Time) ([]*DelegationRow, error) {
	r, err := q.QueryContext(ctx, `SELECT d.id, d.position_id, d.user_id, d.kind, d.starts, d.ends, p.title, u.name
		FROM delegations d JOIN positions p ON p.id = d.position_id JOIN users u ON u.id = d.user_id
		WHERE d.ends > $1 ORDER BY d.starts DESC, d.id DESC`, FormatTime(since))
	if err != nil {
		return nil, fmt.Errorf("register: listing delegations: %w", err)
	}
	defer r.Close()
	var out []*DelegationRow
	for r.Next() {
		d := &DelegationRow{}
		var s, e string
		if err := r.Scan(&d.ID, &d.PositionID, &d.UserID, &d.Kind, &s, &e, &d.Position, &d.User); err != nil {
			return nil, fmt.Errorf("register: listing delegations: %w", err)
		}
		d.Starts, _ = ParseTime(s)
		d.Ends, _ = ParseTime(e)
		d.Active = !now.Before(d.Starts) && now.Before(d.Ends)
		d.Ended = !now.Before(d.Ends)
		out = append(out, d)
	}
	return out, r.Err()
}

type adminDelegationsData struct {
	Delegations []*DelegationRow
	Positions   []*PositionRow
	Users       []*User
	Form        delegationForm
	Errors      []string
	Notice      string
}

type delegationForm struct {
	PositionID, UserID int64
	Kind, Starts, Ends string
}

// adminDelegations lists the delegations of the last 90 days and those
// to come, with the form to add one.
func (a *App) adminDelegations(w http.ResponseWriter, r *http.Request) {
	today := a.now().In(wib).Format(dateFormat)
	a.showDelegations(w, r, http.StatusOK, delegationForm{Kind: "plh", Starts: today, Ends: today}, nil)
}

func (a *App) showDelegations(w http.ResponseWriter, r *http.Request, status int, form delegationForm, errs []string) {
	ctx := r.Context()
	now := a.now()
	ds, err := listDelegations(ctx, a.db, now.AddDate(0, 0, -90), now)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ps, err := listPositions(ctx, a.db)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	us, err := listUsers(ctx, a.db, ps)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.renderStatus(w, r, status, "admin_delegations", &adminDelegationsData{Delegations: ds, Positions: ps, Users: us,
		Form: form, Errors: errs, Notice: notice(a.lang(r), r)})
}

// dateFormat is how dates are typed and stored (letter_date, due, …).
const dateFormat = "2006-01-02"

// parseDay reads a YYYY-MM-DD date as the start of that day in WIB.
func parseDay(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(dateFormat, s, wib)
	return t, err == nil
}

// adminDelegationAdd adds a delegation from the first day to the end of
// the last day (both in WIB).
func (a *App) adminDelegationAdd(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e := &formErrors{lang: a.lang(r)}
	f := delegationForm{PositionID: formID(r, "position"), UserID: formID(r, "user"), Kind: field(r, "kind"),
		Starts: field(r, "starts"), Ends: field(r, "ends")}
	var pos *Position
	if f.PositionID > 0 {
		p, err := getPosition(ctx, a.db, f.PositionID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			a.fail(w, r, err)
			return
		}
		pos = p
	}
	if pos == nil {
		e.add("v.dlg.position")
	}
	var user *User
	if f.UserID > 0 {
		u, err := loadUser(ctx, a.db, f.UserID, a.now())
		if err != nil && !errors.Is(err, ErrNotFound) {
			a.fail(w, r, err)
			return
		}
		user = u
	}
	switch {
	case user == nil || user.Disabled:
		e.add("v.dlg.user")
	case pos != nil && user.PositionID == pos.ID:
		e.add("v.dlg.own")
	}
	if f.Kind != "plt" && f.Kind != "plh" {
		e.add("v.dlg.kind")
	}
	starts, ok1 := parseDay(f.Starts)
	last, ok2 := parseDay(f.Ends)
	ends := last.AddDate(0, 0, 1)
	switch {
	case !ok1 || !ok2:
		e.add("v.dlg.dates")
	case last.Before(starts):
		e.add("v.dlg.order")
	case !ends.After(a.now()):
		e.add("v.dlg.past")
	case ends.Sub(starts) > 366*24*time.Hour:
		e.add("v.dlg.long")
	}
	if e.ok() {
		// One Plt./Plh. at a time per position.
		var n int
		if err := a.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM delegations WHERE position_id = $1 AND starts < $2 AND ends > $3`,
			pos.ID, FormatTime(ends), FormatTime(starts)).Scan(&n); err != nil {
			a.fail(w, r, err)
			return
		}
		if n > 0 {
			e.add("v.dlg.overlap")
		}
	}
	if !e.ok() {
		a.showDelegations(w, r, http.StatusUnprocessableEntity, f, e.list)
		return
	}
	me := currentUser(r)
	d := &Delegation{PositionID: pos.ID, UserID: user.ID, Kind: f.Kind, Starts: starts, Ends: ends, Position: pos}
	err := a.adminTx(ctx, me, "admin.delegation.add", func(tx *sql.Tx) (string, error) {
		return fmt.Sprintf("%s %s: %s, %s – %s", d.Label(), pos.Unit.Code, user.Username, f.Starts, f.Ends),
			insertDelegation(ctx, tx, d, me.ID, a.now())
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	redirectOK(w, r, "/admin/delegasi", "saved")
}

// adminDelegationEnd ends a delegation now (one that has not started yet
// ends before it starts).
func (a *App) adminDelegationEnd(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	ctx := r.Context()
	if !ok {
		a.notFound(w, r)
		return
	}
	now := a.now()
	err := a.adminTx(ctx, currentUser(r), "admin.delegation.end", func(tx *sql.Tx) (string, error) {
		var starts, ends string
		err := tx.QueryRowContext(ctx, `SELECT starts, ends FROM delegations WHERE id = $1`, id).Scan(&starts, &ends)
		if errors.Is(err, sql.ErrNoRows) {
			return "", ErrNotFound
		}
		if err != nil {
			return "", err
		}
		end := FormatTime(now)
		if starts > end {
			end = starts
		}
		if ends > end {
			if _, err := tx.ExecContext(ctx, `UPDATE delegations SET ends = $1 WHERE id = $2`, end, id); err != nil {
				return "", err
			}
		}
		return fmt.Sprintf("%d", id), nil
	})
	if errors.Is(err, ErrNotFound) {
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	redirectOK(w, r, "/admin/delegasi", "ended")
}
