package register

import (
	"context"
	"net/http"
	"sort"
)

// InboxSection is one part of the inbox (kotak masuk): the dispositions
// to the user, the paraf waiting for them, the letters to sign, …
type InboxSection struct {
	// Title is the section's heading, already translated.
	Title string
	// Items are what waits; a section with no items is not shown.
	Items []InboxItem
}

// InboxItem is one thing waiting for the user.
type InboxItem struct {
	Href    string // the letter's page, e.g. /surat/12
	Title   string // e.g. the perihal
	Detail  string // e.g. "dari Kepala Dinas · 02-12-2026"
	Badge   string // e.g. "segera"
	Overdue bool   // past its due date: highlighted
}

// InboxSource computes one section of the inbox for the user u in lang.
// It returns nil when it has nothing to show.
type InboxSource func(ctx context.Context, a *App, u *User, lang string) (*InboxSection, error)

var inboxSources []struct {
	order int
	src   InboxSource
}

// AddInboxSection registers a source of the inbox; sections show in
// ascending order. Each part of the register calls it from an init
// function in its own file:
//
//	func init() { AddInboxSection(10, dispositionsToMe) }
//
// Suggested orders: 10 dispositions, 20 paraf, 30 letters to sign.
func AddInboxSection(order int, src InboxSource) {
	inboxSources = append(inboxSources, struct {
		order int
		src   InboxSource
	}{order, src})
	sort.SliceStable(inboxSources, func(i, j int) bool { return inboxSources[i].order < inboxSources[j].order })
}

type inboxData struct {
	Sections []*InboxSection
}

// inbox is the start page: every registered section that has items.
func (a *App) inbox(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	lang := a.lang(r)
	d := &inboxData{}
	for _, s := range inboxSources {
		sec, err := s.src(r.Context(), a, u, lang)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if sec != nil && len(sec.Items) > 0 {
			d.Sections = append(d.Sections, sec)
		}
	}
	a.render(w, r, "inbox", d)
}
