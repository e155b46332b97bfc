package cms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/segel-id/segel/internal/oids"
)

// toIndefinite re-encodes DER with indefinite lengths on every constructed
// element shallower than maxDepth, as some Adobe products do.
func toIndefinite(t testing.TB, der []byte, maxDepth int) []byte {
	t.Helper()
	var out []byte
	s := cryptobyte.String(der)
	for !s.Empty() {
		var elem, content cryptobyte.String
		var tag cbasn1.Tag
		if !s.ReadAnyASN1Element(&elem, &tag) {
			t.Fatal("toIndefinite: bad DER")
		}
		e := elem
		if !e.ReadAnyASN1(&content, &tag) {
			t.Fatal("toIndefinite: bad DER")
		}
		if maxDepth > 0 && tag&0x20 != 0 {
			out = append(out, byte(tag), 0x80)
			out = append(out, toIndefinite(t, content, maxDepth-1)...)
			out = append(out, 0, 0)
		} else {
			out = append(out, elem...)
		}
	}
	return out
}

func buildTestSignature(t testing.TB, kind string, content []byte) (*testPKI, []byte, []byte) {
	t.Helper()
	p := newPKI(t, kind)
	b, err := NewBuilder(p.leaf, p.leafKey, BuildOptions{Certificates: []*x509.Certificate{p.root}})
	if err != nil {
		t.Fatal(err)
	}
	digest := digestOf(b.Hash(), content)
	der, err := b.Build(context.Background(), digest, func(context.Context, []byte) ([]Attribute, error) {
		return []Attribute{TimeStampTokenAttribute(fakeToken(40))}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, der, digest
}

func TestParseBER(t *testing.T) {
	p, der, digest := buildTestSignature(t, "p256", []byte("ber"))
	for depth := 1; depth <= 4; depth++ {
		ber := toIndefinite(t, der, depth)
		if bytes.Equal(ber, der) {
			t.Fatal("no change")
		}
		ber = append(ber, make([]byte, 64)...)
		sd, err := Parse(ber)
		if err != nil {
			t.Fatalf("depth %d: %v", depth, err)
		}
		if !bytes.Equal(sd.Raw, der) {
			t.Errorf("depth %d: normalised DER differs", depth)
		}
		si := sd.SignerInfos[0]
		if err := sd.VerifyDetached(si, p.leaf, digest); err != nil {
			t.Errorf("depth %d: %v", depth, err)
		}
		if len(si.TimeStampTokens()) != 1 {
			t.Errorf("depth %d: tokens %d", depth, len(si.TimeStampTokens()))
		}
	}
	// Non-minimal length on the outer SEQUENCE.
	s := cryptobyte.String(der)
	var content cryptobyte.String
	s.ReadASN1(&content, cbasn1.SEQUENCE)
	n := len(content)
	long := append([]byte{0x30, 0x84, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, content...)
	sd, err := Parse(long)
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.VerifyDetached(sd.SignerInfos[0], p.leaf, digest); err != nil {
		t.Error(err)
	}
	// Truncated BER must fail cleanly.
	ber := toIndefinite(t, der, 3)
	for _, cut := range []int{1, 2, 3, 10, len(ber) / 2, len(ber) - 1} {
		if _, err := Parse(ber[:len(ber)-cut]); !errors.Is(err, ErrMalformed) {
			t.Errorf("cut %d: %v", cut, err)
		}
	}
}

// chunkEContent rewrites the eContent OCTET STRING of a token as a
// constructed, indefinite-length OCTET STRING of two segments.
func chunkEContent(t *testing.T, token []byte, eContent []byte) []byte {
	t.Helper()
	old := appendElement(nil, []byte{0x04}, eContent)
	i := bytes.Index(token, old)
	if i < 0 {
		t.Fatal("eContent not found")
	}
	half := len(eContent) / 2
	chunked := []byte{0x24, 0x80}
	chunked = appendElement(chunked, []byte{0x04}, eContent[:half])
	chunked = appendElement(chunked, []byte{0x04}, eContent[half:])
	chunked = append(chunked, 0, 0)
	// Rebuild with indefinite lengths around it (the outer lengths change).
	ber := toIndefinite(t, token, 5) // ContentInfo, [0], SignedData, encapContentInfo, [0]
	return bytes.Replace(ber, old, chunked, 1)
}

func TestParseBERTimestampToken(t *testing.T) {
	token, p := openSSLTimestampToken(t, []byte("sig"))
	sd, err := Parse(token)
	if err != nil {
		t.Fatal(err)
	}
	ber := chunkEContent(t, token, sd.EContent)
	sd2, err := Parse(ber)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sd2.EContent, sd.EContent) {
		t.Fatal("eContent differs")
	}
	if err := sd2.VerifyContent(sd2.SignerInfos[0], p.leaf); err != nil {
		t.Fatal(err)
	}
}

func TestParseKeepsUnparsableCertificates(t *testing.T) {
	p := newPKI(t, "p256")
	b, err := NewBuilder(p.leaf, p.leafKey, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A certificate-shaped SEQUENCE that crypto/x509 rejects.
	junk := []byte{0x30, 0x06, 0x02, 0x01, 0xff, 0x02, 0x01, 0x01}
	b.certs = append(b.certs, junk)
	der, err := b.Build(context.Background(), make([]byte, 32), nil)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.Certificates) != 2 || sd.Certificates[1].Cert != nil || sd.Certificates[1].ParseErr == nil ||
		!bytes.Equal(sd.Certificates[1].Raw, junk) || len(sd.ParsedCertificates()) != 1 {
		t.Fatalf("certificates %+v", sd.Certificates)
	}
	if err := sd.VerifyDetached(sd.SignerInfos[0], p.leaf, make([]byte, 32)); err != nil {
		t.Fatal(err)
	}
}

func TestParseErrors(t *testing.T) {
	_, der, _ := buildTestSignature(t, "p256", []byte("x"))
	cases := map[string][]byte{
		"empty":     nil,
		"zeros":     make([]byte, 16),
		"truncated": der[:len(der)-1],
		"not signedData": func() []byte {
			d := bytes.Clone(der)
			i := bytes.Index(d, []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02})
			d[i+8] = 0x03
			return d
		}(),
		"deep nesting": func() []byte {
			var b []byte
			for range 200 {
				b = append(b, 0x30, 0x80)
			}
			for range 200 {
				b = append(b, 0, 0)
			}
			return b
		}(),
	}
	for name, in := range cases {
		if _, err := Parse(in); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestVerifyErrors(t *testing.T) {
	p, der, digest := buildTestSignature(t, "rsa2048", []byte("x"))
	sd, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	si := sd.SignerInfos[0]
	// Unknown digest algorithm.
	si2 := *si
	si2.DigestAlgorithm.Algorithm = []int{1, 2, 3}
	if err := si2.VerifySignature(p.leaf); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("unknown digest: %v", err)
	}
	// Unknown signature algorithm.
	si2 = *si
	si2.SignatureAlgorithm.Algorithm = []int{1, 2, 3}
	if err := si2.VerifySignature(p.leaf); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("unknown signature algorithm: %v", err)
	}
	// sha384WithRSA with a SHA-256 digest algorithm: the signature
	// (made with SHA-256) must verify with the declared SHA-384, and does
	// not.
	si2 = *si
	si2.SignatureAlgorithm.Algorithm = oids.SHA384WithRSA
	if err := si2.VerifySignature(p.leaf); !errors.Is(err, ErrSignatureInvalid) {
		t.Errorf("hash mismatch: %v", err)
	}
	// sha256WithRSA works like rsaEncryption.
	si2.SignatureAlgorithm.Algorithm = oids.SHA256WithRSA
	if err := si2.VerifySignature(p.leaf); err != nil {
		t.Errorf("sha256WithRSA: %v", err)
	}
	// ECDSA algorithm with an RSA key.
	si2.SignatureAlgorithm.Algorithm = oids.ECDSAWithSHA256
	if err := si2.VerifySignature(p.leaf); !errors.Is(err, ErrSignatureInvalid) {
		t.Errorf("key type mismatch: %v", err)
	}
	if err := si.VerifySignatureNoAttrs(p.leaf, digest); !errors.Is(err, ErrMalformed) {
		t.Errorf("NoAttrs with attrs: %v", err)
	}
	// No signed attributes: VerifySignature refuses.
	si2 = *si
	si2.RawSignedAttrs, si2.SignedAttrs = nil, nil
	if err := si2.VerifySignature(p.leaf); !errors.Is(err, ErrMalformed) {
		t.Errorf("no attrs: %v", err)
	}
	if _, err := si2.MessageDigest(); !errors.Is(err, ErrAttributeNotFound) {
		t.Errorf("no messageDigest: %v", err)
	}
	// Duplicate messageDigest.
	si2 = *si
	md, _ := si.SignedAttribute(oids.MessageDigest)
	si2.SignedAttrs = append(append([]Attribute{}, si.SignedAttrs...), md)
	if _, err := si2.MessageDigest(); !errors.Is(err, ErrMalformed) {
		t.Errorf("duplicate messageDigest: %v", err)
	}
	// Ed25519 without attributes needs the content.
	e := newPKI(t, "ed25519")
	si2 = SignerInfo{DigestAlgorithm: AlgorithmIdentifier{Algorithm: oids.SHA512}, SignatureAlgorithm: AlgorithmIdentifier{Algorithm: oids.Ed25519}}
	if err := si2.VerifySignatureNoAttrs(e.leaf, make([]byte, 64)); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("ed25519 no attrs: %v", err)
	}
	if err := sd.VerifyContent(si, p.leaf); !errors.Is(err, ErrMalformed) {
		t.Errorf("VerifyContent on detached: %v", err)
	}
}

