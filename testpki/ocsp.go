package testpki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"

	"github.com/segel-id/segel/internal/oids"
)

// ErrUnknownIssuer is returned for an OCSP request about a certificate
// whose issuer is not a CA of the PKI. [PKI.Handler] answers such requests
// with the "unauthorized" OCSP error status.
var ErrUnknownIssuer = errors.New("testpki: OCSP request names an issuer that is not a CA of this PKI")

// SetOCSPResponder makes responder sign the OCSP responses about
// certificates that ca issued; nil makes ca sign them itself. The
// responder need not be authorised (for tests of clients that must reject
// it), but it must have a private key.
func (p *PKI) SetOCSPResponder(ca *CA, responder *Identity) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st := p.state[ca]; st != nil {
		st.responder = responder
	}
}

// OCSPResponse answers a DER-encoded OCSP request (RFC 6960) with a signed,
// DER-encoded response for its first certificate: "good" for a certificate
// the CA issued, "revoked" with the time and reason given to [PKI.Revoke],
// "unknown" for a serial number the CA never issued. producedAt and
// thisUpdate are now, nextUpdate is now plus [Options.OCSPValidity]; if now
// is zero, the clock's time is used. Requests may hash the issuer with
// SHA-1 or SHA-2; the response uses the same hash. An issuer that is no CA
// of p gives [ErrUnknownIssuer]. Nonces are not echoed.
func (p *PKI) OCSPResponse(req []byte, now time.Time) ([]byte, error) {
	r, err := ocsp.ParseRequest(req)
	if err != nil {
		return nil, fmt.Errorf("testpki: parsing OCSP request: %w", err)
	}
	return p.ocspRespond(r, now)
}

// OCSPResponseFor is like [PKI.OCSPResponse] for a request about cert,
// with the issuer hashed by SHA-1.
func (p *PKI) OCSPResponseFor(cert *x509.Certificate, now time.Time) ([]byte, error) {
	if cert == nil {
		return nil, fmt.Errorf("testpki: OCSPResponseFor: certificate is nil")
	}
	for _, ca := range []*CA{p.Root, p.Issuing} {
		if bytes.Equal(cert.RawIssuer, ca.Cert.RawSubject) {
			r, err := ocspRequestFor(ca, crypto.SHA1, cert.SerialNumber)
			if err != nil {
				return nil, err
			}
			return p.ocspRespond(r, now)
		}
	}
	return nil, fmt.Errorf("%w (certificate %q)", ErrUnknownIssuer, cert.Subject.CommonName)
}

// ocspRequestFor builds the parsed form of a request about serial from ca.
func ocspRequestFor(ca *CA, h crypto.Hash, serial *big.Int) (*ocsp.Request, error) {
	nameHash, keyHash, err := issuerHashes(ca.Cert, h)
	if err != nil {
		return nil, err
	}
	return &ocsp.Request{HashAlgorithm: h, IssuerNameHash: nameHash, IssuerKeyHash: keyHash, SerialNumber: serial}, nil
}

// issuerHashes returns the issuerNameHash and issuerKeyHash of a CertID
// naming issuer.
func issuerHashes(issuer *x509.Certificate, h crypto.Hash) (nameHash, keyHash []byte, err error) {
	if !h.Available() || hashOID(h) == nil {
		return nil, nil, fmt.Errorf("testpki: OCSP CertID hash %v is not supported", h)
	}
	bits, err := spkiBits(issuer.RawSubjectPublicKeyInfo)
	if err != nil {
		return nil, nil, err
	}
	hh := h.New()
	hh.Write(issuer.RawSubject)
	nameHash = hh.Sum(nil)
	hh.Reset()
	hh.Write(bits)
	return nameHash, hh.Sum(nil), nil
}

// ocspRespond finds the CA a request names and signs its answer.
func (p *PKI) ocspRespond(req *ocsp.Request, now time.Time) ([]byte, error) {
	if now.IsZero() {
		now = p.now()
	}
	now = now.UTC().Truncate(time.Second)
	var ca *CA
	for _, c := range []*CA{p.Root, p.Issuing} {
		nameHash, keyHash, err := issuerHashes(c.Cert, req.HashAlgorithm)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(nameHash, req.IssuerNameHash) && bytes.Equal(keyHash, req.IssuerKeyHash) {
			ca = c
			break
		}
	}
	if ca == nil {
		return nil, ErrUnknownIssuer
	}

	single := singleResponse{serial: req.SerialNumber, status: ocsp.Unknown}
	key := serialKey(req.SerialNumber)
	p.mu.Lock()
	st := p.state[ca]
	signer := st.responder
	if r, ok := st.revoked[key]; ok {
		single.status, single.revokedAt, single.reason = ocsp.Revoked, r.at, r.reason
	} else if is, ok := p.issued[key]; ok && is.ca == ca {
		single.status = ocsp.Good
	}
	p.mu.Unlock()

	var include *x509.Certificate // the responder certificate, when delegated
	if signer == nil {
		signer = &ca.Identity
	} else {
		include = signer.Cert
	}
	if signer.Key == nil {
		return nil, fmt.Errorf("testpki: OCSP responder %q has no private key", signer.Cert.Subject.CommonName)
	}
	validity := p.opts.OCSPValidity
	if validity == 0 {
		validity = defaultOCSPValidity
	}
	single.hash = req.HashAlgorithm
	single.nameHash, single.keyHash = req.IssuerNameHash, req.IssuerKeyHash
	single.thisUpdate, single.nextUpdate = now, now.Add(validity)
	return signOCSPResponse(signer, include, now, single)
}

