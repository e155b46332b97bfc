package service

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/internal/totp"
	"github.com/segel-id/segel/pkcs11"
)

// TOTP for officials (docs/decisions.md, "TOTP for officials (issue
// 14)"): a personal profile with TOTP lets its official sign with a
// six-digit code of an authenticator app instead of the passphrase. The
// passphrase, proven at enrolment by really unlocking the key, is kept
// sealed with the TOTP secret under the key-encryption key
// (Options.TOTPKey), bound to the profile and the official; a code that
// verifies opens it, and the signature is made exactly as with the
// passphrase. Wrong and replayed codes count as wrong passphrases.

// totpSecretLen is the size of an enrolment's secret (RFC 4226's
// recommended 160 bits).
const totpSecretLen = 20

// DefaultTOTPWrongCodes is the default of Options.TOTPWrongCodes.
const DefaultTOTPWrongCodes = 10

// totpFailureWindow is how far back the wrong codes of an enrolment are
// counted: the store keeps failures for a week (at most), and an
// enrolment's count starts at its enrolment.
const totpFailureWindow = 7 * 24 * time.Hour

// totpFailureKey is the failure counter of the enrolment of prof's
// official (beside the passphrase lock-out's counters).
func totpFailureKey(p *Profile) string { return "totp:" + p.Name + "|" + totpSubject(p) }

// wrongCodesCapped counts the wrong (and replayed) codes recorded under
// key, the failure key of one enrolment (an official's, or a seal's
// activation), since the later of its creation and a week ago
// (totpFailureWindow), and reports whether they reached
// Options.TOTPWrongCodes: the per-enrolment cap that bounds the guesses
// at a six-digit code to TOTPWrongCodes a week, which the passphrase
// lock-out alone does not (docs/decisions.md, "TOTP for officials (issue
// 14)"). A capped enrolment is refused before its code is checked, even
// the right one, and that refusal is no guess (not counted).
func (s *Service) wrongCodesCapped(ctx context.Context, key string, created time.Time) (int, bool, error) {
	since := s.opts.Now().Add(-totpFailureWindow)
	if created.After(since) {
		since = created
	}
	n, err := s.opts.Store.CountFailures(ctx, key, since)
	if err != nil {
		return 0, false, err
	}
	return n, n >= s.opts.TOTPWrongCodes, nil
}

// addWrongCode records a wrong or replayed code of the enrolment whose
// failure key is key (see wrongCodesCapped), beside the lock-out's
// counters (countFailure). A failure to record it is logged only.
func (s *Service) addWrongCode(ctx context.Context, key, requestID string) {
	if err := s.opts.Store.AddFailure(ctx, key, s.opts.Now()); err != nil {
		s.opts.Logger.Error("store failure counter", "request_id", requestID, "error", err)
	}
}

// TOTPIssuer is the issuer an authenticator app shows beside the code.
const TOTPIssuer = "Segel"

// Enrolment is a TOTP enrolment as it is handed to the official, once.
type Enrolment struct {
	// Secret is the TOTP secret in base32 without padding, as
	// authenticator apps take it; URI is the otpauth:// URI of it (for a
	// QR code). Both are secrets: shown once, never logged.
	Secret string
	URI    string
}

// EnrolRequest asks for a TOTP enrolment of Profile's official.
type EnrolRequest struct {
	Profile *Profile
	// Passphrase is the official's passphrase, which enrolment proves by
	// unlocking the key; the caller clears it after EnrolTOTP returns.
	Passphrase []byte
	// Client, ClientAddr and RequestID are as in Request.
	Client, ClientAddr, RequestID string
}

// TOTPEnabled reports whether p's official may sign with a TOTP code: a
// key-encryption key is configured and p is personal, opted in (TOTP)
// and names its official (NIK or Email).
func (s *Service) TOTPEnabled(p *Profile) bool {
	return len(s.opts.TOTPKey) == totp.KeySize && p != nil && p.Personal && p.TOTP && totpSubject(p) != ""
}

// totpSubject is the official of p under whom the enrolment is kept:
// the NIK, or else the e-mail address in lower case.
func totpSubject(p *Profile) string { return TOTPSubject(p.NIK, p.Email) }

