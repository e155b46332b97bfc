package devmode

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/testpki"
)

// Labels of the SoftHSM tokens and their keys.
const (
	devToken      = "segel-dev"
	devObject     = "dev"
	officialToken = "segel-dev-official"
	officialObj   = "official"
)

var lookPath = exec.LookPath

// pkiFile returns the path of a file in DIR/pki.
func pkiFile(dir, name string) string { return filepath.Join(dir, "pki", name) }

// createPKI makes the PKI, the TSA, the two signing keys and the secret
// files of a new directory.
func createPKI(ctx context.Context, dir string, st *state, opts Options) error {
	p, err := testpki.New(testpki.Options{Name: "Segel Dev", BaseURL: st.PKIBaseURL, Now: opts.Now})
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	// Leaves live as long as the CAs, so that a development directory
	// never needs renewing.
	notBefore, notAfter := opts.Now().Add(-time.Hour), p.Root.Cert.NotAfter
	write := func(name string, mode os.FileMode, parts ...[]byte) error {
		return writeFile(pkiFile(dir, name), bytes.Join(parts, nil), mode)
	}
	writeKey := func(name string, id *testpki.Identity) error {
		k, err := id.KeyPEM()
		if err != nil {
			return fmt.Errorf("dev: %w", err)
		}
		return write(name, 0o600, k)
	}
	for _, step := range []func() error{
		func() error { return write("root.pem", 0o644, p.Root.CertPEM()) },
		func() error { return writeKey("root-key.pem", &p.Root.Identity) },
		func() error { return write("issuing.pem", 0o644, p.Issuing.CertPEM()) },
		func() error { return writeKey("issuing-key.pem", &p.Issuing.Identity) },
	} {
		if err := step(); err != nil {
			return err
		}
	}

	tsaID, err := p.IssueTSA(testpki.SignerOptions{NotBefore: notBefore, NotAfter: notAfter,
		Subject: pkix.Name{CommonName: "Segel Dev Timestamp Authority", Organization: []string{"Segel (development)"}}})
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	if err := write("tsa.pem", 0o644, tsaID.FullChainPEM()); err != nil {
		return err
	}
	if err := writeKey("tsa-key.pem", tsaID); err != nil {
		return err
	}

	devSubject := pkix.Name{CommonName: "Segel Dev Signer", Organization: []string{"Pemerintah Kabupaten Contoh (development)"},
		OrganizationalUnit: []string{"Sekretariat Daerah"}}
	offSubject := pkix.Name{CommonName: "Budi Santoso (development)", Organization: []string{"Pemerintah Kabupaten Contoh (development)"},
		SerialNumber: PersonalNIK}
	passphrase := secret(10)
	bsrePassword, _ := httpapi.NewAPIKey()

	var devID, offID *testpki.Identity
	if st.Keys == "softhsm" {
		hsm, err := newSoftHSM(ctx, dir)
		if err != nil {
			return err
		}
		pin := secret(10)
		if err := writeFile(filepath.Join(dir, "softhsm", "dev.pin"), []byte(pin), 0o600); err != nil {
			return err
		}
		if devID, err = hsm.makeKey(ctx, p, devToken, devObject, pin, testpki.SignerOptions{Subject: devSubject,
			NonRepudiation: true, NotBefore: notBefore, NotAfter: notAfter}); err != nil {
			return err
		}
		if offID, err = hsm.makeKey(ctx, p, officialToken, officialObj, passphrase, testpki.SignerOptions{Subject: offSubject,
			NonRepudiation: true, NotBefore: notBefore, NotAfter: notAfter}); err != nil {
			return err
		}
	} else {
		if devID, err = p.IssueSigner(testpki.SignerOptions{Subject: devSubject, NonRepudiation: true, NotBefore: notBefore, NotAfter: notAfter}); err != nil {
			return fmt.Errorf("dev: %w", err)
		}
		if err := writeKey("dev-key.pem", devID); err != nil {
			return err
		}
		if offID, err = p.IssueSigner(testpki.SignerOptions{Subject: offSubject, NonRepudiation: true, NotBefore: notBefore, NotAfter: notAfter}); err != nil {
			return fmt.Errorf("dev: %w", err)
		}
		p12, err := offID.PKCS12(passphrase)
		if err != nil {
			return fmt.Errorf("dev: %w", err)
		}
		if err := write("official.p12", 0o600, p12); err != nil {
			return err
		}
	}
	if err := write("dev.pem", 0o644, devID.FullChainPEM()); err != nil {
		return err
	}
	if err := write("official.pem", 0o644, offID.FullChainPEM()); err != nil {
		return err
	}
	creds := BSrEUser + "\n" + bsrePassword + "\n" + passphrase + "\n"
	if err := writeFile(filepath.Join(dir, CredentialsFile), []byte(creds), 0o600); err != nil {
		return err
	}
	// The API key survives a redone setup: the store may know it already.
	if _, err := os.Stat(filepath.Join(dir, APIKeyFile)); errors.Is(err, os.ErrNotExist) {
		key, _ := httpapi.NewAPIKey()
		if err := writeFile(filepath.Join(dir, APIKeyFile), []byte(key+"\n"), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// softHSM is the SoftHSM configuration of a data directory.
type softHSM struct {
	conf string
}

func newSoftHSM(ctx context.Context, dir string) (*softHSM, error) {
	base := filepath.Join(dir, "softhsm")
	tokens := filepath.Join(base, "tokens")
	if err := os.MkdirAll(tokens, 0o700); err != nil {
		return nil, fmt.Errorf("dev: %w", err)
	}
	conf := filepath.Join(base, "softhsm2.conf")
	content := "# SoftHSM2 configuration of segel serve --dev\n" +
		"directories.tokendir = " + tokens + "\n" +
		"objectstore.backend = file\n" +
		"log.level = ERROR\n" +
		"slots.removable = false\n"
	if err := writeFile(conf, []byte(content), 0o600); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(base, "so.pin"), []byte(secret(10)), 0o600); err != nil {
		return nil, err
	}
	os.Setenv("SOFTHSM2_CONF", conf)
	return &softHSM{conf: conf}, nil
}

// makeKey initialises a token with user PIN pin, makes an ECDSA P-256 key
// on it, has the issuing CA certify it and stores the certificate and
// chain on the token beside the key.
func (h *softHSM) makeKey(ctx context.Context, p *testpki.PKI, token, object, pin string, opts testpki.SignerOptions) (*testpki.Identity, error) {
	util, err := lookPath("softhsm2-util")
	if err != nil {
		return nil, fmt.Errorf("dev: softhsm2-util: %w", err)
	}
	soPIN, err := os.ReadFile(filepath.Join(filepath.Dir(h.conf), "so.pin"))
	if err != nil {
		return nil, fmt.Errorf("dev: %w", err)
	}
	cmd := exec.CommandContext(ctx, util, "--init-token", "--free", "--label", token, "--pin", pin, "--so-pin", string(soPIN))
	cmd.Env = append(os.Environ(), "SOFTHSM2_CONF="+h.conf)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("dev: softhsm2-util --init-token %s: %v: %s", token, err, strings.TrimSpace(string(out)))
	}
	u := pkcs11.URI{Token: token, Object: object, ModulePath: SoftHSMModule}
	uri := u.String() + "&pin-value=" + url.QueryEscape(pin)
	k, err := pkcs11.GenerateKey(ctx, uri, pkcs11.ECP256, nil)
	if err != nil {
		return nil, fmt.Errorf("dev: generating the key of token %s: %w", token, err)
	}
	opts.PublicKey = k.Public
	id, err := p.IssueSigner(opts)
	if err != nil {
		return nil, fmt.Errorf("dev: %w", err)
	}
	if err := pkcs11.ImportCertificate(ctx, uri, nil, id.Cert, id.Chain...); err != nil {
		return nil, fmt.Errorf("dev: storing the certificate on token %s: %w", token, err)
	}
	return id, nil
}

// devPKI is the development PKI loaded from DIR/pki: a testpki.PKI
// rebuilt from its saved CAs, which answers OCSP and CRL requests about
// the certificates it issued, and the TSA.
type devPKI struct {
	dir     string
	baseURL string
	pki     *testpki.PKI
	tsa     *testpki.TSA
}

func loadPKI(dir, baseURL string, now func() time.Time) (*devPKI, error) {
	root, err := loadCA(dir, "root")
	if err != nil {
		return nil, err
	}
	issuing, err := loadCA(dir, "issuing")
	if err != nil {
		return nil, err
	}
	pki, err := testpki.Load(root, issuing, testpki.Options{BaseURL: baseURL, Now: now})
	if err != nil {
		return nil, fmt.Errorf("dev: %w (remove the data directory to start afresh)", err)
	}
	p := &devPKI{dir: dir, baseURL: baseURL, pki: pki}
	// DIR/dev-root.pem is what operators give to other tools; write it on
	// every start in case it was removed.
	rootPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Cert.Raw})
	if old, err := os.ReadFile(filepath.Join(dir, RootFile)); err != nil || !bytes.Equal(old, rootPEM) {
		if err := writeFile(filepath.Join(dir, RootFile), rootPEM, 0o644); err != nil {
			return nil, err
		}
	}
	for _, name := range []string{"tsa.pem", "dev.pem", "official.pem"} {
		certs, err := readCerts(pkiFile(dir, name))
		if err != nil {
			return nil, err
		}
		if err := pki.Record(certs[0]); err != nil {
			return nil, fmt.Errorf("dev: %s: %w", name, err)
		}
	}
	tsaCerts, err := readCerts(pkiFile(dir, "tsa.pem"))
	if err != nil {
		return nil, err
	}
	tsaKey, err := readKey(pkiFile(dir, "tsa-key.pem"))
	if err != nil {
		return nil, err
	}
	p.tsa = testpki.NewTSA(&testpki.Identity{Cert: tsaCerts[0], Key: tsaKey, Chain: tsaCerts[1:]}, testpki.TSAOptions{Now: now})
	return p, nil
}

