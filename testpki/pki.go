package testpki

import (
	"crypto"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"
)

// Names of the two CAs of a PKI, as used in the URLs of [PKI.Handler].
const (
	RootName    = "root"
	IssuingName = "issuing"
)

// Default validity periods.
const (
	// defaultCALifetime is long enough that tests can sign "in the past"
	// and validate "in the future" under the same CAs.
	defaultCALifetime = 20 * 365 * 24 * time.Hour
	// defaultCABackdate puts the CAs' notBefore a year before the clock.
	defaultCABackdate = 365 * 24 * time.Hour
	// defaultLeafLifetime is the validity of certificates issued without
	// explicit NotBefore/NotAfter.
	defaultLeafLifetime = 365 * 24 * time.Hour
	// defaultLeafBackdate lets a freshly issued certificate be valid at once
	// even on a clock that lags slightly.
	defaultLeafBackdate = time.Hour
	defaultOCSPValidity = time.Hour
	defaultCRLValidity  = 24 * time.Hour
)

// Options configure [New]. The zero value gives an offline ECDSA P-256 PKI
// on the system clock.
type Options struct {
	// Name begins the names of the CAs: "<Name> Root CA" and
	// "<Name> CA DS G1". If empty, "Segel Test" is used.
	Name string

	// KeyType is the type of the CA keys (and of delegated OCSP responder
	// keys). If empty, ECDSA P-256 is used.
	KeyType KeyType

	// BaseURL is the URL at which [PKI.Handler] will be reachable, such as
	// "http://127.0.0.1:8080/pki". When set, every certificate a CA issues
	// carries an OCSP responder BaseURL/ocsp/{ca}, a caIssuers URL
	// BaseURL/ca/{ca}.crt and a CRL distribution point BaseURL/crl/{ca}.crl,
	// where {ca} is the issuing CA's [CA.Name]. If empty, certificates carry
	// no such URLs.
	BaseURL string

	// Now is the clock: it sets default validity windows, revocation times
	// and the times of the CRLs and OCSP responses that [PKI.Handler]
	// serves. If nil, time.Now is used.
	Now func() time.Time

	// NotBefore and NotAfter bound the validity of both CAs. If zero,
	// NotBefore is a year before the clock and NotAfter twenty years after
	// NotBefore.
	NotBefore, NotAfter time.Time

	// DelegatedOCSP makes OCSP responses be signed by a delegated responder
	// certificate made with [PKI.IssueOCSPResponder] for each CA, instead
	// of by the CA's own key. See also [PKI.SetOCSPResponder].
	DelegatedOCSP bool

	// OCSPValidity is the time between thisUpdate and nextUpdate of OCSP
	// responses. If zero, one hour.
	OCSPValidity time.Duration

	// CRLValidity is the time between thisUpdate and nextUpdate of CRLs.
	// If zero, 24 hours.
	CRLValidity time.Duration
}

// CA is a certificate authority of a PKI. Its fields must not be modified.
type CA struct {
	// Identity holds the CA's certificate, its key and the chain of the
	// CAs above it (empty for the root).
	Identity

	// Name identifies the CA in URLs: [RootName] or [IssuingName].
	Name string
}

// PKI is a throwaway public-key infrastructure: a root CA, an issuing CA
// below it, and the revocation state of the certificates they issued. Its
// methods are safe for concurrent use.
type PKI struct {
	// Root is the self-signed root CA.
	Root *CA
	// Issuing is the intermediate CA, shaped like BSrE's issuing CA, that
	// issues signer certificates by default.
	Issuing *CA

	opts Options
	name string

	mu     sync.Mutex
	issued map[string]issued // by serial number (hex)
	state  map[*CA]*caState  // revocation state per CA
	byName map[string]*CA    // by CA.Name
}

// issued remembers a certificate a CA of the PKI issued.
type issued struct {
	cert *x509.Certificate
	ca   *CA
}

