package verify_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"slices"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/oids"
	"github.com/segel-id/segel/testpki"
)

// rawSigner describes one SignerInfo that rawCMS handcrafts, with the
// freedom other signers take: a signature hash other than the digest
// algorithm, non-DER signed attributes, any unsigned attributes.
type rawSigner struct {
	id *testpki.Identity
	// digest is the digestAlgorithm (SHA-256 by default); sigHash the
	// hash of the signatureAlgorithm (digest by default).
	digest, sigHash crypto.Hash
	// content, when set, is what the messageDigest covers instead of the
	// document.
	content []byte
	// extraSigned are more signed attributes (DER Attribute elements).
	extraSigned [][]byte
	// encoding encodes the signed attributes: "der" (sorted, default),
	// "unsorted" (SET OF in reverse DER order), "indefinite" (indefinite
	// length on the SET and each attribute), "longlen" (non-minimal
	// length octets).
	encoding string
	// signWith, when set, is the hash actually signed with (a signer
	// that declares one hash and uses another).
	signWith crypto.Hash
	// unsigned are the unsigned attributes (DER Attribute elements).
	unsigned func(sig []byte) [][]byte
}

// rawCMS is a SignedData to handcraft.
type rawCMS struct {
	signers []rawSigner
	// certs are the certificates; all signers' chains by default.
	certs [][]byte
	// crls are the RevocationInfoChoices of the crls field.
	crls [][]byte
}

var (
	oidSHA256WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidECDSASHA256   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSASHA384   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSASHA512   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
)

func sigOID(t testing.TB, id *testpki.Identity, h crypto.Hash) asn1.ObjectIdentifier {
	_, ec := id.Cert.PublicKey.(*ecdsa.PublicKey)
	switch {
	case h == crypto.SHA256 && ec:
		return oidECDSASHA256
	case h == crypto.SHA384 && ec:
		return oidECDSASHA384
	case h == crypto.SHA512 && ec:
		return oidECDSASHA512
	case h == crypto.SHA256:
		return oidSHA256WithRSA
	case h == crypto.SHA384:
		return oidSHA384WithRSA
	case h == crypto.SHA512:
		return oidSHA512WithRSA
	}
	t.Fatalf("no signature OID for %v", h)
	return nil
}

func mustBytes(t testing.TB, b *cryptobyte.Builder) []byte {
	t.Helper()
	out, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// attribute returns the DER of an Attribute with one value.
func attribute(t testing.TB, oid asn1.ObjectIdentifier, value []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(value) })
	})
	return mustBytes(t, &b)
}

func hashAlg(t testing.TB, b *cryptobyte.Builder, h crypto.Hash) {
	oid, err := cms.OIDForHash(h)
	if err != nil {
		t.Fatal(err)
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1NULL()
	})
}

func digestOf(h crypto.Hash, data []byte) []byte {
	hh := h.New()
	hh.Write(data)
	return hh.Sum(nil)
}

// encodeAttrs returns the signed attributes' [0] IMPLICIT element and
// the bytes that are signed (the same, tagged SET OF).
func encodeAttrs(attrs [][]byte, encoding string) (tagged, signed []byte) {
	attrs = slices.Clone(attrs)
	slices.SortFunc(attrs, bytes.Compare)
	var body []byte
	switch encoding {
	case "unsorted":
		slices.Reverse(attrs)
		fallthrough
	case "", "der":
		body = append(body, derLen(len(bytes.Join(attrs, nil)))...)
		body = append(body, bytes.Join(attrs, nil)...)
	case "indefinite":
		body = append(body, 0x80)
		for _, a := range attrs {
			// SEQUENCE with an indefinite length around the same content.
			content := a[2:]
			if a[1]&0x80 != 0 {
				content = a[2+int(a[1]&0x7f):]
			}
			body = append(body, 0x30, 0x80)
			body = append(body, content...)
			body = append(body, 0, 0)
		}
		body = append(body, 0, 0)
	case "longlen":
		all := bytes.Join(attrs, nil)
		n := len(all)
		body = append(body, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
		body = append(body, all...)
	}
	return append([]byte{0xa0}, body...), append([]byte{0x31}, body...)
}

func derLen(n int) []byte {
	switch {
	case n < 0x80:
		return []byte{byte(n)}
	case n <= 0xff:
		return []byte{0x81, byte(n)}
	case n <= 0xffff:
		return []byte{0x82, byte(n >> 8), byte(n)}
	}
	return []byte{0x83, byte(n >> 16), byte(n >> 8), byte(n)}
}

// signerInfo returns the DER of one SignerInfo over content.
func (s rawSigner) signerInfo(t testing.TB, content []byte) []byte {
	t.Helper()
	if s.digest == 0 {
		s.digest = crypto.SHA256
	}
	if s.sigHash == 0 {
		s.sigHash = s.digest
	}
	if s.content != nil {
		content = s.content
	}
	var ct, md, scv2 cryptobyte.Builder
	ct.AddASN1ObjectIdentifier(oids.Data)
	md.AddASN1OctetString(digestOf(s.digest, content))
	certHash := sha256.Sum256(s.id.Cert.Raw)
	scv2.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1OctetString(certHash[:]) })
		})
	})
	attrs := [][]byte{
		attribute(t, oids.ContentType, mustBytes(t, &ct)),
		attribute(t, oids.MessageDigest, mustBytes(t, &md)),
		attribute(t, oids.SigningCertificateV2, mustBytes(t, &scv2)),
	}
	attrs = append(attrs, s.extraSigned...)
	tagged, signed := encodeAttrs(attrs, s.encoding)
	signWith := s.sigHash
	if s.signWith != 0 {
		signWith = s.signWith
	}
	sig, err := s.id.Key.Sign(rand.Reader, digestOf(signWith, signed), signWith)
	if err != nil {
		t.Fatal(err)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddBytes(s.id.Cert.RawIssuer)
			b.AddASN1BigInt(s.id.Cert.SerialNumber)
		})
		hashAlg(t, b, s.digest)
		b.AddBytes(tagged)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(sigOID(t, s.id, s.sigHash))
			if _, ec := s.id.Cert.PublicKey.(*ecdsa.PublicKey); !ec {
				b.AddASN1NULL()
			}
		})
		b.AddASN1OctetString(sig)
		if s.unsigned != nil {
			b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				for _, a := range s.unsigned(sig) {
					b.AddBytes(a)
				}
			})
		}
	})
	return mustBytes(t, &b)
}

// build returns the ContentInfo over content.
func (c rawCMS) build(t testing.TB, content []byte) []byte {
	t.Helper()
	certs := c.certs
	if certs == nil {
		seen := map[string]bool{}
		for _, s := range c.signers {
			for _, cert := range append([]*x509.Certificate{s.id.Cert}, s.id.Chain...) {
				if !seen[string(cert.Raw)] {
					seen[string(cert.Raw)] = true
					certs = append(certs, cert.Raw)
				}
			}
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oids.SignedData)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					done := map[crypto.Hash]bool{}
					for _, s := range c.signers {
						h := s.digest
						if h == 0 {
							h = crypto.SHA256
						}
						if !done[h] {
							done[h] = true
							hashAlg(t, b, h)
						}
					}
				})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oids.Data) })
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					for _, raw := range certs {
						b.AddBytes(raw)
					}
				})
				if c.crls != nil {
					b.AddASN1(cbasn1.Tag(1).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
						for _, raw := range c.crls {
							b.AddBytes(raw)
						}
					})
				}
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					for _, s := range c.signers {
						b.AddBytes(s.signerInfo(t, content))
					}
				})
			})
		})
	})
	return mustBytes(t, &b)
}
