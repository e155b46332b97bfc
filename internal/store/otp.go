package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// This file holds the TOTP enrolments of officials (docs/decisions.md,
// "TOTP for officials (issue 14)"): per personal profile and subject, a
// sealed blob the store does not read, and the step of the last code
// accepted, which UseOTPStep moves forward atomically so that no code is
// accepted twice, whichever replica checks it.

// ErrOTPReplay reports a TOTP step at or before the last step accepted:
// the code was used already (or an older one is offered).
var ErrOTPReplay = errors.New("store: the one-time code was already used")

// OTPEnrolment is a TOTP enrolment: Sealed is opaque to the store (AES-GCM
// ciphertext) and never logged or audited.
type OTPEnrolment struct {
	Profile, Subject string
	Sealed           []byte
	// LastStep is the TOTP step of the last code accepted, 0 for none.
	LastStep int64
	Created  time.Time
}

// prepareOTP checks e's key and contents and sets its creation time (now
// when zero, in UTC) and a LastStep of 0, for PutOTP and InsertOTP.
func prepareOTP(e *OTPEnrolment) error {
	if !validKey(e.Profile) || !validKey(e.Subject) {
		return fmt.Errorf("store: TOTP enrolment: profile or subject is empty or not UTF-8 text")
	}
	if len(e.Sealed) == 0 {
		return fmt.Errorf("store: TOTP enrolment of profile %s: nothing sealed", e.Profile)
	}
	if e.Created.IsZero() {
		e.Created = time.Now()
	}
	e.Created, e.LastStep = e.Created.UTC().Round(0), 0
	return nil
}

func (s *sqlStore) PutOTP(ctx context.Context, e *OTPEnrolment) error {
	if err := prepareOTP(e); err != nil {
		return err
	}
	err := s.db.writeTx(ctx, func(q querier) error {
		// The audit head first: enrolments and removals on every replica
		// then take turns, so that one never inserts beside a row another
		// has just inserted (on PostgreSQL a DELETE does not see a row
		// committed after its statement began: the INSERT would fail).
		head, err := s.lockHead(ctx, q)
		if err != nil {
			return err
		}
		if err := q.exec(ctx, `DELETE FROM otp WHERE profile = $1 AND subject = $2`, e.Profile, e.Subject); err != nil {
			return err
		}
		if err := q.exec(ctx, `INSERT INTO otp (profile, subject, sealed, last_step, created) VALUES ($1, $2, $3, 0, $4)`,
			e.Profile, e.Subject, e.Sealed, formatTime(e.Created)); err != nil {
			return err
		}
		return s.auditAfter(ctx, q, &AuditEntry{Profile: e.Profile, Operation: "totp-enrol", Outcome: "ok"}, head)
	})
	if err != nil {
		return fmt.Errorf("store: recording the TOTP enrolment of profile %s: %w", e.Profile, err)
	}
	return nil
}

func (s *sqlStore) InsertOTP(ctx context.Context, e *OTPEnrolment) error {
	if err := prepareOTP(e); err != nil {
		return err
	}
	exists := false
	err := s.db.writeTx(ctx, func(q querier) error {
		// The audit head first, as PutOTP and DeleteOTP take it, so that
		// replicas take turns. Then one statement: a concurrent insert of
		// the same key (another replica) makes this one insert nothing,
		// never fail half-way or replace the other's row.
		head, err := s.lockHead(ctx, q)
		if err != nil {
			return err
		}
		var got string
		err = q.queryRow(ctx, `INSERT INTO otp (profile, subject, sealed, last_step, created) VALUES ($1, $2, $3, 0, $4)
			ON CONFLICT (profile, subject) DO NOTHING RETURNING subject`,
			e.Profile, e.Subject, e.Sealed, formatTime(e.Created)).Scan(&got)
		if errors.Is(err, sql.ErrNoRows) {
			exists = true
			return nil
		}
		if err != nil {
			return err
		}
		return s.auditAfter(ctx, q, &AuditEntry{Profile: e.Profile, Operation: "totp-enrol", Outcome: "ok"}, head)
	})
	switch {
	case err != nil:
		return fmt.Errorf("store: recording the TOTP enrolment of profile %s: %w", e.Profile, err)
	case exists:
		return fmt.Errorf("%w: TOTP enrolment of profile %s", ErrExists, e.Profile)
	}
	return nil
}

