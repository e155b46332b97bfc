package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// inLetter is an incoming letter (letters.direction = 'in') as the surat
// masuk screens show it.
type inLetter struct {
	ID                                  int64
	UnitID                              int64
	Year, AgendaNo                      int
	Sender, SenderNumber, Subject       string
	Sifat, Klasifikasi, Status          string
	LetterDate, ReceivedDate            time.Time // calendar dates
	CreatedBy                           int64
	CreatedAt, UpdatedAt                time.Time
	Pages                               int
	UnitName, UnitCode, KlasifikasiName string
}

// Agenda is the agenda number as shown: "12/2026".
func (l *inLetter) Agenda() string { return agendaLabel(l.AgendaNo, l.Year) }

func agendaLabel(no, year int) string {
	if no == 0 {
		return ""
	}
	return strconv.Itoa(no) + "/" + strconv.Itoa(year)
}

const inLetterColumns = `l.id, l.unit_id, l.year, l.agenda_no, l.sender, l.sender_number, l.subject,
	l.sifat, l.klasifikasi, l.status, l.letter_date, l.received_date, COALESCE(l.created_by, 0),
	l.created_at, l.updated_at, l.pages, u.name, u.code, COALESCE(k.name, '')`

const inLetterFrom = `letters l JOIN units u ON u.id = l.unit_id LEFT JOIN klasifikasi k ON k.code = l.klasifikasi`

func scanInLetter(r interface{ Scan(...any) error }) (*inLetter, error) {
	l := &inLetter{}
	var ld, rd, ca, ua string
	err := r.Scan(&l.ID, &l.UnitID, &l.Year, &l.AgendaNo, &l.Sender, &l.SenderNumber, &l.Subject,
		&l.Sifat, &l.Klasifikasi, &l.Status, &ld, &rd, &l.CreatedBy, &ca, &ua, &l.Pages,
		&l.UnitName, &l.UnitCode, &l.KlasifikasiName)
	if err != nil {
		return nil, err
	}
	l.LetterDate, _ = parseDate(ld)
	l.ReceivedDate, _ = parseDate(rd)
	l.CreatedAt, _ = ParseTime(ca)
	l.UpdatedAt, _ = ParseTime(ua)
	return l, nil
}