// TOTPSubject is the subject under which the TOTP enrolment of the
// official with nik (or, without one, email) is kept in the store: the
// NIK, or else the e-mail address in lower case.
func TOTPSubject(nik, email string) string {
	if nik != "" {
		return nik
	}
	return strings.ToLower(strings.TrimSpace(email))
}

// RemoveTOTP removes the TOTP enrolment of profile's official (subject
// as TOTPSubject gives it), for an operator (a lost phone, a departed
// official): the store's entry "totp-remove", then one "totp-reset"
// naming operator. It reports whether there was an enrolment; without
// one nothing is audited.
func RemoveTOTP(ctx context.Context, st store.Store, profile, subject, operator string) (bool, error) {
	if _, err := st.GetOTP(ctx, profile, subject); errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if err := st.DeleteOTP(ctx, profile, subject); err != nil {
		return false, err
	}
	return true, st.AppendAudit(ctx, &store.AuditEntry{Time: time.Now().UTC(), Client: operator, Profile: profile,
		Operation: "totp-reset", Outcome: "ok"})
}

// totpAAD binds a sealed enrolment to its profile and official: a row
// copied to another official does not open.
func totpAAD(p *Profile) []byte {
	return []byte("segel-totp-v1\x00" + p.Name + "\x00" + totpSubject(p))
}

// TOTPEnrolled reports whether p's official is enrolled (p must be
// TOTPEnabled).
func (s *Service) TOTPEnrolled(ctx context.Context, p *Profile) (bool, *Error) {
	if !s.TOTPEnabled(p) {
		return false, nil
	}
	_, err := s.opts.Store.GetOTP(ctx, p.Name, totpSubject(p))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		s.opts.Logger.Error("store TOTP enrolment", "profile", p.Name, "error", err)
		return false, retry("temporarily-unavailable", "the enrolment could not be read", 5*time.Second)
	}
	return true, nil
}

// EnrolTOTP enrols (or enrols again: the old enrolment is replaced) the
// official of req.Profile: it proves req.Passphrase by signing with the
// key, under the same lock-out as signing (a wrong passphrase counts),
// then draws a secret, seals it with the passphrase and stores it. The
// Enrolment returned is the only time the secret leaves the service.
func (s *Service) EnrolTOTP(ctx context.Context, req *EnrolRequest) (*Enrolment, error) {
	prof := req.Profile
	if !s.TOTPEnabled(prof) {
		return nil, Fail("bad-request", "one-time codes are not enabled for this profile")
	}
	if len(req.Passphrase) == 0 {
		return nil, Fail("passphrase-required", "enrolment needs the official's passphrase")
	}
	enr, e := s.enrol(ctx, req)
	if e != nil {
		s.opts.Observer.Failed(prof.Name, e.Kind)
		s.auditOp(ctx, &Request{Profile: prof, Client: req.Client, RequestID: req.RequestID, Level: prof.DefaultLevel},
			"totp-enrol", e.Kind, e.Detail, "", "")
		return nil, e
	}
	return enr, nil
}

