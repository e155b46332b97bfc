package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The paraf chain of an outgoing letter: every position between the
// drafter and the signing official, bottom up, approves (paraf) before the
// signer sees the letter. See docs/decisions.md, "Register: surat
// keluar, paraf, signing and numbering".
//
// A round of the chain is a run of paraf rows with action pending, one
// per position, created when the drafter submits (or resubmits) the
// letter; each level acts in turn (the lowest pending seq). A return ends
// the round: its pending rows are deleted (they never happened; the trail
// keeps the return), the letter is dikembalikan, and the drafter's
// resubmission starts a new round from the first paraf, so every level
// sees the version it approves, even when a higher level changed it.

// Errors of the paraf chain.
var (
	// ErrSignerNotAbove: the chosen signing official is not the drafter's
	// position nor above it in the tree.
	ErrSignerNotAbove = errors.New("register: the signing official is not above the drafter")
	// ErrNotYourTurn: the user may not act on this paraf now.
	ErrNotYourTurn = errors.New("register: not this user's paraf")
	// ErrLetterState: the letter is not in a state that allows the action
	// (say, already signed, or approved by someone else meanwhile).
	ErrLetterState = errors.New("register: the letter has moved on")
)

// keluarMaxDepth bounds walks up the position tree, so that a cycle in
// bad data ends.
const keluarMaxDepth = 64

// queryRower is what the chain walk needs: a *sql.DB or a *sql.Tx.
type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// parafChain returns the positions that paraf a letter drafted at
// position from and signed by position signer: from's superior, its
// superior, … up to just below signer, bottom up. It is empty when
// signer is from itself or from's superior; ErrSignerNotAbove when
// signer is not on the way up.
func parafChain(ctx context.Context, q queryRower, from, signer int64) ([]int64, error) {
	if from == signer {
		return nil, nil
	}
	var chain []int64
	cur := from
	for range keluarMaxDepth {
		var parent sql.NullInt64
		err := q.QueryRowContext(ctx, `SELECT parent_id FROM positions WHERE id = $1`, cur).Scan(&parent)
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil, ErrSignerNotAbove
			}
			return nil, fmt.Errorf("register: paraf chain: %w", err)
		}
		if !parent.Valid {
			return nil, ErrSignerNotAbove
		}
		if parent.Int64 == signer {
			return chain, nil
		}
		chain = append(chain, parent.Int64)
		cur = parent.Int64
	}
	return nil, ErrSignerNotAbove
}

// startParafRound creates the pending paraf rows of a new round (one per
// position of chain, bottom up, numbered on from the letter's last seq)
// for the draft version, and sets the letter's status: paraf, or siap_ttd
// when the chain is empty.
func startParafRound(ctx context.Context, tx *sql.Tx, letterID int64, chain []int64, version int, by int64, actingAs string, now time.Time) error {
	var last int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM paraf WHERE letter_id = $1`, letterID).Scan(&last); err != nil {
		return fmt.Errorf("register: paraf of letter %d: %w", letterID, err)
	}
	for i, pos := range chain {
		if _, err := tx.ExecContext(ctx, `INSERT INTO paraf (letter_id, seq, position_id, action, file_version)
			VALUES ($1, $2, $3, 'pending', $4)`, letterID, last+i+1, pos, version); err != nil {
			return fmt.Errorf("register: paraf of letter %d: %w", letterID, err)
		}
	}
	status := statusParaf
	if len(chain) == 0 {
		status = statusSiapTTD
	}
	if _, err := tx.ExecContext(ctx, `UPDATE letters SET status = $1, updated_at = $2 WHERE id = $3`,
		status, FormatTime(now), letterID); err != nil {
		return fmt.Errorf("register: letter %d: %w", letterID, err)
	}
	return logEvent(ctx, tx, now, letterID, by, actingAs, "keluar.diajukan", fmt.Sprintf("v%d", version))
}

// parafRow is one row of the paraf chain of a letter.
type parafRow struct {
	ID            int64
	Seq           int
	PositionID    int64
	PositionTitle string
	UserName      string
	Action        string
	Note          string
	FileVersion   int
	At            time.Time
	ActingAs      string
}

func parafRows(ctx context.Context, q Querier, letterID int64) ([]*parafRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.seq, p.position_id, pos.title, COALESCE(u.name, ''), p.action, p.note,
		p.file_version, p.at, p.acting_as
		FROM paraf p JOIN positions pos ON pos.id = p.position_id LEFT JOIN users u ON u.id = p.user_id
		WHERE p.letter_id = $1 ORDER BY p.seq`, letterID)
	if err != nil {
		return nil, fmt.Errorf("register: paraf of letter %d: %w", letterID, err)
	}
	defer rows.Close()
	var out []*parafRow
	for rows.Next() {
		p := &parafRow{}
		var at string
		if err := rows.Scan(&p.ID, &p.Seq, &p.PositionID, &p.PositionTitle, &p.UserName, &p.Action, &p.Note,
			&p.FileVersion, &at, &p.ActingAs); err != nil {
			return nil, fmt.Errorf("register: paraf of letter %d: %w", letterID, err)
		}
		p.At, _ = ParseTime(at)
		out = append(out, p)
	}
	return out, rows.Err()
}

