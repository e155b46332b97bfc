package devmode

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/internal/testenv"
	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/revocation"
	"github.com/segel-id/segel/tsa"
)

// prepare runs Prepare in dir; SOFTHSM2_CONF is restored when the test
// ends.
func prepare(t *testing.T, dir, baseURL string, noSoftHSM bool) *Env {
	t.Helper()
	t.Setenv("SOFTHSM2_CONF", os.Getenv("SOFTHSM2_CONF"))
	env, err := Prepare(context.Background(), Options{Dir: dir, BaseURL: baseURL, NoSoftHSM: noSoftHSM})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkFiles checks the files a development directory must hold, and
// that secrets are readable by their owner only.
func checkFiles(t *testing.T, env *Env) {
	t.Helper()
	for name, private := range map[string]bool{
		APIKeyFile: true, CredentialsFile: true, RootFile: false, AuditKeyFile: true, TOTPKeyFile: true,
		"pki/root-key.pem": true, "pki/issuing-key.pem": true, "pki/tsa-key.pem": true, "pki/state.json": true,
		"pki/dev.pem": false, "pki/official.pem": false,
	} {
		st, err := os.Stat(env.Path(name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if private && st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v; secrets must be 0600", name, st.Mode().Perm())
		}
	}
	if k, err := env.Config.AuditKey(); err != nil || len(k) != 32 || env.Config.Audit.KeyFile != env.Path(AuditKeyFile) {
		t.Errorf("the development audit key: %d bytes from %s, %v", len(k), env.Config.Audit.KeyFile, err)
	}
	if k, err := env.Config.TOTPKey(); err != nil || len(k) != 32 || env.Config.TOTP.KeyFile != env.Path(TOTPKeyFile) {
		t.Errorf("the development TOTP key: %d bytes from %s, %v", len(k), env.Config.TOTP.KeyFile, err)
	}
	key := strings.TrimSpace(string(readFile(t, env.Path(APIKeyFile))))
	if !strings.HasPrefix(key, "sgl_") || strings.Contains(key, "\n") {
		t.Errorf("dev-api-key holds %d bytes, not just one key", len(key))
	}
	lines := strings.Split(strings.TrimSpace(string(readFile(t, env.Path(CredentialsFile)))), "\n")
	if len(lines) != 3 || lines[0] != BSrEUser || lines[1] == "" || lines[2] == "" {
		t.Errorf("dev-bsre-credentials has %d lines, want user, password, passphrase", len(lines))
	}
}

// checkPKI checks that the in-process transport answers OCSP, CRL and TSA
// requests about the development certificates.
func checkPKI(t *testing.T, env *Env) {
	t.Helper()
	ctx := context.Background()
	client := &http.Client{Transport: env.Transport(nil)}
	chain := certs(t, env.Path("pki/dev.pem"))
	rev := revocation.New(revocation.Options{HTTPClient: client})
	st, err := rev.Check(ctx, chain[0], chain[1])
	if err != nil || st.State != revocation.Good || st.Source != revocation.OCSP {
		t.Fatalf("OCSP for the dev signer: %+v, %v", st, err)
	}
	st, err = revocation.New(revocation.Options{HTTPClient: client, PreferCRL: true}).Check(ctx, chain[1], chain[2])
	if err != nil || st.State != revocation.Good || st.Source != revocation.CRL {
		t.Fatalf("CRL for the issuing CA: %+v, %v", st, err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(chain[2])
	ts, err := tsa.New(tsa.Options{URLs: []string{env.TSAURL}, Roots: roots, HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("surat"))
	if _, err := ts.Request(ctx, sum[:], crypto.SHA256); err != nil {
		t.Fatalf("TSA: %v", err)
	}
}

func certs(t *testing.T, path string) []*x509.Certificate {
	t.Helper()
	c, err := readCerts(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDevSoftwareKeys(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "segel-dev")
	env := prepare(t, dir, "http://127.0.0.1:18080", true)
	if !env.Created || env.SoftHSM {
		t.Errorf("Created %v, SoftHSM %v; want a new directory with software keys", env.Created, env.SoftHSM)
	}
	checkFiles(t, env)
	checkPKI(t, env)
	c := env.Config
	if len(c.Profiles) != 3 || c.Profiles[0].Name != Profile || c.Profiles[1].NIK != PersonalNIK || !c.Profiles[1].Personal ||
		c.Store.DSN() != StorePath(dir) || c.TSA.URLs[0] != "http://127.0.0.1:18080/dev/tsa" || c.Trust.Paths[0] != env.Path(RootFile) {
		t.Errorf("configuration: %+v", c)
	}
	key, err := keyref.Open(context.Background(), c.Profiles[0].Key, &keyref.Options{CertFile: c.Profiles[0].Cert})
	if err != nil {
		t.Fatal(err)
	}
	if key.Certificate.Subject.CommonName != "Segel Dev Signer" || len(key.Chain) != 2 {
		t.Errorf("dev key: %s with %d CA certificates", key.Certificate.Subject, len(key.Chain))
	}
	// The seal: an organisation's certificate, its own key, activated over
	// the API.
	if p := c.Profiles[2]; p.Name != SealProfile || !p.Seal || p.IDSubscriber != SealSubscriber || !p.APIActivation || p.Personal {
		t.Errorf("seal profile: %+v", p)
	}
	sealKey, err := keyref.Open(context.Background(), c.Profiles[2].Key, &keyref.Options{CertFile: c.Profiles[2].Cert})
	if err != nil {
		t.Fatal(err)
	}
	if sub := sealKey.Certificate.Subject; len(sub.Organization) != 1 || sub.CommonName != sub.Organization[0] ||
		!strings.HasPrefix(sub.CommonName, BrandName) || sealKey.Certificate.Equal(key.Certificate) {
		t.Errorf("seal key: %s, want the organisation's own certificate", sub)
	}

	// The store gets the two clients, once.
	st, err := store.Open(context.Background(), StorePath(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for range 2 {
		if err := env.Provision(context.Background(), st); err != nil {
			t.Fatal(err)
		}
	}
	apiKey := strings.TrimSpace(string(readFile(t, env.Path(APIKeyFile))))
	cl, err := st.ClientByKeyHash(context.Background(), httpapi.KeyHash(apiKey))
	if err != nil || cl.Name != Client || strings.Join(cl.Operations, ",") != "sign,verify,augment" || cl.Profiles[0] != Profile {
		t.Errorf("client of dev-api-key: %+v, %v", cl, err)
	}
	creds := strings.Split(string(readFile(t, env.Path(CredentialsFile))), "\n")
	if c.BSrE.User != creds[0] || c.BSrE.Password != creds[1] {
		t.Errorf("the BSrE API's credentials are not those of %s", CredentialsFile)
	}
	sealAPIKey := strings.TrimSpace(string(readFile(t, env.Path(SealAPIKeyFile))))
	if cl, err := st.ClientByKeyHash(context.Background(), httpapi.KeyHash(sealAPIKey)); err != nil || cl.Name != SealClient ||
		strings.Join(cl.Profiles, ",") != SealProfile || strings.Join(cl.Operations, ",") != "sign" {
		t.Errorf("client of %s: %+v, %v", SealAPIKeyFile, cl, err)
	}
	if cl, err := st.Clients(context.Background()); err != nil || len(cl) != 2 {
		t.Errorf("clients: %d, %v; want dev and dev-seal", len(cl), err)
	}

	// A restart, on another address, reuses everything.
	root := readFile(t, env.Path(RootFile))
	env2 := prepare(t, dir, "http://127.0.0.1:18081", true)
	if env2.Created || !bytes.Equal(readFile(t, env2.Path(RootFile)), root) || env2.PKIBaseURL != "http://127.0.0.1:18080/dev/pki" ||
		env2.TSAURL != "http://127.0.0.1:18081/dev/tsa" {
		t.Errorf("restart: created %v, PKI at %s, TSA at %s, root changed %v", env2.Created, env2.PKIBaseURL, env2.TSAURL,
			!bytes.Equal(readFile(t, env2.Path(RootFile)), root))
	}
	checkPKI(t, env2)
	if strings.TrimSpace(string(readFile(t, env2.Path(APIKeyFile)))) != apiKey {
		t.Error("the API key changed on restart")
	}
	// A deleted dev-root.pem comes back.
	os.Remove(env.Path(RootFile))
	prepare(t, dir, "http://127.0.0.1:18081", true)
	if !bytes.Equal(readFile(t, env.Path(RootFile)), root) {
		t.Error("dev-root.pem was not restored")
	}
}

func TestDevInterruptedSetup(t *testing.T) {
	dir := t.TempDir()
	// What a start killed half-way leaves: part of pki/, no state.json.
	os.MkdirAll(filepath.Join(dir, "pki"), 0o700)
	os.WriteFile(filepath.Join(dir, "pki", "root.pem"), []byte("half"), 0o600)
	os.WriteFile(filepath.Join(dir, APIKeyFile), []byte("sgl_kept\n"), 0o600)
	env := prepare(t, dir, "http://127.0.0.1:18080", true)
	if !env.Created {
		t.Error("the interrupted setup was not redone")
	}
	checkPKI(t, env)
	if got := string(readFile(t, env.Path(APIKeyFile))); got != "sgl_kept\n" {
		t.Errorf("dev-api-key = %q; a redone setup must keep the key the store may know", got)
	}
	// A damaged state is reported, not papered over.
	os.WriteFile(filepath.Join(dir, "pki", "state.json"), []byte("{"), 0o600)
	if _, err := Prepare(context.Background(), Options{Dir: dir, BaseURL: "http://127.0.0.1:18080", NoSoftHSM: true}); err == nil ||
		!strings.Contains(err.Error(), "damaged") {
		t.Errorf("Prepare with a damaged state.json: %v", err)
	}
}

func TestDevSoftHSM(t *testing.T) {
	testenv.Tool(t, "softhsm2-util")
	testenv.File(t, SoftHSMModule, "softhsm2")
	dir := t.TempDir()
	env := prepare(t, dir, "http://127.0.0.1:18080", false)
	if !env.SoftHSM {
		t.Fatal("softhsm2 is installed but the keys are not on tokens")
	}
	checkFiles(t, env)
	checkPKI(t, env)
	if got := os.Getenv("SOFTHSM2_CONF"); got != env.Path("softhsm/softhsm2.conf") {
		t.Errorf("SOFTHSM2_CONF = %q", got)
	}
	ctx := context.Background()
	c := env.Config
	if !strings.HasPrefix(c.Profiles[0].Key, "pkcs11:") || strings.Contains(c.Profiles[0].Key, "pin-value") ||
		!strings.HasPrefix(c.Profiles[1].Key, "pkcs11:") || strings.Contains(c.Profiles[1].Key, "pin") {
		t.Errorf("key refs %q, %q: want token URIs, the dev one with pin-source, the personal one without PIN",
			c.Profiles[0].Key, c.Profiles[1].Key)
	}
	sum := sha256.Sum256([]byte("surat"))

	dev, err := keyref.Open(ctx, c.Profiles[0].Key, &keyref.Options{CertFile: c.Profiles[0].Cert})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	sig, err := dev.Signer.Sign(nil, sum[:], crypto.SHA256)
	if err != nil || !ecdsa.VerifyASN1(dev.Certificate.PublicKey.(*ecdsa.PublicKey), sum[:], sig) {
		t.Fatalf("dev key on SoftHSM: %v", err)
	}

	off, err := keyref.Open(ctx, c.Profiles[1].Key, &keyref.Options{CertFile: c.Profiles[1].Cert,
		PKCS11: &pkcs11.Options{Personal: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	if off.PKCS11 == nil || !off.PKCS11.Personal() || off.Certificate.Subject.SerialNumber != PersonalNIK {
		t.Fatalf("official's key: personal %v, subject %s", off.PKCS11 != nil && off.PKCS11.Personal(), off.Certificate.Subject)
	}
	pass := strings.Split(string(readFile(t, env.Path(CredentialsFile))), "\n")[2]
	if _, err := off.PKCS11.SignWithPassphrase(ctx, []byte("salah"), sum[:], crypto.SHA256); !errors.Is(err, pkcs11.ErrPassphraseRejected) {
		t.Errorf("a wrong passphrase: %v", err)
	}
	sig, err = off.PKCS11.SignWithPassphrase(ctx, []byte(pass), sum[:], crypto.SHA256)
	if err != nil || !ecdsa.VerifyASN1(off.Certificate.PublicKey.(*ecdsa.PublicKey), sum[:], sig) {
		t.Fatalf("the official's passphrase: %v", err)
	}

	// A restart finds the tokens again.
	env2 := prepare(t, dir, "http://127.0.0.1:18081", false)
	if env2.Created || !env2.SoftHSM || env2.Config.Profiles[0].Key != c.Profiles[0].Key {
		t.Errorf("restart: created %v, SoftHSM %v", env2.Created, env2.SoftHSM)
	}
}
