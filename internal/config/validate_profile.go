package config

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"

	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/signer"
)

var (
	nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	nikRE  = regexp.MustCompile(`^[0-9]{16}$`)
	// subscriberRE is an idSubscriber: what BSrE's seal ids look like
	// and nothing a URL, a log line or a CSV would need to escape.
	subscriberRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
)

// validateProfiles checks every profile, and that no two share a name,
// an environment name or a NIK.
func (c *Config) validateProfiles(ps *problems, fromFile bool) {
	names := map[string]int{}
	envs := map[string]int{}
	niks := map[string]int{}
	subscribers := map[string]int{}
	for i, p := range c.Profiles {
		k := fmt.Sprintf("profiles[%d]", i)
		if p == nil {
			ps.add(k, "empty profile")
			continue
		}
		c.validateProfile(ps, k, p, fromFile)
		if p.Name != "" {
			if j, dup := names[p.Name]; dup {
				ps.add(k+".name", "%q is already the name of profiles[%d]", p.Name, j)
			} else if j, dup := envs[p.EnvName()]; dup {
				ps.add(k+".name", "%q and profiles[%d] have the same environment name SEGEL_PROFILES_%s_…", p.Name, j, p.EnvName())
			}
			names[p.Name], envs[p.EnvName()] = i, i
		}
		if p.NIK != "" {
			if j, dup := niks[p.NIK]; dup {
				ps.add(k+".nik", "the same NIK as profiles[%d]", j)
			}
			niks[p.NIK] = i
		}
		if p.IDSubscriber != "" {
			if j, dup := subscribers[p.IDSubscriber]; dup {
				ps.add(k+".id_subscriber", "the same id_subscriber as profiles[%d]", j)
			}
			subscribers[p.IDSubscriber] = i
		}
	}
}

// validateProfile checks profile p, at key path k (profiles[i]).
func (c *Config) validateProfile(ps *problems, k string, p *Profile, fromFile bool) {
	switch {
	case p.Name == "":
		ps.add(k+".name", "missing: every profile needs a name")
	case !nameRE.MatchString(p.Name):
		ps.add(k+".name", "%q: use lower-case letters, digits, '-' and '_' (at most 63)", p.Name)
	}
	switch {
	case p.Key == "":
		ps.add(k+".key", "missing: the KEYREF (a pkcs11: URI, a PEM or a PKCS#12 file; or $SEGEL_PROFILES_%s_KEY)", envOr(p))
	case p.IsPKCS11():
		c.validatePKCS11Key(ps, k, p, fromFile)
	default:
		c.validateFileKey(ps, k, p)
	}
	c.checkFile(ps, k+".cert", p.Cert)
	c.validateLevels(ps, k, p)
	validateProfileRest(ps, k, p)
	c.validateSeal(ps, k, p)
}

// validateSeal checks a seal profile: not personal, named by an
// id_subscriber, no official's NIK or e-mail address, and the TOTP
// key-encryption key, under which its activation is sealed.
func (c *Config) validateSeal(ps *problems, k string, p *Profile) {
	if !p.Seal {
		if p.IDSubscriber != "" {
			ps.add(k+".id_subscriber", "set, but seal is false: only a seal profile has an idSubscriber")
		}
		if p.APIActivation {
			ps.add(k+".api_activation", "set, but seal is false: only a seal is activated")
		}
		return
	}
	if p.Personal {
		ps.add(k+".seal", "a seal is the institution's, not an official's: remove personal: true")
	}
	switch {
	case p.IDSubscriber == "":
		ps.add(k+".id_subscriber", "missing: a seal profile is named by its idSubscriber in the BSrE API")
	case !subscriberRE.MatchString(p.IDSubscriber):
		ps.add(k+".id_subscriber", "%q: use letters, digits, '.', '-' and '_' (at most 64)", p.IDSubscriber)
	}
	if p.Email != "" {
		ps.add(k+".email", "a seal profile belongs to no official: remove the e-mail address")
	}
	if c.TOTP.KeyFile == "" {
		ps.add(k+".seal", "a seal's activation is sealed under the TOTP key-encryption key: set totp.key_file")
	}
}