// currentParaf is the paraf whose turn it is: the lowest pending one.
func currentParaf(rows []*parafRow) *parafRow {
	for _, p := range rows {
		if p.Action == "pending" {
			return p
		}
	}
	return nil
}

// approveParaf records u's paraf (as the holder of the current level or
// acting for it) of the version they saw; the last one makes the letter
// siap_ttd.
func (a *App) approveParaf(ctx context.Context, u *User, l *outLetter, version int, note string) error {
	now := a.now()
	return a.db.Tx(ctx, func(tx *sql.Tx) error {
		// The letter row first, as every action on the letter takes it
		// first: a paraf and a return of the same level at once (holder
		// and Plh) queue there instead of deadlocking on PostgreSQL.
		if err := claimLetter(ctx, tx, l.ID, statusParaf, now); err != nil {
			return err
		}
		cur, acting, err := myParafTurn(ctx, tx, u, l.ID)
		if err != nil {
			return err
		}
		if err := checkDraftVersion(ctx, tx, l.ID, version); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE paraf SET action = 'approved', user_id = $1, note = $2, file_version = $3,
			at = $4, acting_as = $5 WHERE id = $6 AND action = 'pending'`, u.ID, note, version, FormatTime(now), acting, cur.ID)
		if err != nil {
			return fmt.Errorf("register: paraf: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrLetterState
		}
		var left int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM paraf WHERE letter_id = $1 AND action = 'pending'`, l.ID).Scan(&left); err != nil {
			return fmt.Errorf("register: paraf: %w", err)
		}
		status := statusParaf
		if left == 0 {
			status = statusSiapTTD
		}
		if _, err := tx.ExecContext(ctx, `UPDATE letters SET status = $1, updated_at = $2 WHERE id = $3`, status, FormatTime(now), l.ID); err != nil {
			return fmt.Errorf("register: letter %d: %w", l.ID, err)
		}
		return logEvent(ctx, tx, now, l.ID, u.ID, acting, "keluar.paraf", joinDetail(fmt.Sprintf("v%d", version), note))
	})
}

