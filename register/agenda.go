package register

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// agendaEntry is one line of the buku agenda: a letter with the summary
// of its dispositions.
type agendaEntry struct {
	archiveRow
	Dispositions string
}

// maxAgendaRows bounds one export: far more than a unit registers in a
// year, and a bound on what one request makes the server write.
const maxAgendaRows = 100000

// hiddenSubject stands for a rahasia perihal in lists and exports.
const hiddenSubject = "(rahasia)"

// agendaEntries calls fn for each letter of the buku agenda that the
// viewer may see and f selects, in the order they were registered, with
// the summary of its dispositions (empty for a hidden rahasia letter).
func agendaEntries(ctx context.Context, db *sql.DB, v archiveViewer, f archiveFilter, fn func(agendaEntry) error) error {
	disp, err := dispositionSummaries(ctx, db, v, f)
	if err != nil {
		return err
	}
	var a sqlArgs
	sel := archiveSelect(&a, v)
	q := sel + ` WHERE ` + archiveWhere(&a, v, f) + `
ORDER BY l.id LIMIT ` + a.p(maxAgendaRows)
	rs, err := db.QueryContext(ctx, q, a.vals...)
	if err != nil {
		return fmt.Errorf("register: reading the buku agenda: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		r, err := scanArchiveRow(rs)
		if err != nil {
			return fmt.Errorf("register: reading the buku agenda: %w", err)
		}
		e := agendaEntry{archiveRow: r}
		if !r.Hidden {
			e.Dispositions = disp[r.ID]
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("register: reading the buku agenda: %w", err)
	}
	return nil
}

// dispositionSummaries returns, for each letter f selects, its
// dispositions in order: "Kepala Bidang Perizinan: tindak lanjuti
// (selesai 2026-03-04); …".
func dispositionSummaries(ctx context.Context, db *sql.DB, v archiveViewer, f archiveFilter) (map[int64]string, error) {
	var a sqlArgs
	where := archiveWhere(&a, v, f)
	q := `SELECT d.letter_id, COALESCE(p.title, ''), COALESCE(d.instructions, ''), COALESCE(d.done_at, '')
FROM dispositions d LEFT JOIN positions p ON p.id = d.to_position_id
WHERE d.letter_id IN (SELECT l.id FROM letters l WHERE ` + where + `)
ORDER BY d.letter_id, d.created_at, d.id`
	rs, err := db.QueryContext(ctx, q, a.vals...)
	if err != nil {
		return nil, fmt.Errorf("register: reading the dispositions: %w", err)
	}
	defer rs.Close()
	out := map[int64]string{}
	for rs.Next() {
		var id int64
		var to, instr, done string
		if err := rs.Scan(&id, &to, &instr, &done); err != nil {
			return nil, fmt.Errorf("register: reading the dispositions: %w", err)
		}
		s := to
		if i := instructionWords(instr); i != "" {
			s += ": " + i
		}
		if done != "" {
			s += " (selesai " + firstN(done, 10) + ")"
		}
		if out[id] != "" {
			out[id] += "; "
		}
		out[id] += s
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("register: reading the dispositions: %w", err)
	}
	return out, nil
}

// instructionWords writes a disposition's stored instructions
// (disposisitree.go) on one line: "Tindak lanjuti, Hadiri/wakili".
func instructionWords(s string) string {
	var out []string
	for _, p := range splitInstructions(s) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

func firstN(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