// singleResponse holds the fields of one SingleResponse.
type singleResponse struct {
	hash                   crypto.Hash
	nameHash, keyHash      []byte
	serial                 *big.Int
	status                 int // ocsp.Good, ocsp.Revoked or ocsp.Unknown
	revokedAt              time.Time
	reason                 int
	thisUpdate, nextUpdate time.Time
}

// signOCSPResponse encodes and signs a successful OCSPResponse holding a
// BasicOCSPResponse with one SingleResponse (RFC 6960, section 4.2.1).
// golang.org/x/crypto/ocsp.CreateResponse is not used because it stamps
// producedAt with the real time, not the PKI's clock.
func signOCSPResponse(signer *Identity, include *x509.Certificate, producedAt time.Time, s singleResponse) ([]byte, error) {
	hash, sigAlg, err := signatureAlgorithm(signer.Key.Public())
	if err != nil {
		return nil, err
	}
	var tbs cryptobyte.Builder
	tbs.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ResponseData
		// responderID byName [1] EXPLICIT Name
		b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddBytes(signer.Cert.RawSubject)
		})
		b.AddASN1GeneralizedTime(producedAt)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // responses
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SingleResponse
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // CertID
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(hashOID(s.hash))
						b.AddASN1NULL()
					})
					b.AddASN1OctetString(s.nameHash)
					b.AddASN1OctetString(s.keyHash)
					b.AddASN1BigInt(s.serial)
				})
				switch s.status {
				case ocsp.Good: // good [0] IMPLICIT NULL
					b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(*cryptobyte.Builder) {})
				case ocsp.Revoked: // revoked [1] IMPLICIT RevokedInfo
					b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
						b.AddASN1GeneralizedTime(s.revokedAt.UTC())
						if s.reason != 0 {
							b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
								b.AddASN1Enum(int64(s.reason))
							})
						}
					})
				default: // unknown [2] IMPLICIT NULL
					b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(*cryptobyte.Builder) {})
				}
				b.AddASN1GeneralizedTime(s.thisUpdate)
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					b.AddASN1GeneralizedTime(s.nextUpdate)
				})
			})
		})
	})
	tbsDER, err := tbs.Bytes()
	if err != nil {
		return nil, fmt.Errorf("testpki: encoding OCSP ResponseData: %w", err)
	}

	digest := tbsDER
	if hash != 0 {
		h := hash.New()
		h.Write(tbsDER)
		digest = h.Sum(nil)
	}
	sig, err := signer.Key.Sign(rand.Reader, digest, hash)
	if err != nil {
		return nil, fmt.Errorf("testpki: signing OCSP response: %w", err)
	}

	var basic cryptobyte.Builder
	basic.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // BasicOCSPResponse
		b.AddBytes(tbsDER)
		b.AddBytes(sigAlg)
		b.AddASN1BitString(sig)
		if include != nil {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(include.Raw) })
			})
		}
	})
	basicDER, err := basic.Bytes()
	if err != nil {
		return nil, fmt.Errorf("testpki: encoding BasicOCSPResponse: %w", err)
	}

	var resp cryptobyte.Builder
	resp.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // OCSPResponse
		b.AddASN1Enum(int64(ocsp.Success))
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ResponseBytes
				b.AddASN1ObjectIdentifier(oids.OCSPBasic)
				b.AddASN1OctetString(basicDER)
			})
		})
	})
	return resp.Bytes()
}

// hashOID returns the object identifier of a CertID hash, or nil.
func hashOID(h crypto.Hash) asn1.ObjectIdentifier {
	switch h {
	case crypto.SHA1:
		return oids.SHA1
	case crypto.SHA256:
		return oids.SHA256
	case crypto.SHA384:
		return oids.SHA384
	case crypto.SHA512:
		return oids.SHA512
	}
	return nil
}

// signatureAlgorithm returns the hash to sign with (0 for Ed25519) and the
// DER AlgorithmIdentifier of the signature a key of type pub makes.
func signatureAlgorithm(pub crypto.PublicKey) (crypto.Hash, []byte, error) {
	var (
		hash crypto.Hash
		oid  asn1.ObjectIdentifier
		null bool
	)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		hash, oid, null = crypto.SHA256, oids.SHA256WithRSA, true
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P384():
			hash, oid = crypto.SHA384, oids.ECDSAWithSHA384
		case elliptic.P521():
			hash, oid = crypto.SHA512, oids.ECDSAWithSHA512
		default:
			hash, oid = crypto.SHA256, oids.ECDSAWithSHA256
		}
	case ed25519.PublicKey:
		oid = oids.Ed25519
	default:
		return 0, nil, fmt.Errorf("testpki: cannot sign OCSP responses with a %T key", pub)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if null {
			b.AddASN1NULL()
		}
	})
	der, err := b.Bytes()
	return hash, der, err
}
