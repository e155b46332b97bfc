package register

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// viewer is what the access rules need of a user: who they are, the
// positions they hold or act for now, and the units under those
// positions' units (their own included).
type viewer struct {
	userID    int64
	positions []int64
	units     []int64
}

// unitsBelow returns the ids of the units ids and every unit below them.
func unitsBelow(ctx context.Context, q Querier, ids []int64) ([]int64, error) {
	var out []int64
	seen := map[int64]bool{}
	for _, id := range ids {
		sub, err := unitSubtree(ctx, q, id)
		if err != nil {
			return nil, fmt.Errorf("register: units below %d: %w", id, err)
		}
		for _, u := range sub {
			if !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	return out, nil
}

// viewerOf gathers what the access rules need of u.
func viewerOf(ctx context.Context, q Querier, u *User) (*viewer, error) {
	v := &viewer{userID: u.ID, positions: u.PositionIDs()}
	var own []int64
	if u.Position != nil {
		own = append(own, u.Position.UnitID)
	}
	for _, d := range u.Delegations {
		if d.Position != nil {
			own = append(own, d.Position.UnitID)
		}
	}
	var err error
	if v.units, err = unitsBelow(ctx, q, own); err != nil {
		return nil, err
	}
	// A clerk keeps the agenda of their registry unit (their OPD, when
	// they sit in its Sekretariat): they see its letters too.
	if clerk, _ := clerkPosition(u); clerk != nil {
		reg, err := registryUnit(ctx, q, clerk.UnitID)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(v.units, reg.ID) {
			v.units = append(v.units, reg.ID)
		}
	}
	return v, nil
}

// placeholders returns "$from, $from+1, …" for n arguments.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
	}
	return b.String()
}

// visibleClause returns an SQL condition on the letter aliased l, and its
// arguments numbered from $next on, that holds for the letters v may see
// (docs/register.md, "Access"):
//
//   - those they are directly involved in: they registered or drafted it,
//     disposed it, it was disposed to or by a position they hold, they
//     are in its paraf chain or its signer;
//   - unless the letter is rahasia: those of a unit under theirs (their
//     own included), and those addressed to such a unit (an outgoing
//     letter only once it is signed: before, its draft is the drafting
//     unit's); a clerk also those of the unit whose agenda they keep
//     (registryUnit).
//
// The administrator's flag grants nothing here: admin is for people and
// units, not for reading letters.
func (v *viewer) visibleClause(next int) (string, []any) {
	args := []any{v.userID}
	var b strings.Builder
	// Who acted on a letter (disposed it, also under a delegation since
	// ended) stays involved in it.
	fmt.Fprintf(&b, `(l.created_by = $%[1]d
		OR EXISTS (SELECT 1 FROM dispositions vu WHERE vu.letter_id = l.id AND vu.from_user_id = $%[1]d)`, next)
	next++
	if len(v.positions) > 0 {
		pos := placeholders(next, len(v.positions))
		for _, p := range v.positions {
			args = append(args, p)
		}
		next += len(v.positions)
		fmt.Fprintf(&b, ` OR EXISTS (SELECT 1 FROM dispositions vd WHERE vd.letter_id = l.id
			AND (vd.to_position_id IN (%[1]s) OR vd.from_position_id IN (%[1]s)))
			OR EXISTS (SELECT 1 FROM paraf vp WHERE vp.letter_id = l.id AND vp.position_id IN (%[1]s))
			OR l.signer_position_id IN (%[1]s)`, pos)
	}
	if len(v.units) > 0 {
		units := placeholders(next, len(v.units))
		for _, u := range v.units {
			args = append(args, u)
		}
		// An outgoing letter reaches its recipient units once it is
		// signed: its draft is the drafting unit's until then.
		fmt.Fprintf(&b, ` OR (l.sifat <> 'rahasia' AND (l.unit_id IN (%[1]s)
			OR ((l.direction = 'in' OR l.status = '%[2]s')
				AND EXISTS (SELECT 1 FROM recipients vr WHERE vr.letter_id = l.id AND vr.unit_id IN (%[1]s)))))`, units, statusSigned)
	}
	b.WriteString(")")
	return b.String(), args
}

// mayView reports whether u may see the letter id (false, nil when the
// letter does not exist either: the caller answers 404 for both, so that
// ids cannot be probed).
func (a *App) mayView(ctx context.Context, u *User, letterID int64) (bool, error) {
	if u == nil {
		return false, nil
	}
	v, err := viewerOf(ctx, a.db, u)
	if err != nil {
		return false, err
	}
	cond, args := v.visibleClause(2)
	var n int
	err = a.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM letters l WHERE l.id = $1 AND `+cond,
		append([]any{letterID}, args...)...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("register: access to letter %d: %w", letterID, err)
	}
	return n > 0, nil
}