// getInLetter reads one incoming letter; ErrNotFound when there is none
// (or the letter goes out).
func getInLetter(ctx context.Context, q Querier, id int64) (*inLetter, error) {
	l, err := scanInLetter(q.QueryRowContext(ctx, `SELECT `+inLetterColumns+` FROM `+inLetterFrom+`
		WHERE l.id = $1 AND l.direction = 'in'`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("letter %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("register: letter %d: %w", id, err)
	}
	return l, nil
}

// errNoHead is a unit without a head position to receive its letters.
var errNoHead = errors.New("register: the unit has no head position")

// unitHead returns the head of a unit: its position (not a clerk's or a
// staf's) whose superior is outside the unit, or that has none; of
// several, the first made.
func unitHead(ctx context.Context, q Querier, unitID int64) (*Position, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT p.id FROM positions p LEFT JOIN positions s ON s.id = p.parent_id
		WHERE p.unit_id = $1 AND p.kind NOT IN ('clerk', 'staf') AND (s.id IS NULL OR s.unit_id <> p.unit_id)
		ORDER BY p.id LIMIT 1`, unitID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoHead
	}
	if err != nil {
		return nil, fmt.Errorf("register: head of unit %d: %w", unitID, err)
	}
	return getPosition(ctx, q, id)
}

// holderLabel returns "Title (Name)" for a position: its title and the
// names of the users who hold it, for the trail and the lembar.
func holderLabel(ctx context.Context, q Querier, positionID int64) (string, error) {
	var title string
	if err := q.QueryRowContext(ctx, `SELECT title FROM positions WHERE id = $1`, positionID).Scan(&title); err != nil {
		return "", err
	}
	r, err := q.QueryContext(ctx, `SELECT name FROM users WHERE position_id = $1 AND NOT disabled ORDER BY id`, positionID)
	if err != nil {
		return "", err
	}
	defer r.Close()
	var names []string
	for r.Next() {
		var n string
		if err := r.Scan(&n); err != nil {
			return "", err
		}
		names = append(names, n)
	}
	if err := r.Err(); err != nil {
		return "", err
	}
	if len(names) == 0 {
		return title, nil
	}
	return title + " (" + strings.Join(names, ", ") + ")", nil
}

// clerkPosition returns the clerk (TU/agenda) position u registers
// letters for, and the label to record when it is under a delegation;
// nil when u is no clerk.
func clerkPosition(u *User) (*Position, string) {
	if u == nil {
		return nil, ""
	}
	if u.Position != nil && u.Position.Kind == PosClerk {
		return u.Position, ""
	}
	for _, d := range u.Delegations {
		if d.Position != nil && d.Position.Kind == PosClerk {
			return d.Position, d.Label()
		}
	}
	return nil, ""
}

// registryUnit is the unit whose agenda an incoming letter registered by
// a clerk of unit goes in: the nearest unit up the tree that is not a
// bidang or a seksi (the OPD, the kecamatan, the kabupaten). The TU of an
// OPD often sits in its Sekretariat, a bidang; the letters it registers
// are the OPD's and go to the OPD's head.
func registryUnit(ctx context.Context, q Querier, unitID int64) (*Unit, error) {
	u, err := getUnit(ctx, q, unitID)
	for steps := 0; err == nil && (u.Kind == "bidang" || u.Kind == "seksi") && u.ParentID != 0 && steps < maxTreeDepth; steps++ {
		u, err = getUnit(ctx, q, u.ParentID)
	}
	if err != nil {
		return nil, fmt.Errorf("register: the registry unit of unit %d: %w", unitID, err)
	}
	return u, nil
}

// agendaLockKey is the first key of the PostgreSQL advisory lock that
// serialises the agenda numbers of a unit (the second is the unit id).
const agendaLockKey = 7301014

// nextAgenda returns the next agenda number of unit in year, inside tx:
// on PostgreSQL it first takes a transaction-scoped advisory lock for the
// unit, so that concurrent registrations (from any replica) queue there;
// on SQLite the transaction holds the write lock already. The unique
// index letters_agenda is the last guard: registerIncoming retries on it.
func (a *App) nextAgenda(ctx context.Context, tx *sql.Tx, unitID int64, year int) (int, error) {
	if a.db.Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, agendaLockKey, int32(unitID)); err != nil {
			return 0, fmt.Errorf("register: agenda lock: %w", err)
		}
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(agenda_no), 0) + 1 FROM letters
		WHERE direction = 'in' AND unit_id = $1 AND year = $2`, unitID, year).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("register: next agenda number: %w", err)
	}
	return n, nil
}

// registerIncoming records an incoming letter of the clerk u (at clerk,
// recorded as actingAs) with its scan s, gives it the next agenda number
// of the clerk's registry unit and passes it to that unit's head (a first
// disposition without instructions). The file is placed under its name
// before the transaction and removed again when the transaction fails
// and no other row names it: there is never a row without its file, and
// a file without a row only if the process dies in between (docs/decisions.md).
func (a *App) registerIncoming(ctx context.Context, u *User, clerk *Position, actingAs string, in *masukInput, s *spooled, fileName string) (*inLetter, *Position, error) {
	unit, err := registryUnit(ctx, a.db, clerk.UnitID)
	if err != nil {
		return nil, nil, err
	}
	head, err := unitHead(ctx, a.db, unit.ID)
	if err != nil {
		return nil, nil, err
	}
	created, err := s.place(a.files)
	if err != nil {
		return nil, nil, err
	}
	now := a.now()
	year := now.In(wib).Year()
	var id int64
	var agenda int
	for attempt := 0; ; attempt++ {
		err = a.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			if agenda, err = a.nextAgenda(ctx, tx, unit.ID, year); err != nil {
				return err
			}
			id, err = InsertID(ctx, tx, `INSERT INTO letters (direction, unit_id, year, agenda_no, sender,
				sender_number, letter_date, received_date, subject, sifat, klasifikasi, status, created_by,
				created_at, updated_at, pages)
				VALUES ('in', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'baru', $11, $12, $12, $13) RETURNING id`,
				unit.ID, year, agenda, in.Sender, in.SenderNumber, in.LetterDate.Format(dateLayout),
				in.ReceivedDate.Format(dateLayout), in.Subject, in.Sifat, in.Klasifikasi, u.ID, FormatTime(now), s.pages)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO letter_files (letter_id, version, kind, name, sha256,
				size, pages, uploaded_by, created_at) VALUES ($1, 1, 'scan', $2, $3, $4, $5, $6, $7)`,
				id, fileName, s.sha256, s.size, s.pages, u.ID, FormatTime(now)); err != nil {
				return fmt.Errorf("register: recording the scan: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO dispositions (letter_id, from_position_id, from_user_id,
				to_position_id, created_at, acting_as) VALUES ($1, $2, $3, $4, $5, $6)`,
				id, clerk.ID, u.ID, head.ID, FormatTime(now), actingAs); err != nil {
				return fmt.Errorf("register: passing the letter to the head: %w", err)
			}
			return logEvent(ctx, tx, now, id, u.ID, actingAs, "masuk.dicatat",
				fmt.Sprintf("%s → %s", agendaLabel(agenda, year), head.Title))
		})
		if err == nil || !IsUnique(err) || attempt >= 5 {
			break
		}
	}
	if err != nil {
		if created {
			a.dropUnreferenced(s.sha256)
		}
		return nil, nil, fmt.Errorf("register: registering an incoming letter: %w", err)
	}
	if err := s.settle(a.files); err != nil {
		// The row is committed; the file is missing. Say so loudly: it is
		// the one state the register must never be left in.
		a.log().Error("register: a committed scan is not on disk", "letter", id, "sha256", s.sha256, "err", err)
		return nil, nil, err
	}
	l, err := getInLetter(ctx, a.db, id)
	return l, head, err
}

