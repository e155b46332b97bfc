package service

import (
	"context"
	"time"
)

// failureKeys are the counters a wrong passphrase for p from addr adds
// to: the profile's (the hard limit) and the profile and address's.
func failureKeys(p *Profile, addr string) [2]string {
	return [2]string{"profile:" + p.Name, "profile-addr:" + p.Name + "|" + addr}
}

// LockedOut refuses a personal profile after too many wrong passphrases,
// per official (ProfileAttempts) and per official and client address
// (PassphraseAttempts), without touching the token: so nobody can guess
// a passphrase, nor lock the official's token by guessing, and guesses
// at one official do not lock out the others behind the same address.
// Sign checks it once it is the request's turn; a door may check it
// before reading a body too.
func (s *Service) LockedOut(ctx context.Context, p *Profile, addr string) *Error {
	keys := failureKeys(p, addr)
	now := s.opts.Now()
	for _, l := range []struct {
		key    string
		limit  int
		window time.Duration
	}{{keys[0], s.opts.ProfileAttempts, s.opts.ProfileWindow}, {keys[1], s.opts.PassphraseAttempts, s.opts.PassphraseWindow}} {
		n, err := s.opts.Store.CountFailures(ctx, l.key, now.Add(-l.window))
		if err != nil {
			return Fail("internal", "")
		}
		if n >= l.limit {
			return retry("passphrase-locked-out", "wait before trying again", l.window.Truncate(time.Second))
		}
	}
	return nil
}

// countFailure counts a wrong passphrase of req.
func (s *Service) countFailure(ctx context.Context, req *Request) {
	now := s.opts.Now()
	for _, k := range failureKeys(req.Profile, req.ClientAddr) {
		if err := s.opts.Store.AddFailure(ctx, k, now); err != nil {
			s.opts.Logger.Error("store failure counter", "request_id", req.RequestID, "error", err)
		}
	}
}