// New builds a PKI: a root CA and an issuing CA below it. Keys are fresh, so
// no two PKIs trust each other.
func New(opts Options) (*PKI, error) {
	p := &PKI{
		opts:   opts,
		name:   opts.Name,
		issued: map[string]issued{},
		state:  map[*CA]*caState{},
		byName: map[string]*CA{},
	}
	if p.name == "" {
		p.name = "Segel Test"
	}
	if opts.BaseURL != "" && !strings.HasPrefix(opts.BaseURL, "http://") && !strings.HasPrefix(opts.BaseURL, "https://") {
		return nil, fmt.Errorf("testpki: Options.BaseURL %q is not an http(s) URL", opts.BaseURL)
	}
	notBefore, notAfter := opts.NotBefore, opts.NotAfter
	if notBefore.IsZero() {
		notBefore = p.now().Add(-defaultCABackdate)
	}
	if notAfter.IsZero() {
		notAfter = notBefore.Add(defaultCALifetime)
	}
	if !notAfter.After(notBefore) {
		return nil, fmt.Errorf("testpki: Options.NotAfter %v is not after NotBefore %v", notAfter, notBefore)
	}

	rootKey, err := GenerateKey(opts.KeyType)
	if err != nil {
		return nil, err
	}
	rootTmpl := &x509.Certificate{
		Subject: pkix.Name{
			CommonName:   p.name + " Root CA",
			Organization: []string{p.name},
			Country:      []string{"ID"},
		},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	rootCert, err := p.sign(rootTmpl, rootKey.Public(), nil, rootKey)
	if err != nil {
		return nil, fmt.Errorf("testpki: root CA: %w", err)
	}
	p.Root = &CA{Identity: Identity{Cert: rootCert, Key: rootKey}, Name: RootName}
	p.addCA(p.Root)

	interKey, err := GenerateKey(opts.KeyType)
	if err != nil {
		return nil, err
	}
	interTmpl := &x509.Certificate{
		Subject: pkix.Name{
			CommonName:         p.name + " CA DS G1",
			Organization:       []string{"Badan Siber dan Sandi Negara (" + p.name + ")"},
			OrganizationalUnit: []string{"Balai Besar Sertifikasi Elektronik (" + p.name + ")"},
			Country:            []string{"ID"},
		},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	interCert, err := p.issue(interTmpl, interKey.Public(), p.Root, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("testpki: issuing CA: %w", err)
	}
	p.Issuing = &CA{
		Identity: Identity{Cert: interCert, Key: interKey, Chain: []*x509.Certificate{rootCert}},
		Name:     IssuingName,
	}
	p.addCA(p.Issuing)

	if opts.DelegatedOCSP {
		for _, ca := range []*CA{p.Root, p.Issuing} {
			r, err := p.IssueOCSPResponder(ca)
			if err != nil {
				return nil, err
			}
			p.SetOCSPResponder(ca, r)
		}
	}
	return p, nil
}

// MustNew is [New] for tests: it fails t when the PKI cannot be built.
func MustNew(t testing.TB, opts Options) *PKI {
	t.Helper()
	p, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *PKI) addCA(ca *CA) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state[ca] = &caState{revoked: map[string]revocation{}}
	p.byName[ca.Name] = ca
}

// CA returns the CA of p with the given [CA.Name], or nil.
func (p *PKI) CA(name string) *CA {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.byName[name]
}

// Roots returns a new pool holding p's root certificate.
func (p *PKI) Roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Root.Cert)
	return pool
}

// Intermediates returns a new pool holding p's issuing CA certificate.
func (p *PKI) Intermediates() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Issuing.Cert)
	return pool
}

// BaseURL returns [Options.BaseURL] without a trailing slash.
func (p *PKI) BaseURL() string { return strings.TrimSuffix(p.opts.BaseURL, "/") }

// OCSPURL returns the URL of ca's OCSP responder, or "" when p has no
// [Options.BaseURL].
func (p *PKI) OCSPURL(ca *CA) string { return p.url("/ocsp/" + ca.Name) }

// CRLURL returns the URL of ca's CRL, or "" when p has no [Options.BaseURL].
func (p *PKI) CRLURL(ca *CA) string { return p.url("/crl/" + ca.Name + ".crl") }