// dropUnreferenced removes the file of that SHA-256 when no row names it
// (after a registration whose transaction failed).
func (a *App) dropUnreferenced(sum string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var n int
	if err := a.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM letter_files WHERE sha256 = $1`, sum).Scan(&n); err != nil || n > 0 {
		return
	}
	if p := filePath(a.files, sum); p != "" {
		os.Remove(p)
	}
}

// ----- the screens -----

// maxScan is the largest scan accepted: DefaultMaxScan, and in any case
// 1 MiB under the body limit, so that a scan too large is told as such
// (rather than cut off by the body limit).
func (a *App) maxScan() int64 {
	return min(int64(DefaultMaxScan), a.opts.MaxUpload-(1<<20))
}

type masukListData struct {
	Letters   []*inLetter
	CanCreate bool
}

// masukList is /surat-masuk: the incoming letters the user may see, the
// newest first.
func (a *App) masukList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(r)
	v, err := viewerOf(ctx, a.db, u)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	cond, args := v.visibleClause(1)
	rows, err := a.db.QueryContext(ctx, `SELECT `+inLetterColumns+` FROM `+inLetterFrom+`
		WHERE l.direction = 'in' AND `+cond+` ORDER BY l.id DESC LIMIT 200`, args...)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer rows.Close()
	d := &masukListData{}
	for rows.Next() {
		l, err := scanInLetter(rows)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		d.Letters = append(d.Letters, l)
	}
	if err := rows.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	p, _ := clerkPosition(u)
	d.CanCreate = p != nil
	a.render(w, r, "masuk_list", d)
}

// option is one choice of a <select> or a group of radio buttons.
type option struct {
	Value, Label string
	Selected     bool
}

type masukFormData struct {
	Unit        string
	Sender      string
	Number      string
	Subject     string
	LetterDate  string
	Received    string
	Sifat       []option
	Klasifikasi []option
	MaxSize     string
	// MaxBytes and TooLarge let the page's script refuse a file too
	// large before it is sent.
	MaxBytes int64
	TooLarge string
	// Errors are the messages by field; Problem the message on top.
	Errors  map[string]string
	Problem string
}

// klasifikasiOptions lists the JRA codes, selected marking one.
func klasifikasiOptions(ctx context.Context, q Querier, selected string) ([]option, error) {
	r, err := q.QueryContext(ctx, `SELECT code, name FROM klasifikasi ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("register: klasifikasi: %w", err)
	}
	defer r.Close()
	var out []option
	for r.Next() {
		var code, name string
		if err := r.Scan(&code, &name); err != nil {
			return nil, err
		}
		out = append(out, option{Value: code, Label: code + " — " + name, Selected: code == selected})
	}
	return out, r.Err()
}

