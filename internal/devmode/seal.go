package devmode

import (
	"context"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/segel-id/segel/internal/config"
	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/testpki"
)

// The development seal (docs/decisions.md, "Institutional seal and user
// registration (issue 14)"): the dev regency's institutional seal, so
// that an integrator can try the whole /api/v2/seal/… flow against
// `make run`. Its profile has api_activation, so that the first
// POST /api/v2/seal/get/activation answers the secret; a real seal's
// first activation is the operator's (`segel seal activate`).
const (
	// SealProfile is the seal's profile.
	SealProfile = "dev-seal"
	// SealSubscriber is the seal's idSubscriber in the BSrE API.
	SealSubscriber = "SEAL-DEV-SERANG"
	// SealClient is the API client allowed the seal (HTTP Basic with its
	// name and the key of SealAPIKeyFile, as BSrE's clients send it).
	SealClient        = "dev-seal"
	SealAPIKeyFile    = "dev-seal-api-key"
	sealKeyFile       = "seal-key.pem"
	sealCertFile      = "seal.pem"
	sealOrganisation  = BrandName + " (development)"
	sealOrganisationU = "Sekretariat Daerah"
)

// ensureSeal makes the seal's key and organisation certificate if the
// directory lacks them (a directory made before the seal existed gets
// them on its next start), and records the certificate for the PKI's
// OCSP responder. The key is a software key (a PEM file, mode 0600),
// whether or not the other profiles are on SoftHSM: one token fewer to
// make in an existing directory, and nothing of production here.
func (e *Env) ensureSeal(now func() time.Time) error {
	keyPath, certPath := pkiFile(e.Dir, sealKeyFile), pkiFile(e.Dir, sealCertFile)
	_, errK := os.Stat(keyPath)
	_, errC := os.Stat(certPath)
	if errK != nil || errC != nil {
		id, err := e.pki.pki.IssueSigner(testpki.SignerOptions{NonRepudiation: true,
			Subject: pkix.Name{CommonName: sealOrganisation, Organization: []string{sealOrganisation},
				OrganizationalUnit: []string{sealOrganisationU}, Country: []string{"ID"}},
			NotBefore: now().Add(-time.Hour), NotAfter: e.pki.pki.Root.Cert.NotAfter})
		if err != nil {
			return fmt.Errorf("dev: certifying the seal: %w", err)
		}
		k, err := id.KeyPEM()
		if err != nil {
			return fmt.Errorf("dev: %w", err)
		}
		// The key first: a certificate without its key is made afresh.
		if err := writeFile(keyPath, k, 0o600); err != nil {
			return err
		}
		if err := writeFile(certPath, id.FullChainPEM(), 0o644); err != nil {
			return err
		}
	}
	certs, err := readCerts(certPath)
	if err != nil {
		return err
	}
	if err := e.pki.pki.Record(certs[0]); err != nil {
		return fmt.Errorf("dev: the seal's certificate: %w", err)
	}
	return nil
}

// sealProfile is the seal's profile in the configuration.
func (e *Env) sealProfile() *config.Profile {
	p := config.NewProfile(SealProfile, pkiFile(e.Dir, sealKeyFile))
	p.Cert = pkiFile(e.Dir, sealCertFile)
	p.Seal = true
	p.IDSubscriber = SealSubscriber
	p.APIActivation = true
	p.Reason = "Segel elektronik " + BrandName + " (development)"
	p.Location = "Segel dev"
	p.Downloadable = true
	return p
}

// provisionSeal makes sure the store holds the seal's API client, with
// the key of SealAPIKeyFile (made on first use).
func (e *Env) provisionSeal(ctx context.Context, st store.Store) error {
	path := e.Path(SealAPIKeyFile)
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
	return ensureClient(ctx, st, &store.Client{Name: SealClient, KeyHash: httpapi.KeyHash(key),
		Profiles: []string{SealProfile}, Operations: []string{"sign"}}, e.Dir)
}
