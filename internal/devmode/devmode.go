// Package devmode prepares `segel serve --dev`: a complete Segel service
// on one machine, with no configuration and no network, for trying Segel
// out and for developing against it. Never for production: its PKI is
// throwaway and its keys are kept in plain files or on SoftHSM.
//
// # What it makes
//
// On the first start in a data directory DIR (default ./segel-dev) it
// creates, with testpki:
//
//   - a development PKI: a root CA ("Segel Dev Root CA") and below it a
//     BSrE-like issuing CA ("Segel Dev CA DS G1"), whose OCSP responder,
//     CRLs and CA certificates are served by the service itself under
//     /dev/pki/ (the certificates' AIA and CRL addresses point there);
//   - a time-stamp authority, served under /dev/tsa, so that every level
//     up to B-LTA works offline;
//   - profile "dev", whose key is on a SoftHSM token (label "segel-dev",
//     in DIR/softhsm) when softhsm2 is installed, a PEM file otherwise;
//   - profile "dev-official", a personal profile for the official with
//     NIK 3604012345670001: a SoftHSM token (label "segel-dev-official")
//     whose user PIN is the official's passphrase, or, without softhsm2, a
//     PKCS#12 file locked by the passphrase;
//   - with Options.Signers (the letter register's signing officials, see
//     docs/register.md), one personal profile per official, such as
//     "dev-bupati": a software key in DIR/pki/signer-<profile>.p12 locked
//     by the official's passphrase, which is kept in DIR/dev-signers
//     (profile, tab, passphrase), and the API client "dev-register",
//     allowed to sign with them, whose key is in DIR/dev-register-api-key;
//     a signer added to an existing directory is made on its next start;
//   - the API client "dev", allowed to sign, verify and augment on both
//     profiles, whose key is in DIR/dev-api-key (just the key);
//   - the BSrE-compatible API, switched on: DIR/dev-bsre-credentials holds
//     three lines, its Basic-auth user ("esign-dev") and password, and the
//     official's passphrase (nik=3604012345670001);
//   - profile "dev-seal", the regency's institutional seal (an
//     organisation certificate; a software key in DIR/pki/seal-key.pem)
//     with idSubscriber SEAL-DEV-SERANG and api_activation, for the BSrE
//     API's /api/v2/seal/…, and the API client "dev-seal" allowed it,
//     whose key is in DIR/dev-seal-api-key; a directory made before the
//     seal gets it on its next start;
//   - DIR/dev-root.pem, the root certificate, which the service trusts
//     beside the national bundle (give it to `segel verify --trust`);
//   - the SQLite store, DIR/segel.db, with signed files in DIR/blobs;
//   - the branding of "Pemerintah Kabupaten Serang" with a logo drawn on
//     the first start, DIR/dev-logo.png (replace it to try another), on
//     the citizens' page and the stamps.
//
// # Restarts
//
// Everything is persisted in DIR and reused: the CA keys and certificates
// are PEM files in DIR/pki (keys mode 0600), the tokens stay in
// DIR/softhsm (the "dev" token's PIN in DIR/softhsm/dev.pin), the clients
// in the store. So documents signed before a restart still verify, and
// the API key keeps working. DIR/pki/state.json is written last: a start
// that was interrupted while creating the PKI is redone from scratch on
// the next start.
//
// The certificates name the address of the first start (state.json's
// pkiBaseURL). A later start on another address still signs and verifies
// at every level, because the service answers its own PKI's addresses
// in-process (Env.Transport), but tools outside the service that check
// revocation online (segel verify) reach the PKI only while the service
// listens on that first address. Remove DIR to start afresh.
package devmode

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/segel-id/segel/internal/config"
	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/store"
)

// Names of the development profiles, clients and files.
const (
	// Profile is the ordinary development profile.
	Profile = "dev"
	// PersonalProfile is the personal profile of the development official.
	PersonalProfile = "dev-official"
	// PersonalNIK is the NIK of the development official.
	PersonalNIK = "3604012345670001"
	// Client is the API client whose key is in APIKeyFile.
	Client = "dev"
	// BSrEUser is the Basic-auth user of the BSrE-compatible API; its
	// password is the second line of CredentialsFile.
	BSrEUser = "esign-dev"

	APIKeyFile      = "dev-api-key"
	RootFile        = "dev-root.pem"
	CredentialsFile = "dev-bsre-credentials"
	StoreFile       = "segel.db"
)

