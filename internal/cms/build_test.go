package cms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"io"
	"slices"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/segel-id/segel/internal/oids"
)

var buildCases = []struct {
	name   string
	key    string
	scheme SignatureScheme
	hash   crypto.Hash
	sigOID []int
}{
	{"rsa2048-pkcs1-sha256", "rsa2048", SchemeRSAPKCS1v15, crypto.SHA256, oids.RSAEncryption},
	{"rsa2048-pss-sha256", "rsa2048", SchemeRSAPSS, crypto.SHA256, oids.RSAPSS},
	{"rsa2048-auto-sha512", "rsa2048", SchemeAuto, crypto.SHA512, oids.RSAEncryption},
	{"rsa3072-pkcs1-sha384", "rsa3072", SchemeRSAPKCS1v15, crypto.SHA384, oids.RSAEncryption},
	{"rsa3072-pss-sha384", "rsa3072", SchemeRSAPSS, crypto.SHA384, oids.RSAPSS},
	{"rsa3072-pss-sha512", "rsa3072", SchemeRSAPSS, crypto.SHA512, oids.RSAPSS},
	{"p256-sha256", "p256", SchemeAuto, crypto.SHA256, oids.ECDSAWithSHA256},
	{"p384-sha384", "p384", SchemeECDSA, crypto.SHA384, oids.ECDSAWithSHA384},
	{"p384-sha512", "p384", SchemeECDSA, crypto.SHA512, oids.ECDSAWithSHA512},
	{"ed25519", "ed25519", SchemeAuto, 0, oids.Ed25519},
}

func TestBuildRoundTrip(t *testing.T) {
	content := []byte("%PDF-1.7 byte ranges of a document")
	for _, tc := range buildCases {
		t.Run(tc.name, func(t *testing.T) {
			p := newPKI(t, tc.key)
			b, err := NewBuilder(p.leaf, p.leafKey, BuildOptions{Hash: tc.hash, Scheme: tc.scheme, Certificates: []*x509.Certificate{p.root, p.leaf}})
			if err != nil {
				t.Fatal(err)
			}
			h := b.Hash()
			digest := digestOf(h, content)
			der, err := b.Build(context.Background(), digest, nil)
			if err != nil {
				t.Fatal(err)
			}
			if max := b.MaxSize(0); len(der) > max {
				t.Fatalf("output %d bytes > MaxSize %d", len(der), max)
			}
			sd, err := Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(sd.Raw, der) {
				t.Error("Raw differs from the input")
			}
			if sd.Version != 1 || len(sd.DigestAlgorithms) != 1 || !sd.EContentType.Equal(oids.Data) || sd.HasEContent {
				t.Errorf("signedData header: version %d algs %v eContentType %v eContent %v", sd.Version, sd.DigestAlgorithms, sd.EContentType, sd.HasEContent)
			}
			if len(sd.Certificates) != 2 || sd.Certificates[0].Cert == nil || !sd.Certificates[0].Cert.Equal(p.leaf) {
				t.Fatalf("certificates: %+v", sd.Certificates)
			}
			if len(sd.SignerInfos) != 1 {
				t.Fatalf("%d signer infos", len(sd.SignerInfos))
			}
			si := sd.SignerInfos[0]
			if si.Version != 1 || si.SID.SubjectKeyID != nil {
				t.Errorf("signer info version %d sid %+v", si.Version, si.SID)
			}
			if !si.SignatureAlgorithm.Algorithm.Equal(tc.sigOID) {
				t.Errorf("signature algorithm %v, want %v", si.SignatureAlgorithm.Algorithm, tc.sigOID)
			}
			if tc.scheme == SchemeRSAPSS {
				want := PSSParameters{Hash: h, MGFHash: h, SaltLength: h.Size(), TrailerField: 1}
				if si.PSS == nil || *si.PSS != want {
					t.Errorf("PSS params %+v, want %+v", si.PSS, want)
				}
			}
			cert, err := si.FindCertificate(sd.ParsedCertificates())
			if err != nil || !cert.Equal(p.leaf) {
				t.Fatalf("FindCertificate: %v", err)
			}
			if _, ok := si.SigningTime(); ok {
				t.Error("signingTime present")
			}
			if _, ok := si.SignedAttribute(oids.SigningTime); ok {
				t.Error("signingTime attribute present")
			}
			if ct, err := si.ContentType(); err != nil || !ct.Equal(oids.Data) {
				t.Errorf("contentType %v, %v", ct, err)
			}
			if md, err := si.MessageDigest(); err != nil || !bytes.Equal(md, digest) {
				t.Errorf("messageDigest %x, %v", md, err)
			}
			scv2, err := si.SigningCertificateV2()
			if err != nil {
				t.Fatal(err)
			}
			if len(scv2.Certs) != 1 || scv2.Certs[0].HashAlgorithm != h ||
				!bytes.Equal(scv2.Certs[0].CertHash, digestOf(h, p.leaf.Raw)) || !scv2.Certs[0].Matches(p.leaf) ||
				scv2.Certs[0].IssuerSerial == nil || scv2.Certs[0].Matches(p.root) {
				t.Errorf("signingCertificateV2: %+v", scv2.Certs)
			}
			checkSignedAttrsDER(t, si)
			if h == crypto.SHA256 && bytes.Contains(si.RawSignedAttrs, []byte{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01}) {
				t.Error("ESSCertIDv2 encodes the default SHA-256 hashAlgorithm")
			}
			if _, err := si.SigningCertificate(); !errors.Is(err, ErrAttributeNotFound) {
				t.Errorf("SigningCertificate v1: %v", err)
			}
			if err := si.VerifySignature(p.leaf); err != nil {
				t.Errorf("VerifySignature: %v", err)
			}
			if err := sd.VerifyDetached(si, p.leaf, digest); err != nil {
				t.Errorf("VerifyDetached: %v", err)
			}
			bad := slices.Clone(digest)
			bad[0] ^= 1
			if err := sd.VerifyDetached(si, p.leaf, bad); !errors.Is(err, ErrDigestMismatch) || !errors.Is(err, ErrSignatureInvalid) {
				t.Errorf("VerifyDetached tampered digest: %v", err)
			}
			if err := si.VerifySignature(p.root); !errors.Is(err, ErrSignatureInvalid) {
				t.Errorf("VerifySignature with the wrong certificate: %v", err)
			}
			si.Signature[len(si.Signature)/2] ^= 1
			if err := si.VerifySignature(p.leaf); !errors.Is(err, ErrSignatureInvalid) {
				t.Errorf("VerifySignature tampered: %v", err)
			}
		})
	}
}

