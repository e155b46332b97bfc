package register

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/segel-id/segel/internal/spool"
)

// Signing an outgoing letter: the number is taken, written into the
// letter and the letter signed through the Gateway in one database
// transaction, so that a refused signature gives its number back. See
// docs/decisions.md, "Register: surat keluar, paraf, signing and
// numbering", for the crash window.

// Problem types of the gateway that signing answers by retrying at the
// profile's default level: the profile does not allow B-LTA, or the
// gateway has no time-stamping authority. Both are refused before the
// passphrase is tried, so the retry costs no attempt.
const (
	kindLevelForbidden = "level-forbidden"
	kindTSAUnavailable = "tsa-unavailable"
)

// signLevel is the level asked for first.
const signLevel = "B-LTA"

// signTimeout bounds one signing transaction, the gateway call included
// (a B-LTA signature calls the TSA twice and fetches revocation data: a
// few seconds at worst when all is well).
const signTimeout = 2 * time.Minute

// Errors of signing, besides the Gateway's *GatewayError.
var (
	// errFillNumber: the number could not be written at ${nomor}.
	errFillNumber = errors.New("register: writing the number into letter")
	// ErrNoProfile: the user has no personal profile in Segel.
	ErrNoProfile = errors.New("register: no signing profile")
)

// signJob is one signing asked for on the signing screen.
type signJob struct {
	LetterID int64
	// UserID, Profile, NIP and Name are the signer's: the holder of the
	// letter's signing position, or its Plt/Plh with their own profile
	// (the caller checked that they may sign it).
	UserID             int64
	Profile, NIP, Name string
	// ActingAs is the delegation's label ("Plh. Kepala Dinas …"), empty
	// when the holder signs in person.
	ActingAs string
	// Passphrase is the official's passphrase; sign zeroes it.
	Passphrase []byte
	ClientAddr string
}

// signedLetter is what a successful signing gave.
type signedLetter struct {
	Number, DocumentID, VerifyURL string
	Version                       int
	SHA256                        string
	Size                          int64
}

// letterToSign is what signing reads of a letter before its transaction.
type letterToSign struct {
	ID                       int64
	Status, Subject, Sifat   string
	Klasifikasi              string
	SignerPositionID         int64
	PositionTitle            string
	SignerUnitID             int64
	SignerUnitCode           string
	SignerUnitName           string
	DraftSHA256              string
	DraftVersion, DraftPages int
}

// loadLetterToSign reads an outgoing letter with its signing position's
// unit and its newest draft.
func (a *App) loadLetterToSign(ctx context.Context, id int64) (*letterToSign, error) {
	l := &letterToSign{ID: id}
	err := a.db.QueryRowContext(ctx, `SELECT l.status, l.subject, l.sifat, l.klasifikasi, p.id, p.title, u.id, u.code, u.name
		FROM letters l JOIN positions p ON p.id = l.signer_position_id JOIN units u ON u.id = p.unit_id
		WHERE l.id = $1 AND l.direction = 'out'`, id).Scan(&l.Status, &l.Subject, &l.Sifat, &l.Klasifikasi,
		&l.SignerPositionID, &l.PositionTitle, &l.SignerUnitID, &l.SignerUnitCode, &l.SignerUnitName)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("outgoing letter %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("register: letter %d: %w", id, err)
	}
	err = a.db.QueryRowContext(ctx, `SELECT sha256, version, pages FROM letter_files WHERE letter_id = $1 AND kind = 'draft'
		ORDER BY version DESC LIMIT 1`, id).Scan(&l.DraftSHA256, &l.DraftVersion, &l.DraftPages)
	if err != nil {
		return nil, fmt.Errorf("register: draft of letter %d: %w", id, err)
	}
	return l, nil
}

