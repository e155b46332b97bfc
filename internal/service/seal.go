package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/internal/totp"
)

// The institutional seal (see docs/decisions.md, "Institutional seal and
// user registration (issue 14)"). A seal profile's key is unlocked by its
// configured PIN, like any institutional profile's; what guards it is an
// RFC 6238 activation held by the seal's custodian in an authenticator
// app. Its secret is kept sealed under the TOTP key-encryption key
// (Options.TOTPKey) in the store's OTP rows:
//
//   - subject "activation": the secret and a generation id, with the
//     step of the last activation code accepted (no code twice);
//   - subject "code:<SHA-256 of a seal code, hex>": a seal code's count
//     of documents, its expiry and the generation of the activation that
//     gave it; LastStep counts the documents sealed with it, moved
//     forward atomically (UseOTPStep), so that a code's documents are
//     never spent twice, also by replicas on one PostgreSQL.
//
// A seal code whose activation was refreshed or revoked since is dead.
//
// Who activates: the first activation, and the one after a revocation, is
// the operator's (ActivateSealOperator, `segel seal activate`), who gives
// the secret to the custodian; over the API (ActivateSeal) only a seal
// profile with APIActivation is activated by the first API client that
// asks, with an insert that fails if the row exists (one winner). A
// revocation does not remove the activation row: it replaces it by one
// marked revoked, so that no API call can activate the seal again.

// Bounds of seal codes.
const (
	// SealCodeTTL is how long a seal code is good for.
	SealCodeTTL = 5 * time.Minute
	// MaxSealDocuments is the most documents one seal code seals.
	MaxSealDocuments = 100
)

const (
	sealActivationSubject = "activation"
	sealCodePrefix        = "code:"
	sealIssuer            = "Segel"
)

// sealActivation is the sealed content of a seal's activation row.
type sealActivation struct {
	Secret     []byte `json:"s,omitempty"`
	Generation string `json:"g"`
	// Revoked marks a revoked activation: no secret, and only the
	// operator activates the seal again.
	Revoked bool `json:"r,omitempty"`
}

// newSealActivation draws a new activation of a seal: a secret of
// totpSecretLen bytes and a generation (newSealGeneration). The caller
// clears its Secret.
func newSealActivation() *sealActivation {
	secret := make([]byte, totpSecretLen)
	rand.Read(secret)
	return &sealActivation{Secret: secret, Generation: newSealGeneration()}
}

// newSealGeneration draws the generation of an activation, which the seal
// codes given under it carry: a new one kills them.
func newSealGeneration() string {
	gen := make([]byte, 12)
	rand.Read(gen)
	return hex.EncodeToString(gen)
}

// sealCodeState is the sealed content of a seal code's row.
type sealCodeState struct {
	Documents  int64  `json:"n"`
	Expires    int64  `json:"e"` // Unix seconds
	Generation string `json:"g"`
}

// SealCall is one call of the seal's API: the seal, the code the caller
// gave (an activation code from the authenticator app; "" for none), and
// who calls, for the lock-out and the audit log.
type SealCall struct {
	Profile                       *Profile
	Code                          string
	Client, ClientAddr, RequestID string
}

// SealActivation is a new activation: the secret, shown once, for the
// custodian's authenticator app.
type SealActivation struct {
	// URI is the otpauth:// URI (a QR code of it is what apps scan).
	URI string
	// Secret is the secret in base32, for typing in by hand.
	Secret string
}

// SealCode is a seal code: good for Documents signatures until Expires.
type SealCode struct {
	Code      string
	Documents int
	Expires   time.Time
}

// ProfileBySubscriber returns the seal profile whose IDSubscriber is
// id, or nil.
func (s *Service) ProfileBySubscriber(id string) *Profile {
	if id == "" {
		return nil
	}
	for _, p := range s.profiles {
		if p.Seal && p.IDSubscriber == id {
			return p
		}
	}
	return nil
}