// checkSignedAttrsDER checks that the signed attributes are a DER SET OF:
// sorted, and re-encoding them gives the same bytes.
func checkSignedAttrsDER(t *testing.T, si *SignerInfo) {
	t.Helper()
	s := cryptobyte.String(si.RawSignedAttrs)
	var set cryptobyte.String
	if !s.ReadASN1(&set, tagCtx0) {
		t.Fatal("signed attrs tag")
	}
	var prev []byte
	for !set.Empty() {
		var e cryptobyte.String
		if !set.ReadASN1Element(&e, cbasn1.SEQUENCE) {
			t.Fatal("signed attr")
		}
		if prev != nil && bytes.Compare(prev, e) > 0 {
			t.Error("signed attributes are not in DER SET OF order")
		}
		prev = e
	}
	content, err := marshalAttributes(si.SignedAttrs)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(content, si.RawSignedAttrs[derHeaderLen(len(content)):]) {
		t.Error("signed attributes re-encode differently")
	}
}

// fakeToken returns a DER element of exactly n bytes (n >= 6) standing in
// for a timestamp token.
func fakeToken(n int) []byte {
	for c := n - 2; c >= 0; c-- {
		if derElementLen(c) == n {
			return appendElement(nil, []byte{0x04}, make([]byte, c))
		}
	}
	panic("no element of that size")
}

func TestMaxSize(t *testing.T) {
	for _, kind := range []string{"rsa2048", "rsa3072", "rsa4096", "p256", "p384", "p521", "ed25519"} {
		t.Run(kind, func(t *testing.T) {
			p := newPKI(t, kind)
			for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
				if kind == "ed25519" && h != crypto.SHA512 {
					continue
				}
				b, err := NewBuilder(p.leaf, p.leafKey, BuildOptions{Hash: h, Certificates: []*x509.Certificate{p.root}})
				if err != nil {
					t.Fatal(err)
				}
				for _, tokLen := range []int{0, 100, 127, 128, 255, 256, 6000, 65535, 65536} {
					reserve := 0
					var unsigned UnsignedFunc
					if tokLen > 0 {
						tok := fakeToken(tokLen)
						reserve = TimeStampTokenAttrSize(tokLen)
						if a, _ := TimeStampTokenAttribute(tok).Marshal(); len(a) != reserve {
							t.Fatalf("TimeStampTokenAttrSize(%d) = %d, encoded %d", tokLen, reserve, len(a))
						}
						unsigned = func(ctx context.Context, sig []byte) ([]Attribute, error) {
							return []Attribute{TimeStampTokenAttribute(tok)}, nil
						}
					}
					max := b.MaxSize(reserve)
					iters := 1
					if _, ok := p.leafKey.Public().(*ecdsa.PublicKey); ok && (tokLen == 0 || tokLen == 128) {
						iters = 20 // ECDSA lengths vary per signature
					}
					for range iters {
						der, err := b.Build(context.Background(), make([]byte, h.Size()), unsigned)
						if err != nil {
							t.Fatal(err)
						}
						if len(der) > max {
							t.Fatalf("%v token %d: output %d > MaxSize %d", h, tokLen, len(der), max)
						}
						if max-len(der) > 12 {
							t.Errorf("%v token %d: MaxSize %d is loose for output %d", h, tokLen, max, len(der))
						}
					}
				}
			}
		})
	}
}

