package register

import (
	"context"
	"fmt"
	"time"
)

// insertUnit adds a unit and sets u.ID.
func insertUnit(ctx context.Context, q Querier, u *Unit) error {
	id, err := InsertID(ctx, q, `INSERT INTO units (parent_id, code, name, kind) VALUES ($1, $2, $3, $4) RETURNING id`,
		nullID(u.ParentID), u.Code, u.Name, u.Kind)
	if err != nil {
		return fmt.Errorf("register: adding unit %s: %w", u.Code, err)
	}
	u.ID = id
	return nil
}

// insertPosition adds a position and sets p.ID.
func insertPosition(ctx context.Context, q Querier, p *Position) error {
	id, err := InsertID(ctx, q, `INSERT INTO positions (unit_id, parent_id, title, kind) VALUES ($1, $2, $3, $4) RETURNING id`,
		p.UnitID, nullID(p.ParentID), p.Title, p.Kind)
	if err != nil {
		return fmt.Errorf("register: adding position %s: %w", p.Title, err)
	}
	p.ID = id
	return nil
}

// insertUser adds a user whose password hash is given and sets u.ID.
func insertUser(ctx context.Context, q Querier, u *User, hash string, now time.Time) error {
	id, err := InsertID(ctx, q, `INSERT INTO users (username, name, nip, password_hash, position_id, is_admin,
		profile, lang, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		u.Username, u.Name, u.NIP, hash, nullID(u.PositionID), u.IsAdmin, u.Profile, u.Lang, u.Disabled, FormatTime(now))
	if err != nil {
		return fmt.Errorf("register: adding user %s: %w", u.Username, err)
	}
	u.ID = id
	return nil
}

// insertDelegation adds a delegation and sets d.ID.
func insertDelegation(ctx context.Context, q Querier, d *Delegation, createdBy int64, now time.Time) error {
	id, err := InsertID(ctx, q, `INSERT INTO delegations (position_id, user_id, kind, starts, ends, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		d.PositionID, d.UserID, d.Kind, FormatTime(d.Starts), FormatTime(d.Ends), nullID(createdBy), FormatTime(now))
	if err != nil {
		return fmt.Errorf("register: adding delegation: %w", err)
	}
	d.ID = id
	return nil
}