func (s *Service) enrol(ctx context.Context, req *EnrolRequest) (*Enrolment, *Error) {
	prof := req.Profile
	if !s.begin() {
		return nil, retry("shutting-down", "", 5*time.Second)
	}
	defer s.inflight.Done()
	release, e := s.acquire(ctx, prof)
	if e != nil {
		return nil, e
	}
	defer release()
	unlock, e := s.takeAttempt(ctx, prof, req.ClientAddr)
	if e != nil {
		return nil, e
	}
	defer unlock()
	sig, err := prof.Key.Unlock(ctx, req.Passphrase)
	if err != nil {
		return nil, Fail("internal", "profile "+prof.Name+" is personal but its key cannot be unlocked by a passphrase")
	}
	// The proof: a signature over a digest of Segel's own making (never
	// a caller's), which the token makes only after the passphrase
	// logged in.
	var nonce [32]byte
	rand.Read(nonce[:])
	d := sha256.Sum256(append([]byte("segel: TOTP enrolment proof, profile "+prof.Name+"\x00"), nonce[:]...))
	if _, err := sig.Sign(rand.Reader, d[:], crypto.SHA256); err != nil {
		if errors.Is(err, pkcs11.ErrPassphraseRejected) {
			s.countFailure(context.WithoutCancel(ctx), &Request{Profile: prof, ClientAddr: req.ClientAddr, RequestID: req.RequestID})
		}
		e := Classify(err)
		if e.Status() >= 500 {
			s.opts.Logger.Error("totp enrol", "request_id", req.RequestID, "profile", prof.Name, "error", err)
		}
		return nil, e
	}
	secret := make([]byte, totpSecretLen)
	rand.Read(secret)
	pt := make([]byte, 0, 1+len(secret)+len(req.Passphrase))
	pt = append(append(append(pt, byte(len(secret))), secret...), req.Passphrase...)
	sealed, err := totp.Seal(s.opts.TOTPKey, totpAAD(prof), pt)
	clear(pt)
	if err != nil {
		clear(secret)
		return nil, Fail("internal", "")
	}
	err = s.opts.Store.PutOTP(context.WithoutCancel(ctx), &store.OTPEnrolment{
		Profile: prof.Name, Subject: totpSubject(prof), Sealed: sealed, Created: s.opts.Now()})
	if err != nil {
		clear(secret)
		s.opts.Logger.Error("store TOTP enrolment", "request_id", req.RequestID, "profile", prof.Name, "error", err)
		return nil, retry("temporarily-unavailable", "the enrolment could not be recorded", 30*time.Second)
	}
	uri, b32 := otpauth(TOTPIssuer, totpSubject(prof), secret)
	clear(secret)
	s.opts.Logger.Info("totp enrolled", "request_id", req.RequestID, "profile", prof.Name)
	return &Enrolment{Secret: b32, URI: uri}, nil
}

// otpauth is the otpauth:// URI of secret for account of issuer (the
// codes of package totp: SHA-1, totp.Digits digits, totp.Step), and the
// secret in base32 without padding, as authenticator apps take both.
func otpauth(issuer, account string, secret []byte) (uri, b32 string) {
	b32 = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)
	q := url.Values{"secret": {b32}, "issuer": {issuer}, "algorithm": {"SHA1"},
		"digits": {strconv.Itoa(totp.Digits)}, "period": {strconv.Itoa(int(totp.Step / time.Second))}}
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + q.Encode(), b32
}

// takeAttempt admits one passphrase (or code) attempt at a time for the
// official of prof and checks the lock-out once it is its turn, so that
// concurrent guesses cannot all reach the token before the first is
// counted. The function returned ends the attempt (more than once is
// fine).
func (s *Service) takeAttempt(ctx context.Context, prof *Profile, addr string) (func(), *Error) {
	select {
	case prof.attempt <- struct{}{}:
	case <-ctx.Done():
		return nil, Fail("client-closed", "")
	}
	done := false
	unlock := func() {
		if !done {
			done = true
			<-prof.attempt
		}
	}
	if e := s.LockedOut(ctx, prof, addr); e != nil {
		unlock()
		return nil, e
	}
	return unlock, nil
}

// TOTPUnlock is the passphrase that a TOTP code opened, for the
// signatures of one request (Request.TOTP); Clear it after them.
type TOTPUnlock struct{ pass []byte }

// Clear zeroes the passphrase.
func (u *TOTPUnlock) Clear() {
	if u != nil {
		clear(u.pass)
	}
}

// UnlockTOTP checks code for the official of req.Profile (one attempt
// at a time, under the lock-out, as a passphrase is) and opens the
// passphrase sealed at enrolment. The code is used up: it never opens it
// again. A failure is audited (operation "sign") like Sign's.
func (s *Service) UnlockTOTP(ctx context.Context, req *Request, code string) (*TOTPUnlock, error) {
	prof := req.Profile
	if prof == nil {
		return nil, Fail("unknown-profile", "")
	}
	pass, e := s.unlockTOTP(ctx, req, code)
	if e != nil {
		s.opts.Observer.Failed(prof.Name, e.Kind)
		s.audit(ctx, req, e.Kind, e.Detail, "", "")
		return nil, e
	}
	return &TOTPUnlock{pass: pass}, nil
}