// CACertURL returns the URL of ca's certificate (for the caIssuers access
// method), or "" when p has no [Options.BaseURL].
func (p *PKI) CACertURL(ca *CA) string { return p.url("/ca/" + ca.Name + ".crt") }

func (p *PKI) url(path string) string {
	if p.opts.BaseURL == "" {
		return ""
	}
	return p.BaseURL() + path
}

// now reads the clock, truncated to the second that certificates, CRLs
// and OCSP responses can express.
func (p *PKI) now() time.Time {
	if p.opts.Now != nil {
		return p.opts.Now().UTC().Truncate(time.Second)
	}
	return time.Now().UTC().Truncate(time.Second)
}

// issue has ca sign a certificate from tmpl for pub and records it. The
// AIA and CRL distribution point URLs are those of ca unless ocspURLs or
// crlURLs are non-nil.
func (p *PKI) issue(tmpl *x509.Certificate, pub crypto.PublicKey, ca *CA, ocspURLs, crlURLs []string) (*x509.Certificate, error) {
	if ca == nil || p.CA(ca.Name) != ca {
		return nil, fmt.Errorf("testpki: issuer is not a CA of this PKI")
	}
	if ocspURLs == nil && p.OCSPURL(ca) != "" {
		ocspURLs = []string{p.OCSPURL(ca)}
	}
	if crlURLs == nil && p.CRLURL(ca) != "" {
		crlURLs = []string{p.CRLURL(ca)}
	}
	tmpl.OCSPServer = ocspURLs
	tmpl.CRLDistributionPoints = crlURLs
	if u := p.CACertURL(ca); u != "" {
		tmpl.IssuingCertificateURL = []string{u}
	}
	cert, err := p.sign(tmpl, pub, ca.Cert, ca.Key)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.issued[serialKey(cert.SerialNumber)] = issued{cert: cert, ca: ca}
	return cert, nil
}

// sign fills in the serial number and subject key identifier of tmpl and
// signs it with key; parent nil means self-signed.
func (p *PKI) sign(tmpl *x509.Certificate, pub crypto.PublicKey, parent *x509.Certificate, key crypto.Signer) (*x509.Certificate, error) {
	if err := checkPublicKey(pub); err != nil {
		return nil, err
	}
	serial, err := p.newSerial()
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	if tmpl.SubjectKeyId, err = keyID(pub); err != nil {
		return nil, err
	}
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, fmt.Errorf("testpki: creating certificate for %q: %w", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("testpki: parsing certificate for %q: %w", tmpl.Subject.CommonName, err)
	}
	return cert, nil
}

// newSerial returns a positive random 127-bit serial number not yet used
// in p.
func (p *PKI) newSerial() (*big.Int, error) {
	for {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("testpki: serial number: %w", err)
		}
		b[0] &= 0x7f
		n := new(big.Int).SetBytes(b)
		p.mu.Lock()
		_, used := p.issued[serialKey(n)]
		p.mu.Unlock()
		if n.Sign() > 0 && !used {
			return n, nil
		}
	}
}

func serialKey(n *big.Int) string { return n.Text(16) }

// keyID returns the subject key identifier of pub: the SHA-1 hash of the
// subjectPublicKey bits (RFC 5280, section 4.2.1.2, method 1).
func keyID(pub crypto.PublicKey) ([]byte, error) {
	bits, err := publicKeyBits(pub)
	if err != nil {
		return nil, err
	}
	sum := sha1.Sum(bits)
	return sum[:], nil
}

// publicKeyBits returns the contents of the subjectPublicKey BIT STRING
// of pub.
func publicKeyBits(pub crypto.PublicKey) ([]byte, error) {
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("testpki: marshalling public key: %w", err)
	}
	return spkiBits(spki)
}

func spkiBits(spki []byte) ([]byte, error) {
	var info struct {
		Algorithm asn1.RawValue
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return nil, fmt.Errorf("testpki: parsing public key: %w", err)
	}
	return info.PublicKey.RightAlign(), nil
}