func TestPSSParamsDefaults(t *testing.T) {
	p, err := parsePSSParams([]byte{0x30, 0x00})
	if err != nil {
		t.Fatal(err)
	}
	if *p != (PSSParameters{Hash: crypto.SHA1, MGFHash: crypto.SHA1, SaltLength: 20, TrailerField: 1}) {
		t.Errorf("defaults %+v", p)
	}
	got, err := parsePSSParams(marshalPSSParams(crypto.SHA384))
	if err != nil || *got != (PSSParameters{Hash: crypto.SHA384, MGFHash: crypto.SHA384, SaltLength: 48, TrailerField: 1}) {
		t.Errorf("sha384 %+v %v", got, err)
	}
	for _, bad := range [][]byte{nil, {0x05, 0x00}, {0x30, 0x03, 0xa2, 0x01, 0x00}, {0x30, 0x02, 0x04, 0x00}} {
		if _, err := parsePSSParams(bad); err == nil {
			t.Errorf("%x accepted", bad)
		}
	}
}

func TestParseGeneralizedTime(t *testing.T) {
	good := map[string]time.Time{
		"20240229235959Z":           time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC),
		"20240101000000.5Z":         time.Date(2024, 1, 1, 0, 0, 0, 500e6, time.UTC),
		"20240101000000.123456Z":    time.Date(2024, 1, 1, 0, 0, 0, 123456e3, time.UTC),
		"20240101000000.123456789Z": time.Date(2024, 1, 1, 0, 0, 0, 123456789, time.UTC),
	}
	for in, want := range good {
		got, err := parseGeneralizedTime([]byte(in))
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, in := range []string{"", "20240101000000", "20230229000000Z", "20240101000000.Z", "2024010100000Z",
		"20240101000000+0100", "20241301000000Z", "20240101000000.1234567890Z", "2024010100000aZ", "20240101246000Z"} {
		if _, err := parseGeneralizedTime([]byte(in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestHashOIDs(t *testing.T) {
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		oid, err := OIDForHash(h)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := HashForOID(oid); err != nil || got != h {
			t.Errorf("%v: %v %v", h, got, err)
		}
	}
	if _, err := OIDForHash(crypto.MD5); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Error(err)
	}
}