func (s *Service) unlockTOTP(ctx context.Context, req *Request, code string) ([]byte, *Error) {
	if !s.TOTPEnabled(req.Profile) {
		return nil, Fail("bad-request", "one-time codes are not enabled for this profile")
	}
	unlock, e := s.takeAttempt(ctx, req.Profile, req.ClientAddr)
	if e != nil {
		return nil, e
	}
	defer unlock()
	return s.totpPassphrase(ctx, req, code)
}

// totpPassphrase checks code against the enrolment of req.Profile's
// official, within ±1 step, moves the enrolment's last step so that the
// code is never accepted again (across replicas: the store's UseOTPStep)
// and returns the sealed passphrase, which the caller clears. A wrong or
// replayed code is counted as a wrong passphrase. Call it during the
// official's attempt (takeAttempt).
func (s *Service) totpPassphrase(ctx context.Context, req *Request, code string) ([]byte, *Error) {
	prof := req.Profile
	subject := totpSubject(prof)
	enr, err := s.opts.Store.GetOTP(ctx, prof.Name, subject)
	if errors.Is(err, store.ErrNotFound) {
		return nil, Fail("totp-not-enrolled", "")
	}
	if err != nil {
		s.opts.Logger.Error("store TOTP enrolment", "request_id", req.RequestID, "profile", prof.Name, "error", err)
		return nil, retry("temporarily-unavailable", "the enrolment could not be read", 5*time.Second)
	}
	pt, err := totp.Open(s.opts.TOTPKey, totpAAD(prof), enr.Sealed)
	if err != nil || len(pt) < 1 || int(pt[0]) != totpSecretLen || len(pt) < 1+totpSecretLen {
		clear(pt)
		// Another key, or a row not this official's: never used.
		s.opts.Logger.Error("the TOTP enrolment does not open under the key-encryption key for this official",
			"request_id", req.RequestID, "profile", prof.Name)
		return nil, Fail("totp-stale", "the enrolment cannot be used; enrol again")
	}
	defer clear(pt)
	secret := pt[1 : 1+totpSecretLen]
	now := s.opts.Now()
	// An enrolment that took TOTPWrongCodes wrong codes within a week is
	// used no more (even with the right code) until the official enrols
	// again with the passphrase, or the oldest is a week old: this, not
	// the passphrase lock-out, bounds the guesses at a six-digit code to
	// TOTPWrongCodes a week (docs/decisions.md).
	switch n, capped, err := s.wrongCodesCapped(ctx, totpFailureKey(prof), enr.Created); {
	case err != nil:
		s.opts.Logger.Error("store failure counter", "request_id", req.RequestID, "profile", prof.Name, "error", err)
		return nil, retry("temporarily-unavailable", "the enrolment could not be read", 5*time.Second)
	case capped:
		s.opts.Logger.Warn("the TOTP enrolment took too many wrong codes; the official must enrol again",
			"request_id", req.RequestID, "profile", prof.Name, "wrong_codes", n)
		return nil, Fail("totp-stale", "too many wrong codes for this enrolment; enrol again")
	}
	rejected := func() *Error {
		cctx := context.WithoutCancel(ctx)
		s.countFailure(cctx, req)
		s.addWrongCode(cctx, totpFailureKey(prof), req.RequestID)
		return Fail("totp-rejected", "")
	}
	step, err := totp.Verify(secret, code, now, enr.LastStep)
	if err != nil {
		return nil, rejected()
	}
	switch err := s.opts.Store.UseOTPStep(context.WithoutCancel(ctx), prof.Name, subject, step); {
	case errors.Is(err, store.ErrOTPReplay):
		return nil, rejected()
	case errors.Is(err, store.ErrNotFound):
		return nil, Fail("totp-not-enrolled", "")
	case err != nil:
		s.opts.Logger.Error("store TOTP step", "request_id", req.RequestID, "profile", prof.Name, "error", err)
		return nil, retry("temporarily-unavailable", "the code could not be recorded as used", 5*time.Second)
	}
	return append([]byte(nil), pt[1+totpSecretLen:]...), nil
}