// ActivateSeal activates the seal of c.Profile over the API, or refreshes
// its activation. A seal without an activation is activated only if its
// profile has APIActivation, by the first caller (an insert that fails if
// the row exists: a second caller at once gets seal-already-activated):
// the answer holds the new secret, once. Otherwise, and for a revoked
// seal whatever APIActivation says, the answer is
// seal-activation-by-operator: the operator activates it
// (ActivateSealOperator). An active seal is refreshed only with a valid
// activation code (an API key alone must not take a seal over): the
// secret is replaced, and the seal codes given before die.
func (s *Service) ActivateSeal(ctx context.Context, c *SealCall) (*SealActivation, *Error) {
	if e := s.sealUsable(ctx, c); e != nil {
		return nil, e
	}
	op := "seal-activate"
	row, err := s.opts.Store.GetOTP(ctx, c.Profile.Name, sealActivationSubject)
	byOperator := func(detail string) (*SealActivation, *Error) {
		e := Fail("seal-activation-by-operator", "the seal's custodian gets the activation from the operator (segel seal activate)")
		s.auditSeal(ctx, c, op, e.Kind, detail)
		return nil, e
	}
	first := false
	switch {
	case errors.Is(err, store.ErrNotFound):
		if !c.Profile.APIActivation {
			return byOperator("not activated")
		}
		first = true
	case err != nil:
		return nil, s.sealStoreFailure(ctx, c, op, err)
	case s.revoked(c, row):
		return byOperator("revoked")
	case c.Code == "":
		e := Fail("seal-code-required", "the seal is active: refreshing it needs a code of its activation")
		s.auditSeal(ctx, c, op, e.Kind, "")
		return nil, e
	default:
		op = "seal-refresh"
		if _, e := s.checkActivation(ctx, c, op); e != nil {
			return nil, e
		}
	}
	act := newSealActivation()
	secret := act.Secret
	defer clear(secret)
	if first {
		err := putSealRow(ctx, s.opts.Store, s.opts.TOTPKey, c.Profile.Name, sealActivationSubject, act, s.opts.Now(), true)
		if errors.Is(err, store.ErrExists) {
			e := Fail("seal-already-activated", "another caller activated the seal first")
			s.auditSeal(ctx, c, op, e.Kind, "")
			return nil, e
		}
		if err != nil {
			return nil, s.sealStoreFailure(ctx, c, op, err)
		}
	} else if err := putSealRow(ctx, s.opts.Store, s.opts.TOTPKey, c.Profile.Name, sealActivationSubject, act, row.Created, false); err != nil {
		// A refresh keeps the activation's creation, from which its wrong
		// codes are counted (checkActivation): only the operator's
		// activation counts afresh.
		return nil, s.sealStoreFailure(ctx, c, op, err)
	}
	// The seal codes of an earlier activation are dead.
	s.pruneSealCodes(ctx, c, s.opts.Now().Add(time.Second))
	s.auditSeal(ctx, c, op, "ok", "")
	return sealURI(c.Profile.IDSubscriber, secret), nil
}

// sealURI is the activation of a seal named idSubscriber with secret.
func sealURI(idSubscriber string, secret []byte) *SealActivation {
	uri, b32 := otpauth(sealIssuer, idSubscriber, secret)
	return &SealActivation{URI: uri, Secret: b32}
}

// revoked reports whether the activation row of c's seal is a revoked
// one. A row that does not open is not called revoked here: the callers
// read it again (activationRow) and answer that it cannot be opened.
func (s *Service) revoked(c *SealCall, row *store.OTPEnrolment) bool {
	var act sealActivation
	if err := s.openSealRow(c.Profile, row, &act); err != nil {
		return false
	}
	clear(act.Secret)
	return act.Revoked
}

// RevokeSeal ends the seal's activation, given a valid activation code:
// until the operator activates it again (ActivateSealOperator), the seal
// signs nothing. The activation row is replaced by one marked revoked
// (not removed), so that no API call activates the seal again, even with
// APIActivation.
func (s *Service) RevokeSeal(ctx context.Context, c *SealCall) *Error {
	const op = "seal-revoke"
	if e := s.sealUsable(ctx, c); e != nil {
		return e
	}
	if c.Code == "" {
		e := Fail("seal-code-required", "revoking the seal needs a code of its activation")
		s.auditSeal(ctx, c, op, e.Kind, "")
		return e
	}
	if _, e := s.checkActivation(ctx, c, op); e != nil {
		return e
	}
	if err := s.putSealRow(ctx, c.Profile, sealActivationSubject, &sealActivation{Generation: newSealGeneration(), Revoked: true}); err != nil {
		return s.sealStoreFailure(ctx, c, op, err)
	}
	s.pruneSealCodes(ctx, c, s.opts.Now().Add(time.Second))
	s.auditSeal(ctx, c, op, "ok", "")
	return nil
}