func (s *sqlStore) GetOTP(ctx context.Context, profile, subject string) (*OTPEnrolment, error) {
	if !validKey(profile) || !validKey(subject) {
		return nil, fmt.Errorf("%w: TOTP enrolment", ErrNotFound)
	}
	e := &OTPEnrolment{Profile: profile, Subject: subject}
	var created string
	err := s.db.queryRow(ctx, `SELECT sealed, last_step, created FROM otp WHERE profile = $1 AND subject = $2`,
		profile, subject).Scan(&e.Sealed, &e.LastStep, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: TOTP enrolment of profile %s", ErrNotFound, profile)
	}
	if err != nil {
		return nil, fmt.Errorf("store: reading the TOTP enrolment of profile %s: %w", profile, err)
	}
	if e.Created, err = parseTime(created); err != nil {
		return nil, fmt.Errorf("store: TOTP enrolment of profile %s: created: %w", profile, err)
	}
	return e, nil
}

func (s *sqlStore) UseOTPStep(ctx context.Context, profile, subject string, step int64) error {
	if !validKey(profile) || !validKey(subject) {
		return fmt.Errorf("%w: TOTP enrolment", ErrNotFound)
	}
	// One statement moves the step: of two replicas offering the same
	// step, only one moves last_step (the row is locked while it does);
	// the other finds it moved and is refused.
	replay := false
	err := s.db.writeTx(ctx, func(q querier) error {
		var got int64
		err := q.queryRow(ctx, `UPDATE otp SET last_step = $3 WHERE profile = $1 AND subject = $2 AND last_step < $3
			RETURNING last_step`, profile, subject, step).Scan(&got)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if ok, err := otpExists(ctx, q, profile, subject); err != nil || !ok {
			if err == nil {
				err = fmt.Errorf("%w: TOTP enrolment of profile %s", ErrNotFound, profile)
			}
			return err
		}
		replay = true
		return nil
	})
	switch {
	case errors.Is(err, ErrNotFound):
		return err
	case err != nil:
		return fmt.Errorf("store: using a TOTP step of profile %s: %w", profile, err)
	case replay:
		return ErrOTPReplay
	}
	return nil
}

func (s *sqlStore) DeleteOTP(ctx context.Context, profile, subject string) error {
	if !validKey(profile) || !validKey(subject) {
		return nil
	}
	err := s.db.writeTx(ctx, func(q querier) error {
		// The audit head first, as in PutOTP (and the same lock order).
		head, err := s.lockHead(ctx, q)
		if err != nil {
			return err
		}
		if ok, err := otpExists(ctx, q, profile, subject); err != nil || !ok {
			return err
		}
		if err := q.exec(ctx, `DELETE FROM otp WHERE profile = $1 AND subject = $2`, profile, subject); err != nil {
			return err
		}
		return s.auditAfter(ctx, q, &AuditEntry{Profile: profile, Operation: "totp-remove", Outcome: "ok"}, head)
	})
	if err != nil {
		return fmt.Errorf("store: removing the TOTP enrolment of profile %s: %w", profile, err)
	}
	return nil
}

// otpExists reports whether q sees the row of profile and subject.
func otpExists(ctx context.Context, q querier, profile, subject string) (bool, error) {
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM otp WHERE profile = $1 AND subject = $2`, profile, subject).Scan(&n)
	return n > 0, err
}

// auditAfter appends e within the transaction of q after head, which
// the transaction has locked (lockHead).
func (s *sqlStore) auditAfter(ctx context.Context, q querier, e *AuditEntry, head *chainHead) error {
	cleanAudit(e)
	return s.insertAudit(ctx, q, e, head)
}
