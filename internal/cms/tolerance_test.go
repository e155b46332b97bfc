package cms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/segel-id/segel/internal/oids"
)

// TestSignedAttrsAsGiven: when the signed attributes arrive in BER, the
// signature is checked over those bytes, never over their DER
// re-encoding: a signature made over the DER and sent as BER fails, one
// made over the BER passes.
func TestSignedAttrsAsGiven(t *testing.T) {
	p, der, digest := buildTestSignature(t, "p256", []byte("as given"))
	ber := toIndefinite(t, der, 8) // down to the signed attributes
	sd, err := Parse(ber)
	if err != nil {
		t.Fatal(err)
	}
	si := sd.SignerInfos[0]
	if !bytes.HasPrefix(si.RawSignedAttrs, []byte{0xa0, 0x80}) {
		t.Fatalf("signed attributes not kept as given: % x", si.RawSignedAttrs[:4])
	}
	if err := sd.VerifyDetached(si, p.leaf, digest); !errors.Is(err, ErrSignatureInvalid) {
		t.Errorf("signature over the DER, attributes sent as BER: %v", err)
	}
	// The attributes parsed from the normalised form still read.
	if md, err := si.MessageDigest(); err != nil || !bytes.Equal(md, digest) {
		t.Errorf("messageDigest %x %v", md, err)
	}
	// Re-sign over the BER bytes, as a BER signer does.
	sig, err := p.leafKey.Sign(rand.Reader, digestOf(crypto.SHA256, si.SignedAttrsDER()), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	si.Signature = sig
	if err := sd.VerifyDetached(si, p.leaf, digest); err != nil {
		t.Errorf("signature over the BER as given: %v", err)
	}
}

// TestTrailingData: zero padding after the ContentInfo is nothing, other
// bytes are kept for the caller; BER input follows the same rule.
func TestTrailingData(t *testing.T) {
	_, der, _ := buildTestSignature(t, "p256", []byte("x"))
	for name, in := range map[string][]byte{"der": der, "ber": toIndefinite(t, der, 3)} {
		sd, err := Parse(append(bytes.Clone(in), 0, 0, 0))
		if err != nil || sd.TrailingData != nil {
			t.Errorf("%s, zero padding: %v, trailing %x", name, err, sd.TrailingData)
		}
		sd, err = Parse(append(bytes.Clone(in), 0, 'x', 0))
		if err != nil || !bytes.Equal(sd.TrailingData, []byte{0, 'x', 0}) {
			t.Errorf("%s, garbage: %v, trailing %x", name, err, sd.TrailingData)
		}
	}
}

// TestRevocationData sorts the crls field's choices.
func TestRevocationData(t *testing.T) {
	other := func(oid asn1.ObjectIdentifier, v []byte) []byte {
		var b cryptobyte.Builder
		b.AddASN1(tagCtx1, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			b.AddBytes(v)
		})
		out, _ := b.Bytes()
		return out
	}
	crl := []byte{0x30, 0x03, 0x02, 0x01, 0x01}
	resp := []byte{0x30, 0x03, 0x0a, 0x01, 0x06} // OCSPResponse: unauthorized
	basic := []byte{0x30, 0x03, 0x02, 0x01, 0x07}
	sd := &SignedData{CRLs: [][]byte{
		crl,
		other(oids.RevInfoOCSPResponse, resp),
		other(oids.OCSPBasic, basic),
		other(asn1.ObjectIdentifier{1, 2, 3}, resp),   // unknown format
		other(oids.RevInfoOCSPResponse, []byte{4, 0}), // not a SEQUENCE
		{0xa1, 0x05, 0x06, 0x03, 0x2a, 0x03},          // no value
		{0xa2, 0x00},                                  // another choice
	}}
	rd := sd.RevocationData()
	if len(rd.CRLs) != 1 || !bytes.Equal(rd.CRLs[0], crl) {
		t.Errorf("CRLs %x", rd.CRLs)
	}
	if len(rd.OCSPResponses) != 2 || !bytes.Equal(rd.OCSPResponses[0], resp) {
		t.Fatalf("OCSP %x", rd.OCSPResponses)
	}
	// The bare BasicOCSPResponse comes wrapped in a successful response.
	in := cryptobyte.String(rd.OCSPResponses[1])
	var seq, rb, rbs, got cryptobyte.String
	var status int
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Enum(&status) || status != 0 ||
		!seq.ReadASN1(&rb, tagCtx0) || !rb.ReadASN1(&rbs, cbasn1.SEQUENCE) ||
		!rbs.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oids.OCSPBasic) ||
		!rbs.ReadASN1(&got, cbasn1.OCTET_STRING) || !bytes.Equal(got, basic) {
		t.Errorf("wrapped basic response % x", rd.OCSPResponses[1])
	}

	ria := &RevocationInfoArchival{OCSPResponses: [][]byte{resp}, Other: [][]byte{
		func() []byte {
			var b cryptobyte.Builder
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oids.RevInfoOCSPResponse)
				b.AddASN1OctetString(resp)
			})
			out, _ := b.Bytes()
			return out
		}(),
		{0x30, 0x00},
	}}
	if got := ria.OCSP(); len(got) != 2 || !bytes.Equal(got[1], resp) {
		t.Errorf("archival OCSP %x", got)
	}
}

// TestDeclaredSignatureHash: the signature over the signed attributes is
// checked with the hash the signature algorithm declares (here RSA-PSS
// parameters with SHA-256) even when the digest algorithm says SHA-512;
// the messageDigest stays the digest algorithm's business.
func TestDeclaredSignatureHash(t *testing.T) {
	p := newPKI(t, "rsa2048")
	b, err := NewBuilder(p.leaf, p.leafKey, BuildOptions{Scheme: SchemeRSAPSS})
	if err != nil {
		t.Fatal(err)
	}
	der, err := b.Build(context.Background(), digestOf(crypto.SHA256, []byte("pss")), nil)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	si := *sd.SignerInfos[0]
	si.DigestAlgorithm = AlgorithmIdentifier{Algorithm: oids.SHA512}
	if h, err := si.SignatureHash(); err != nil || h != crypto.SHA256 {
		t.Errorf("SignatureHash %v %v", h, err)
	}
	if err := si.VerifySignature(p.leaf); err != nil {
		t.Errorf("PSS-SHA256 signature with a SHA-512 digest algorithm: %v", err)
	}
	// Declaring SHA-384 in the PSS parameters, with the same signature
	// value, fails.
	pss := *si.PSS
	pss.Hash, pss.MGFHash = crypto.SHA384, crypto.SHA384
	si.PSS = &pss
	if err := si.VerifySignature(p.leaf); !errors.Is(err, ErrSignatureInvalid) {
		t.Errorf("declared SHA-384, signed SHA-256: %v", err)
	}
	// Without signed attributes the hashes must agree.
	si.RawSignedAttrs, si.SignedAttrs = nil, nil
	if err := si.VerifySignatureNoAttrs(p.leaf, make([]byte, 64)); !errors.Is(err, ErrMalformed) {
		t.Errorf("no attributes, hashes differ: %v", err)
	}
}