// IssueSealCode gives, for a valid activation code, a seal code good for
// documents signatures (1 to MaxSealDocuments) within SealCodeTTL.
func (s *Service) IssueSealCode(ctx context.Context, c *SealCall, documents int) (*SealCode, *Error) {
	const op = "seal-code"
	if documents < 1 || documents > MaxSealDocuments {
		return nil, Fail("bad-request", "a seal code is for 1 to "+strconv.Itoa(MaxSealDocuments)+" documents")
	}
	if e := s.sealUsable(ctx, c); e != nil {
		return nil, e
	}
	if c.Code == "" {
		e := Fail("seal-code-required", "a seal code is given for a code of the seal's activation")
		s.auditSeal(ctx, c, op, e.Kind, "")
		return nil, e
	}
	act, e := s.checkActivation(ctx, c, op)
	if e != nil {
		return nil, e
	}
	code := NewID()
	expires := s.opts.Now().Add(SealCodeTTL).Truncate(time.Second)
	st := sealCodeState{Documents: int64(documents), Expires: expires.Unix(), Generation: act.Generation}
	if err := s.putSealRow(ctx, c.Profile, sealCodeSubject(code), &st); err != nil {
		return nil, s.sealStoreFailure(ctx, c, op, err)
	}
	s.pruneSealCodes(ctx, c, s.opts.Now().Add(-SealCodeTTL))
	s.auditSeal(ctx, c, op, "ok", strconv.Itoa(documents)+" documents")
	return &SealCode{Code: code, Documents: documents, Expires: expires}, nil
}

// SealGrant is what SpendSealCode gives: the right to sign a number of
// documents with the seal, taken one per signature (Request.Seal). Only
// the service makes one.
type SealGrant struct {
	profile *Profile
	left    atomic.Int64
}

// take takes one document of g for a signature of p.
func (g *SealGrant) take(p *Profile) bool {
	if g == nil || g.profile != p {
		return false
	}
	if g.left.Add(-1) < 0 {
		g.left.Add(1)
		return false
	}
	return true
}

// SpendSealCode spends documents documents of c.Code, a seal code, at
// once (the files of one request: all of them or none), and returns the
// grant their signatures take. A code that is not known counts as a wrong
// code; one that expired, was used up or whose activation was refreshed
// or revoked since is refused and removed.
func (s *Service) SpendSealCode(ctx context.Context, c *SealCall, documents int) (*SealGrant, *Error) {
	const op = "seal-sign"
	if e := s.sealUsable(ctx, c); e != nil {
		return nil, e
	}
	if c.Code == "" {
		return nil, Fail("seal-code-required", "sealing needs a seal code")
	}
	if documents < 1 || documents > MaxSealDocuments {
		return nil, Fail("bad-request", "a seal code is for 1 to "+strconv.Itoa(MaxSealDocuments)+" documents")
	}
	act, e := s.activation(ctx, c)
	if e != nil {
		return nil, e
	}
	prof, subject := c.Profile.Name, sealCodeSubject(c.Code)
	refuse := func(detail string) (*SealGrant, *Error) {
		e := Fail("seal-code-rejected", detail)
		s.auditSeal(ctx, c, op, e.Kind, detail)
		return nil, e
	}
	dead := func() (*SealGrant, *Error) {
		// Not counted as a guess: the caller held a real code. The row
		// stays until pruned (see pruneSealCodes), so that asking again
		// is answered the same.
		return refuse("the seal code has expired or is used up, or its activation was renewed")
	}
	// Another request spending the same code moves LastStep first; then
	// this one reads it again.
	for range 32 {
		row, err := s.opts.Store.GetOTP(ctx, prof, subject)
		if errors.Is(err, store.ErrNotFound) {
			s.countSealFailure(ctx, c)
			return refuse("the seal code is not valid")
		}
		if err != nil {
			return nil, s.sealStoreFailure(ctx, c, op, err)
		}
		var st sealCodeState
		if err := s.openSealRow(c.Profile, row, &st); err != nil {
			return dead()
		}
		if st.Generation != act.Generation || !s.opts.Now().Before(time.Unix(st.Expires, 0)) || row.LastStep >= st.Documents {
			return dead()
		}
		if row.LastStep+int64(documents) > st.Documents {
			return refuse(strconv.FormatInt(st.Documents-row.LastStep, 10) + " documents are left of the seal code")
		}
		err = s.opts.Store.UseOTPStep(ctx, prof, subject, row.LastStep+int64(documents))
		switch {
		case errors.Is(err, store.ErrOTPReplay):
			continue
		case errors.Is(err, store.ErrNotFound):
			return refuse("the seal code is used up")
		case err != nil:
			return nil, s.sealStoreFailure(ctx, c, op, err)
		}
		g := &SealGrant{profile: c.Profile}
		g.left.Store(int64(documents))
		return g, nil
	}
	return nil, retry("busy", "the seal code is being spent by other requests", time.Second)
}

