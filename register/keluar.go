package register

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Surat keluar: a drafter uploads the draft PDF (with ${ttd}, optionally
// ${nomor}) with its particulars, the letter goes up the paraf chain
// (paraf.go) to the signing official, who signs it (sign.go); the number
// is given at signing (numbering.go). See docs/register.md.

// The statuses of an outgoing letter (letters.status).
const (
	statusDraf     = "draf"
	statusParaf    = "paraf"
	statusReturned = "dikembalikan"
	statusSiapTTD  = "siap_ttd"
	statusSigned   = "ditandatangani"
)

// naskahKinds are the kinds of naskah dinas a drafter picks from
// (letters.kind), after the tata naskah dinas of ANRI and the
// Permendagri on naskah dinas of regional governments.
var naskahKinds = []string{
	"surat_dinas", "nota_dinas", "undangan", "surat_edaran", "keputusan", "surat_tugas",
	"surat_perintah", "instruksi", "pengumuman", "surat_keterangan", "surat_kuasa",
	"berita_acara", "memo", "laporan", "telaahan_staf",
}

func validNaskahKind(k string) bool {
	for _, n := range naskahKinds {
		if n == k {
			return true
		}
	}
	return false
}

// maxDraft bounds an uploaded draft: letters are a few pages.
const maxDraft = 20 << 20

// outLetter is an outgoing letter as the keluar pages show it.
type outLetter struct {
	ID                                   int64
	UnitID                               int64
	Number, Kind, Subject, Sifat         string
	Klasifikasi, KlasifikasiName, Status string
	SignerPositionID                     int64
	SignerTitle                          string
	CreatedBy                            int64
	DrafterName                          string
	Created, Updated, Signed             time.Time
	SignedBy                             int64
	SignedByName                         string
	DocumentID, VerifyURL                string
	Pages                                int
}

const outLetterSelect = `SELECT l.id, l.unit_id, l.number, l.kind, l.subject, l.sifat, l.klasifikasi,
	COALESCE(k.name, ''), l.status, COALESCE(l.signer_position_id, 0), COALESCE(sp.title, ''),
	COALESCE(l.created_by, 0), COALESCE(cu.name, ''), l.created_at, l.updated_at, l.signed_at,
	COALESCE(l.signed_by, 0), COALESCE(su.name, ''), l.document_id, l.verify_url, l.pages
	FROM letters l
	LEFT JOIN klasifikasi k ON k.code = l.klasifikasi
	LEFT JOIN positions sp ON sp.id = l.signer_position_id
	LEFT JOIN users cu ON cu.id = l.created_by
	LEFT JOIN users su ON su.id = l.signed_by`

func scanOutLetter(r interface{ Scan(...any) error }) (*outLetter, error) {
	l := &outLetter{}
	var created, updated, signed string
	err := r.Scan(&l.ID, &l.UnitID, &l.Number, &l.Kind, &l.Subject, &l.Sifat, &l.Klasifikasi, &l.KlasifikasiName,
		&l.Status, &l.SignerPositionID, &l.SignerTitle, &l.CreatedBy, &l.DrafterName, &created, &updated, &signed,
		&l.SignedBy, &l.SignedByName, &l.DocumentID, &l.VerifyURL, &l.Pages)
	if err != nil {
		return nil, err
	}
	l.Created, _ = ParseTime(created)
	l.Updated, _ = ParseTime(updated)
	l.Signed, _ = ParseTime(signed)
	return l, nil
}

// getOutLetter reads an outgoing letter; ErrNotFound when there is no
// such outgoing letter.
func getOutLetter(ctx context.Context, q Querier, id int64) (*outLetter, error) {
	l, err := scanOutLetter(q.QueryRowContext(ctx, outLetterSelect+` WHERE l.id = $1 AND l.direction = 'out'`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("outgoing letter %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("register: outgoing letter %d: %w", id, err)
	}
	return l, nil
}

// outFile is one version of an outgoing letter's file.
type outFile struct {
	Version    int
	Kind, Name string
	SHA256     string
	Size       int64
	Pages      int
	By         string
	At         time.Time
}

// outFiles lists the files of a letter, oldest first.
func outFiles(ctx context.Context, q Querier, letterID int64) ([]*outFile, error) {
	rows, err := q.QueryContext(ctx, `SELECT f.version, f.kind, f.name, f.sha256, f.size, f.pages, COALESCE(u.name, ''), f.created_at
		FROM letter_files f LEFT JOIN users u ON u.id = f.uploaded_by WHERE f.letter_id = $1 ORDER BY f.version`, letterID)
	if err != nil {
		return nil, fmt.Errorf("register: files of letter %d: %w", letterID, err)
	}
	defer rows.Close()
	var out []*outFile
	for rows.Next() {
		f := &outFile{}
		var at string
		if err := rows.Scan(&f.Version, &f.Kind, &f.Name, &f.SHA256, &f.Size, &f.Pages, &f.By, &at); err != nil {
			return nil, fmt.Errorf("register: files of letter %d: %w", letterID, err)
		}
		f.At, _ = ParseTime(at)
		out = append(out, f)
	}
	return out, rows.Err()
}

// latestDraft returns the newest draft version of a letter (what the
// paraf chain approves and the signer signs).
func latestDraft(files []*outFile) *outFile {
	var d *outFile
	for _, f := range files {
		if f.Kind == "draft" {
			d = f
		}
	}
	return d
}

// outRecipient is an addressee (or tembusan) of an outgoing letter.
type outRecipient struct {
	UnitID   int64
	Name     string // the unit's name, or the external addressee
	Tembusan bool
}

func outRecipients(ctx context.Context, q Querier, letterID int64) ([]*outRecipient, error) {
	rows, err := q.QueryContext(ctx, `SELECT COALESCE(r.unit_id, 0), COALESCE(u.name, r.external), r.tembusan
		FROM recipients r LEFT JOIN units u ON u.id = r.unit_id WHERE r.letter_id = $1 ORDER BY r.tembusan, r.id`, letterID)
	if err != nil {
		return nil, fmt.Errorf("register: recipients of letter %d: %w", letterID, err)
	}
	defer rows.Close()
	var out []*outRecipient
	for rows.Next() {
		r := &outRecipient{}
		if err := rows.Scan(&r.UnitID, &r.Name, &r.Tembusan); err != nil {
			return nil, fmt.Errorf("register: recipients of letter %d: %w", letterID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// outMayView reports whether u may see the outgoing letter l: the one
// access rule of every letter (access.go's visibleClause, docs/register.md
// "Access").
func (a *App) outMayView(ctx context.Context, u *User, l *outLetter) (bool, error) {
	return a.mayView(ctx, u, l.ID)
}

// idList writes ids as an SQL list of integer literals (they are int64,
// so nothing can be injected).
func idList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

// outLetterFor reads the letter of the request's {id} and checks that the
// user may see it; it answers 404 itself (for a letter that does not
// exist, is not outgoing or is not the user's to see) and returns nil.
func (a *App) outLetterFor(w http.ResponseWriter, r *http.Request) *outLetter {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		a.notFound(w, r)
		return nil
	}
	l, err := getOutLetter(r.Context(), a.db, id)
	if errors.Is(err, ErrNotFound) {
		a.notFound(w, r)
		return nil
	}
	if err != nil {
		a.fail(w, r, err)
		return nil
	}
	ok, err := a.outMayView(r.Context(), currentUser(r), l)
	if err != nil {
		a.fail(w, r, err)
		return nil
	}
	if !ok {
		a.notFound(w, r)
		return nil
	}
	return l
}

// --- the list ---

type keluarListData struct {
	Letters []*outLetter
}

// keluarList shows the outgoing letters the user may see (visibleClause),
// newest first, at most 100.
func (a *App) keluarList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v, err := viewerOf(ctx, a.db, currentUser(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	cond, args := v.visibleClause(1)
	rows, err := a.db.QueryContext(ctx, outLetterSelect+` WHERE l.direction = 'out' AND `+cond+
		` ORDER BY l.updated_at DESC, l.id DESC LIMIT 100`, args...)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer rows.Close()
	d := &keluarListData{}
	for rows.Next() {
		l, err := scanOutLetter(rows)
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
	a.render(w, r, "keluar_list", d)
}

// --- the new-letter form ---

// keluarOption is a choice of a select or a checkbox list.
type keluarOption struct {
	Value, Label string
	Selected     bool
}

type keluarFormData struct {
	Error    string
	Errors   map[string]string
	Kinds    []keluarOption
	Sifat    []keluarOption
	Klas     []keluarOption
	Signers  []keluarOption
	Units    []keluarOption
	Tembusan []keluarOption
	Subject  string
	External string
	TembExt  string
	// Drafter is false when the user has no position (and so no paraf
	// chain): the form says so instead.
	Drafter bool
}

// keluarNew shows the form of a new outgoing letter.
func (a *App) keluarNew(w http.ResponseWriter, r *http.Request) {
	d, err := a.keluarForm(r.Context(), currentUser(r), a.lang(r), url.Values{})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, "keluar_new", d)
}

// keluarForm fills the form's choices, v being what was sent (kept on a
// refused submission).
func (a *App) keluarForm(ctx context.Context, u *User, lang string, v url.Values) (*keluarFormData, error) {
	d := &keluarFormData{Drafter: u.PositionID != 0, Subject: v.Get("subject"), External: v.Get("external"),
		TembExt: v.Get("tembusan_external"), Errors: map[string]string{}}
	for _, k := range naskahKinds {
		d.Kinds = append(d.Kinds, keluarOption{k, T(lang, "naskah."+k), v.Get("kind") == k})
	}
	for _, s := range sifatValues {
		d.Sifat = append(d.Sifat, keluarOption{s, T(lang, "sifat."+s), v.Get("sifat") == s || (v.Get("sifat") == "" && s == "biasa")})
	}
	rows, err := a.db.QueryContext(ctx, `SELECT code, name FROM klasifikasi ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("register: klasifikasi: %w", err)
	}
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("register: klasifikasi: %w", err)
		}
		d.Klas = append(d.Klas, keluarOption{code, code + " " + name, v.Get("klasifikasi") == code})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("register: klasifikasi: %w", err)
	}
	if u.PositionID != 0 {
		signers, err := signerChoices(ctx, a.db, u.PositionID, a.now())
		if err != nil {
			return nil, err
		}
		for _, s := range signers {
			d.Signers = append(d.Signers, keluarOption{strconv.FormatInt(s.ID, 10), s.Label, v.Get("signer") == strconv.FormatInt(s.ID, 10)})
		}
	}
	units, err := a.db.QueryContext(ctx, `SELECT id, name FROM units ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("register: units: %w", err)
	}
	to, cc := map[string]bool{}, map[string]bool{}
	for _, s := range v["to_unit"] {
		to[s] = true
	}
	for _, s := range v["tembusan_unit"] {
		cc[s] = true
	}
	for units.Next() {
		var id int64
		var name string
		if err := units.Scan(&id, &name); err != nil {
			units.Close()
			return nil, fmt.Errorf("register: units: %w", err)
		}
		s := strconv.FormatInt(id, 10)
		d.Units = append(d.Units, keluarOption{s, name, to[s]})
		d.Tembusan = append(d.Tembusan, keluarOption{s, name, cc[s]})
	}
	units.Close()
	return d, units.Err()
}

// signerChoice is a position that can sign the user's letters.
type signerChoice struct {
	ID    int64
	Label string // "Kepala Dinas … (Budi)"
}

// signerChoices are the positions from the drafter's own up to the top
// whose holder (or a Plt/Plh active now) has a Segel profile.
func signerChoices(ctx context.Context, q Querier, from int64, now time.Time) ([]signerChoice, error) {
	var out []signerChoice
	cur := from
	for range keluarMaxDepth {
		var title string
		var parent sql.NullInt64
		err := q.QueryRowContext(ctx, `SELECT title, parent_id FROM positions WHERE id = $1`, cur).Scan(&title, &parent)
		if errors.Is(err, sql.ErrNoRows) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("register: signers: %w", err)
		}
		names, err := signingHolders(ctx, q, cur, now)
		if err != nil {
			return nil, err
		}
		if len(names) > 0 {
			out = append(out, signerChoice{cur, title + " (" + strings.Join(names, ", ") + ")"})
		}
		if !parent.Valid {
			break
		}
		cur = parent.Int64
	}
	return out, nil
}

// signingHolders names who can sign for a position now: its holders with
// a Segel profile, and its Plt/Plh with one (marked).
func signingHolders(ctx context.Context, q Querier, pos int64, now time.Time) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, '' FROM users WHERE position_id = $1 AND profile <> '' AND NOT disabled
		UNION ALL
		SELECT u.name, d.kind FROM delegations d JOIN users u ON u.id = d.user_id
		WHERE d.position_id = $1 AND d.starts <= $2 AND d.ends > $2 AND u.profile <> '' AND NOT u.disabled`, pos, FormatTime(now))
	if err != nil {
		return nil, fmt.Errorf("register: signers of position %d: %w", pos, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name, kind string
		if err := rows.Scan(&name, &kind); err != nil {
			return nil, fmt.Errorf("register: signers of position %d: %w", pos, err)
		}
		switch kind {
		case "plt":
			name = "Plt. " + name
		case "plh":
			name = "Plh. " + name
		}
		out = append(out, name)
	}
	return out, rows.Err()
}

// draftInput is a checked new-letter form.
type draftInput struct {
	Kind, Klasifikasi, Sifat, Subject string
	Signer                            int64
	ToUnits, CCUnits                  []int64
	ToExternal, CCExternal            []string
}

// maxSubject bounds the perihal (and each external addressee).
const maxSubject = 500

// parseDraftForm checks the form; errs maps a field to its message key.
func (a *App) parseDraftForm(ctx context.Context, u *User, v url.Values) (*draftInput, map[string]string, error) {
	in := &draftInput{Kind: v.Get("kind"), Klasifikasi: v.Get("klasifikasi"), Sifat: v.Get("sifat"),
		Subject: strings.TrimSpace(v.Get("subject"))}
	errs := map[string]string{}
	if !validNaskahKind(in.Kind) {
		errs["kind"] = "keluar.err.kind"
	}
	okSifat := false
	for _, s := range sifatValues {
		okSifat = okSifat || s == in.Sifat
	}
	if !okSifat {
		errs["sifat"] = "keluar.err.sifat"
	}
	if in.Subject == "" || len(in.Subject) > maxSubject || strings.ContainsAny(in.Subject, "\x00\r\n") {
		errs["subject"] = "keluar.err.subject"
	}
	var n int
	if err := a.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM klasifikasi WHERE code = $1`, in.Klasifikasi).Scan(&n); err != nil {
		return nil, nil, fmt.Errorf("register: klasifikasi: %w", err)
	}
	if n == 0 {
		errs["klasifikasi"] = "keluar.err.klasifikasi"
	}
	signer, err := strconv.ParseInt(v.Get("signer"), 10, 64)
	if err != nil {
		errs["signer"] = "keluar.err.signer"
	} else {
		choices, err := signerChoices(ctx, a.db, u.PositionID, a.now())
		if err != nil {
			return nil, nil, err
		}
		ok := false
		for _, c := range choices {
			ok = ok || c.ID == signer
		}
		if !ok {
			errs["signer"] = "keluar.err.signer"
		}
		in.Signer = signer
	}
	units := func(field string) []int64 {
		var out []int64
		seen := map[int64]bool{}
		for _, s := range v[field] {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || seen[id] {
				errs[field] = "keluar.err.unit"
				continue
			}
			if _, err := getUnit(ctx, a.db, id); err != nil {
				errs[field] = "keluar.err.unit"
				continue
			}
			seen[id] = true
			out = append(out, id)
		}
		return out
	}
	in.ToUnits, in.CCUnits = units("to_unit"), units("tembusan_unit")
	lines := func(field string) []string {
		var out []string
		for _, l := range strings.Split(v.Get(field), "\n") {
			l = strings.TrimSpace(l)
			if l == "" {
				continue
			}
			if len(l) > maxSubject || strings.ContainsRune(l, 0) {
				errs[field] = "keluar.err.external"
				continue
			}
			out = append(out, l)
		}
		return out
	}
	in.ToExternal, in.CCExternal = lines("external"), lines("tembusan_external")
	if len(in.ToUnits)+len(in.ToExternal) == 0 {
		errs["to_unit"] = "keluar.err.norecipient"
	}
	return in, errs, nil
}

// readDraftUpload reads the uploaded draft of field (nil, nil when none
// was sent) and checks it (inspectDraft).
func readDraftUpload(r *http.Request, field string) ([]byte, string, *draftInfo, error) {
	f, h, err := r.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, "", nil, nil
	}
	if err != nil {
		return nil, "", nil, fmt.Errorf("%w: %w", ErrDraftNotPDF, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxDraft+1))
	if err != nil {
		return nil, "", nil, fmt.Errorf("%w: %w", ErrDraftNotPDF, err)
	}
	if len(b) > maxDraft {
		return nil, "", nil, errDraftTooLarge
	}
	if len(b) == 0 {
		return nil, "", nil, nil
	}
	if !isPDFHeader(b) {
		return nil, "", nil, ErrDraftNotPDF
	}
	info, err := inspectDraft(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, "", nil, err
	}
	return b, keluarFileName(h.Filename), &info, nil
}

var errDraftTooLarge = errors.New("draft too large")

// draftErrorKey is the message key of a refused draft.
func draftErrorKey(err error) string {
	switch {
	case errors.Is(err, ErrDraftNoTTD):
		return "keluar.err.nottd"
	case errors.Is(err, ErrDraftEncrypted):
		return "keluar.err.encrypted"
	case errors.Is(err, ErrDraftSigned):
		return "keluar.err.signed"
	case errors.Is(err, errDraftTooLarge):
		return "keluar.err.toolarge"
	}
	return "keluar.err.notpdf"
}

// keluarFileName keeps a safe base name of an uploaded file.
func keluarFileName(name string) string {
	if name = cleanFileName(name); name == "" {
		name = "draf.pdf"
	}
	return name
}

// keluarCreate records a new outgoing letter with its first draft and
// sends it up the paraf chain (or straight to the signer when there is
// none).
func (a *App) keluarCreate(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	ctx := r.Context()
	lang := a.lang(r)
	refuse := func(msg string, errs map[string]string) {
		d, err := a.keluarForm(ctx, u, lang, r.PostForm)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		d.Error = msg
		for k, v := range errs {
			d.Errors[k] = T(lang, v)
		}
		a.renderStatus(w, r, http.StatusUnprocessableEntity, "keluar_new", d)
	}
	if u.PositionID == 0 || u.Position == nil {
		refuse(T(lang, "keluar.err.noposition"), nil)
		return
	}
	in, errs, err := a.parseDraftForm(ctx, u, r.PostForm)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	pdf, name, info, err := readDraftUpload(r, "draft")
	if err != nil {
		errs["draft"] = draftErrorKey(err)
	} else if pdf == nil {
		errs["draft"] = "keluar.err.nodraft"
	}
	if len(errs) > 0 {
		refuse(T(lang, "keluar.err.fix"), errs)
		return
	}
	chain, err := parafChain(ctx, a.db, u.PositionID, in.Signer)
	if err != nil {
		errs["signer"] = "keluar.err.signer"
		refuse(T(lang, "keluar.err.fix"), errs)
		return
	}
	sha, err := a.putLetterFile(pdf)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	now := a.now()
	var id int64
	err = a.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = InsertID(ctx, tx, `INSERT INTO letters (direction, unit_id, kind, subject, sifat, klasifikasi, status,
			signer_position_id, created_by, created_at, updated_at, pages)
			VALUES ('out', $1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id`,
			u.Position.UnitID, in.Kind, in.Subject, in.Sifat, in.Klasifikasi, statusDraf, in.Signer, u.ID, FormatTime(now), info.Pages)
		if err != nil {
			return fmt.Errorf("register: new outgoing letter: %w", err)
		}
		add := func(unit int64, ext string, cc bool) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO recipients (letter_id, unit_id, external, tembusan) VALUES ($1, $2, $3, $4)`,
				id, nullID(unit), ext, cc)
			return err
		}
		for _, x := range in.ToUnits {
			if err := add(x, "", false); err != nil {
				return fmt.Errorf("register: recipients: %w", err)
			}
		}
		for _, x := range in.ToExternal {
			if err := add(0, x, false); err != nil {
				return fmt.Errorf("register: recipients: %w", err)
			}
		}
		for _, x := range in.CCUnits {
			if err := add(x, "", true); err != nil {
				return fmt.Errorf("register: recipients: %w", err)
			}
		}
		for _, x := range in.CCExternal {
			if err := add(0, x, true); err != nil {
				return fmt.Errorf("register: recipients: %w", err)
			}
		}
		if err := insertDraftFile(ctx, tx, id, 1, name, sha, len(pdf), info.Pages, u.ID, now); err != nil {
			return err
		}
		if err := logEvent(ctx, tx, now, id, u.ID, "", "keluar.dibuat", name); err != nil {
			return err
		}
		return startParafRound(ctx, tx, id, chain, 1, u.ID, "", now)
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/surat/%d/paraf", id), http.StatusSeeOther)
}

// insertDraftFile records a draft version of a letter.
func insertDraftFile(ctx context.Context, tx *sql.Tx, letterID int64, version int, name, sha string, size, pages int, by int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO letter_files (letter_id, version, kind, name, sha256, size, pages, uploaded_by, created_at)
		VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8)`, letterID, version, name, sha, size, pages, by, FormatTime(now)); err != nil {
		return fmt.Errorf("register: draft version %d of letter %d: %w", version, letterID, err)
	}
	return nil
}
