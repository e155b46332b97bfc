package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
)

type adminUnitsData struct {
	Units  []*TreeUnit
	Kinds  []string
	Form   *Unit // the form being filled in (add or edit)
	Edit   bool
	Errors []string
	Notice string
}

// adminUnits lists the unit tree with the form to add a unit.
func (a *App) adminUnits(w http.ResponseWriter, r *http.Request) {
	a.showUnits(w, r, http.StatusOK, &Unit{Kind: "opd"}, false, nil)
}

func (a *App) showUnits(w http.ResponseWriter, r *http.Request, status int, form *Unit, edit bool, errs []string) {
	units, err := listUnits(r.Context(), a.db)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.renderStatus(w, r, status, "admin_units", &adminUnitsData{Units: units, Kinds: unitKinds, Form: form, Edit: edit,
		Errors: errs, Notice: notice(a.lang(r), r)})
}

// unitFromForm reads and checks the unit form; id is the unit edited (0
// when adding).
func (a *App) unitFromForm(ctx context.Context, r *http.Request, id int64) (*Unit, *formErrors, error) {
	e := &formErrors{lang: a.lang(r)}
	u := &Unit{ID: id, Code: field(r, "code"), Name: field(r, "name"), Kind: field(r, "kind"), ParentID: formID(r, "parent")}
	if !unitCodeRE.MatchString(u.Code) {
		e.add("v.unit.code")
	}
	if u.Name == "" || len(u.Name) > 200 {
		e.add("v.unit.name")
	}
	if !oneOf(u.Kind, unitKinds) {
		e.add("v.unit.kind")
	}
	switch {
	case u.ParentID < 0:
		e.add("v.unit.parent")
		u.ParentID = 0
	case u.ParentID == 0 && u.Kind != "kabupaten":
		e.add("v.unit.noparent")
	case u.ParentID > 0:
		if _, err := getUnit(ctx, a.db, u.ParentID); errors.Is(err, ErrNotFound) {
			e.add("v.unit.parent")
		} else if err != nil {
			return nil, nil, err
		} else if id != 0 {
			cyc, err := unitAncestorOrSelf(ctx, a.db, id, u.ParentID)
			if err != nil {
				return nil, nil, err
			}
			if cyc {
				e.add("v.unit.cycle")
			}
		}
	}
	return u, e, nil
}

// adminUnitAdd adds a unit.
func (a *App) adminUnitAdd(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, e, err := a.unitFromForm(ctx, r, 0)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if e.ok() {
		err = a.adminTx(ctx, currentUser(r), "admin.unit.add", func(tx *sql.Tx) (string, error) {
			return fmt.Sprintf("%s: %s (%s)", u.Code, u.Name, u.Kind), insertUnit(ctx, tx, u)
		})
		if IsUnique(err) {
			e.add("v.unit.codetaken", u.Code)
		} else if err != nil {
			a.fail(w, r, err)
			return
		}
	}
	if !e.ok() {
		a.showUnits(w, r, http.StatusUnprocessableEntity, u, false, e.list)
		return
	}
	redirectOK(w, r, "/admin/unit", "saved")
}

// adminUnitEdit shows the form of one unit.
func (a *App) adminUnitEdit(w http.ResponseWriter, r *http.Request) {
	_, u, ok := byPathID(a, w, r, getUnit)
	if !ok {
		return
	}
	a.showUnits(w, r, http.StatusOK, u, true, nil)
}

