package testpki

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/oids"
)

// Defaults and fixed values of the certificates testpki writes.
var (
	asn1NULL            = []byte{0x05, 0x00}
	defaultCountry      = []string{"ID"}
	defaultOrganization = []string{"Pemerintah Kabupaten Contoh"}
)

// SignerOptions describe a certificate for [PKI.IssueSigner] (and, for its
// key, subject, validity and issuer, [PKI.IssueTSA]). The zero value asks
// for an ECDSA P-256 key and a certificate for "<Name> Signer" with
// digitalSignature only, valid from an hour ago for a year, issued by the
// issuing CA.
type SignerOptions struct {
	// KeyType is the type of the key to generate. If empty, ECDSA P-256.
	// It is ignored when PublicKey is set.
	KeyType KeyType

	// PublicKey, if set, is the key to certify (for instance one made on
	// an HSM); no key is generated and the returned Identity.Key is nil.
	PublicKey crypto.PublicKey

	// Subject is the subject name. If its CommonName is empty,
	// "<Name> Signer" is used; if its Organization is empty,
	// "Pemerintah Kabupaten Contoh"; if its Country is empty, "ID". Put a
	// NIK or NIP in SerialNumber.
	Subject pkix.Name

	// EmailAddresses become rfc822Name subject alternative names.
	EmailAddresses []string

	// NonRepudiation adds the nonRepudiation (contentCommitment) key usage
	// to digitalSignature, which is always present.
	NonRepudiation bool

	// DocumentSigning adds the id-kp-documentSigning extended key usage
	// (1.3.6.1.5.5.7.3.36, RFC 9336).
	DocumentSigning bool

	// EmailProtection adds the id-kp-emailProtection extended key usage.
	EmailProtection bool

	// ExtKeyUsages are further extended key usages, such as Adobe's
	// Authentic Documents 1.2.840.113583.1.1.5 that BSrE signer
	// certificates carry. With no extended key usage at all the
	// certificate has no extendedKeyUsage extension.
	ExtKeyUsages []asn1.ObjectIdentifier

	// Policies are certificate policy identifiers.
	Policies []asn1.ObjectIdentifier

	// NotBefore and NotAfter bound the validity; set them in the past or
	// future for expired or not-yet-valid certificates. If NotBefore is
	// zero it is an hour before the clock (or a year before NotAfter when
	// only NotAfter is set); if NotAfter is zero it is a year after
	// NotBefore.
	NotBefore, NotAfter time.Time

	// Issuer is the CA that issues the certificate: nil for [PKI.Issuing],
	// or [PKI.Root] to issue directly from the root.
	Issuer *CA

	// OCSPServer and CRLDistributionPoints, when non-nil, replace the URLs
	// derived from [Options.BaseURL]; an empty non-nil slice leaves the
	// extension out.
	OCSPServer, CRLDistributionPoints []string
}

// IssueSigner issues a document-signing certificate as opts describe.
func (p *PKI) IssueSigner(opts SignerOptions) (*Identity, error) {
	tmpl := p.leafTemplate(&opts, p.name+" Signer")
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	if opts.NonRepudiation {
		tmpl.KeyUsage |= x509.KeyUsageContentCommitment
	}
	if opts.EmailProtection {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageEmailProtection)
	}
	if opts.DocumentSigning {
		tmpl.UnknownExtKeyUsage = append(tmpl.UnknownExtKeyUsage, oids.KPDocumentSigning)
	}
	tmpl.UnknownExtKeyUsage = append(tmpl.UnknownExtKeyUsage, opts.ExtKeyUsages...)
	tmpl.EmailAddresses = opts.EmailAddresses
	for _, oid := range opts.Policies {
		ints := make([]uint64, len(oid))
		for i, n := range oid {
			if n < 0 {
				return nil, fmt.Errorf("testpki: SignerOptions.Policies: invalid OID %v", oid)
			}
			ints[i] = uint64(n)
		}
		policy, err := x509.OIDFromInts(ints)
		if err != nil {
			return nil, fmt.Errorf("testpki: SignerOptions.Policies: %v: %w", oid, err)
		}
		tmpl.Policies = append(tmpl.Policies, policy)
	}
	return p.issueIdentity(tmpl, &opts)
}

