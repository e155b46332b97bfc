package register

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// lembarOf fills the lembar disposisi of an incoming letter from the
// database: the letter's fields and every disposition but the passing to
// the head at registration (which is no disposition), in the order given.
func (a *App) lembarOf(ctx context.Context, l *inLetter) (*Lembar, error) {
	unit, err := getUnit(ctx, a.db, l.UnitID)
	if err != nil {
		return nil, err
	}
	lb := &Lembar{
		Kabupaten:    strings.TrimSpace(strings.TrimPrefix(a.opts.Kabupaten, "Kabupaten")),
		Unit:         unit.Name,
		From:         l.Sender,
		Number:       l.SenderNumber,
		Subject:      l.Subject,
		Sifat:        l.Sifat,
		Klasifikasi:  l.Klasifikasi,
		AgendaNo:     l.Agenda(),
		LetterDate:   l.LetterDate,
		ReceivedDate: l.ReceivedDate,
		PrintedAt:    a.now().In(wib),
	}
	rows, err := letterDispos(ctx, a.db, l.ID)
	if err != nil {
		return nil, err
	}
	labels := map[int64]string{}
	label := func(pos int64) (string, error) {
		if s, ok := labels[pos]; ok {
			return s, nil
		}
		s, err := holderLabel(ctx, a.db, pos)
		labels[pos] = s
		return s, err
	}
	for _, d := range rows {
		if d.ParentID == 0 && len(d.Instructions) == 0 {
			continue // the passing to the head
		}
		to, err := label(d.ToPosition)
		if err != nil {
			return nil, err
		}
		from := d.FromTitle + " (" + d.FromName + ")"
		lb.Entries = append(lb.Entries, LembarEntry{
			From: from, To: to, ActingAs: actingPrefix(d.ActingAs),
			Instructions: d.Instructions, Note: d.Note, Due: d.Due, At: d.CreatedAt.In(wib),
		})
	}
	return lb, nil
}

// actingPrefix is "Plh." or "Plt." of a recorded acting_as label such as
// "Plh. Kepala Dinas …"; "" when the action was done in person.
func actingPrefix(label string) string {
	for _, p := range []string{"Plh.", "Plt."} {
		if strings.HasPrefix(label, p) {
			return p
		}
	}
	return label
}

// lembarPDF is GET /surat/{id}/lembar.pdf: the printable lembar
// disposisi of an incoming letter, rendered on each request (so that it
// always shows the whole trail), each one recorded in the trail
// (lembarViewAction).
func (a *App) lembarPDF(w http.ResponseWriter, r *http.Request) {
	l, ok := a.visibleInLetter(w, r)
	if !ok {
		return
	}
	lb, err := a.lembarOf(r.Context(), l)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := WriteLembar(&buf, lb); err != nil {
		a.fail(w, r, err)
		return
	}
	// Each sheet served is a sheet not printed (the dashboard counts
	// them); the parts a PDF viewer fetches with Range are not more.
	if r.Header.Get("Range") == "" {
		u := currentUser(r)
		if err := logEvent(r.Context(), a.db, a.now(), l.ID, u.ID, "", lembarViewAction, ""); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	name := fmt.Sprintf("lembar-disposisi-%d-%d.pdf", l.Year, l.AgendaNo)
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `inline; filename="`+name+`"`)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(buf.Bytes()))
}