// sealUsable refuses a call that is not for a seal, a seal without the
// key-encryption key, and a seal locked out by wrong codes.
func (s *Service) sealUsable(ctx context.Context, c *SealCall) *Error {
	if c.Profile == nil || !c.Profile.Seal {
		return Fail("unknown-profile", "")
	}
	if len(s.opts.TOTPKey) == 0 {
		return Fail("internal", "no TOTP key-encryption key is configured")
	}
	return sealLockOut(s.LockedOut(ctx, c.Profile, c.ClientAddr))
}

// sealLockOut names a lock-out of a seal (passphrase-locked-out, from the
// officials' counters it shares) seal-locked-out; other errors pass.
func sealLockOut(e *Error) *Error {
	if e != nil && e.Kind == "passphrase-locked-out" {
		e.Kind = "seal-locked-out"
	}
	return e
}

// activation returns the seal's activation; seal-not-activated when it
// has none.
func (s *Service) activation(ctx context.Context, c *SealCall) (*sealActivation, *Error) {
	_, act, e := s.activationRow(ctx, c)
	return act, e
}

func (s *Service) activationRow(ctx context.Context, c *SealCall) (*store.OTPEnrolment, *sealActivation, *Error) {
	row, err := s.opts.Store.GetOTP(ctx, c.Profile.Name, sealActivationSubject)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, Fail("seal-not-activated", "activate the seal first (/api/v2/seal/get/activation)")
	}
	if err != nil {
		return nil, nil, s.sealStoreFailure(ctx, c, "seal", err)
	}
	var act sealActivation
	if err := s.openSealRow(c.Profile, row, &act); err != nil {
		// A row that does not open under this key (another key, or moved
		// from another profile) is no activation.
		s.opts.Logger.Error("seal activation cannot be opened: is totp.key_file the one it was made with?",
			"request_id", c.RequestID, "profile", c.Profile.Name)
		return nil, nil, Fail("internal", "")
	}
	if act.Revoked {
		return nil, nil, Fail("seal-not-activated", "the seal was revoked: the operator activates it again (segel seal activate)")
	}
	return row, &act, nil
}

// sealFailureKey is the failure counter of the activation of seal p
// (beside the lock-out's counters): the officials' per-enrolment cap
// (wrongCodesCapped) applied to the seal's activation.
func sealFailureKey(p *Profile) string { return "seal:" + p.Name + "|" + sealActivationSubject }

// checkActivation checks c.Code against the seal's activation and
// spends its step, so that no code is accepted twice. One code of the
// seal is checked at a time (takeAttempt, as an official's), so that
// concurrent guesses cannot all pass the counters. A wrong or replayed
// code counts in the lock-out counters and in the activation's own
// (sealFailureKey): once Options.TOTPWrongCodes of them are within a week
// of the activation, it is refused (seal-activation-stale), even for the
// right code and without counting, until the operator activates the seal
// again (ActivateSealOperator, or ResetSeal and then it) or the oldest
// is a week old (docs/decisions.md, "Institutional seal and user
// registration (issue 14)").
func (s *Service) checkActivation(ctx context.Context, c *SealCall, op string) (*sealActivation, *Error) {
	unlock, e := s.takeAttempt(ctx, c.Profile, c.ClientAddr)
	if e != nil {
		return nil, sealLockOut(e)
	}
	defer unlock()
	row, act, e := s.activationRow(ctx, c)
	if e != nil {
		s.auditSeal(ctx, c, op, e.Kind, "")
		return nil, e
	}
	defer clear(act.Secret)
	switch n, capped, err := s.wrongCodesCapped(ctx, sealFailureKey(c.Profile), row.Created); {
	case err != nil:
		return nil, s.sealStoreFailure(ctx, c, op, err)
	case capped:
		s.opts.Logger.Warn("the seal's activation took too many wrong codes; the operator must activate it again",
			"request_id", c.RequestID, "profile", c.Profile.Name, "wrong_codes", n)
		e := Fail("seal-activation-stale", "too many wrong codes for this activation; the operator activates the seal again (segel seal activate --replace)")
		s.auditSeal(ctx, c, op, e.Kind, "")
		return nil, e
	}
	rejected := func() (*sealActivation, *Error) {
		s.countSealFailure(ctx, c)
		s.addWrongCode(context.WithoutCancel(ctx), sealFailureKey(c.Profile), c.RequestID)
		e := Fail("seal-code-rejected", "")
		s.auditSeal(ctx, c, op, e.Kind, "")
		return nil, e
	}
	step, err := totp.Verify(act.Secret, c.Code, s.opts.Now(), row.LastStep)
	if err != nil {
		return rejected()
	}
	if err := s.opts.Store.UseOTPStep(ctx, c.Profile.Name, sealActivationSubject, step); errors.Is(err, store.ErrOTPReplay) || errors.Is(err, store.ErrNotFound) {
		return rejected()
	} else if err != nil {
		return nil, s.sealStoreFailure(ctx, c, op, err)
	}
	return &sealActivation{Generation: act.Generation}, nil
}

