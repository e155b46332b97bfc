package cms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/segel-id/segel/internal/oids"
)

// referenceMarshal is the ContentInfo encoded with nested cryptobyte
// builders, as Builder.marshal did before it used the template: the
// template's output must be byte for byte this.
func referenceMarshal(b *Builder, signedAttrs, sig, unsigned []byte, hasUnsigned bool) []byte {
	var saContent cryptobyte.String
	in := cryptobyte.String(signedAttrs)
	if !in.ReadASN1(&saContent, cbasn1.SET) || !in.Empty() {
		panic("signed attributes are not a DER SET")
	}
	var out cryptobyte.Builder
	out.AddASN1(cbasn1.SEQUENCE, func(c *cryptobyte.Builder) {
		c.AddASN1ObjectIdentifier(oids.SignedData)
		c.AddASN1(tagCtx0, func(c *cryptobyte.Builder) {
			c.AddASN1(cbasn1.SEQUENCE, func(c *cryptobyte.Builder) {
				if b.ctype.Equal(oids.Data) {
					c.AddASN1Int64(1)
				} else {
					c.AddASN1Int64(3)
				}
				c.AddASN1(cbasn1.SET, func(c *cryptobyte.Builder) { addAlgorithm(c, b.digestAlg) })
				c.AddASN1(cbasn1.SEQUENCE, func(c *cryptobyte.Builder) {
					c.AddASN1ObjectIdentifier(b.ctype)
					if b.content != nil {
						c.AddASN1(tagCtx0, func(c *cryptobyte.Builder) { c.AddASN1OctetString(b.content) })
					}
				})
				c.AddASN1(tagCtx0, func(c *cryptobyte.Builder) {
					for _, raw := range b.certs {
						c.AddBytes(raw)
					}
				})
				c.AddASN1(cbasn1.SET, func(c *cryptobyte.Builder) {
					c.AddASN1(cbasn1.SEQUENCE, func(c *cryptobyte.Builder) {
						c.AddASN1Int64(1)
						c.AddASN1(cbasn1.SEQUENCE, func(c *cryptobyte.Builder) {
							c.AddBytes(b.cert.RawIssuer)
							c.AddASN1BigInt(b.cert.SerialNumber)
						})
						addAlgorithm(c, b.digestAlg)
						c.AddASN1(tagCtx0, func(c *cryptobyte.Builder) { c.AddBytes(saContent) })
						addAlgorithm(c, b.sigAlg)
						c.AddASN1OctetString(sig)
						if hasUnsigned {
							c.AddASN1(tagCtx1, func(c *cryptobyte.Builder) { c.AddBytes(unsigned) })
						}
					})
				})
			})
		})
	})
	return out.BytesOrPanic()
}

// TestTemplateMatchesNestedEncoding checks that the template-based
// signed attributes, ContentInfo and MaxSize are exactly what encoding
// every part with nested builders gives: for each key kind and hash, with
// and without unsigned attributes of sizes around the DER length
// boundaries, an encapsulated content, another content type and extra
// signed attributes.
func TestTemplateMatchesNestedEncoding(t *testing.T) {
	policy, err := NewAttribute(oids.CommitmentType, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 6, 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"rsa2048", "p256", "ed25519"} {
		p := newPKI(t, kind)
		for _, opts := range []BuildOptions{
			{Hash: crypto.SHA256},
			{Hash: crypto.SHA384, Certificates: []*x509.Certificate{p.root}},
			{Hash: crypto.SHA512, Certificates: []*x509.Certificate{p.root, p.leaf}, SignedAttributes: []Attribute{policy}},
			{Hash: crypto.SHA256, ContentType: oids.TSTInfo, Content: bytes.Repeat([]byte("tst"), 100)},
		} {
			if kind == "ed25519" && opts.Hash != crypto.SHA512 {
				continue
			}
			b, err := NewBuilder(p.leaf, p.leafKey, opts)
			if err != nil {
				t.Fatal(err)
			}
			digest := digestOf(b.Hash(), []byte("content"))
			sa, err := b.signedAttributes(digest)
			if err != nil {
				t.Fatal(err)
			}
			t2, err := b.template()
			if err != nil {
				t.Fatal(err)
			}
			scv2, err := signingCertificateV2(b.cert, b.hash)
			if err != nil {
				t.Fatal(err)
			}
			want, err := b.signedAttributesDER(digest, scv2)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(sa, want) {
				t.Fatalf("%s %v: signed attributes differ from the full encoding", kind, opts.Hash)
			}
			if bytes.Equal(t2.signedAttrs, sa) {
				t.Fatalf("%s %v: the template was changed by the digest put in", kind, opts.Hash)
			}
			for _, n := range []int{0, 1, 100, 127, 128, 255, 256, 6000, 65535, 65536} {
				unsigned := bytes.Repeat([]byte{0x5a}, n)
				for _, sigLen := range []int{b.maxSig - 1, b.maxSig} {
					sig := bytes.Repeat([]byte{0xa5}, sigLen)
					got, err := b.marshal(sa, sig, unsigned, n > 0)
					if err != nil {
						t.Fatal(err)
					}
					if ref := referenceMarshal(b, sa, sig, unsigned, n > 0); !bytes.Equal(got, ref) {
						t.Fatalf("%s %v unsigned %d sig %d: ContentInfo differs from the nested encoding", kind, opts.Hash, n, sigLen)
					}
				}
				maxSig := make([]byte, b.maxSig)
				if got, want := b.MaxSize(n), len(referenceMarshal(b, sa, maxSig, unsigned, n > 0)); got != want {
					t.Errorf("%s %v: MaxSize(%d) = %d, nested encoding %d", kind, opts.Hash, n, got, want)
				}
			}
			der, err := b.Build(context.Background(), digest, nil)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.VerifyDetached(s.SignerInfos[0], p.leaf, digest); err != nil {
				t.Errorf("%s %v: %v", kind, opts.Hash, err)
			}
		}
	}
}
