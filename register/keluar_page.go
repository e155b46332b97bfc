package register

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// keluarLetterData is the page of an outgoing letter (/surat/{id}/paraf).
type keluarLetterData struct {
	Letter     *outLetter
	Files      []*outFile
	Draft      *outFile
	SignedFile *outFile
	Recipients []*outRecipient
	Paraf      []*parafRow
	Current    *parafRow
	Events     []*trailEvent
	// What the viewer may do now, and as whom ("Plh. …").
	CanParaf, CanReturn, CanResubmit, CanSign bool
	ActingAs                                  string
	Notice, Error                             string
}

// keluarPage shows an outgoing letter with its files, paraf chain and
// trail, and the forms of what the viewer may do.
func (a *App) keluarPage(w http.ResponseWriter, r *http.Request) {
	l := a.outLetterFor(w, r)
	if l == nil {
		return
	}
	d, err := a.keluarLetter(r.Context(), currentUser(r), a.lang(r), l)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if ok := r.URL.Query().Get("ok"); strings.HasPrefix(ok, "keluar.") {
		d.Notice = T(a.lang(r), "notice."+ok)
	}
	a.render(w, r, "keluar_letter", d)
}

func (a *App) keluarLetter(ctx context.Context, u *User, lang string, l *outLetter) (*keluarLetterData, error) {
	d := &keluarLetterData{Letter: l}
	var err error
	if d.Files, err = outFiles(ctx, a.db, l.ID); err != nil {
		return nil, err
	}
	d.Draft = latestDraft(d.Files)
	for _, f := range d.Files {
		if f.Kind == "signed" {
			d.SignedFile = f
		}
	}
	if d.Recipients, err = outRecipients(ctx, a.db, l.ID); err != nil {
		return nil, err
	}
	if d.Paraf, err = parafRows(ctx, a.db, l.ID); err != nil {
		return nil, err
	}
	if d.Events, err = letterEvents(ctx, a.db, lang, l.ID); err != nil {
		return nil, err
	}
	switch l.Status {
	case statusParaf:
		d.Current = currentParaf(d.Paraf)
		if d.Current != nil {
			if acting, ok := u.ActingAs(d.Current.PositionID); ok {
				d.CanParaf, d.CanReturn, d.ActingAs = true, true, acting
			}
		}
	case statusSiapTTD:
		if acting, ok := u.ActingAs(l.SignerPositionID); ok {
			d.CanReturn, d.CanSign, d.ActingAs = true, u.Signs(), acting
		}
	case statusReturned:
		d.CanResubmit = l.CreatedBy == u.ID
	}
	return d, nil
}

// keluarAction is POST /surat/{id}/paraf: aksi=setuju (paraf), kembalikan
// (return with a note and optionally a corrected file) or ajukan (the
// drafter resubmits after a return, optionally with a corrected file).
func (a *App) keluarAction(w http.ResponseWriter, r *http.Request) {
	l := a.outLetterFor(w, r)
	if l == nil {
		return
	}
	ctx := r.Context()
	u := currentUser(r)
	lang := a.lang(r)
	note := strings.TrimSpace(r.PostFormValue("note"))
	if len(note) > 2000 {
		note = note[:2000]
	}
	refuse := func(status int, key string) {
		d, err := a.keluarLetter(ctx, u, lang, l)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		d.Error = T(lang, key)
		a.renderStatus(w, r, status, "keluar_letter", d)
	}
	var err error
	var done string
	switch r.PostFormValue("aksi") {
	case "setuju":
		version, _ := strconv.Atoi(r.PostFormValue("version"))
		err = a.approveParaf(ctx, u, l, version, note)
		done = "keluar.paraf"
	case "kembalikan":
		if note == "" {
			refuse(http.StatusUnprocessableEntity, "keluar.err.note")
			return
		}
		pdf, name, info, ferr := readDraftUpload(r, "draft")
		if ferr != nil {
			refuse(http.StatusUnprocessableEntity, draftErrorKey(ferr))
			return
		}
		err = a.returnLetter(ctx, u, l, note, pdf, name, info)
		done = "keluar.dikembalikan"
	case "ajukan":
		pdf, name, info, ferr := readDraftUpload(r, "draft")
		if ferr != nil {
			refuse(http.StatusUnprocessableEntity, draftErrorKey(ferr))
			return
		}
		err = a.resubmit(ctx, u, l, pdf, name, info)
		done = "keluar.diajukan"
	default:
		refuse(http.StatusBadRequest, "keluar.err.action")
		return
	}
	switch {
	case errors.Is(err, ErrNotYourTurn):
		a.forbidden(w, r, "")
	case errors.Is(err, ErrLetterState):
		refuse(http.StatusConflict, "keluar.err.state")
	case errors.Is(err, errStaleVersion):
		refuse(http.StatusConflict, "keluar.err.stale")
	case errors.Is(err, ErrSignerNotAbove):
		refuse(http.StatusConflict, "keluar.err.signer")
	case err != nil:
		a.fail(w, r, err)
	default:
		http.Redirect(w, r, fmt.Sprintf("/surat/%d/paraf?ok=%s", l.ID, done), http.StatusSeeOther)
	}
}