// MustIssueSigner is [PKI.IssueSigner] for tests: it fails t on error.
func (p *PKI) MustIssueSigner(t testing.TB, opts SignerOptions) *Identity {
	t.Helper()
	id, err := p.IssueSigner(opts)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// IssueTSA issues a time-stamping authority certificate (RFC 3161, section
// 2.3): key usage digitalSignature and a critical extendedKeyUsage with
// id-kp-timeStamping only. Of opts it uses KeyType, PublicKey, Subject
// (default common name "<Name> Timestamp Authority"), the validity, Issuer
// and the revocation URLs; the key usage fields are ignored.
func (p *PKI) IssueTSA(opts SignerOptions) (*Identity, error) {
	if opts.Subject.CommonName == "" && len(opts.Subject.Organization) == 0 {
		opts.Subject.Organization = []string{"Badan Siber dan Sandi Negara (" + p.name + ")"}
		opts.Subject.OrganizationalUnit = []string{"Balai Sertifikasi Elektronik (" + p.name + ")"}
	}
	tmpl := p.leafTemplate(&opts, p.name+" Timestamp Authority")
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{oids.KPTimeStamping})
	if err != nil {
		return nil, fmt.Errorf("testpki: encoding extendedKeyUsage: %w", err)
	}
	tmpl.ExtraExtensions = []pkix.Extension{{Id: oids.ExtKeyUsage, Critical: true, Value: eku}}
	return p.issueIdentity(tmpl, &opts)
}

// IssueOCSPResponder issues a delegated OCSP responder certificate for ca
// (RFC 6960, section 4.2.2.2): a fresh key of the CA key type, key usage
// digitalSignature, extended key usage id-kp-OCSPSigning, and the
// id-pkix-ocsp-nocheck extension so that clients do not check the
// responder's own revocation status. It is valid as long as ca. To have
// the PKI sign responses with it, pass it to [PKI.SetOCSPResponder].
func (p *PKI) IssueOCSPResponder(ca *CA) (*Identity, error) {
	if ca == nil {
		return nil, fmt.Errorf("testpki: IssueOCSPResponder: CA is nil")
	}
	opts := SignerOptions{
		KeyType: p.opts.KeyType,
		Subject: pkix.Name{
			CommonName:   ca.Cert.Subject.CommonName + " OCSP Responder",
			Organization: ca.Cert.Subject.Organization,
			Country:      defaultCountry,
		},
		NotBefore:             ca.Cert.NotBefore,
		NotAfter:              ca.Cert.NotAfter,
		Issuer:                ca,
		OCSPServer:            []string{},
		CRLDistributionPoints: []string{},
	}
	tmpl := p.leafTemplate(&opts, "")
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	tmpl.ExtraExtensions = []pkix.Extension{{Id: oids.OCSPNoCheck, Value: asn1NULL}}
	return p.issueIdentity(tmpl, &opts)
}

// leafTemplate returns a certificate template with the subject and
// validity of opts, defaults filled in.
func (p *PKI) leafTemplate(opts *SignerOptions, defaultCN string) *x509.Certificate {
	subject := opts.Subject
	if subject.CommonName == "" {
		subject.CommonName = defaultCN
	}
	if len(subject.Organization) == 0 {
		subject.Organization = defaultOrganization
	}
	if len(subject.Country) == 0 {
		subject.Country = defaultCountry
	}
	notBefore, notAfter := opts.NotBefore, opts.NotAfter
	switch {
	case notBefore.IsZero() && notAfter.IsZero():
		notBefore = p.now().Add(-defaultLeafBackdate)
		notAfter = notBefore.Add(defaultLeafLifetime)
	case notBefore.IsZero():
		notBefore = notAfter.Add(-defaultLeafLifetime)
	case notAfter.IsZero():
		notAfter = notBefore.Add(defaultLeafLifetime)
	}
	return &x509.Certificate{
		Subject:               subject,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
	}
}

// issueIdentity makes or takes the key of opts, has the issuer of opts
// sign tmpl, and returns the result with its chain.
func (p *PKI) issueIdentity(tmpl *x509.Certificate, opts *SignerOptions) (*Identity, error) {
	if !tmpl.NotAfter.After(tmpl.NotBefore) {
		return nil, fmt.Errorf("testpki: %q: NotAfter %v is not after NotBefore %v",
			tmpl.Subject.CommonName, tmpl.NotAfter, tmpl.NotBefore)
	}
	issuer := opts.Issuer
	if issuer == nil {
		issuer = p.Issuing
	}
	var key crypto.Signer
	pub := opts.PublicKey
	if pub == nil {
		var err error
		if key, err = GenerateKey(opts.KeyType); err != nil {
			return nil, err
		}
		pub = key.Public()
	}
	cert, err := p.issue(tmpl, pub, issuer, opts.OCSPServer, opts.CRLDistributionPoints)
	if err != nil {
		return nil, err
	}
	chain := append([]*x509.Certificate{issuer.Cert}, issuer.Chain...)
	return &Identity{Cert: cert, Key: key, Chain: chain}, nil
}