// validatePKCS11Key checks a profile's pkcs11: key URI.
func (c *Config) validatePKCS11Key(ps *problems, k string, p *Profile, fromFile bool) {
	u, err := pkcs11.ParseURI(p.Key)
	switch {
	case err != nil:
		ps.add(k+".key", "%v", err)
	case u.ModulePath == "":
		ps.add(k+".key", "the URI has no module-path (e.g. module-path=/usr/lib/softhsm/libsofthsm2.so)")
	case u.Object == "" && len(u.ID) == 0:
		ps.add(k+".key", "the URI names no key: add object= or id=")
	case u.PINValue != "" && fromFile && c.env[k+".key"] == "":
		ps.add(k+".key", "pin-value writes the PIN in the configuration; use pin-source=file:PATH or pin-source=env:NAME")
	case p.Personal && u.HasPIN():
		ps.add(k+".key", "a personal profile's key is unlocked by the official's passphrase: remove the PIN from the URI")
	}
	if err == nil && u.ModulePath != "" {
		c.checkFile(ps, k+".key", u.ModulePath)
	}
}

// validateFileKey checks a profile's key file (PEM or PKCS#12).
func (c *Config) validateFileKey(ps *problems, k string, p *Profile) {
	if data, err := os.ReadFile(p.Key); err != nil {
		ps.add(k+".key", "%s: %s", p.Key, unwrapPath(err))
	} else if p.Personal && bytes.Contains(data, []byte("-----BEGIN")) {
		ps.add(k+".key", "a personal profile needs a token key or a PKCS#12 file locked by the passphrase, not a PEM key")
	} else if p.Personal && p.Cert == "" {
		ps.add(k+".cert", "missing: a personal PKCS#12 key is locked until a request brings the passphrase, so give its certificate chain here")
	}
}

// validateLevels checks a profile's level and allowed_levels, writing
// them in their canonical form, and that levels above B-B have a TSA.
func (c *Config) validateLevels(ps *problems, k string, p *Profile) {
	level, err := signer.ParseLevel(p.Level)
	if err != nil {
		ps.add(k+".level", "%q is not a PAdES level: want B-B, B-T, B-LT or B-LTA", p.Level)
	} else {
		p.Level = level.String()
	}
	var allowed []signer.Level
	for j, s := range p.AllowedLevels {
		l, err := signer.ParseLevel(s)
		if err != nil {
			ps.add(fmt.Sprintf("%s.allowed_levels[%d]", k, j), "%q is not a PAdES level: want B-B, B-T, B-LT or B-LTA", s)
			continue
		}
		p.AllowedLevels[j] = l.String()
		allowed = append(allowed, l)
	}
	if err == nil && len(allowed) > 0 && !slices.Contains(allowed, level) {
		ps.add(k+".level", "%s is not among allowed_levels %v", level, p.AllowedLevels)
	}
	if len(c.TSA.URLs) != 0 {
		return
	}
	if err == nil && level > signer.LevelB {
		ps.add(k+".level", "%s needs a timestamp authority, but tsa.urls is empty", level)
	}
	for j, l := range allowed {
		if l > signer.LevelB {
			ps.add(fmt.Sprintf("%s.allowed_levels[%d]", k, j), "%s needs a timestamp authority, but tsa.urls is empty", l)
		}
	}
}

// validateProfileRest checks the rest of a profile: the NIK of a
// personal profile, retention and download with keep, and the queue.
func validateProfileRest(ps *problems, k string, p *Profile) {
	if p.NIK != "" {
		if !nikRE.MatchString(p.NIK) {
			ps.add(k+".nik", "a NIK is 16 digits")
		}
		if !p.Personal {
			ps.add(k+".nik", "only a personal profile (personal: true) belongs to an official")
		}
	}
	if p.Retention < 0 {
		ps.add(k+".retention", "must not be negative")
	}
	if !p.Keep && p.Retention != 0 {
		ps.add(k+".retention", "set, but keep is false: nothing is kept")
	}
	if !p.Keep && p.Downloadable {
		ps.add(k+".downloadable", "true, but keep is false: there is nothing to download")
	}
	if p.MaxConcurrent < 0 {
		ps.add(k+".max_concurrent", "must not be negative")
	}
	if p.Queue < 0 {
		ps.add(k+".queue", "must not be negative")
	}
	if p.QueueTimeout < 0 {
		ps.add(k+".queue_timeout", "must not be negative")
	}
}

// envOr is the profile's environment name, or NAME when it has none.
func envOr(p *Profile) string {
	if p.Name == "" {
		return "NAME"
	}
	return p.EnvName()
}
