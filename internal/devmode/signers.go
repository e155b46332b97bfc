package devmode

import (
	"context"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/testpki"
)

// The letter register's signing officials (docs/register.md) get personal
// profiles of their own beside dev-official, which stays as it is.
const (
	// SignersFile holds one line per register signer, "profile<TAB>passphrase".
	SignersFile = "dev-signers"
	// RegisterClient is the API client of the register: it may sign with
	// the signers' profiles. Its key is in RegisterAPIKeyFile.
	RegisterClient     = "dev-register"
	RegisterAPIKeyFile = "dev-register-api-key"
)

// Signer is a signing official of the register's demo, who gets a
// personal profile: a software key in a PKCS#12 file locked by the
// official's passphrase (as `segel serve` opens a personal profile that is
// not on a token), certified by the development issuing CA.
type Signer struct {
	// Profile is the profile's name, such as "dev-bupati".
	Profile string
	// Name is the official's name: the certificate's common name.
	Name string
	// Title is the official's position (the certificate's OU).
	Title string
	// NIK, optional, is the official's 16-digit national identity number.
	NIK string
	// Passphrase unlocks the key (set by Prepare).
	Passphrase string
}

var signerProfileRE = regexp.MustCompile(`^dev-[a-z0-9][a-z0-9-]{0,40}$`)

func signerFile(dir, profile, ext string) string {
	return filepath.Join(dir, "pki", "signer-"+profile+ext)
}

// ensureSigners makes the signers that the directory lacks (their key
// and certificate, then their passphrase in SignersFile, written last)
// and returns all of them with their passphrases. A signer whose files
// are incomplete is made afresh.
func (e *Env) ensureSigners(want []Signer, now func() time.Time) ([]Signer, error) {
	seen := map[string]bool{Profile: true, PersonalProfile: true, SealProfile: true}
	for _, s := range want {
		if !signerProfileRE.MatchString(s.Profile) || seen[s.Profile] {
			return nil, fmt.Errorf("dev: signer profile %q: a dev-… name, once, not %s or %s", s.Profile, Profile, PersonalProfile)
		}
		seen[s.Profile] = true
		if strings.TrimSpace(s.Name) == "" {
			return nil, fmt.Errorf("dev: signer %s has no name", s.Profile)
		}
	}
	pass, err := readSigners(e.Path(SignersFile))
	if err != nil {
		return nil, err
	}
	changed := false
	out := make([]Signer, 0, len(want))
	for _, s := range want {
		p, ok := pass[s.Profile]
		_, errP := os.Stat(signerFile(e.Dir, s.Profile, ".p12"))
		_, errC := os.Stat(signerFile(e.Dir, s.Profile, ".pem"))
		if !ok || errP != nil || errC != nil {
			if p, err = e.pki.issueSigner(s, now); err != nil {
				return nil, err
			}
			pass[s.Profile] = p
			changed = true
		}
		certs, err := readCerts(signerFile(e.Dir, s.Profile, ".pem"))
		if err != nil {
			return nil, err
		}
		if err := e.pki.pki.Record(certs[0]); err != nil {
			return nil, fmt.Errorf("dev: signer %s: %w", s.Profile, err)
		}
		s.Passphrase = p
		out = append(out, s)
	}
	if changed {
		if err := writeSigners(e.Path(SignersFile), pass); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// issueSigner makes the key and certificate of s and returns the new
// passphrase that locks its PKCS#12 file.
func (p *devPKI) issueSigner(s Signer, now func() time.Time) (string, error) {
	subject := pkix.Name{CommonName: s.Name, Organization: []string{"Pemerintah Kabupaten Serang (development)"},
		Country: []string{"ID"}, SerialNumber: s.NIK}
	if s.Title != "" {
		subject.OrganizationalUnit = []string{s.Title}
	}
	// The same addresses as the other profiles' certificates: those of
	// the PKI's handler.
	id, err := p.pki.IssueSigner(testpki.SignerOptions{Subject: subject, NonRepudiation: true,
		NotBefore: now().Add(-time.Hour), NotAfter: p.pki.Root.Cert.NotAfter})
	if err != nil {
		return "", fmt.Errorf("dev: certifying %s: %w", s.Profile, err)
	}
	passphrase := secret(10)
	p12, err := id.PKCS12(passphrase)
	if err != nil {
		return "", fmt.Errorf("dev: %w", err)
	}
	if err := writeFile(signerFile(p.dir, s.Profile, ".p12"), p12, 0o600); err != nil {
		return "", err
	}
	if err := writeFile(signerFile(p.dir, s.Profile, ".pem"), id.FullChainPEM(), 0o644); err != nil {
		return "", err
	}
	return passphrase, nil
}

func readSigners(path string) (map[string]string, error) {
	out := map[string]string{}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dev: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		prof, pass, ok := strings.Cut(strings.TrimSpace(line), "\t")
		if ok && prof != "" && pass != "" {
			out[prof] = pass
		}
	}
	return out, nil
}

func writeSigners(path string, pass map[string]string) error {
	names := make([]string, 0, len(pass))
	for n := range pass {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n + "\t" + pass[n] + "\n")
	}
	return writeFile(path, []byte(b.String()), 0o600)
}

// provisionRegister makes sure the store holds the register's API client,
// allowed to sign with the signers' profiles, with the key of
// RegisterAPIKeyFile (made on first use).
func (e *Env) provisionRegister(ctx context.Context, st store.Store) error {
	if len(e.Signers) == 0 {
		return nil
	}
	path := e.Path(RegisterAPIKeyFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		key, _ := httpapi.NewAPIKey()
		if err := writeFile(path, []byte(key+"\n"), 0o600); err != nil {
			return err
		}
	}
	key, err := readLine(path, 0)
	if err != nil {
		return err
	}
	var profiles []string
	for _, s := range e.Signers {
		profiles = append(profiles, s.Profile)
	}
	return ensureClient(ctx, st, &store.Client{Name: RegisterClient, KeyHash: httpapi.KeyHash(key),
		Profiles: profiles, Operations: []string{"sign", "verify"}}, e.Dir)
}

// RegisterAPIKey returns the key of the register's API client.
func (e *Env) RegisterAPIKey() (string, error) { return readLine(e.Path(RegisterAPIKeyFile), 0) }
