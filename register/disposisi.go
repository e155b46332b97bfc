package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

const dispoColumns = `d.id, d.letter_id, COALESCE(d.parent_id, 0), COALESCE(d.from_position_id, 0),
	d.from_user_id, d.to_position_id, COALESCE(fp.title, ''), fu.name, tp.title, d.instructions,
	d.note, d.due, d.created_at, d.read_at, d.done_at, d.done_note, d.acting_as`

const dispoFrom = `dispositions d LEFT JOIN positions fp ON fp.id = d.from_position_id
	JOIN users fu ON fu.id = d.from_user_id JOIN positions tp ON tp.id = d.to_position_id`

func scanDispo(r interface{ Scan(...any) error }) (*dispo, error) {
	d := &dispo{}
	var instr, due, created, read, done string
	err := r.Scan(&d.ID, &d.LetterID, &d.ParentID, &d.FromPosition, &d.FromUser, &d.ToPosition,
		&d.FromTitle, &d.FromName, &d.ToTitle, &instr, &d.Note, &due, &created, &read, &done,
		&d.DoneNote, &d.ActingAs)
	if err != nil {
		return nil, err
	}
	d.Instructions = splitInstructions(instr)
	d.Due, _ = parseDate(due)
	d.CreatedAt, _ = ParseTime(created)
	d.ReadAt, _ = ParseTime(read)
	d.DoneAt, _ = ParseTime(done)
	return d, nil
}

// letterDispos reads every disposition of a letter, by id.
func letterDispos(ctx context.Context, q Querier, letterID int64) ([]*dispo, error) {
	r, err := q.QueryContext(ctx, `SELECT `+dispoColumns+` FROM `+dispoFrom+`
		WHERE d.letter_id = $1 ORDER BY d.id`, letterID)
	if err != nil {
		return nil, fmt.Errorf("register: dispositions of letter %d: %w", letterID, err)
	}
	defer r.Close()
	var out []*dispo
	for r.Next() {
		d, err := scanDispo(r)
		if err != nil {
			return nil, fmt.Errorf("register: dispositions of letter %d: %w", letterID, err)
		}
		out = append(out, d)
	}
	return out, r.Err()
}

// candidate is a position a disposition may go to.
type candidate struct {
	ID       int64
	Label    string // title (holders)
	Unit     string
	Depth    int // 1: directly below
	Selected bool
	// Vacant is a position nobody holds (a Plt or Plh may still act for
	// it): shown as such, so that a letter is not sent there unawares.
	Vacant bool
}

// maxTreeDepth bounds the walks of the position tree: a regency is a few
// levels deep; a cycle made by a bad edit stops there.
const maxTreeDepth = 32