// loadCA reads the certificate and key of a CA from DIR/pki.
func loadCA(dir, file string) (testpki.Identity, error) {
	certs, err := readCerts(pkiFile(dir, file+".pem"))
	if err != nil {
		return testpki.Identity{}, err
	}
	key, err := readKey(pkiFile(dir, file+"-key.pem"))
	if err != nil {
		return testpki.Identity{}, err
	}
	return testpki.Identity{Cert: certs[0], Key: key}, nil
}

func readCerts(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dev: %w (remove the data directory to start afresh)", err)
	}
	var certs []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("dev: %s: %w", path, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("dev: %s holds no certificate", path)
	}
	return certs, nil
}

func readKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dev: %w (remove the data directory to start afresh)", err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, fmt.Errorf("dev: %s holds no PEM key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("dev: %s: %w", path, err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("dev: %s: not a signing key", path)
	}
	return s, nil
}

// devKeyRef is the KEYREF of profile dev.
func (p *devPKI) devKeyRef(softhsm bool) string {
	if !softhsm {
		return pkiFile(p.dir, "dev-key.pem")
	}
	u := pkcs11.URI{Token: devToken, Object: devObject, ModulePath: SoftHSMModule,
		PINSource: "file:" + filepath.Join(p.dir, "softhsm", "dev.pin")}
	return u.String()
}

// officialKeyRef is the KEYREF of the personal profile: a token without
// PIN (the passphrase is the user PIN) or the PKCS#12 file.
func (p *devPKI) officialKeyRef(softhsm bool) string {
	if !softhsm {
		return pkiFile(p.dir, "official.p12")
	}
	u := pkcs11.URI{Token: officialToken, Object: officialObj, ModulePath: SoftHSMModule}
	return u.String()
}

// handler serves /dev/tsa and, under /dev/pki, testpki.PKI.Handler:
// OCSP (POST /ocsp/{ca}, GET /ocsp/{ca}/{base64}), CRLs (/crl/{ca}.crl)
// and CA certificates (/ca/{ca}.crt).
func (p *devPKI) handler() http.Handler {
	pki := http.StripPrefix("/dev/pki", p.pki.Handler())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Routed by hand: http.ServeMux would clean the "//" that
		// base64 OCSP requests may hold.
		path := r.URL.EscapedPath()
		switch {
		case path == "/dev/tsa":
			p.tsa.ServeHTTP(w, r)
		case strings.HasPrefix(path, "/dev/pki/"):
			pki.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}
