package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Unit is an organisational unit: the kabupaten, an OPD, a bidang, a
// seksi or a kecamatan. Code is the kode_unit used in letter numbers.
type Unit struct {
	ID       int64
	ParentID int64 // 0: the root
	Code     string
	Name     string
	Kind     string
}

// Position is a jabatan in a unit. ParentID is the superior position: the
// disposition tree goes down it, the paraf chain up it.
type Position struct {
	ID       int64
	UnitID   int64
	ParentID int64 // 0: no superior
	Title    string
	Kind     string
	// Unit is the position's unit, when loaded.
	Unit *Unit
}

// The kinds of position (positions.kind).
const (
	PosBupati      = "bupati"
	PosWakilBupati = "wakil_bupati"
	PosSekda       = "sekda"
	PosEselon2     = "eselon2"
	PosEselon3     = "eselon3"
	PosEselon4     = "eselon4"
	PosStaf        = "staf"
	PosCamat       = "camat"
	PosClerk       = "clerk"
)

// Disposes reports whether holders of the position may dispose letters
// down the tree (every kind but staf and clerk).
func (p *Position) Disposes() bool {
	return p != nil && p.Kind != PosStaf && p.Kind != PosClerk
}

// Delegation lets a user act for a position (Plt or Plh) in [Starts, Ends).
type Delegation struct {
	ID         int64
	PositionID int64
	UserID     int64
	Kind       string // "plt" or "plh"
	Starts     time.Time
	Ends       time.Time
	// Position is the delegated position with its unit, when loaded.
	Position *Position
}

// Until is the last moment of the delegation (Ends is exclusive), for
// showing its last day.
func (d *Delegation) Until() time.Time { return d.Ends.Add(-time.Nanosecond) }

// Label is how an action done under the delegation is marked, such as
// "Plh. Kepala Dinas Penanaman Modal dan PTSP".
func (d *Delegation) Label() string {
	prefix := "Plt."
	if d.Kind == "plh" {
		prefix = "Plh."
	}
	if d.Position == nil {
		return prefix
	}
	return prefix + " " + d.Position.Title
}

// User is a person who logs in to the register, with their position and
// the delegations active now.
type User struct {
	ID         int64
	Username   string
	Name       string
	NIP        string
	PositionID int64 // 0: none
	IsAdmin    bool
	// Profile is the user's personal profile in Segel; empty for those who
	// never sign.
	Profile  string
	Lang     string
	Disabled bool
	Created  time.Time
	// Position is the user's own position with its unit (nil: none).
	Position *Position
	// Delegations are the delegations active now, with their positions.
	Delegations []*Delegation
}

// Signs reports whether the user can sign letters (has a Segel profile).
func (u *User) Signs() bool { return u != nil && u.Profile != "" }

// Registers reports whether the user registers incoming letters: the
// clerk (TU/agenda) of a unit.
func (u *User) Registers() bool {
	return u != nil && u.Position != nil && u.Position.Kind == PosClerk
}

// PositionIDs returns the user's own position and those they act for now.
func (u *User) PositionIDs() []int64 {
	var ids []int64
	if u.PositionID != 0 {
		ids = append(ids, u.PositionID)
	}
	for _, d := range u.Delegations {
		ids = append(ids, d.PositionID)
	}
	return ids
}

// ActingAs returns the label to record when the user acts for the
// position positionID: "" when it is their own position, the delegation's
// label ("Plh. …") when they act under a delegation, and ok false when
// they may not act for it at all.
func (u *User) ActingAs(positionID int64) (label string, ok bool) {
	if u == nil {
		return "", false
	}
	if positionID != 0 && positionID == u.PositionID {
		return "", true
	}
	for _, d := range u.Delegations {
		if d.PositionID == positionID {
			return d.Label(), true
		}
	}
	return "", false
}

// ErrNotFound is returned when a row asked for does not exist.
var ErrNotFound = errors.New("register: not found")

const unitColumns = `id, COALESCE(parent_id, 0), code, name, kind`

func scanUnit(r interface{ Scan(...any) error }) (*Unit, error) {
	u := &Unit{}
	if err := r.Scan(&u.ID, &u.ParentID, &u.Code, &u.Name, &u.Kind); err != nil {
		return nil, err
	}
	return u, nil
}