// adminUnitSave saves the form of one unit.
func (a *App) adminUnitSave(w http.ResponseWriter, r *http.Request) {
	id, old, ok := byPathID(a, w, r, getUnit)
	if !ok {
		return
	}
	ctx := r.Context()
	u, e, err := a.unitFromForm(ctx, r, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if e.ok() {
		err = a.adminTx(ctx, currentUser(r), "admin.unit.edit", func(tx *sql.Tx) (string, error) {
			_, err := tx.ExecContext(ctx, `UPDATE units SET parent_id = $1, code = $2, name = $3, kind = $4 WHERE id = $5`,
				nullID(u.ParentID), u.Code, u.Name, u.Kind, id)
			return fmt.Sprintf("%s → %s: %s (%s)", old.Code, u.Code, u.Name, u.Kind), err
		})
		if IsUnique(err) {
			e.add("v.unit.codetaken", u.Code)
		} else if err != nil {
			a.fail(w, r, err)
			return
		}
	}
	if !e.ok() {
		a.showUnits(w, r, http.StatusUnprocessableEntity, u, true, e.list)
		return
	}
	redirectOK(w, r, "/admin/unit", "saved")
}

type adminPositionsData struct {
	Positions []*PositionRow
	Units     []*TreeUnit
	Users     []*User
	Kinds     []string
	Form      *Position
	HolderID  int64
	Edit      bool
	Errors    []string
	Notice    string
}

// adminPositions lists the positions with the form to add one.
func (a *App) adminPositions(w http.ResponseWriter, r *http.Request) {
	a.showPositions(w, r, http.StatusOK, &Position{Kind: PosStaf}, 0, false, nil)
}

func (a *App) showPositions(w http.ResponseWriter, r *http.Request, status int, form *Position, holder int64, edit bool, errs []string) {
	ctx := r.Context()
	ps, err := listPositions(ctx, a.db)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	units, err := listUnits(ctx, a.db)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	users, err := listUsers(ctx, a.db, ps)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.renderStatus(w, r, status, "admin_positions", &adminPositionsData{Positions: ps, Units: units, Users: users,
		Kinds: positionKinds, Form: form, HolderID: holder, Edit: edit, Errors: errs, Notice: notice(a.lang(r), r)})
}

// positionFromForm reads and checks the position form; id is the
// position edited (0 when adding). holder is the user to hold it (0: no
// change).
func (a *App) positionFromForm(ctx context.Context, r *http.Request, id int64) (p *Position, holder int64, e *formErrors, err error) {
	e = &formErrors{lang: a.lang(r)}
	p = &Position{ID: id, UnitID: formID(r, "unit"), ParentID: formID(r, "parent"), Title: field(r, "title"), Kind: field(r, "kind")}
	holder = formID(r, "holder")
	if p.Title == "" || len(p.Title) > 200 {
		e.add("v.pos.title")
	}
	if !oneOf(p.Kind, positionKinds) {
		e.add("v.pos.kind")
	}
	if p.UnitID <= 0 {
		e.add("v.pos.unit")
		p.UnitID = 0
	} else if _, err := getUnit(ctx, a.db, p.UnitID); errors.Is(err, ErrNotFound) {
		e.add("v.pos.unit")
	} else if err != nil {
		return nil, 0, nil, err
	}
	if p.ParentID < 0 {
		e.add("v.pos.parent")
		p.ParentID = 0
	} else if p.ParentID > 0 {
		if _, err := getPosition(ctx, a.db, p.ParentID); errors.Is(err, ErrNotFound) {
			e.add("v.pos.parent")
		} else if err != nil {
			return nil, 0, nil, err
		} else if id != 0 {
			cyc, err := positionAncestorOrSelf(ctx, a.db, id, p.ParentID)
			if err != nil {
				return nil, 0, nil, err
			}
			if cyc {
				e.add("v.pos.cycle")
			}
		}
	}
	if holder < 0 {
		e.add("v.pos.holder")
		holder = 0
	} else if holder > 0 {
		var n int
		if err := a.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = $1`, holder).Scan(&n); err != nil {
			return nil, 0, nil, err
		}
		if n == 0 {
			e.add("v.pos.holder")
		}
	}
	return p, holder, e, nil
}

// setHolder makes user hold the position (their previous one is left).
func setHolder(ctx context.Context, tx *sql.Tx, positionID, user int64) error {
	if user == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE users SET position_id = $1 WHERE id = $2`, positionID, user)
	return err
}

// adminPositionAdd adds a position.
func (a *App) adminPositionAdd(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, holder, e, err := a.positionFromForm(ctx, r, 0)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !e.ok() {
		a.showPositions(w, r, http.StatusUnprocessableEntity, p, holder, false, e.list)
		return
	}
	err = a.adminTx(ctx, currentUser(r), "admin.position.add", func(tx *sql.Tx) (string, error) {
		if err := insertPosition(ctx, tx, p); err != nil {
			return "", err
		}
		return fmt.Sprintf("%d: %s (%s), holder %d", p.ID, p.Title, p.Kind, holder), setHolder(ctx, tx, p.ID, holder)
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	redirectOK(w, r, "/admin/jabatan", "saved")
}

// adminPositionEdit shows the form of one position.
func (a *App) adminPositionEdit(w http.ResponseWriter, r *http.Request) {
	_, p, ok := byPathID(a, w, r, getPosition)
	if !ok {
		return
	}
	a.showPositions(w, r, http.StatusOK, p, 0, true, nil)
}

// adminPositionSave saves the form of one position.
func (a *App) adminPositionSave(w http.ResponseWriter, r *http.Request) {
	id, _, ok := byPathID(a, w, r, getPosition)
	if !ok {
		return
	}
	ctx := r.Context()
	p, holder, e, err := a.positionFromForm(ctx, r, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !e.ok() {
		a.showPositions(w, r, http.StatusUnprocessableEntity, p, holder, true, e.list)
		return
	}
	err = a.adminTx(ctx, currentUser(r), "admin.position.edit", func(tx *sql.Tx) (string, error) {
		_, err := tx.ExecContext(ctx, `UPDATE positions SET unit_id = $1, parent_id = $2, title = $3, kind = $4 WHERE id = $5`,
			p.UnitID, nullID(p.ParentID), p.Title, p.Kind, id)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d: %s (%s), holder %d", id, p.Title, p.Kind, holder), setHolder(ctx, tx, id, holder)
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	redirectOK(w, r, "/admin/jabatan", "saved")
}

// notice returns the translated notice named by ?ok= ("" for none or an
// unknown one: the parameter never puts arbitrary text on the page).
func notice(lang string, r *http.Request) string {
	k := r.URL.Query().Get("ok")
	if k == "" {
		return ""
	}
	if s := T(lang, "ok."+k); s != "ok."+k {
		return s
	}
	return ""
}
