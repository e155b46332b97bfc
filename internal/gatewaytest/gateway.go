package gatewaytest

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/keyref"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/tsa"
)

// SealProfile is the name of the gateway's profile that signs without a
// passphrase.
const SealProfile = "segel-dinas"

// ClientName is the name of the gateway's API client (the register
// records it names).
const ClientName = "register"

// Gateway is a running Segel gateway.
type Gateway struct {
	// URL is the gateway's base URL (http://127.0.0.1:PORT), also its
	// PublicBaseURL.
	URL string
	// APIKey is the bearer key of the client ClientName.
	APIKey string
	// Handler is the gateway's handler, to call without a network.
	Handler http.Handler
	// Server is the gateway itself.
	Server *httpapi.Server
	// Store is the gateway's store: its register, audit log, lock-out
	// counters and clients.
	Store store.Store
	// Trust holds the PKI's root, the anchor under which every signature
	// of this gateway verifies; PKI is that PKI (to revoke a certificate,
	// issue another signer).
	Trust *trust.Pool
	PKI   *testpki.PKI
	// Officials are the personal profiles, in the order asked for.
	Officials []*Official

	hs        *httptest.Server
	closeOnce sync.Once
}

// Official is a personal profile of the gateway.
type Official struct {
	// Profile is the profile's name (?profile=).
	Profile string
	// Passphrase unlocks the official's key.
	Passphrase string
	// NIK is the official's national identity number (the BSrE API's
	// "nik"); Name is their name, the common name of their certificate.
	NIK, Name string
	// Identity is the official's certificate and key.
	Identity *testpki.Identity
}

// Option configures Start.
type Option func(*config)

type config struct {
	officials []officialSpec
	tweaks    []func(*httpapi.Options)
	logger    *slog.Logger
}

type officialSpec struct{ profile, name string }

// WithOfficial adds a personal profile named profile for an official
// called name, with a passphrase and a NIK of its own.
func WithOfficial(profile, name string) Option {
	return func(c *config) { c.officials = append(c.officials, officialSpec{profile, name}) }
}

// WithOptions lets f change the server's options before it starts (its
// limits, clock, profiles).
func WithOptions(f func(*httpapi.Options)) Option {
	return func(c *config) { c.tweaks = append(c.tweaks, f) }
}

// WithLogger sends the server's request log to l; it is discarded by
// default.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// Start runs a gateway until the test ends. It fails the test when
// anything cannot be set up.
func Start(t testing.TB, opts ...Option) *Gateway {
	t.Helper()
	var c config
	for _, o := range opts {
		o(&c)
	}
	ctx := context.Background()
	pki, _ := testpki.MustNewServer(t, testpki.Options{})
	tsaID, err := pki.IssueTSA(testpki.SignerOptions{})
	if err != nil {
		t.Fatalf("gatewaytest: TSA: %v", err)
	}
	tsaSrv := httptest.NewServer(testpki.NewTSA(tsaID, testpki.TSAOptions{}))
	t.Cleanup(tsaSrv.Close)
	ts, err := tsa.New(tsa.Options{URLs: []string{tsaSrv.URL}, Roots: pki.Roots()})
	if err != nil {
		t.Fatalf("gatewaytest: TSA client: %v", err)
	}
	pool := trust.NewPool()
	pool.AddCert(pki.Root.Cert, "gatewaytest root")

	seal := pki.MustIssueSigner(t, testpki.SignerOptions{Subject: pkix.Name{CommonName: "Pemerintah Kabupaten Contoh"}, NonRepudiation: true})
	profiles := []*httpapi.Profile{{Name: SealProfile, Key: &keyref.Key{Signer: seal.Key, Certificate: seal.Cert, Chain: seal.Chain},
		Keep: true, Downloadable: true}}
	g := &Gateway{Trust: pool, PKI: pki}
	for i, o := range c.officials {
		off, prof, err := newOfficial(pki, o, i)
		if err != nil {
			t.Fatalf("gatewaytest: official %s: %v", o.profile, err)
		}
		g.Officials = append(g.Officials, off)
		profiles = append(profiles, prof)
	}
	names := make([]string, len(profiles))
	for i, p := range profiles {
		names[i] = p.Name
	}

	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "segel.db"), nil)
	if err != nil {
		t.Fatalf("gatewaytest: store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	key, hash := httpapi.NewAPIKey()
	if err := st.PutClient(ctx, &store.Client{Name: ClientName, KeyHash: hash, Profiles: names,
		Operations: []string{"sign", "verify", "augment", httpapi.OperatorScope}}); err != nil {
		t.Fatalf("gatewaytest: client: %v", err)
	}

	// The listener first: the server's public address is its own.
	hs := httptest.NewUnstartedServer(nil)
	url := "http://" + hs.Listener.Addr().String()
	logger := c.logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	so := httpapi.Options{
		Store: st, Profiles: profiles, Trust: pool, Timestamper: ts, TempDir: t.TempDir(),
		PublicBaseURL: url, Logger: logger,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
	}
	for _, f := range c.tweaks {
		f(&so)
	}
	srv, err := httpapi.New(so)
	if err != nil {
		t.Fatalf("gatewaytest: server: %v", err)
	}
	hs.Config.Handler = srv.Handler()
	hs.Start()
	g.URL, g.APIKey, g.Handler, g.Server, g.Store, g.hs = url, key, srv.Handler(), srv, st, hs
	t.Cleanup(g.Close)
	return g
}

// newOfficial issues the i-th official's certificate and locks its key
// in a PKCS#12 file under a fresh passphrase.
func newOfficial(pki *testpki.PKI, o officialSpec, i int) (*Official, *httpapi.Profile, error) {
	nik := fmt.Sprintf("360401%010d", i+1)
	id, err := pki.IssueSigner(testpki.SignerOptions{Subject: pkix.Name{CommonName: o.name, SerialNumber: "NIK" + nik},
		NonRepudiation: true, DocumentSigning: true})
	if err != nil {
		return nil, nil, err
	}
	var b [9]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, nil, err
	}
	pass := "sandi-" + hex.EncodeToString(b[:])
	p12, err := id.PKCS12(pass)
	if err != nil {
		return nil, nil, err
	}
	off := &Official{Profile: o.profile, Passphrase: pass, NIK: nik, Name: o.name, Identity: id}
	prof := &httpapi.Profile{Name: o.profile, Key: keyref.Locked(p12, id.Cert, id.Chain), Personal: true, NIK: nik,
		Keep: true, Downloadable: true}
	return off, prof, nil
}

// Official returns the official of a personal profile, nil when there is
// none.
func (g *Gateway) Official(profile string) *Official {
	for _, o := range g.Officials {
		if o.Profile == profile {
			return o
		}
	}
	return nil
}

// Roots returns the pool of the PKI's root certificate, for checking a
// signer's certificate with crypto/x509.
func (g *Gateway) Roots() *x509.CertPool { return g.PKI.Roots() }

// Close stops the gateway: afterwards its URL refuses connections. The
// test's end closes it too.
func (g *Gateway) Close() {
	g.closeOnce.Do(func() {
		g.hs.Close()
		g.Server.Close()
	})
}
