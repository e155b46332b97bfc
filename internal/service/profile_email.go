package service

import "strings"

// ProfileByEmail returns the personal profile of the official whose
// e-mail address is email (without regard to case), or nil. An address
// that two profiles give names neither: the caller is answered as for an
// unknown user rather than signed for the wrong official.
func (s *Service) ProfileByEmail(email string) *Profile {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil
	}
	var found *Profile
	for _, p := range s.profiles {
		if p.Email != "" && strings.EqualFold(p.Email, email) {
			if found != nil {
				return nil
			}
			found = p
		}
	}
	return found
}