// numberPattern is the number_pattern setting, DefaultNumberPattern when
// unset.
func (a *App) numberPattern(ctx context.Context) (string, error) {
	var p string
	err := a.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'number_pattern'`).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && strings.TrimSpace(p) == "") {
		return DefaultNumberPattern, nil
	}
	if err != nil {
		return "", fmt.Errorf("register: number pattern: %w", err)
	}
	return p, nil
}

// signTitle is the stamp's title line: the position, marked "Plt." or
// "Plh." when the signer acts for it.
func signTitle(position, actingAs string) string {
	if actingAs != "" {
		return actingAs
	}
	return position
}

// signLetter signs a letter that is siap_ttd. The sequence row of the
// signing unit stays locked from the number's taking to the commit, which
// comes after the gateway answered and the signed file is stored: a
// refusal (wrong passphrase, lock-out, gateway down) rolls everything
// back and the number is given back. It zeroes job.Passphrase. Internal
// recipients get the letter after the commit (deliverInternal).
func (a *App) signLetter(ctx context.Context, job *signJob) (*signedLetter, error) {
	defer clear(job.Passphrase)
	// Once asked for, a signing runs to its end even when the official's
	// browser goes away (see below).
	ctx = context.WithoutCancel(ctx)
	if job.Profile == "" {
		return nil, ErrNoProfile
	}
	l, err := a.loadLetterToSign(ctx, job.LetterID)
	if err != nil {
		return nil, err
	}
	if l.Status != statusSiapTTD {
		return nil, ErrLetterState
	}
	draft, err := a.readLetterFile(l.DraftSHA256)
	if err != nil {
		return nil, err
	}
	info, err := inspectDraft(bytes.NewReader(draft), int64(len(draft)))
	if err != nil {
		return nil, fmt.Errorf("register: draft of letter %d: %w", l.ID, err)
	}
	pattern, err := a.numberPattern(ctx)
	if err != nil {
		return nil, err
	}
	now := a.now()
	year := numberTime(now).Year()
	log := a.log().With("letter", l.ID)

	// Once begun, a signing runs to its end even when the official's
	// browser goes away (a phone losing its network): cancelling it
	// between Segel's answer and the commit would leave a letter signed
	// at Segel and not here. The sequence (and on SQLite the database's
	// write lock) is held for the gateway call, so it is bounded instead.
	tctx, cancel := context.WithTimeout(ctx, signTimeout)
	defer cancel()
	var out *signedLetter
	var signedAtSegel *SignResult
	err = a.db.Tx(tctx, func(tx *sql.Tx) error {
		// The letter row first: a second device signing the same letter
		// waits here and then finds it signed.
		if err := claimLetter(tctx, tx, l.ID, statusSiapTTD, now); err != nil {
			return err
		}
		seq, err := nextSeq(tctx, tx, l.SignerUnitID, year)
		if err != nil {
			return err
		}
		number, err := FormatNumber(pattern, NumberFields{Klasifikasi: l.Klasifikasi, Urut: seq, KodeUnit: l.SignerUnitCode, At: now})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(tctx, `UPDATE letters SET number = $1, year = $2 WHERE id = $3`, number, year, l.ID); err != nil {
			return fmt.Errorf("register: number %s for letter %d: %w", number, l.ID, err)
		}
		letter := draft
		if info.HasNomor {
			var filled bytes.Buffer
			if err := fillNumber(&filled, bytes.NewReader(draft), int64(len(draft)), number); err != nil {
				return fmt.Errorf("%w %d: %w", errFillNumber, l.ID, err)
			}
			letter = filled.Bytes()
		}
		req := &SignRequest{
			Profile: job.Profile, Passphrase: job.Passphrase, PDF: bytes.NewReader(letter), Size: int64(len(letter)),
			Anchor: AnchorTTD, Level: signLevel, Number: number, Title: signTitle(l.PositionTitle, job.ActingAs),
			NIP: job.NIP, ClientAddr: job.ClientAddr,
		}
		if l.Sifat == "rahasia" {
			req.Confidential = true
		} else {
			req.Subject = l.Subject
		}
		log.Info("register: signing", "number", number, "profile", job.Profile)
		var signed bytes.Buffer
		sr, err := a.gatewaySign(tctx, req, &signed)
		if err != nil {
			return err
		}
		signedAtSegel = sr
		// From here to the commit is the crash window: Segel has signed
		// and registered the letter. This line, and Segel's audit entry
		// and register record of the same document id, are how an
		// interrupted commit is found (docs/decisions.md).
		log.Info("register: signed at Segel", "number", number, "document", sr.DocumentID)
		sha, err := a.putLetterFile(signed.Bytes())
		if err != nil {
			return err
		}
		version := l.DraftVersion + 1
		if _, err := tx.ExecContext(tctx, `INSERT INTO letter_files (letter_id, version, kind, name, sha256, size, pages, uploaded_by, created_at)
			VALUES ($1, $2, 'signed', $3, $4, $5, $6, $7, $8)`,
			l.ID, version, signedFileName(number), sha, signed.Len(), l.DraftPages, job.UserID, FormatTime(now)); err != nil {
			return fmt.Errorf("register: signed file of letter %d: %w", l.ID, err)
		}
		if _, err := tx.ExecContext(tctx, `UPDATE letters SET status = $1, signed_at = $2, signed_by = $3, document_id = $4,
			verify_url = $5, updated_at = $2 WHERE id = $6`,
			statusSigned, FormatTime(now), job.UserID, sr.DocumentID, sr.VerifyURL, l.ID); err != nil {
			return fmt.Errorf("register: letter %d: %w", l.ID, err)
		}
		if err := logEvent(tctx, tx, now, l.ID, job.UserID, job.ActingAs, "keluar.ditandatangani",
			joinDetail(number, "Segel "+sr.DocumentID)); err != nil {
			return err
		}
		out = &signedLetter{Number: number, DocumentID: sr.DocumentID, VerifyURL: sr.VerifyURL, Version: version, SHA256: sha, Size: int64(signed.Len())}
		return nil
	})
	if err != nil {
		if signedAtSegel != nil {
			// Signed and registered at Segel, not recorded here: the
			// number goes back and will be given again. Said loudly, with
			// what finds the orphan in Segel's register.
			log.Error("register: signed at Segel but not recorded here", "document", signedAtSegel.DocumentID, "err", err)
		}
		var g *GatewayError
		if errors.As(err, &g) {
			// Outside the rolled-back transaction: the trail keeps the
			// refusal (its kind, never the passphrase).
			if e := logEvent(ctx, a.db, now, l.ID, job.UserID, job.ActingAs, "keluar.ttd_gagal", g.Kind); e != nil {
				log.Error("register: recording a refused signature", "err", e)
			}
		}
		return nil, err
	}
	log.Info("register: letter signed", "number", out.Number, "document", out.DocumentID)
	if err := a.deliverInternal(ctx, l, out, job.UserID); err != nil {
		// The letter is signed and recorded; only its delivery failed.
		log.Error("register: delivering to internal recipients", "err", err)
	}
	return out, nil
}

// gatewaySign asks for B-LTA and falls back to the profile's default
// level when the gateway refuses the level (before trying the
// passphrase).
func (a *App) gatewaySign(ctx context.Context, req *SignRequest, out *bytes.Buffer) (*SignResult, error) {
	gw := a.opts.Gateway
	if gw == nil {
		return nil, &GatewayError{Kind: "unavailable", Status: 503, Detail: "no gateway configured"}
	}
	res, err := gw.Sign(ctx, req, out)
	if err != nil && (IsKind(err, kindLevelForbidden) || IsKind(err, kindTSAUnavailable)) {
		out.Reset()
		req.Level = ""
		res, err = gw.Sign(ctx, req, out)
	}
	if err != nil {
		return nil, fmt.Errorf("register: signing through Segel: %w", err)
	}
	return res, nil
}

// signedFileName is the download name of a signed letter.
func signedFileName(number string) string {
	r := strings.NewReplacer("/", "-", "\\", "-", " ", "_")
	return "surat-" + r.Replace(number) + ".pdf"
}

// The register's own view of the gateway's lock-out, for the "attempts
// left" of the signing screen: Segel's defaults (httpapi.Options
// PassphraseAttempts and PassphraseWindow). Segel decides; these only
// word the message.
const (
	signAttempts = 5
	signWindow   = 15 * time.Minute
)

// signData is the signing screen.
type signData struct {
	Letter   *outLetter
	Draft    *outFile
	Signed   *outFile
	ActingAs string
	CanSign  bool
	// NoProfile: the viewer acts for the signing position but has no
	// Segel profile of their own.
	NoProfile     bool
	Error, Notice string
}

// signScreen reads the letter of the request for the signing screen: only
// for the holder of its signing position or their Plt/Plh (404 to
// others, as for a letter one may not see).
func (a *App) signScreen(w http.ResponseWriter, r *http.Request) (*outLetter, *signData) {
	l := a.outLetterFor(w, r)
	if l == nil {
		return nil, nil
	}
	u := currentUser(r)
	acting, ok := u.ActingAs(l.SignerPositionID)
	if !ok {
		a.notFound(w, r)
		return nil, nil
	}
	files, err := outFiles(r.Context(), a.db, l.ID)
	if err != nil {
		a.fail(w, r, err)
		return nil, nil
	}
	d := &signData{Letter: l, Draft: latestDraft(files), ActingAs: acting, NoProfile: !u.Signs()}
	for _, f := range files {
		if f.Kind == "signed" {
			d.Signed = f
		}
	}
	d.CanSign = l.Status == statusSiapTTD && u.Signs()
	return l, d
}

// signPage is GET /surat/{id}/ttd: the final version, and the passphrase
// field when the letter waits for the viewer's signature.
func (a *App) signPage(w http.ResponseWriter, r *http.Request) {
	_, d := a.signScreen(w, r)
	if d == nil {
		return
	}
	if r.URL.Query().Get("ok") == "1" && d.Letter.Status == statusSigned {
		d.Notice = fmt.Sprintf(T(a.lang(r), "sign.done"), d.Letter.Number)
	}
	a.render(w, r, "keluar_sign", d)
}

// signPost is POST /surat/{id}/ttd: signs with the typed passphrase. The
// passphrase is taken out of the parsed form, handed to the gateway, and
// zeroed after; it is never stored nor logged.
func (a *App) signPost(w http.ResponseWriter, r *http.Request) {
	pass := []byte(r.PostFormValue("passphrase"))
	defer clear(pass)
	// Drop the form's copies (a string cannot be zeroed, but nothing
	// else keeps a reference to it).
	delete(r.PostForm, "passphrase")
	delete(r.Form, "passphrase")
	l, d := a.signScreen(w, r)
	if d == nil {
		return
	}
	u := currentUser(r)
	lang := a.lang(r)
	refuse := func(status int, msg string) {
		d.Error = msg
		a.renderStatus(w, r, status, "keluar_sign", d)
	}
	if !d.CanSign {
		if d.NoProfile {
			refuse(http.StatusForbidden, T(lang, "sign.err.noprofile"))
		} else {
			refuse(http.StatusConflict, T(lang, "keluar.err.state"))
		}
		return
	}
	if len(pass) == 0 {
		refuse(http.StatusUnprocessableEntity, T(lang, "sign.err.empty"))
		return
	}
	job := &signJob{LetterID: l.ID, UserID: u.ID, Profile: u.Profile, NIP: u.NIP, Name: u.Name, ActingAs: d.ActingAs,
		Passphrase: pass, ClientAddr: a.clientAddr(r)}
	_, err := a.signLetter(r.Context(), job)
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/surat/%d/ttd?ok=1", l.ID), http.StatusSeeOther)
		return
	}
	var g *GatewayError
	switch {
	case IsKind(err, KindWrongPassphrase):
		left, cerr := a.attemptsLeft(r.Context(), u.ID)
		if cerr != nil {
			a.log().Error("register: counting refused passphrases", "err", cerr)
		}
		msg := T(lang, "sign.err.wrong")
		if left > 0 && cerr == nil {
			msg += " " + fmt.Sprintf(T(lang, "sign.err.left"), left)
		}
		refuse(http.StatusForbidden, msg)
	case errors.As(err, &g) && g.Kind == KindLockedOut:
		wait := g.RetryAfter
		if wait <= 0 {
			wait = signWindow
		}
		until := a.now().Add(wait).In(wib).Format("15:04")
		refuse(http.StatusTooManyRequests, fmt.Sprintf(T(lang, "sign.err.locked"), until))
	case errors.As(err, &g) && g.Kind == KindPlacement:
		refuse(http.StatusUnprocessableEntity, T(lang, "keluar.err.nottd"))
	case errors.As(err, &g) && g.Kind == KindBusy:
		refuse(http.StatusServiceUnavailable, T(lang, "sign.err.busy"))
	case errors.As(err, &g):
		a.log().Warn("register: Segel refused a signature", "letter", l.ID, "kind", g.Kind, "status", g.Status)
		refuse(http.StatusBadGateway, fmt.Sprintf(T(lang, "sign.err.refused"), g.Kind))
	case errors.Is(err, ErrLetterState):
		refuse(http.StatusConflict, T(lang, "keluar.err.state"))
	case errors.Is(err, ErrNoProfile):
		refuse(http.StatusForbidden, T(lang, "sign.err.noprofile"))
	case errors.Is(err, errFillNumber):
		a.log().Error("register: signing failed", "letter", l.ID, "err", err)
		refuse(http.StatusUnprocessableEntity, T(lang, "sign.err.fill"))
	case errors.Is(err, ErrDraftNoTTD), errors.Is(err, ErrDraftNotPDF):
		refuse(http.StatusUnprocessableEntity, T(lang, draftErrorKey(err)))
	case errors.Is(err, context.Canceled):
		return
	default:
		// The gateway could not be reached (or the database failed): no
		// number was used.
		a.log().Error("register: signing failed", "letter", l.ID, "err", err)
		refuse(http.StatusBadGateway, T(lang, "sign.err.unavailable"))
	}
}

// attemptsLeft is how many passphrases the register expects Segel to take
// before it locks the user out: signAttempts less the refusals recorded
// in the trail within signWindow.
func (a *App) attemptsLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	err := a.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE user_id = $1 AND action = 'keluar.ttd_gagal'
		AND detail = $2 AND at >= $3`, userID, KindWrongPassphrase, FormatTime(a.now().Add(-signWindow))).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("register: refused passphrases: %w", err)
	}
	return max(signAttempts-n, 0), nil
}

// clientAddr is the request's client address for Segel's lock-out
// counters and the login throttle: the connection's peer or, from a
// trusted proxy, the last forwarded address that is not one
// (Options.TrustedProxies; the rule of Segel's own API, spool.ClientAddress).
func (a *App) clientAddr(r *http.Request) string {
	return spool.ClientAddress(r, a.opts.TrustedProxies)
}