// SoftHSMModule is where Debian's softhsm2 package installs the module.
const SoftHSMModule = "/usr/lib/softhsm/libsofthsm2.so"

// Options configure Prepare.
type Options struct {
	// Dir is the data directory, created if needed.
	Dir string
	// BaseURL is the address of the service being started, such as
	// http://127.0.0.1:8080: the TSA's, and on the first start the PKI's.
	BaseURL string
	// Listen is the address the service listens on (for its config).
	Listen string
	// NoSoftHSM makes a new directory use software keys even when
	// softhsm2 is installed.
	NoSoftHSM bool
	// Logger receives what was set up; slog.Default() by default.
	Logger *slog.Logger
	// Now is the clock; time.Now by default.
	Now func() time.Time
	// Signers are the letter register's signing officials: each gets a
	// personal profile (signers.go). A signer added to an existing
	// directory is made on the next start.
	Signers []Signer
}

// Env is a prepared development service.
type Env struct {
	// Dir is the data directory (absolute).
	Dir string
	// Config is the service's configuration: store, trust, TSA and the
	// two profiles.
	Config *config.Config
	// Handler serves the development PKI under /dev/pki/ and the TSA at
	// /dev/tsa; mount it at "/dev/".
	Handler http.Handler
	// SoftHSM reports whether the keys are on SoftHSM tokens.
	SoftHSM bool
	// PKIBaseURL is the address the certificates name for OCSP and CRLs.
	PKIBaseURL string
	// TSAURL is the TSA's address.
	TSAURL string
	// Created reports whether this start created the PKI and keys.
	Created bool
	// Signers are the register's signing officials with their
	// passphrases (Options.Signers).
	Signers []Signer

	pki *devPKI
}

// Path returns the path of a file in the data directory.
func (e *Env) Path(name string) string { return filepath.Join(e.Dir, name) }

// StorePath returns the SQLite database of the development service in dir.
func StorePath(dir string) string { return filepath.Join(dir, StoreFile) }

// Profiles are the names of the development profiles.
var Profiles = []string{Profile, PersonalProfile, SealProfile}

// state is DIR/pki/state.json, written when the setup is complete.
type state struct {
	Version    int       `json:"version"`
	Created    time.Time `json:"created"`
	PKIBaseURL string    `json:"pkiBaseURL"`
	Keys       string    `json:"keys"` // "softhsm" or "software"
}

// SoftHSMAvailable reports whether softhsm2 (the module and
// softhsm2-util) is installed.
func SoftHSMAvailable() bool {
	if _, err := os.Stat(SoftHSMModule); err != nil {
		return false
	}
	_, err := lookPath("softhsm2-util")
	return err == nil
}