func isKlasifikasi(ctx context.Context, q Querier) func(string) bool {
	return func(code string) bool {
		var n int
		err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM klasifikasi WHERE code = $1`, code).Scan(&n)
		return err == nil && n > 0
	}
}

// masukForm builds the form, with the values of v kept.
func (a *App) masukForm(ctx context.Context, lang string, clerk *Position, v url.Values) (*masukFormData, error) {
	d := &masukFormData{
		Sender: v.Get("pengirim"), Number: v.Get("nomor"), Subject: v.Get("perihal"),
		LetterDate: v.Get("tanggal"), Received: v.Get("diterima"),
		MaxSize:  fmt.Sprintf(T(lang, "masuk.file.help"), humanBytes(a.maxScan())),
		MaxBytes: a.maxScan(),
		TooLarge: fmt.Sprintf(T(lang, "masuk.err.toolarge"), humanBytes(a.maxScan())),
	}
	if clerk.Unit != nil {
		d.Unit = clerk.Unit.Name
	}
	if d.Received == "" {
		d.Received = a.now().In(wib).Format(dateLayout)
	}
	sifat := v.Get("sifat")
	if sifat == "" {
		sifat = "biasa"
	}
	for _, s := range sifatValues {
		d.Sifat = append(d.Sifat, option{Value: s, Label: T(lang, "sifat."+s), Selected: s == sifat})
	}
	var err error
	d.Klasifikasi, err = klasifikasiOptions(ctx, a.db, v.Get("klasifikasi"))
	return d, err
}

// humanBytes is a size in MiB or KiB, for messages.
func humanBytes(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", max(n>>10, 1))
}

// masukNew is GET /surat-masuk/baru: the registration form, for clerks.
func (a *App) masukNew(w http.ResponseWriter, r *http.Request) {
	clerk, _ := clerkPosition(currentUser(r))
	if clerk == nil {
		a.forbidden(w, r, "")
		return
	}
	d, err := a.masukForm(r.Context(), a.lang(r), clerk, url.Values{})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, "masuk_new", d)
}

// masukCreate is POST /surat-masuk/baru: a clerk registers a letter. Bad
// input shows the form again with its values and a message on each field
// that is wrong; nothing is written.
func (a *App) masukCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(r)
	lang := a.lang(r)
	clerk, actingAs := clerkPosition(u)
	if clerk == nil {
		a.forbidden(w, r, "")
		return
	}
	if r.MultipartForm == nil && r.PostForm == nil {
		if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			a.fail(w, r, err)
			return
		}
	}
	form := r.PostForm
	if r.MultipartForm != nil {
		form = url.Values(r.MultipartForm.Value)
	}
	again := func(status int, errs fieldErrors, problem string) {
		d, err := a.masukForm(ctx, lang, clerk, form)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		d.Errors = map[string]string{}
		for f, key := range errs {
			d.Errors[f] = T(lang, key)
			if key == "masuk.err.toolarge" {
				d.Errors[f] = fmt.Sprintf(T(lang, key), humanBytes(a.maxScan()))
			}
		}
		d.Problem = problem
		a.renderStatus(w, r, status, "masuk_new", d)
	}
	in, errs := parseMasuk(form, a.now().In(wib), isKlasifikasi(ctx, a.db))
	if errs == nil {
		errs = fieldErrors{}
	}
	// The file is checked even when a field is wrong, so that the clerk
	// hears of every problem at once.
	var s *spooled
	var fileName string
	f, fh, err := r.FormFile("berkas")
	switch {
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
		errs["berkas"] = errNoFile.Word
	case err != nil:
		a.fail(w, r, err)
		return
	default:
		fileName = cleanFileName(fh.Filename)
		s, err = spoolPDF(a.files, f, a.maxScan())
		f.Close()
		var se *scanError
		if errors.As(err, &se) {
			errs["berkas"] = se.Word
		} else if err != nil {
			a.fail(w, r, err)
			return
		}
	}
	defer s.discard()
	if len(errs) > 0 {
		again(http.StatusUnprocessableEntity, errs, T(lang, "masuk.err.form"))
		return
	}
	l, head, err := a.registerIncoming(ctx, u, clerk, actingAs, in, s, fileName)
	if errors.Is(err, errNoHead) {
		again(http.StatusConflict, nil, T(lang, "masuk.err.nohead"))
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.log().Info("register: incoming letter registered", "letter", l.ID, "unit", l.UnitID, "agenda", l.Agenda(), "to", head.ID)
	http.Redirect(w, r, fmt.Sprintf("/surat/%d?dicatat=1", l.ID), http.StatusSeeOther)
}

// cleanFileName keeps the base name of an upload, as plain text of at
// most 200 characters, for display only (files are stored by SHA-256).
func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	if name == "." || name == "/" {
		return ""
	}
	return name
}