// returnLetter sends the letter back to its drafter with a note, from the
// current paraf level, or from the signing official when it is siap_ttd;
// a corrected file (pdf non-nil) becomes the newest version. The round
// ends: its pending rows are deleted, and the drafter's resubmission
// starts a new round from the first paraf.
func (a *App) returnLetter(ctx context.Context, u *User, l *outLetter, note string, pdf []byte, name string, info *draftInfo) error {
	now := a.now()
	var sha string
	if pdf != nil {
		var err error
		if sha, err = a.putLetterFile(pdf); err != nil {
			return err
		}
	}
	return a.db.Tx(ctx, func(tx *sql.Tx) error {
		if l.Status != statusParaf && l.Status != statusSiapTTD {
			return ErrLetterState
		}
		if err := claimLetter(ctx, tx, l.ID, l.Status, now); err != nil {
			return err
		}
		var acting string
		var parafID int64
		if l.Status == statusParaf {
			cur, act, err := myParafTurn(ctx, tx, u, l.ID)
			if err != nil {
				return err
			}
			acting, parafID = act, cur.ID
		} else {
			act, ok := u.ActingAs(l.SignerPositionID)
			if !ok {
				return ErrNotYourTurn
			}
			acting = act
		}
		if _, err := tx.ExecContext(ctx, `UPDATE letters SET status = $1 WHERE id = $2`, statusReturned, l.ID); err != nil {
			return fmt.Errorf("register: letter %d: %w", l.ID, err)
		}
		version, err := draftVersion(ctx, tx, l.ID)
		if err != nil {
			return err
		}
		if pdf != nil {
			version, err = nextFileVersion(ctx, tx, l.ID)
			if err != nil {
				return err
			}
			if err := insertDraftFile(ctx, tx, l.ID, version, name, sha, len(pdf), info.Pages, u.ID, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE letters SET pages = $1 WHERE id = $2`, info.Pages, l.ID); err != nil {
				return fmt.Errorf("register: letter %d: %w", l.ID, err)
			}
			if err := logEvent(ctx, tx, now, l.ID, u.ID, acting, "keluar.versi", fmt.Sprintf("v%d %s", version, name)); err != nil {
				return err
			}
		}
		if parafID != 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE paraf SET action = 'returned', user_id = $1, note = $2, file_version = $3,
				at = $4, acting_as = $5 WHERE id = $6`, u.ID, note, version, FormatTime(now), acting, parafID); err != nil {
				return fmt.Errorf("register: paraf: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM paraf WHERE letter_id = $1 AND action = 'pending'`, l.ID); err != nil {
			return fmt.Errorf("register: paraf: %w", err)
		}
		return logEvent(ctx, tx, now, l.ID, u.ID, acting, "keluar.dikembalikan", note)
	})
}

// resubmit is the drafter sending a returned letter up again, with a
// corrected version or as it is now (a returner's correction included):
// a new round from the first paraf.
func (a *App) resubmit(ctx context.Context, u *User, l *outLetter, pdf []byte, name string, info *draftInfo) error {
	if l.CreatedBy != u.ID {
		return ErrNotYourTurn
	}
	if l.Status != statusReturned {
		return ErrLetterState
	}
	// The chain is walked from the drafter's position of today, and
	// recorded in the new round's rows.
	drafter, err := loadUser(ctx, a.db, u.ID, a.now())
	if err != nil {
		return err
	}
	if drafter.PositionID == 0 {
		return ErrSignerNotAbove
	}
	chain, err := parafChain(ctx, a.db, drafter.PositionID, l.SignerPositionID)
	if err != nil {
		return err
	}
	now := a.now()
	var sha string
	if pdf != nil {
		if sha, err = a.putLetterFile(pdf); err != nil {
			return err
		}
	}
	return a.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := claimLetter(ctx, tx, l.ID, statusReturned, now); err != nil {
			return err
		}
		version, err := draftVersion(ctx, tx, l.ID)
		if err != nil {
			return err
		}
		if pdf != nil {
			if version, err = nextFileVersion(ctx, tx, l.ID); err != nil {
				return err
			}
			if err := insertDraftFile(ctx, tx, l.ID, version, name, sha, len(pdf), info.Pages, u.ID, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE letters SET pages = $1 WHERE id = $2`, info.Pages, l.ID); err != nil {
				return fmt.Errorf("register: letter %d: %w", l.ID, err)
			}
			if err := logEvent(ctx, tx, now, l.ID, u.ID, "", "keluar.versi", fmt.Sprintf("v%d %s", version, name)); err != nil {
				return err
			}
		}
		return startParafRound(ctx, tx, l.ID, chain, version, u.ID, "", now)
	})
}

// myParafTurn returns the current paraf of the letter when u holds its
// position or acts for it (with the acting label), ErrNotYourTurn
// otherwise.
func myParafTurn(ctx context.Context, q Querier, u *User, letterID int64) (*parafRow, string, error) {
	rows, err := parafRows(ctx, q, letterID)
	if err != nil {
		return nil, "", err
	}
	cur := currentParaf(rows)
	if cur == nil {
		return nil, "", ErrLetterState
	}
	acting, ok := u.ActingAs(cur.PositionID)
	if !ok {
		return nil, "", ErrNotYourTurn
	}
	return cur, acting, nil
}

// draftVersion is the newest draft version of a letter.
func draftVersion(ctx context.Context, q Querier, letterID int64) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM letter_files WHERE letter_id = $1 AND kind = 'draft'`,
		letterID).Scan(&v); err != nil {
		return 0, fmt.Errorf("register: versions of letter %d: %w", letterID, err)
	}
	return v, nil
}

// nextFileVersion is the number of a letter's next file.
func nextFileVersion(ctx context.Context, q Querier, letterID int64) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM letter_files WHERE letter_id = $1`,
		letterID).Scan(&v); err != nil {
		return 0, fmt.Errorf("register: versions of letter %d: %w", letterID, err)
	}
	return v, nil
}

// errStaleVersion: the approver saw an older version than the newest.
var errStaleVersion = errors.New("register: a newer version of the letter was uploaded")

// checkDraftVersion refuses a paraf of a version that is not the newest
// draft: one approves what one has seen.
func checkDraftVersion(ctx context.Context, q Querier, letterID int64, version int) error {
	v, err := draftVersion(ctx, q, letterID)
	if err != nil {
		return err
	}
	if v != version {
		return errStaleVersion
	}
	return nil
}

// joinDetail joins the non-empty parts of a trail entry's detail.
func joinDetail(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " · ")
}

// claimLetter takes the row of an outgoing letter in status for the
// transaction (ErrLetterState when it has moved on): the first statement
// of every transaction that changes a letter, so that they queue on it.
func claimLetter(ctx context.Context, tx *sql.Tx, id int64, status string, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE letters SET updated_at = $1 WHERE id = $2 AND direction = 'out' AND status = $3`,
		FormatTime(now), id, status)
	if err != nil {
		return fmt.Errorf("register: letter %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrLetterState
	}
	return nil
}