// pruneSealCodes removes the seal's code rows created before before:
// expired ones (a code lives SealCodeTTL), or all of an activation that
// ended. Rows spent or dead stay until then, so that a code asked again
// is answered "used up" rather than counted as a guess; so the rows of a
// seal are those of its last SealCodeTTL, and each needed its own
// activation code (one per 30-second step). A failure is logged only:
// the rows are dead anyway.
func (s *Service) pruneSealCodes(ctx context.Context, c *SealCall, before time.Time) {
	if _, err := s.opts.Store.PruneOTP(context.WithoutCancel(ctx), c.Profile.Name, sealCodePrefix, before); err != nil {
		s.opts.Logger.Error("seal store", "request_id", c.RequestID, "profile", c.Profile.Name, "error", err)
	}
}

// sealCodeSubject is the OTP row subject of a seal code: its hash, so
// that the store never holds a usable code.
func sealCodeSubject(code string) string {
	sum := sha256.Sum256([]byte(code))
	return sealCodePrefix + hex.EncodeToString(sum[:])
}

// sealAAD binds a sealed row to its profile and subject: a row moved to
// another seal or subject does not open.
func sealAAD(profile, subject string) []byte {
	return []byte("segel-seal\x00" + profile + "\x00" + subject)
}

func (s *Service) putSealRow(ctx context.Context, p *Profile, subject string, v any) error {
	return putSealRow(ctx, s.opts.Store, s.opts.TOTPKey, p.Name, subject, v, s.opts.Now(), false)
}

// putSealRow seals v under key for profile and subject and records it in
// st: replacing any row, or with insert only where there is none
// (store.ErrExists otherwise).
func putSealRow(ctx context.Context, st store.Store, key []byte, profile, subject string, v any, now time.Time, insert bool) error {
	plain, err := json.Marshal(v)
	if err != nil {
		return err
	}
	defer clear(plain)
	sealed, err := totp.Seal(key, sealAAD(profile, subject), plain)
	if err != nil {
		return err
	}
	e := &store.OTPEnrolment{Profile: profile, Subject: subject, Sealed: sealed, Created: now.UTC()}
	if insert {
		return st.InsertOTP(ctx, e)
	}
	return st.PutOTP(ctx, e)
}

func (s *Service) openSealRow(p *Profile, row *store.OTPEnrolment, v any) error {
	return openSealRow(s.opts.TOTPKey, p.Name, row, v)
}

func openSealRow(key []byte, profile string, row *store.OTPEnrolment, v any) error {
	plain, err := totp.Open(key, sealAAD(profile, row.Subject), row.Sealed)
	if err != nil {
		return err
	}
	defer clear(plain)
	return json.Unmarshal(plain, v)
}

// countSealFailure counts a wrong seal or activation code in the
// lock-out counters of the seal, as a wrong passphrase is counted.
func (s *Service) countSealFailure(ctx context.Context, c *SealCall) {
	s.countFailure(context.WithoutCancel(ctx), &Request{Profile: c.Profile, ClientAddr: c.ClientAddr, RequestID: c.RequestID})
}

// sealStoreFailure logs a store failure of a seal call (no secret is in
// it) and answers it: try again.
func (s *Service) sealStoreFailure(ctx context.Context, c *SealCall, op string, err error) *Error {
	s.opts.Logger.Error("seal store", "request_id", c.RequestID, "profile", c.Profile.Name, "operation", op, "error", err)
	return retry("temporarily-unavailable", "the seal's state could not be read or written", 5*time.Second)
}

