package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Internal recipients get a signed letter in their surat masuk as a
// letters row of their own (direction in), with the next agenda number of
// their unit, the signed file (the same content-addressed file: kind
// signed), the sender's number as sender_number, and a first disposition
// to the unit's head, as a clerk's registration gives it, so that it
// lands in the head's inbox and goes down the tree like any other letter.
// See docs/decisions.md, "Register: surat keluar, paraf, signing and
// numbering".

// deliverInternal gives each internal recipient unit (addressee or
// tembusan) of the signed letter l its incoming copy, in a transaction of
// its own after the signing's commit: a failure here never undoes a
// signature. It is retried on an agenda number taken meanwhile.
func (a *App) deliverInternal(ctx context.Context, l *letterToSign, s *signedLetter, by int64) error {
	var units []int64
	rows, err := a.db.QueryContext(ctx, `SELECT DISTINCT unit_id FROM recipients WHERE letter_id = $1 AND unit_id IS NOT NULL ORDER BY unit_id`, l.ID)
	if err != nil {
		return fmt.Errorf("register: recipients of letter %d: %w", l.ID, err)
	}
	for rows.Next() {
		var u int64
		if err := rows.Scan(&u); err != nil {
			rows.Close()
			return fmt.Errorf("register: recipients of letter %d: %w", l.ID, err)
		}
		units = append(units, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("register: recipients of letter %d: %w", l.ID, err)
	}
	if len(units) == 0 {
		return nil
	}
	now := a.now()
	year := now.In(wib).Year()
	day := now.In(wib).Format("2006-01-02")
	for attempt := 0; ; attempt++ {
		err = a.db.Tx(ctx, func(tx *sql.Tx) error {
			for _, unit := range units {
				// The agenda number as the registration of incoming
				// letters gives it (the same lock), so the two never
				// give one number twice.
				agenda, err := a.nextAgenda(ctx, tx, unit, year)
				if err != nil {
					return err
				}
				// The copy is the recipient unit's: nobody of the
				// sending OPD created it (created_by NULL), and its
				// delivery row does not make the sender involved
				// (visibleClause), so the recipient's dispositions on
				// it stay theirs.
				id, err := InsertID(ctx, tx, `INSERT INTO letters (direction, unit_id, year, agenda_no, sender, sender_number,
					letter_date, received_date, subject, sifat, klasifikasi, status, created_by, created_at, updated_at, pages,
					document_id, verify_url)
					VALUES ('in', $1, $2, $3, $4, $5, $6, $6, $7, $8, $9, 'baru', $10, $11, $11, $12, $13, $14) RETURNING id`,
					unit, year, agenda, signTitleOf(l), s.Number, day, l.Subject, l.Sifat, l.Klasifikasi, nil, FormatTime(now),
					l.DraftPages, s.DocumentID, s.VerifyURL)
				if err != nil {
					return fmt.Errorf("register: incoming copy for unit %d: %w", unit, err)
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO letter_files (letter_id, version, kind, name, sha256, size, pages,
					uploaded_by, created_at) VALUES ($1, 1, 'signed', $2, $3, $4, $5, $6, $7)`,
					id, signedFileName(s.Number), s.SHA256, s.Size, l.DraftPages, by, FormatTime(now)); err != nil {
					return fmt.Errorf("register: incoming copy for unit %d: %w", unit, err)
				}
				head, err := unitHead(ctx, tx, unit)
				if err != nil && !errors.Is(err, errNoHead) {
					return err
				}
				if head != nil {
					if _, err := tx.ExecContext(ctx, `INSERT INTO dispositions (letter_id, from_position_id, from_user_id,
						to_position_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
						id, l.SignerPositionID, by, head.ID, FormatTime(now)); err != nil {
						return fmt.Errorf("register: passing the copy to the head of unit %d: %w", unit, err)
					}
				}
				if err := logEvent(ctx, tx, now, id, by, "", "keluar.diterima",
					joinDetail(fmt.Sprintf("%d/%d", agenda, year), s.Number)); err != nil {
					return err
				}
			}
			return logEvent(ctx, tx, now, l.ID, by, "", "keluar.dikirim", fmt.Sprintf("%d", len(units)))
		})
		if err == nil || !IsUnique(err) || attempt >= 5 {
			return err
		}
	}
}

// signTitleOf names the sender of an internal copy: the signing
// position's unit.
func signTitleOf(l *letterToSign) string { return l.SignerUnitName }
