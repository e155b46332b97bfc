package config

import (
	"strings"

	"github.com/segel-id/segel/signer"
)

// Profile is a signing identity: a key, its certificate chain and what
// may be done with it.
type Profile struct {
	// Name is the profile's name in requests (?profile=NAME): lower-case
	// letters, digits, '-' and '_'.
	Name string `yaml:"name"`
	// Key is the KEYREF: an RFC 7512 PKCS#11 URI (PIN from pin-source),
	// a PEM file or a PKCS#12 file. Required.
	Key string `yaml:"key"`
	// KeyPassword is the password of a PKCS#12 key file, from
	// $SEGEL_PROFILES_<NAME>_KEY_PASSWORD only.
	KeyPassword string `yaml:"-"`
	// Cert is a PEM file with the signer's certificate and chain; default:
	// the certificates on the token or in the key file.
	Cert string `yaml:"cert"`
	// Level is the level of requests that name none; default B-B.
	Level string `yaml:"level"`
	// AllowedLevels are the levels requests may ask; default all.
	AllowedLevels []string `yaml:"allowed_levels"`
	// Personal marks an official's own key: every request needs the
	// official's passphrase (Segel-Passphrase), which is the token's user
	// PIN (a URI without PIN) or the password of a PKCS#12 file.
	Personal bool `yaml:"personal"`
	// NIK is the official's national identity number (16 digits), which
	// the BSrE-compatible API maps to this personal profile.
	NIK string `yaml:"nik"`
	// Email is the official's e-mail address, which the BSrE-compatible
	// API's v2 calls may give instead of the NIK.
	Email string `yaml:"email"`
	// TOTP lets the official sign over the BSrE-compatible API with a
	// code of an authenticator app once enrolled (needs personal and
	// the top-level totp.key_file).
	TOTP bool `yaml:"totp"`
	// Seal marks an institutional seal (an organisation's certificate,
	// the BSrE API's /api/v2/seal/…): its key is unlocked by the
	// configured PIN, and each signature needs a seal code given for an
	// RFC 6238 activation code of the seal's custodian (see
	// docs/decisions.md, "Institutional seal and user registration
	// (issue 14)"). Not personal.
	Seal bool `yaml:"seal"`
	// IDSubscriber names the seal in the BSrE API's "idSubscriber";
	// required with seal, unique.
	IDSubscriber string `yaml:"id_subscriber"`
	// APIActivation lets a seal's first activation be made over the API
	// (/api/v2/seal/get/activation answers the secret, once, to the API
	// client that asks first). Without it the first activation is the
	// operator's (`segel seal activate`), who gives the secret to the
	// seal's custodian; with it, Segel trusts every API client allowed the
	// seal, until the seal is activated, to hand the secret to the
	// custodian and to no one else. A revoked seal is re-activated by the
	// operator either way.
	APIActivation bool `yaml:"api_activation"`
	// Reason and Location are the defaults of the signature dictionary.
	Reason   string `yaml:"reason"`
	Location string `yaml:"location"`
	// Keep stores the signed files in the register (default true);
	// Retention is how long (default forever); Downloadable lets the
	// citizens' page offer them (default false).
	Keep         bool     `yaml:"keep"`
	Retention    Duration `yaml:"retention"`
	Downloadable bool     `yaml:"downloadable"`
	// MaxConcurrent bounds the signatures in progress, Queue the requests
	// waiting for at most QueueTimeout; beyond them: 429. Zero: the
	// service's defaults (2×CPUs, at least 4; 128; 30s). The signatures
	// made and not yet recorded are bounded by 8×MaxConcurrent; beyond
	// that a signature keeps its slot until one is recorded
	// (docs/decisions.md, "The latency tail at 64 clients").
	MaxConcurrent int      `yaml:"max_concurrent"`
	Queue         int      `yaml:"queue"`
	QueueTimeout  Duration `yaml:"queue_timeout"`
	// Footer is the text under a visible stamp; "{url}" in it is the
	// document's verification address. Default: DefaultFooter; "" shows
	// none.
	Footer string `yaml:"footer"`
	// StampLogo, when set, replaces branding.logo as the image of this
	// profile's stamps (a PNG or JPEG file; "" for none), and StampName
	// replaces branding.name as their line for the body ("" for none):
	// for a profile of another body, such as a hospital.
	StampLogo *string `yaml:"stamp_logo"`
	StampName *string `yaml:"stamp_name"`

	// stampLogo is StampLogo's content, once validated.
	stampLogo []byte
}

// EnvName returns the profile's part of environment variable names:
// SEGEL_PROFILES_<EnvName>_KEY.
func (p *Profile) EnvName() string { return envName(p.Name) }

func envName(name string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name))
}

// DefaultLevel returns the parsed Level (valid after Load or Validate).
func (p *Profile) DefaultLevel() signer.Level {
	l, _ := signer.ParseLevel(p.Level)
	return l
}

// Levels returns the parsed AllowedLevels; nil means all.
func (p *Profile) Levels() []signer.Level {
	var out []signer.Level
	for _, s := range p.AllowedLevels {
		if l, err := signer.ParseLevel(s); err == nil {
			out = append(out, l)
		}
	}
	return out
}

// IsPKCS11 reports whether the key is a PKCS#11 URI.
func (p *Profile) IsPKCS11() bool { return strings.HasPrefix(strings.ToLower(p.Key), "pkcs11:") }

// Profile returns the profile named name, or nil.
func (c *Config) Profile(name string) *Profile {
	for _, p := range c.Profiles {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// NewProfile returns a profile with the defaults of a profile's keys.
func NewProfile(name, key string) *Profile {
	return &Profile{Name: name, Key: key, Level: DefaultLevel, Keep: true, Footer: DefaultFooter}
}