// auditSeal appends a seal call to the audit log: what and its outcome,
// never a code or a secret.
func (s *Service) auditSeal(ctx context.Context, c *SealCall, op, outcome, detail string) {
	e := &store.AuditEntry{
		Time: s.opts.Now().UTC(), RequestID: c.RequestID, Client: c.Client, Profile: c.Profile.Name,
		Operation: op, Outcome: outcome, Detail: detail,
	}
	if cert := c.Profile.Key.Certificate; cert != nil {
		sum := sha256.Sum256(cert.Raw)
		e.SignerSubject, e.SignerSerial, e.SignerSHA256 = cert.Subject.String(), cert.SerialNumber.Text(16), hex.EncodeToString(sum[:])
	}
	if err := s.opts.Store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		s.opts.Logger.Error("audit", "request_id", c.RequestID, "error", err)
	}
}

// ErrSealActive is returned by ActivateSealOperator for a seal that is
// active: reset it first (ResetSeal), or ask for a replacement.
var ErrSealActive = errors.New("the seal is active")

// SealOperatorActivation is what ActivateSealOperator needs.
type SealOperatorActivation struct {
	// Store holds the seal's rows; Key is the TOTP key-encryption key
	// (totp.key_file).
	Store store.Store
	Key   []byte
	// Profile and IDSubscriber name the seal (the caller checks that the
	// profile is a seal).
	Profile, IDSubscriber string
	// Operator names who activates, for the audit log
	// ("operator:<user>").
	Operator string
	// Replace activates the seal even when it is active (its earlier
	// secret and seal codes die); else that is ErrSealActive.
	Replace bool
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// ActivateSealOperator activates a seal as the operator (`segel seal
// activate`): its first activation, or the one after a revocation or a
// reset. It returns the secret for the seal's custodian, whom the operator
// gives it to (the caller shows it on the terminal, never in a log), and
// appends the audit entry "seal-activate" (client the operator, detail
// "by the operator"; no secret). A seal that is active, or whose row does
// not open under Key, is ErrSealActive unless Replace.
func ActivateSealOperator(ctx context.Context, o *SealOperatorActivation) (*SealActivation, error) {
	if len(o.Key) == 0 {
		return nil, errors.New("no TOTP key-encryption key (totp.key_file) is configured")
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	row, err := o.Store.GetOTP(ctx, o.Profile, sealActivationSubject)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, err
	case !o.Replace:
		var act sealActivation
		if err := openSealRow(o.Key, o.Profile, row, &act); err != nil {
			return nil, fmt.Errorf("%w: its activation does not open under totp.key_file (made with another key?)", ErrSealActive)
		}
		clear(act.Secret)
		if !act.Revoked {
			return nil, ErrSealActive
		}
	}
	act := newSealActivation()
	secret := act.Secret
	defer clear(secret)
	if err := putSealRow(ctx, o.Store, o.Key, o.Profile, sealActivationSubject, act, now(), false); err != nil {
		return nil, err
	}
	if _, err := o.Store.PruneOTP(ctx, o.Profile, sealCodePrefix, now().Add(time.Hour)); err != nil {
		return nil, err
	}
	if err := o.Store.AppendAudit(ctx, &store.AuditEntry{Time: now().UTC(), Client: o.Operator, Profile: o.Profile,
		Operation: "seal-activate", Outcome: "ok", Detail: "by the operator"}); err != nil {
		return nil, err
	}
	return sealURI(o.IDSubscriber, secret), nil
}

// ResetSeal removes the activation of seal profile and its seal codes
// from st, as the operator (`segel seal reset`), when the custodian can
// no longer give a code (a lost phone, a key-encryption key replaced):
// the seal is then as never activated (the operator activates it, or with
// APIActivation the next /api/v2/seal/get/activation). It appends the
// audit entry "seal-reset". The caller checks that profile is a seal.
func ResetSeal(ctx context.Context, st store.Store, profile, operator string) error {
	if err := st.DeleteOTP(ctx, profile, sealActivationSubject); err != nil {
		return err
	}
	if _, err := st.PruneOTP(ctx, profile, sealCodePrefix, time.Now().Add(time.Hour)); err != nil {
		return err
	}
	return st.AppendAudit(ctx, &store.AuditEntry{Time: time.Now().UTC(), Client: operator, Profile: profile,
		Operation: "seal-reset", Outcome: "ok"})
}
