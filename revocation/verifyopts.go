package revocation

import "time"

// DefaultSkew is the clock skew allowed between Segel and the issuers of
// revocation data when no other is set: thisUpdate may be this far in the
// future and nextUpdate this far in the past.
const DefaultSkew = 5 * time.Minute

// VerifyOptions tells [CheckOCSPResponse] and [CheckCRL] when the data must
// be current. A nil *VerifyOptions means the defaults.
type VerifyOptions struct {
	// CurrentTime is the time at which the certificate's status is asked:
	// the data's thisUpdate must not be after it and its nextUpdate, when
	// present, not before it; data without nextUpdate must not be older
	// than it (all give or take Skew). If zero, the current time is used.
	CurrentTime time.Time

	// Skew is the clock skew allowed. If zero, DefaultSkew is used; a
	// negative value allows none.
	Skew time.Duration

	// MaxAge, when positive, rejects data whose thisUpdate is more than
	// MaxAge before CurrentTime, even when its nextUpdate has not passed.
	MaxAge time.Duration

	// AllowIssuedAfter accepts data issued after CurrentTime (thisUpdate
	// later than CurrentTime + Skew). Set it to ask for the status at a past
	// time — such as a signature's proven time — with data fetched later: a
	// certificate not revoked at thisUpdate was not revoked earlier either,
	// and a revoked one was revoked at [Status.RevokedAt], which the caller
	// compares with its time. Beware certificateHold, which can be lifted.
	AllowIssuedAfter bool

	// Nonce, when set, is the nonce sent in the OCSP request: a response
	// that carries a nonce must carry this one. A response without a nonce
	// is accepted, as many responders ignore nonces.
	Nonce []byte
}

func (o *VerifyOptions) now() time.Time {
	if o == nil || o.CurrentTime.IsZero() {
		return time.Now()
	}
	return o.CurrentTime
}

func (o *VerifyOptions) skew() time.Duration {
	if o == nil || o.Skew == 0 {
		return DefaultSkew
	}
	if o.Skew < 0 {
		return 0
	}
	return o.Skew
}

// checkWindow checks thisUpdate and nextUpdate against the options.
func checkWindow(thisUpdate, nextUpdate time.Time, o *VerifyOptions) *SourceError {
	now, skew := o.now(), o.skew()
	const layout = time.RFC3339
	if thisUpdate.IsZero() {
		return invalid("no thisUpdate")
	}
	if !nextUpdate.IsZero() && nextUpdate.Before(thisUpdate) {
		return invalid("nextUpdate %s is before thisUpdate %s",
			nextUpdate.UTC().Format(layout), thisUpdate.UTC().Format(layout))
	}
	if (o == nil || !o.AllowIssuedAfter) && thisUpdate.After(now.Add(skew)) {
		return invalid("not yet valid: thisUpdate %s is after %s",
			thisUpdate.UTC().Format(layout), now.UTC().Format(layout))
	}
	if !nextUpdate.IsZero() && nextUpdate.Before(now.Add(-skew)) {
		return invalid("stale: nextUpdate %s is before %s",
			nextUpdate.UTC().Format(layout), now.UTC().Format(layout))
	}
	if nextUpdate.IsZero() && thisUpdate.Before(now.Add(-skew)) {
		// Data without nextUpdate promises nothing after its thisUpdate
		// (RFC 5280 5.1.2.5, RFC 6960 2.4): it speaks only for a time no
		// earlier than it was issued.
		return invalid("stale: no nextUpdate, and thisUpdate %s is before %s",
			thisUpdate.UTC().Format(layout), now.UTC().Format(layout))
	}
	if o != nil && o.MaxAge > 0 && thisUpdate.Before(now.Add(-o.MaxAge-skew)) {
		return invalid("stale: thisUpdate %s is more than %s before %s",
			thisUpdate.UTC().Format(layout), o.MaxAge, now.UTC().Format(layout))
	}
	return nil
}
