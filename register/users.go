package register

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"net/http"
)

// listUsers returns every user with their position (from ps, the list of
// listPositions, which its callers show too), by name.
func listUsers(ctx context.Context, q Querier, ps []*PositionRow) ([]*User, error) {
	r, err := q.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY disabled, name`)
	if err != nil {
		return nil, fmt.Errorf("register: listing users: %w", err)
	}
	var out []*User
	for r.Next() {
		u, _, err := scanUser(r)
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("register: listing users: %w", err)
		}
		out = append(out, u)
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("register: listing users: %w", err)
	}
	byID := map[int64]*Position{}
	for _, p := range ps {
		byID[p.ID] = p.Position
	}
	for _, u := range out {
		u.Position = byID[u.PositionID]
	}
	return out, nil
}

// passwordAlphabet leaves out look-alike characters (0/O, 1/l/I).
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewPassword returns a random password of 14 characters (about 81 bits),
// grouped for reading aloud: "abcd-efgh-ijkl-mn" style without dashes.
func NewPassword() string {
	b := make([]byte, 14)
	n := big.NewInt(int64(len(passwordAlphabet)))
	for i := range b {
		k, err := rand.Int(rand.Reader, n)
		if err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		b[i] = passwordAlphabet[k.Int64()]
	}
	return string(b)
}

type adminUsersData struct {
	Users     []*User
	Positions []*PositionRow
	Form      *User
	Edit      bool
	Errors    []string
	Notice    string
}

type passwordData struct {
	User     *User
	Password string
}

// adminUsers lists the users with the form to add one.
func (a *App) adminUsers(w http.ResponseWriter, r *http.Request) {
	a.showUsers(w, r, http.StatusOK, &User{}, false, nil)
}

func (a *App) showUsers(w http.ResponseWriter, r *http.Request, status int, form *User, edit bool, errs []string) {
	ctx := r.Context()
	ps, err := listPositions(ctx, a.db)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	users, err := listUsers(ctx, a.db, ps)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.renderStatus(w, r, status, "admin_users", &adminUsersData{Users: users, Positions: ps, Form: form, Edit: edit,
		Errors: errs, Notice: notice(a.lang(r), r)})
}

// userFromForm reads and checks the user form; id is the user edited (0
// when adding; the username cannot change).
func (a *App) userFromForm(ctx context.Context, r *http.Request, id int64) (*User, *formErrors, error) {
	e := &formErrors{lang: a.lang(r)}
	u := &User{ID: id, Username: field(r, "username"), Name: field(r, "name"), NIP: field(r, "nip"),
		PositionID: formID(r, "position"), Profile: field(r, "profile"), Lang: field(r, "lang"),
		IsAdmin: r.PostFormValue("is_admin") == "1", Disabled: r.PostFormValue("disabled") == "1"}
	if id == 0 && !usernameRE.MatchString(u.Username) {
		e.add("v.user.username")
	}
	if u.Name == "" || len(u.Name) > 200 {
		e.add("v.user.name")
	}
	if u.NIP != "" && !nipRE.MatchString(u.NIP) {
		e.add("v.user.nip")
	}
	if u.Profile != "" && !profileRE.MatchString(u.Profile) {
		e.add("v.user.profile")
	}
	if u.Lang != "" && !validLang(u.Lang) {
		e.add("v.user.lang")
	}
	if u.PositionID < 0 {
		e.add("v.user.position")
		u.PositionID = 0
	} else if u.PositionID > 0 {
		p, err := getPosition(ctx, a.db, u.PositionID)
		if errors.Is(err, ErrNotFound) {
			e.add("v.user.position")
		} else if err != nil {
			return nil, nil, err
		}
		u.Position = p
	}
	return u, e, nil
}

// adminUserAdd adds a user with a random password, shown once.
func (a *App) adminUserAdd(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, e, err := a.userFromForm(ctx, r, 0)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	pw := NewPassword()
	if e.ok() {
		hash, err := HashPassword(pw)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		err = a.adminTx(ctx, currentUser(r), "admin.user.add", func(tx *sql.Tx) (string, error) {
			return fmt.Sprintf("%s: %s, position %d, admin %v", u.Username, u.Name, u.PositionID, u.IsAdmin),
				insertUser(ctx, tx, u, hash, a.now())
		})
		if IsUnique(err) {
			e.add("v.user.taken", u.Username)
		} else if err != nil {
			a.fail(w, r, err)
			return
		}
	}
	if !e.ok() {
		a.showUsers(w, r, http.StatusUnprocessableEntity, u, false, e.list)
		return
	}
	a.render(w, r, "admin_password", &passwordData{User: u, Password: pw})
}

// loadUserNow is loadUser at the register's now, for byPathID.
func (a *App) loadUserNow(ctx context.Context, q Querier, id int64) (*User, error) {
	return loadUser(ctx, q, id, a.now())
}

// adminUserEdit shows the form of one user.
func (a *App) adminUserEdit(w http.ResponseWriter, r *http.Request) {
	_, u, ok := byPathID(a, w, r, a.loadUserNow)
	if !ok {
		return
	}
	a.showUsers(w, r, http.StatusOK, u, true, nil)
}

// adminUserSave saves the form of one user. Disabling a user ends their
// sessions; an admin cannot disable themself or drop their own admin
// right (so that the register always keeps one admin).
func (a *App) adminUserSave(w http.ResponseWriter, r *http.Request) {
	id, old, ok := byPathID(a, w, r, a.loadUserNow)
	if !ok {
		return
	}
	ctx := r.Context()
	u, e, err := a.userFromForm(ctx, r, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	u.Username = old.Username
	me := currentUser(r)
	if id == me.ID && (u.Disabled || !u.IsAdmin) {
		e.add("v.user.self")
	}
	if !e.ok() {
		a.showUsers(w, r, http.StatusUnprocessableEntity, u, true, e.list)
		return
	}
	err = a.adminTx(ctx, me, "admin.user.edit", func(tx *sql.Tx) (string, error) {
		_, err := tx.ExecContext(ctx, `UPDATE users SET name = $1, nip = $2, position_id = $3, is_admin = $4,
			profile = $5, lang = $6, disabled = $7 WHERE id = $8`,
			u.Name, u.NIP, nullID(u.PositionID), u.IsAdmin, u.Profile, u.Lang, u.Disabled, id)
		if err != nil {
			return "", err
		}
		if u.Disabled {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
				return "", err
			}
		}
		return fmt.Sprintf("%s: %s, position %d, admin %v, profile %q, disabled %v",
			u.Username, u.Name, u.PositionID, u.IsAdmin, u.Profile, u.Disabled), nil
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	redirectOK(w, r, "/admin/pengguna", "saved")
}

// adminUserPassword gives a user a new random password, shown once; their
// sessions end.
func (a *App) adminUserPassword(w http.ResponseWriter, r *http.Request) {
	id, u, ok := byPathID(a, w, r, a.loadUserNow)
	if !ok {
		return
	}
	ctx := r.Context()
	pw := NewPassword()
	hash, err := HashPassword(pw)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	err = a.adminTx(ctx, currentUser(r), "admin.user.password", func(tx *sql.Tx) (string, error) {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, id); err != nil {
			return "", err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		return u.Username, err
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, "admin_password", &passwordData{User: u, Password: pw})
}
