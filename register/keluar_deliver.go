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

// inAgendaLockKey is the first key of the PostgreSQL advisory lock that
// serialises the agenda numbers of a unit (the second is the unit id):
// the same lock as the registration of incoming letters takes, so that
// the two never give one number twice.
const inAgendaLockKey = 7301014

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
				if a.db.Postgres {
					if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, inAgendaLockKey, int32(unit)); err != nil {
						return fmt.Errorf("register: agenda lock: %w", err)
					}
				}
				var agenda int
				if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(agenda_no), 0) + 1 FROM letters
					WHERE direction = 'in' AND unit_id = $1 AND year = $2`, unit, year).Scan(&agenda); err != nil {
					return fmt.Errorf("register: agenda number: %w", err)
				}
				id, err := InsertID(ctx, tx, `INSERT INTO letters (direction, unit_id, year, agenda_no, sender, sender_number,
					letter_date, received_date, subject, sifat, klasifikasi, status, created_by, created_at, updated_at, pages,
					document_id, verify_url)
					VALUES ('in', $1, $2, $3, $4, $5, $6, $6, $7, $8, $9, 'baru', $10, $11, $11, $12, $13, $14) RETURNING id`,
					unit, year, agenda, signTitleOf(l), s.Number, day, l.Subject, l.Sifat, l.Klasifikasi, by, FormatTime(now),
					l.DraftPages, s.DocumentID, s.VerifyURL)
				if err != nil {
					return fmt.Errorf("register: incoming copy for unit %d: %w", unit, err)
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO letter_files (letter_id, version, kind, name, sha256, size, pages,
					uploaded_by, created_at) VALUES ($1, 1, 'signed', $2, $3, $4, $5, $6, $7)`,
					id, signedFileName(s.Number), s.SHA256, s.Size, l.DraftPages, by, FormatTime(now)); err != nil {
					return fmt.Errorf("register: incoming copy for unit %d: %w", unit, err)
				}
				head, err := keluarUnitHead(ctx, tx, unit)
				if err != nil {
					return err
				}
				if head != 0 {
					if _, err := tx.ExecContext(ctx, `INSERT INTO dispositions (letter_id, from_position_id, from_user_id,
						to_position_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
						id, l.SignerPositionID, by, head, FormatTime(now)); err != nil {
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

// keluarUnitHead is the head position of a unit: its top position that
// is not the clerk's or a staf's (its superior is in another unit, or it
// has none); 0 when the unit has none.
func keluarUnitHead(ctx context.Context, q Querier, unit int64) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT p.id FROM positions p LEFT JOIN positions s ON s.id = p.parent_id
		WHERE p.unit_id = $1 AND p.kind NOT IN ('clerk', 'staf') AND (s.id IS NULL OR s.unit_id <> p.unit_id)
		ORDER BY p.id LIMIT 1`, unit).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("register: head of unit %d: %w", unit, err)
	}
	return id, nil
}
