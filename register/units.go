package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// The kinds of unit (units.kind).
var unitKinds = []string{"kabupaten", "opd", "bidang", "seksi", "kecamatan"}

// positionKinds are the kinds of position (positions.kind), in rank order.
var positionKinds = []string{PosBupati, PosWakilBupati, PosSekda, PosEselon2, PosEselon3, PosEselon4, PosCamat, PosClerk, PosStaf}

func oneOf(v string, list []string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// listUnits returns every unit in tree order (each parent before its
// children, siblings by code), with Depth set.
func listUnits(ctx context.Context, q Querier) ([]*TreeUnit, error) {
	r, err := q.QueryContext(ctx, `SELECT `+unitColumns+` FROM units ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("register: listing units: %w", err)
	}
	defer r.Close()
	var all []*Unit
	for r.Next() {
		u, err := scanUnit(r)
		if err != nil {
			return nil, fmt.Errorf("register: listing units: %w", err)
		}
		all = append(all, u)
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("register: listing units: %w", err)
	}
	return unitTree(all), nil
}

// TreeUnit is a unit in the tree order of listUnits.
type TreeUnit struct {
	*Unit
	Depth  int
	Parent *Unit
}

// Indent is the unit's name indented by its depth, for a select box.
func (t *TreeUnit) Indent() string { return strings.Repeat("— ", t.Depth) + t.Name }

func unitTree(all []*Unit) []*TreeUnit {
	byID := map[int64]*Unit{}
	children := map[int64][]*Unit{}
	for _, u := range all {
		byID[u.ID] = u
	}
	var roots []*Unit
	for _, u := range all {
		if u.ParentID == 0 || byID[u.ParentID] == nil {
			roots = append(roots, u)
		} else {
			children[u.ParentID] = append(children[u.ParentID], u)
		}
	}
	var out []*TreeUnit
	seen := map[int64]bool{}
	var walk func(u *Unit, depth int)
	walk = func(u *Unit, depth int) {
		if seen[u.ID] {
			return // a cycle: the database should never hold one
		}
		seen[u.ID] = true
		out = append(out, &TreeUnit{Unit: u, Depth: depth, Parent: byID[u.ParentID]})
		kids := children[u.ID]
		sort.SliceStable(kids, func(i, j int) bool { return kids[i].Code < kids[j].Code })
		for _, k := range kids {
			walk(k, depth+1)
		}
	}
	for _, u := range roots {
		walk(u, 0)
	}
	return out
}

// unitSubtree returns the ids of unit id and every unit below it: what a
// head of that unit oversees.
func unitSubtree(ctx context.Context, q Querier, id int64) ([]int64, error) {
	r, err := q.QueryContext(ctx, `SELECT id, COALESCE(parent_id, 0) FROM units`)
	if err != nil {
		return nil, fmt.Errorf("register: reading the unit tree: %w", err)
	}
	defer r.Close()
	children := map[int64][]int64{}
	for r.Next() {
		var c, p int64
		if err := r.Scan(&c, &p); err != nil {
			return nil, err
		}
		children[p] = append(children[p], c)
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	out := []int64{id}
	seen := map[int64]bool{id: true}
	for i := 0; i < len(out); i++ {
		for _, c := range children[out[i]] {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// unitAncestorOrSelf reports whether anc is id or one of its ancestors.
func unitAncestorOrSelf(ctx context.Context, q Querier, anc, id int64) (bool, error) {
	return ancestorOrSelf(ctx, q, "units", anc, id)
}

// positionAncestorOrSelf reports whether anc is id or one of its
// superiors.
func positionAncestorOrSelf(ctx context.Context, q Querier, anc, id int64) (bool, error) {
	return ancestorOrSelf(ctx, q, "positions", anc, id)
}

// ancestorOrSelf reports whether anc is id or one of its ancestors in
// table (units or positions: a tree by parent_id).
func ancestorOrSelf(ctx context.Context, q Querier, table string, anc, id int64) (bool, error) {
	for steps := 0; id != 0 && steps < 1000; steps++ {
		if id == anc {
			return true, nil
		}
		var p int64
		err := q.QueryRowContext(ctx, `SELECT COALESCE(parent_id, 0) FROM `+table+` WHERE id = $1`, id).Scan(&p)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		id = p
	}
	return false, nil
}

// PositionRow is a position in the admin's list, with its holders.
type PositionRow struct {
	*Position
	Parent  string // the superior's title, "" for none
	Holders []string
}

// Label is the position's title and unit code, for select boxes.
func (p *Position) Label() string {
	if p.Unit == nil {
		return p.Title
	}
	return p.Title + " (" + p.Unit.Code + ")"
}

// listPositions returns every position with its unit, ordered by unit
// code and rank.
func listPositions(ctx context.Context, q Querier) ([]*PositionRow, error) {
	r, err := q.QueryContext(ctx, `SELECT `+positionColumns+` FROM positions p JOIN units u ON u.id = p.unit_id ORDER BY u.code, p.id`)
	if err != nil {
		return nil, fmt.Errorf("register: listing positions: %w", err)
	}
	var out []*PositionRow
	byID := map[int64]*PositionRow{}
	for r.Next() {
		p, err := scanPosition(r)
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("register: listing positions: %w", err)
		}
		row := &PositionRow{Position: p}
		out = append(out, row)
		byID[p.ID] = row
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("register: listing positions: %w", err)
	}
	for _, p := range out {
		if s := byID[p.ParentID]; s != nil {
			p.Parent = s.Label()
		}
	}
	hr, err := q.QueryContext(ctx, `SELECT position_id, name FROM users WHERE position_id IS NOT NULL AND NOT disabled ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("register: listing holders: %w", err)
	}
	defer hr.Close()
	for hr.Next() {
		var pid int64
		var name string
		if err := hr.Scan(&pid, &name); err != nil {
			return nil, err
		}
		if p := byID[pid]; p != nil {
			p.Holders = append(p.Holders, name)
		}
	}
	rank := map[string]int{}
	for i, k := range positionKinds {
		rank[k] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Unit.Code != out[j].Unit.Code {
			return out[i].Unit.Code < out[j].Unit.Code
		}
		return rank[out[i].Kind] < rank[out[j].Kind]
	})
	return out, hr.Err()
}
