package register

import (
	"context"
	"fmt"
)

func init() {
	AddInboxSection(20, parafForMe)
	AddInboxSection(30, lettersToSign)
}

// parafForMe is the inbox section of the letters whose current paraf is
// a position the user holds or acts for now.
func parafForMe(ctx context.Context, a *App, u *User, lang string) (*InboxSection, error) {
	pos := u.PositionIDs()
	if len(pos) == 0 {
		return nil, nil
	}
	rows, err := a.db.QueryContext(ctx, `SELECT l.id, l.subject, l.sifat, COALESCE(cu.name, ''), l.updated_at, pos.title
		FROM paraf p JOIN letters l ON l.id = p.letter_id JOIN positions pos ON pos.id = p.position_id
		LEFT JOIN users cu ON cu.id = l.created_by
		WHERE p.action = 'pending' AND l.status = $1 AND p.position_id IN (`+idList(pos)+`)
		AND p.seq = (SELECT MIN(q.seq) FROM paraf q WHERE q.letter_id = p.letter_id AND q.action = 'pending')
		ORDER BY l.updated_at, l.id`, statusParaf)
	if err != nil {
		return nil, fmt.Errorf("register: paraf waiting: %w", err)
	}
	defer rows.Close()
	sec := &InboxSection{Title: T(lang, "inbox.paraf")}
	for rows.Next() {
		var id int64
		var subject, sifat, drafter, updated, title string
		if err := rows.Scan(&id, &subject, &sifat, &drafter, &updated, &title); err != nil {
			return nil, fmt.Errorf("register: paraf waiting: %w", err)
		}
		at, _ := ParseTime(updated)
		sec.Items = append(sec.Items, InboxItem{Href: fmt.Sprintf("/surat/%d/paraf", id), Title: subject,
			Detail: joinDetail(T(lang, "keluar.drafter")+" "+drafter, title, at.In(wib).Format("02-01-2006 15:04")),
			Badge:  sifatBadge(lang, sifat)})
	}
	return sec, rows.Err()
}

// lettersToSign is the inbox section of the letters waiting for the
// user's signature (as the holder of the signing position or its
// Plt/Plh), for users with a Segel profile.
func lettersToSign(ctx context.Context, a *App, u *User, lang string) (*InboxSection, error) {
	pos := u.PositionIDs()
	if len(pos) == 0 || !u.Signs() {
		return nil, nil
	}
	rows, err := a.db.QueryContext(ctx, `SELECT l.id, l.subject, l.sifat, COALESCE(cu.name, ''), l.updated_at, l.signer_position_id
		FROM letters l LEFT JOIN users cu ON cu.id = l.created_by
		WHERE l.direction = 'out' AND l.status = $1 AND l.signer_position_id IN (`+idList(pos)+`)
		ORDER BY l.updated_at, l.id`, statusSiapTTD)
	if err != nil {
		return nil, fmt.Errorf("register: letters to sign: %w", err)
	}
	defer rows.Close()
	sec := &InboxSection{Title: T(lang, "inbox.ttd")}
	for rows.Next() {
		var id, signer int64
		var subject, sifat, drafter, updated string
		if err := rows.Scan(&id, &subject, &sifat, &drafter, &updated, &signer); err != nil {
			return nil, fmt.Errorf("register: letters to sign: %w", err)
		}
		at, _ := ParseTime(updated)
		acting, _ := u.ActingAs(signer)
		sec.Items = append(sec.Items, InboxItem{Href: fmt.Sprintf("/surat/%d/ttd", id), Title: subject,
			Detail: joinDetail(T(lang, "keluar.drafter")+" "+drafter, acting, at.In(wib).Format("02-01-2006 15:04")),
			Badge:  sifatBadge(lang, sifat)})
	}
	return sec, rows.Err()
}

// sifatBadge is the badge of a letter's sifat; none for biasa.
func sifatBadge(lang, sifat string) string {
	if sifat == "" || sifat == "biasa" {
		return ""
	}
	return T(lang, "sifat."+sifat)
}