// Prepare creates the development service in opts.Dir on its first start
// and loads it on later ones. With SoftHSM keys it points SOFTHSM2_CONF at
// DIR/softhsm/softhsm2.conf for the whole process.
func Prepare(ctx context.Context, opts Options) (*Env, error) {
	if opts.Dir == "" {
		return nil, errors.New("dev: no data directory")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	u, err := url.Parse(opts.BaseURL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("dev: base URL %q is not an http URL", opts.BaseURL)
	}
	opts.BaseURL = strings.TrimSuffix(opts.BaseURL, "/")
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("dev: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("dev: %w", err)
	}
	// One setup at a time per directory: two first starts must not make
	// two PKIs.
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()

	e := &Env{Dir: dir, TSAURL: opts.BaseURL + "/dev/tsa"}
	st, err := readState(dir)
	if err != nil {
		return nil, err
	}
	if st == nil {
		if st, err = create(ctx, dir, opts); err != nil {
			return nil, err
		}
		e.Created = true
	}
	e.SoftHSM = st.Keys == "softhsm"
	e.PKIBaseURL = st.PKIBaseURL
	if e.SoftHSM {
		if !SoftHSMAvailable() {
			return nil, fmt.Errorf("dev: %s keeps its keys on SoftHSM tokens, but softhsm2 is not installed (apt-get install softhsm2), or remove the directory to start afresh", dir)
		}
		os.Setenv("SOFTHSM2_CONF", filepath.Join(dir, "softhsm", "softhsm2.conf"))
	}
	if e.pki, err = loadPKI(dir, st.PKIBaseURL, opts.Now); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, CredentialsFile)); err != nil {
		return nil, fmt.Errorf("dev: %s is missing, so the official's key cannot be unlocked; remove %s to start afresh", filepath.Join(dir, CredentialsFile), dir)
	}
	if err := ensureAuditKey(dir); err != nil {
		return nil, err
	}
	if err := ensureTOTPKey(dir); err != nil {
		return nil, err
	}
	if err := ensureLogo(dir); err != nil {
		return nil, err
	}
	if err := e.ensureSeal(opts.Now); err != nil {
		return nil, err
	}
	if len(opts.Signers) > 0 {
		if e.Signers, err = e.ensureSigners(opts.Signers, opts.Now); err != nil {
			return nil, err
		}
	}
	e.Handler = e.pki.handler()
	e.Config = e.config(opts)
	if e.Config.BSrE.User, err = readLine(e.Path(CredentialsFile), 0); err != nil {
		return nil, err
	}
	if e.Config.BSrE.Password, err = readLine(e.Path(CredentialsFile), 1); err != nil {
		return nil, err
	}
	if err := e.Config.Validate(); err != nil {
		return nil, fmt.Errorf("dev: the development configuration: %w", err)
	}
	return e, nil
}

func readState(dir string) (*state, error) {
	data, err := os.ReadFile(filepath.Join(dir, "pki", "state.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dev: %w", err)
	}
	var st state
	if err := json.Unmarshal(data, &st); err != nil || st.PKIBaseURL == "" {
		return nil, fmt.Errorf("dev: %s is damaged; remove %s to start afresh", filepath.Join(dir, "pki", "state.json"), dir)
	}
	return &st, nil
}

// create makes the PKI, the keys and the secret files of a new directory.
// Whatever an interrupted earlier attempt left is removed first (the
// store and the API key file are kept).
func create(ctx context.Context, dir string, opts Options) (*state, error) {
	for _, d := range []string{"pki", "softhsm"} {
		if err := os.RemoveAll(filepath.Join(dir, d)); err != nil {
			return nil, fmt.Errorf("dev: %w", err)
		}
	}
	os.Remove(filepath.Join(dir, RootFile))
	os.Remove(filepath.Join(dir, CredentialsFile))
	st := &state{Version: 1, Created: opts.Now().UTC(), PKIBaseURL: opts.BaseURL + "/dev/pki", Keys: "software"}
	if !opts.NoSoftHSM && SoftHSMAvailable() {
		st.Keys = "softhsm"
	}
	if err := os.MkdirAll(filepath.Join(dir, "pki"), 0o700); err != nil {
		return nil, fmt.Errorf("dev: %w", err)
	}
	if err := createPKI(ctx, dir, st, opts); err != nil {
		return nil, err
	}
	data, _ := json.MarshalIndent(st, "", "  ")
	if err := writeFile(filepath.Join(dir, "pki", "state.json"), append(data, '\n'), 0o600); err != nil {
		return nil, err
	}
	return st, nil
}