// getUnit reads one unit.
func getUnit(ctx context.Context, q Querier, id int64) (*Unit, error) {
	u, err := scanUnit(q.QueryRowContext(ctx, `SELECT `+unitColumns+` FROM units WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("unit %d: %w", id, ErrNotFound)
	}
	return u, err
}

const positionColumns = `p.id, p.unit_id, COALESCE(p.parent_id, 0), p.title, p.kind,
	u.id, COALESCE(u.parent_id, 0), u.code, u.name, u.kind`

func scanPosition(r interface{ Scan(...any) error }) (*Position, error) {
	p := &Position{Unit: &Unit{}}
	err := r.Scan(&p.ID, &p.UnitID, &p.ParentID, &p.Title, &p.Kind,
		&p.Unit.ID, &p.Unit.ParentID, &p.Unit.Code, &p.Unit.Name, &p.Unit.Kind)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// getPosition reads one position with its unit.
func getPosition(ctx context.Context, q Querier, id int64) (*Position, error) {
	p, err := scanPosition(q.QueryRowContext(ctx, `SELECT `+positionColumns+`
		FROM positions p JOIN units u ON u.id = p.unit_id WHERE p.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("position %d: %w", id, ErrNotFound)
	}
	return p, err
}

const userColumns = `id, username, name, nip, password_hash, COALESCE(position_id, 0), is_admin,
	profile, lang, disabled, created_at`

// scanUser reads a user row and its password hash.
func scanUser(r interface{ Scan(...any) error }) (*User, string, error) {
	u := &User{}
	var hash, created string
	err := r.Scan(&u.ID, &u.Username, &u.Name, &u.NIP, &hash, &u.PositionID, &u.IsAdmin,
		&u.Profile, &u.Lang, &u.Disabled, &created)
	if err != nil {
		return nil, "", err
	}
	u.Created, _ = ParseTime(created)
	return u, hash, nil
}

// loadUser reads user id with their position and the delegations active
// at now.
func loadUser(ctx context.Context, q Querier, id int64, now time.Time) (*User, error) {
	u, _, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if err := completeUser(ctx, q, u, now); err != nil {
		return nil, err
	}
	return u, nil
}

// completeUser loads u's position and active delegations.
func completeUser(ctx context.Context, q Querier, u *User, now time.Time) error {
	if u.PositionID != 0 {
		p, err := getPosition(ctx, q, u.PositionID)
		if err != nil {
			return err
		}
		u.Position = p
	}
	ds, err := activeDelegations(ctx, q, u.ID, now)
	if err != nil {
		return err
	}
	u.Delegations = ds
	return nil
}

// activeDelegations returns the delegations of user active at now.
func activeDelegations(ctx context.Context, q Querier, userID int64, now time.Time) ([]*Delegation, error) {
	t := FormatTime(now)
	r, err := q.QueryContext(ctx, `SELECT id, position_id, user_id, kind, starts, ends FROM delegations
		WHERE user_id = $1 AND starts <= $2 AND ends > $2 ORDER BY id`, userID, t)
	if err != nil {
		return nil, err
	}
	var ds []*Delegation
	for r.Next() {
		d := &Delegation{}
		var s, e string
		if err := r.Scan(&d.ID, &d.PositionID, &d.UserID, &d.Kind, &s, &e); err != nil {
			r.Close()
			return nil, err
		}
		d.Starts, _ = ParseTime(s)
		d.Ends, _ = ParseTime(e)
		ds = append(ds, d)
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.Position, err = getPosition(ctx, q, d.PositionID); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// logEvent appends one entry to the trail; letterID 0 is an
// administration change (letter_id NULL).
func logEvent(ctx context.Context, q Querier, now time.Time, letterID, userID int64, actingAs, action, detail string) error {
	var lid, uid any
	if letterID != 0 {
		lid = letterID
	}
	if userID != 0 {
		uid = userID
	}
	_, err := q.ExecContext(ctx, `INSERT INTO events (letter_id, at, user_id, acting_as, action, detail)
		VALUES ($1, $2, $3, $4, $5, $6)`, lid, FormatTime(now), uid, actingAs, action, detail)
	if err != nil {
		return fmt.Errorf("register: recording %s: %w", action, err)
	}
	return nil
}

// nullID is id as a query argument: NULL for 0.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