// positionsBelow returns the positions strictly below pos, in tree order
// (each followed by those below it), with the names of their holders.
func positionsBelow(ctx context.Context, q Querier, pos int64) ([]*candidate, error) {
	r, err := q.QueryContext(ctx, `WITH RECURSIVE below(id, depth) AS (
			SELECT id, 1 FROM positions WHERE parent_id = $1
			UNION
			SELECT p.id, b.depth + 1 FROM positions p JOIN below b ON p.parent_id = b.id WHERE b.depth < $2)
		SELECT p.id, COALESCE(p.parent_id, 0), p.title, un.name, MIN(b.depth),
			COALESCE((SELECT MIN(us.name) FROM users us WHERE us.position_id = p.id AND NOT us.disabled), '')
		FROM below b JOIN positions p ON p.id = b.id JOIN units un ON un.id = p.unit_id
		WHERE p.id <> $1
		GROUP BY p.id, p.parent_id, p.title, un.name`, pos, maxTreeDepth)
	if err != nil {
		return nil, fmt.Errorf("register: positions below %d: %w", pos, err)
	}
	defer r.Close()
	children := map[int64][]*candidate{}
	seen := map[int64]bool{}
	for r.Next() {
		c := &candidate{}
		var parent int64
		var holder string
		if err := r.Scan(&c.ID, &parent, &c.Label, &c.Unit, &c.Depth, &holder); err != nil {
			return nil, fmt.Errorf("register: positions below %d: %w", pos, err)
		}
		if holder != "" {
			c.Label += " (" + holder + ")"
		} else {
			c.Vacant = true
		}
		children[parent] = append(children[parent], c)
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	var out []*candidate
	var rec func(parent int64, depth int)
	rec = func(parent int64, depth int) {
		cs := children[parent]
		sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
		for _, c := range cs {
			if seen[c.ID] || depth > maxTreeDepth {
				continue
			}
			seen[c.ID] = true
			c.Depth = depth
			out = append(out, c)
			rec(c.ID, depth+1)
		}
	}
	rec(pos, 1)
	return out, nil
}

// isBelow reports whether position to is strictly below position from.
func isBelow(ctx context.Context, q Querier, from, to int64) (bool, error) {
	if from == to {
		return false, nil
	}
	ok, err := positionAncestorOrSelf(ctx, q, from, to)
	if err != nil {
		return false, fmt.Errorf("register: is %d below %d: %w", to, from, err)
	}
	return ok, nil
}

// lockLetter keeps other changes of the letter's dispositions out until
// tx ends: a row lock on PostgreSQL; SQLite's transaction holds the write
// lock already. Two holders finishing their branches at once then never
// both see the other's branch open, so the status is always right.
func (a *App) lockLetter(ctx context.Context, tx *sql.Tx, id int64) error {
	q := `SELECT id FROM letters WHERE id = $1`
	if a.db.Postgres {
		q += ` FOR UPDATE`
	}
	var got int64
	if err := tx.QueryRowContext(ctx, q, id).Scan(&got); err != nil {
		return fmt.Errorf("register: locking letter %d: %w", id, err)
	}
	return nil
}

// updateStatus sets the status of an incoming letter from its tree:
// selesai when every branch is done, didisposisi once the head disposed
// it, baru before. It records the letter's completion in the trail.
func updateStatus(ctx context.Context, tx *sql.Tx, now time.Time, letterID, userID int64, actingAs string) (string, error) {
	rows, err := letterDispos(ctx, tx, letterID)
	if err != nil {
		return "", err
	}
	roots := dispoTree(rows)
	status := "baru"
	switch {
	case allClosed(roots):
		status = "selesai"
	case len(rows) > len(roots):
		status = "didisposisi"
	}
	var old string
	if err := tx.QueryRowContext(ctx, `SELECT status FROM letters WHERE id = $1`, letterID).Scan(&old); err != nil {
		return "", err
	}
	if old == status {
		return status, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE letters SET status = $1, updated_at = $2 WHERE id = $3`,
		status, FormatTime(now), letterID); err != nil {
		return "", fmt.Errorf("register: letter %d status: %w", letterID, err)
	}
	if status == "selesai" {
		return status, logEvent(ctx, tx, now, letterID, userID, actingAs, "masuk.selesai", "")
	}
	return status, nil
}

// dispoError is a disposition refused: the field at fault and the word
// (i18n key) of the message.
type dispoError struct{ Field, Word string }

func (e *dispoError) Error() string { return "register: disposition refused: " + e.Word }

// The ways a disposition is refused for what it asks.
var (
	errDispoFrom   = &dispoError{"dari", "dispo.err.from"}
	errDispoClosed = &dispoError{"dari", "dispo.err.closed"}
	errDispoCannot = &dispoError{"dari", "dispo.err.cannot"}
	errDispoBelow  = &dispoError{"kepada", "dispo.err.below"}
)

// heldRow reads row rowID of letter and checks that u holds it (in person
// or under a delegation); it returns the label to record.
func heldRow(ctx context.Context, q Querier, u *User, letterID, rowID int64) (*dispo, string, error) {
	d, err := scanDispo(q.QueryRowContext(ctx, `SELECT `+dispoColumns+` FROM `+dispoFrom+`
		WHERE d.id = $1 AND d.letter_id = $2`, rowID, letterID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", errDispoFrom
	}
	if err != nil {
		return nil, "", fmt.Errorf("register: disposition %d: %w", rowID, err)
	}
	acting, ok := u.ActingAs(d.ToPosition)
	if !ok {
		return nil, "", errDispoFrom
	}
	return d, acting, nil
}

// dispose records the disposition in of u on a letter: from the row
// in.From, which u holds and has not marked done, to positions strictly
// below the row's position. Refusals are *dispoError.
func (a *App) dispose(ctx context.Context, u *User, letterID int64, in *dispoInput) error {
	now := a.now()
	return a.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := a.lockLetter(ctx, tx, letterID); err != nil {
			return err
		}
		from, acting, err := heldRow(ctx, tx, u, letterID, in.From)
		if err != nil {
			return err
		}
		if !from.DoneAt.IsZero() {
			return errDispoClosed
		}
		pos, err := getPosition(ctx, tx, from.ToPosition)
		if err != nil {
			return err
		}
		if !pos.Disposes() {
			return errDispoCannot
		}
		var names []string
		for _, to := range in.To {
			ok, err := isBelow(ctx, tx, from.ToPosition, to)
			if err != nil {
				return err
			}
			if !ok {
				return errDispoBelow
			}
			label, err := holderLabel(ctx, tx, to)
			if err != nil {
				return err
			}
			names = append(names, label)
			due := ""
			if !in.Due.IsZero() {
				due = in.Due.Format(dateLayout)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO dispositions (letter_id, parent_id, from_position_id,
				from_user_id, to_position_id, instructions, note, due, created_at, acting_as)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				letterID, from.ID, from.ToPosition, u.ID, to, joinInstructions(in.Instructions), in.Note,
				due, FormatTime(now), acting); err != nil {
				return fmt.Errorf("register: recording the disposition: %w", err)
			}
		}
		// Disposing it means the holder has read it.
		if _, err := tx.ExecContext(ctx, `UPDATE dispositions SET read_at = $1 WHERE id = $2 AND read_at = ''`,
			FormatTime(now), from.ID); err != nil {
			return err
		}
		detail := strings.Join(names, "; ") + " — " + strings.Join(in.Instructions, ", ")
		if err := logEvent(ctx, tx, now, letterID, u.ID, acting, "masuk.disposisi", detail); err != nil {
			return err
		}
		_, err = updateStatus(ctx, tx, now, letterID, u.ID, acting)
		return err
	})
}

// finish marks the row rowID of a letter done by u, with a note.
func (a *App) finish(ctx context.Context, u *User, letterID, rowID int64, note string) error {
	now := a.now()
	return a.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := a.lockLetter(ctx, tx, letterID); err != nil {
			return err
		}
		d, acting, err := heldRow(ctx, tx, u, letterID, rowID)
		if err != nil {
			return err
		}
		if !d.DoneAt.IsZero() {
			return errDispoClosed
		}
		t := FormatTime(now)
		if _, err := tx.ExecContext(ctx, `UPDATE dispositions SET done_at = $1, done_note = $2,
			read_at = CASE WHEN read_at = '' THEN $1 ELSE read_at END WHERE id = $3`, t, note, d.ID); err != nil {
			return fmt.Errorf("register: marking disposition %d done: %w", d.ID, err)
		}
		if err := logEvent(ctx, tx, now, letterID, u.ID, acting, "masuk.dispo.selesai", note); err != nil {
			return err
		}
		_, err = updateStatus(ctx, tx, now, letterID, u.ID, acting)
		return err
	})
}

// markRead records that u opened the letter: every row to a position u
// holds that was not read yet.
func (a *App) markRead(ctx context.Context, u *User, letterID int64) error {
	pos := u.PositionIDs()
	if len(pos) == 0 {
		return nil
	}
	args := []any{FormatTime(a.now()), letterID}
	for _, p := range pos {
		args = append(args, p)
	}
	_, err := a.db.ExecContext(ctx, `UPDATE dispositions SET read_at = $1
		WHERE letter_id = $2 AND read_at = '' AND to_position_id IN (`+placeholders(3, len(pos))+`)`, args...)
	if err != nil {
		return fmt.Errorf("register: marking letter %d read: %w", letterID, err)
	}
	return nil
}

// ----- the disposition screen -----

type dispoFormData struct {
	Letter       *inLetter
	Row          *dispo
	ActingAs     string
	CanDispose   bool
	Candidates   []*candidate
	Instructions []option
	Note         string
	Due          string
	DoneNote     string
	Today        string
	Errors       map[string]string
	Problem      string
}

// letterID reads the {id} of the path; 0 when it is not a positive number.
func letterID(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// visibleInLetter loads the incoming letter of the path for u; ok false
// when it answered (404 for a letter u may not see, or that is not there
// or not incoming).
func (a *App) visibleInLetter(w http.ResponseWriter, r *http.Request) (*inLetter, bool) {
	id := letterID(r)
	if id == 0 {
		a.notFound(w, r)
		return nil, false
	}
	ok, err := a.mayView(r.Context(), currentUser(r), id)
	if err != nil {
		a.fail(w, r, err)
		return nil, false
	}
	if !ok {
		a.notFound(w, r)
		return nil, false
	}
	l, err := getInLetter(r.Context(), a.db, id)
	if errors.Is(err, ErrNotFound) {
		a.notFound(w, r)
		return nil, false
	}
	if err != nil {
		a.fail(w, r, err)
		return nil, false
	}
	return l, true
}

// dispoForm builds the disposition screen for row rowID, with v's values.
func (a *App) dispoForm(ctx context.Context, lang string, u *User, l *inLetter, rowID int64, v url.Values) (*dispoFormData, error) {
	row, acting, err := heldRow(ctx, a.db, u, l.ID, rowID)
	if err != nil {
		return nil, err
	}
	d := &dispoFormData{Letter: l, Row: row, ActingAs: acting, Note: v.Get("catatan"), Due: v.Get("batas"),
		DoneNote: v.Get("catatan_selesai"), Today: a.now().In(wib).Format(dateLayout)}
	pos, err := getPosition(ctx, a.db, row.ToPosition)
	if err != nil {
		return nil, err
	}
	d.CanDispose = pos.Disposes() && row.DoneAt.IsZero()
	if d.CanDispose {
		if d.Candidates, err = positionsBelow(ctx, a.db, row.ToPosition); err != nil {
			return nil, err
		}
		chosen := map[string]bool{}
		for _, s := range v["kepada"] {
			chosen[s] = true
		}
		for _, c := range d.Candidates {
			c.Selected = chosen[strconv.FormatInt(c.ID, 10)]
		}
		instr := map[string]bool{}
		for _, s := range v["instruksi"] {
			instr[s] = true
		}
		for _, s := range LembarInstructions {
			d.Instructions = append(d.Instructions, option{Value: s, Label: T(lang, "instruksi."+s), Selected: instr[s]})
		}
	}
	return d, nil
}

// dispoPage is GET /surat/{id}/disposisi?dari=ROW: the holder of a row
// disposes the letter further down, or marks it done. Without dari, the
// user's first open row on the letter; 403 when they hold none.
func (a *App) dispoPage(w http.ResponseWriter, r *http.Request) {
	l, ok := a.visibleInLetter(w, r)
	if !ok {
		return
	}
	u := currentUser(r)
	row, _ := strconv.ParseInt(r.URL.Query().Get("dari"), 10, 64)
	if row == 0 {
		// Without ?dari: the user's first row on the letter still open.
		rows, err := letterDispos(r.Context(), a.db, l.ID)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		for _, d := range rows {
			if _, ok := u.ActingAs(d.ToPosition); ok && d.DoneAt.IsZero() {
				row = d.ID
				break
			}
		}
	}
	d := a.dispoFormPage(w, r, a.lang(r), u, l, row, url.Values{})
	if d == nil {
		return
	}
	a.render(w, r, "disposisi_form", d)
}

// dispoFormPage is dispoForm for a handler: when the form cannot be made it
// answers (403 for a refusal, 500 for a fault) and returns nil.
func (a *App) dispoFormPage(w http.ResponseWriter, r *http.Request, lang string, u *User, l *inLetter, row int64, v url.Values) *dispoFormData {
	d, err := a.dispoForm(r.Context(), lang, u, l, row, v)
	var de *dispoError
	if errors.As(err, &de) {
		a.forbidden(w, r, "")
		return nil
	}
	if err != nil {
		a.fail(w, r, err)
		return nil
	}
	return d
}

// dispoPost is POST /surat/{id}/disposisi: aksi=kirim (the default)
// disposes, aksi=selesai marks the row done.
func (a *App) dispoPost(w http.ResponseWriter, r *http.Request) {
	l, ok := a.visibleInLetter(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	u := currentUser(r)
	lang := a.lang(r)
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, err)
		return
	}
	v := r.PostForm
	row, _ := strconv.ParseInt(v.Get("dari"), 10, 64)
	again := func(errs fieldErrors, problem string) {
		d := a.dispoFormPage(w, r, lang, u, l, row, v)
		if d == nil {
			return
		}
		d.Errors = map[string]string{}
		for f, key := range errs {
			d.Errors[f] = T(lang, key)
		}
		d.Problem = problem
		a.renderStatus(w, r, http.StatusUnprocessableEntity, "disposisi_form", d)
	}
	var err error
	msg := "dispo.sent"
	if v.Get("aksi") == "selesai" {
		note, ok := cleanText(v.Get("catatan_selesai"), maxNoteLen)
		if !ok {
			again(fieldErrors{"catatan_selesai": "dispo.err.note"}, T(lang, "dispo.err.form"))
			return
		}
		err = a.finish(ctx, u, l.ID, row, note)
		msg = "dispo.marked.done"
	} else {
		in, errs := parseDispo(v, a.now().In(wib))
		if errs != nil {
			again(errs, T(lang, "dispo.err.form"))
			return
		}
		err = a.dispose(ctx, u, l.ID, in)
	}
	var de *dispoError
	switch {
	case errors.Is(err, errDispoFrom):
		a.forbidden(w, r, "")
		return
	case errors.As(err, &de):
		again(fieldErrors{de.Field: de.Word}, T(lang, "dispo.err.form"))
		return
	case err != nil:
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/surat/%d?ok=%s", l.ID, url.QueryEscape(msg)), http.StatusSeeOther)
}

// ----- the inbox -----

func init() { AddInboxSection(10, dispositionsToMe) }

// dispositionsToMe is the inbox section of the dispositions waiting for
// the user: rows to a position they hold that are neither done nor
// disposed further, overdue ones first.
func dispositionsToMe(ctx context.Context, a *App, u *User, lang string) (*InboxSection, error) {
	pos := u.PositionIDs()
	if len(pos) == 0 {
		return nil, nil
	}
	args := make([]any, len(pos))
	for i, p := range pos {
		args[i] = p
	}
	r, err := a.db.QueryContext(ctx, `SELECT `+dispoColumns+`, l.subject, l.sifat, l.sender
		FROM `+dispoFrom+` JOIN letters l ON l.id = d.letter_id
		WHERE l.direction = 'in' AND d.done_at = '' AND d.to_position_id IN (`+placeholders(1, len(pos))+`)
		AND NOT EXISTS (SELECT 1 FROM dispositions c WHERE c.parent_id = d.id)
		ORDER BY d.id DESC LIMIT 200`, args...)
	if err != nil {
		return nil, fmt.Errorf("register: inbox dispositions: %w", err)
	}
	defer r.Close()
	today := calendarDate(a.now().In(wib))
	sec := &InboxSection{Title: T(lang, "dispo.inbox")}
	for r.Next() {
		d := &dispo{}
		var instr, due, created, read, done, subject, sifat, sender string
		if err := r.Scan(&d.ID, &d.LetterID, &d.ParentID, &d.FromPosition, &d.FromUser, &d.ToPosition,
			&d.FromTitle, &d.FromName, &d.ToTitle, &instr, &d.Note, &due, &created, &read, &done,
			&d.DoneNote, &d.ActingAs, &subject, &sifat, &sender); err != nil {
			return nil, fmt.Errorf("register: inbox dispositions: %w", err)
		}
		d.Due, _ = parseDate(due)
		d.CreatedAt, _ = ParseTime(created)
		d.ReadAt, _ = ParseTime(read)
		from := d.FromTitle
		if d.ActingAs != "" {
			from = d.ActingAs
		}
		detail := fmt.Sprintf("%s · %s %s · %s", sender, T(lang, "dispo.from"), from, d.CreatedAt.In(wib).Format("02-01-2006"))
		if !d.Due.IsZero() {
			detail += fmt.Sprintf(" · %s %s", T(lang, "dispo.due"), d.Due.Format("02-01-2006"))
		}
		if d.ReadAt.IsZero() {
			detail += " · " + T(lang, "dispo.unread")
		}
		if acting, _ := u.ActingAs(d.ToPosition); acting != "" {
			detail += " · " + acting
		}
		sec.Items = append(sec.Items, InboxItem{
			Href: fmt.Sprintf("/surat/%d", d.LetterID), Title: subject, Detail: detail,
			Badge: T(lang, "sifat."+sifat), Overdue: !d.Due.IsZero() && d.Due.Before(today),
		})
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	// Overdue first, then the newest.
	sort.SliceStable(sec.Items, func(i, j int) bool { return sec.Items[i].Overdue && !sec.Items[j].Overdue })
	return sec, nil
}