// config is the service's configuration.
func (e *Env) config(opts Options) *config.Config {
	c := config.New()
	c.Listen = opts.Listen
	if c.Listen == "" {
		c.Listen = strings.TrimPrefix(opts.BaseURL, "http://")
	}
	c.PublicBaseURL = opts.BaseURL
	c.Store.SQLite = StorePath(e.Dir)
	c.Audit.KeyFile = AuditKeyPath(e.Dir)
	c.TOTP.KeyFile = TOTPKeyPath(e.Dir)
	c.Trust.National = true
	c.Trust.Paths = []string{e.Path(RootFile)}
	c.TSA.URLs = []string{e.TSAURL}
	c.Branding.Name, c.Branding.ShortName = BrandName, BrandShortName
	c.Branding.Logo = e.Path(LogoFile)
	dev := config.NewProfile(Profile, e.pki.devKeyRef(e.SoftHSM))
	dev.Cert = e.Path(filepath.Join("pki", "dev.pem"))
	dev.Reason = "Uji coba Segel (development)"
	dev.Location = "Segel dev"
	dev.Downloadable = true
	off := config.NewProfile(PersonalProfile, e.pki.officialKeyRef(e.SoftHSM))
	off.Cert = e.Path(filepath.Join("pki", "official.pem"))
	off.Personal = true
	off.NIK = PersonalNIK
	off.TOTP = true
	off.Reason = "Ditandatangani secara elektronik (development)"
	off.Location = "Segel dev"
	off.Downloadable = true
	c.Profiles = []*config.Profile{dev, off, e.sealProfile()}
	for _, s := range e.Signers {
		p := config.NewProfile(s.Profile, signerFile(e.Dir, s.Profile, ".p12"))
		p.Cert = signerFile(e.Dir, s.Profile, ".pem")
		p.Personal = true
		p.NIK = s.NIK
		p.Reason = "Ditandatangani secara elektronik (development)"
		p.Location = "Segel dev"
		p.Downloadable = true
		c.Profiles = append(c.Profiles, p)
	}
	return c
}

// Provision makes sure the store holds the API client "dev" with the key
// of DIR/dev-api-key, and with Options.Signers the register's client
// (RegisterClient, key in DIR/dev-register-api-key).
func (e *Env) Provision(ctx context.Context, st store.Store) error {
	key, err := readLine(e.Path(APIKeyFile), 0)
	if err != nil {
		return err
	}
	if err := ensureClient(ctx, st, &store.Client{Name: Client, KeyHash: httpapi.KeyHash(key),
		Profiles: []string{Profile, PersonalProfile}, Operations: []string{"sign", "verify", "augment"}}, e.Dir); err != nil {
		return err
	}
	if err := e.provisionSeal(ctx, st); err != nil {
		return err
	}
	return e.provisionRegister(ctx, st)
}

func ensureClient(ctx context.Context, st store.Store, c *store.Client, dir string) error {
	got, err := st.ClientByKeyHash(ctx, c.KeyHash)
	switch {
	case err == nil && got.Name == c.Name:
		return nil
	case err == nil:
		return fmt.Errorf("dev: the key of client %q belongs to client %q in the store", c.Name, got.Name)
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("dev: %w", err)
	}
	c.Created = time.Now().UTC()
	err = st.PutClient(ctx, c)
	if errors.Is(err, store.ErrExists) {
		return fmt.Errorf("dev: the store already has a client %q with another key than the one in %s; remove %s to start afresh", c.Name, dir, StorePath(dir))
	}
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	return nil
}

// Transport returns a RoundTripper that answers requests for the
// development PKI and TSA in-process (whatever address the certificates
// name) and sends the rest to next (http.DefaultTransport when nil). The
// service's own TSA and revocation clients use it, so that signing never
// waits on its own listener (which a stopping server has closed).
func (e *Env) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	hosts := map[string]bool{}
	for _, s := range []string{e.PKIBaseURL, e.TSAURL} {
		if u, err := url.Parse(s); err == nil {
			hosts[u.Host] = true
		}
	}
	return &transport{h: e.Handler, hosts: hosts, next: next}
}

type transport struct {
	h     http.Handler
	hosts map[string]bool
	next  http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.hosts[req.URL.Host] || !strings.HasPrefix(req.URL.Path, "/dev/") {
		return t.next.RoundTrip(req)
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// lockDir takes an exclusive lock on dir/.lock until unlock is called.
func lockDir(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("dev: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("dev: locking %s: %w", dir, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// writeFile writes data to path atomically (a temporary file renamed).
func writeFile(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("dev: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("dev: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("dev: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	return nil
}

// readLine returns line n (from 0) of a small file, without its newline.
func readLine(path string, n int) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("dev: %w", err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if n >= len(lines) || strings.TrimSpace(lines[n]) == "" {
		return "", fmt.Errorf("dev: %s has no line %d; remove the directory to start afresh", path, n+1)
	}
	return strings.TrimSpace(lines[n]), nil
}

// secret returns n random bytes in lower-case base32 without padding.
func secret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}