// countingSigner counts Sign calls and optionally implements SignContext.
type countingSigner struct {
	crypto.Signer
	calls int
}

func (c *countingSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	c.calls++
	return c.Signer.Sign(r, d, o)
}

type ctxSigner struct {
	countingSigner
	sawCtx context.Context
}

type ctxKey struct{}

func (c *ctxSigner) SignContext(ctx context.Context, r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	c.sawCtx = ctx
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.Sign(r, d, o)
}

func TestSignOnceAndContext(t *testing.T) {
	p := newPKI(t, "p256")
	cs := &countingSigner{Signer: p.leafKey}
	b, err := NewBuilder(p.leaf, cs, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Sign(context.Background(), make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	s.AddUnsigned(TimeStampTokenAttribute(fakeToken(300)))
	if _, err := s.Marshal(); err != nil {
		t.Fatal(err)
	}
	if cs.calls != 1 {
		t.Errorf("key signed %d times", cs.calls)
	}

	xs := &ctxSigner{countingSigner: countingSigner{Signer: p.leafKey}}
	b, err = NewBuilder(p.leaf, xs, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.WithValue(context.Background(), ctxKey{}, 1)
	if _, err := b.Build(ctx, make([]byte, 32), nil); err != nil {
		t.Fatal(err)
	}
	if xs.sawCtx == nil || xs.sawCtx.Value(ctxKey{}) != 1 {
		t.Error("SignContext did not get the context")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := b.Build(cctx, make([]byte, 32), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
	if _, err := b.Build(ctx, make([]byte, 31), nil); err == nil {
		t.Error("short digest accepted")
	}
	hookErr := errors.New("tsa down")
	_, err = b.Build(ctx, make([]byte, 32), func(context.Context, []byte) ([]Attribute, error) { return nil, hookErr })
	if !errors.Is(err, hookErr) {
		t.Errorf("hook error: %v", err)
	}
}

func TestBuilderRejects(t *testing.T) {
	p := newPKI(t, "p256")
	other := newPKI(t, "p384")
	if _, err := NewBuilder(p.leaf, other.leafKey, BuildOptions{}); err == nil {
		t.Error("key/certificate mismatch accepted")
	}
	if _, err := NewBuilder(p.leaf, p.leafKey, BuildOptions{Scheme: SchemeRSAPSS}); err == nil {
		t.Error("PSS with an EC key accepted")
	}
	if _, err := NewBuilder(p.leaf, p.leafKey, BuildOptions{Hash: crypto.SHA1}); err == nil {
		t.Error("SHA-1 accepted")
	}
	st, _ := NewAttribute(oids.SigningTime, p.leaf.NotBefore)
	if _, err := NewBuilder(p.leaf, p.leafKey, BuildOptions{SignedAttributes: []Attribute{st}}); err == nil {
		t.Error("signingTime accepted")
	}
	if _, err := NewBuilder(p.leaf, p.leafKey, BuildOptions{SignedAttributes: []Attribute{{Type: oids.CommitmentType, Values: [][]byte{{0x30}}}}}); err == nil {
		t.Error("bad attribute value accepted")
	}
}

func TestExtraSignedAttributes(t *testing.T) {
	p := newPKI(t, "rsa2048")
	crl := []byte{0x30, 0x03, 0x02, 0x01, 0x07}
	ocsp := []byte{0x30, 0x03, 0x0a, 0x01, 0x00}
	ria, err := RevocationInfoArchivalAttribute([][]byte{crl}, [][]byte{ocsp, ocsp})
	if err != nil {
		t.Fatal(err)
	}
	// commitment-type-indication: proof of origin.
	cti, err := NewAttribute(oids.CommitmentType, struct{ ID []int }{[]int{1, 2, 840, 113549, 1, 9, 16, 6, 1}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBuilder(p.leaf, p.leafKey, BuildOptions{Scheme: SchemeRSAPSS, SignedAttributes: []Attribute{cti, ria}})
	if err != nil {
		t.Fatal(err)
	}
	digest := digestOf(crypto.SHA256, []byte("x"))
	der, err := b.Build(context.Background(), digest, nil)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	si := sd.SignerInfos[0]
	got, err := si.RevocationInfoArchival()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.CRLs) != 1 || !bytes.Equal(got.CRLs[0], crl) || len(got.OCSPResponses) != 2 || len(got.Other) != 0 {
		t.Errorf("revocation info %+v", got)
	}
	if _, ok := si.SignedAttribute(oids.CommitmentType); !ok {
		t.Error("commitment type missing")
	}
	checkSignedAttrsDER(t, si)
	if err := sd.VerifyDetached(si, p.leaf, digest); err != nil {
		t.Fatal(err)
	}
}

func TestReadRandDefault(t *testing.T) {
	// The builder works with an explicit rand too.
	p := newPKI(t, "p256")
	b, err := NewBuilder(p.leaf, p.leafKey, BuildOptions{Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Build(context.Background(), make([]byte, 32), nil); err != nil {
		t.Fatal(err)
	}
}
