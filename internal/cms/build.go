package cms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"sync"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/segel-id/segel/internal/oids"
)

// SignatureScheme selects the signature algorithm of a Builder.
type SignatureScheme int

const (
	// SchemeAuto picks the scheme from the key: RSA PKCS#1 v1.5 for RSA,
	// ECDSA for ECDSA and Ed25519 for Ed25519 keys.
	SchemeAuto SignatureScheme = iota
	// SchemeRSAPKCS1v15 is RSASSA-PKCS1-v1_5, signatureAlgorithm
	// rsaEncryption.
	SchemeRSAPKCS1v15
	// SchemeRSAPSS is RSASSA-PSS with MGF1 of the same hash and a salt as
	// long as the hash.
	SchemeRSAPSS
	// SchemeECDSA is ECDSA with ecdsa-with-SHA256/384/512.
	SchemeECDSA
	// SchemeEd25519 is pure Ed25519 (RFC 8419); it requires SHA-512.
	SchemeEd25519
)

// String returns the scheme's name.
func (s SignatureScheme) String() string {
	switch s {
	case SchemeAuto:
		return "auto"
	case SchemeRSAPKCS1v15:
		return "RSA-PKCS1v15"
	case SchemeRSAPSS:
		return "RSA-PSS"
	case SchemeECDSA:
		return "ECDSA"
	case SchemeEd25519:
		return "Ed25519"
	}
	return fmt.Sprintf("SignatureScheme(%d)", int(s))
}

// ContextSigner is implemented by signers (e.g. PKCS#11 or remote keys) that
// accept a context. When the Builder's key implements it, SignContext is
// called instead of Sign.
type ContextSigner interface {
	SignContext(ctx context.Context, rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error)
}

// UnsignedFunc returns the unsigned attributes to add once the signature
// value is known, e.g. a signature timestamp token over signatureValue.
type UnsignedFunc func(ctx context.Context, signatureValue []byte) ([]Attribute, error)

// BuildOptions configures a Builder. The zero value signs with SHA-256 (or
// SHA-512 for Ed25519) and the scheme matching the key.
type BuildOptions struct {
	// Hash is the digest algorithm: crypto.SHA256 (default), SHA384 or
	// SHA512. Ed25519 requires SHA-512 (the default for Ed25519 keys).
	Hash crypto.Hash
	// Scheme selects the signature algorithm; SchemeAuto by default.
	Scheme SignatureScheme
	// Certificates are included after the signer certificate (the chain);
	// duplicates of the signer certificate are dropped.
	Certificates []*x509.Certificate
	// SignedAttributes are added to contentType, messageDigest and
	// signingCertificateV2 (e.g. commitment type, signature policy,
	// adbe-revocationInfoArchival). They must not repeat those three nor
	// add signingTime.
	SignedAttributes []Attribute
	// Rand is the randomness for the signature; crypto/rand by default.
	Rand io.Reader
	// ContentType is the eContentType and the contentType attribute:
	// id-data by default. An RFC 3161 TSA sets oids.TSTInfo.
	ContentType asn1.ObjectIdentifier
	// Content, when not nil, is encapsulated in the SignedData (the
	// signature is then not detached); the content digest given to Sign or
	// Build must be its digest.
	Content []byte
}

// Builder builds detached CAdES/PAdES SignedData for one signer. A Builder
// is safe for concurrent use.
type Builder struct {
	cert      *x509.Certificate
	certs     [][]byte
	key       crypto.Signer
	hash      crypto.Hash
	scheme    SignatureScheme
	digestAlg AlgorithmIdentifier
	sigAlg    AlgorithmIdentifier
	extra     []Attribute
	rand      io.Reader
	ctype     asn1.ObjectIdentifier
	content   []byte

	// tmpl holds the DER parts that are the same for every signature,
	// computed once (template).
	tmplOnce sync.Once
	tmpl     template
	tmplErr  error
	maxSig   int
}

// template is the static DER of a Builder's SignedData: everything but the
// content digest, the signature value and the unsigned attributes, which
// Sign and Build put between these parts with the DER lengths they imply
// (docs/decisions.md, "Signing through SoftHSM: overhead (issue 12)").
type template struct {
	// head is the SignedData content before signerInfos: version,
	// digestAlgorithms, encapContentInfo and the certificates.
	head []byte
	// sid is the SignerInfo content before the signed attributes:
	// version, IssuerAndSerialNumber and digestAlgorithm.
	sid []byte
	// sigAlg is the signatureAlgorithm AlgorithmIdentifier.
	sigAlg []byte
	// signedAttrs is the DER SET OF the signed attributes for an all-zero
	// content digest, whose bytes are at digestAt. Their order does not
	// depend on the digest: DER sorts the attributes by their encodings,
	// which differ in their types before the values.
	signedAttrs []byte
	digestAt    int
	// saContent is the length of signedAttrs' content (without the SET
	// header).
	saContent int
}

// NewBuilder returns a Builder that signs with key, whose public key must be
// the one of cert.
func NewBuilder(cert *x509.Certificate, key crypto.Signer, opts BuildOptions) (*Builder, error) {
	if cert == nil || key == nil {
		return nil, errors.New("cms: builder needs a certificate and a key")
	}
	pub := key.Public()
	if eq, ok := pub.(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(cert.PublicKey) {
		return nil, errors.New("cms: key does not match the signer certificate")
	}
	b := &Builder{cert: cert, key: key, scheme: opts.Scheme, hash: opts.Hash, rand: opts.Rand,
		ctype: opts.ContentType, content: opts.Content}
	if b.ctype == nil {
		b.ctype = oids.Data
	}
	if b.rand == nil {
		b.rand = rand.Reader
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if b.scheme == SchemeAuto {
			b.scheme = SchemeRSAPKCS1v15
		}
		if b.scheme != SchemeRSAPKCS1v15 && b.scheme != SchemeRSAPSS {
			return nil, fmt.Errorf("cms: scheme %v with an RSA key", b.scheme)
		}
		b.maxSig = k.Size()
	case *ecdsa.PublicKey:
		if b.scheme == SchemeAuto {
			b.scheme = SchemeECDSA
		}
		if b.scheme != SchemeECDSA {
			return nil, fmt.Errorf("cms: scheme %v with an ECDSA key", b.scheme)
		}
		n := (k.Curve.Params().BitSize + 7) / 8
		// SEQUENCE { INTEGER r, INTEGER s }, each at most n+1 content bytes.
		b.maxSig = derElementLen(2 * derElementLen(n+1))
	case ed25519.PublicKey:
		if b.scheme == SchemeAuto {
			b.scheme = SchemeEd25519
		}
		if b.scheme != SchemeEd25519 {
			return nil, fmt.Errorf("cms: scheme %v with an Ed25519 key", b.scheme)
		}
		if b.hash == 0 {
			b.hash = crypto.SHA512
		}
		if b.hash != crypto.SHA512 {
			return nil, errors.New("cms: Ed25519 requires SHA-512 (RFC 8419)")
		}
		b.maxSig = ed25519.SignatureSize
	default:
		return nil, fmt.Errorf("cms: unsupported key type %T", pub)
	}
	if b.hash == 0 {
		b.hash = crypto.SHA256
	}
	switch b.hash {
	case crypto.SHA256, crypto.SHA384, crypto.SHA512:
	default:
		return nil, fmt.Errorf("cms: unsupported digest %v (want SHA-256, SHA-384 or SHA-512)", b.hash)
	}
	hashOID, _ := OIDForHash(b.hash)
	b.digestAlg = AlgorithmIdentifier{Algorithm: hashOID}
	switch b.scheme {
	case SchemeRSAPKCS1v15:
		b.sigAlg = AlgorithmIdentifier{Algorithm: oids.RSAEncryption, Parameters: asn1NULL}
	case SchemeRSAPSS:
		b.sigAlg = AlgorithmIdentifier{Algorithm: oids.RSAPSS, Parameters: marshalPSSParams(b.hash)}
	case SchemeECDSA:
		b.sigAlg = AlgorithmIdentifier{Algorithm: ecdsaOIDForHash(b.hash)}
	case SchemeEd25519:
		b.sigAlg = AlgorithmIdentifier{Algorithm: oids.Ed25519}
	}

	b.certs = append(b.certs, cert.Raw)
	for _, c := range opts.Certificates {
		if c == nil {
			continue
		}
		dup := false
		for _, have := range b.certs {
			if string(have) == string(c.Raw) {
				dup = true
				break
			}
		}
		if !dup {
			b.certs = append(b.certs, c.Raw)
		}
	}
	if len(b.certs) > MaxCertificates {
		return nil, fmt.Errorf("cms: more than %d certificates", MaxCertificates)
	}

	reserved := []asn1.ObjectIdentifier{oids.ContentType, oids.MessageDigest,
		oids.SigningCertificateV2, oids.SigningCertificate, oids.SigningTime}
	seen := map[string]bool{}
	for _, a := range opts.SignedAttributes {
		for _, r := range reserved {
			if a.Type.Equal(r) {
				return nil, fmt.Errorf("cms: signed attribute %v is set by the builder or forbidden in PAdES", a.Type)
			}
		}
		if seen[a.Type.String()] {
			return nil, fmt.Errorf("cms: signed attribute %v given twice", a.Type)
		}
		seen[a.Type.String()] = true
		if _, err := a.Marshal(); err != nil {
			return nil, err
		}
		b.extra = append(b.extra, a)
	}
	if len(b.extra)+3 > MaxAttributes {
		return nil, fmt.Errorf("cms: more than %d signed attributes", MaxAttributes)
	}
	return b, nil
}

// Hash returns the digest algorithm the Builder uses; the content digest
// passed to Sign and Build must be computed with it.
func (b *Builder) Hash() crypto.Hash { return b.hash }

// asn1NULL is the DER encoding of NULL.
var asn1NULL = []byte{0x05, 0x00}

// marshalPSSParams returns RSASSA-PSS-params for h: hash h, MGF1 with h, salt
// length = hash length, trailerField 1 (omitted: it is the DER default).
func marshalPSSParams(h crypto.Hash) []byte {
	oid, _ := OIDForHash(h)
	hashAlg := AlgorithmIdentifier{Algorithm: oid, Parameters: asn1NULL}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(tagCtx0, func(b *cryptobyte.Builder) { addAlgorithm(b, hashAlg) })
		b.AddASN1(tagCtx1, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oids.MGF1)
				addAlgorithm(b, hashAlg)
			})
		})
		b.AddASN1(tagCtx2, func(b *cryptobyte.Builder) { b.AddASN1Int64(int64(h.Size())) })
	})
	return b.BytesOrPanic()
}

// signingCertificateV2 returns the DER SigningCertificateV2 value for cert
// hashed with h.
func signingCertificateV2(cert *x509.Certificate, h crypto.Hash) ([]byte, error) {
	hh := h.New()
	hh.Write(cert.Raw)
	sum := hh.Sum(nil)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2
				if h != crypto.SHA256 {
					oid, _ := OIDForHash(h)
					addAlgorithm(b, AlgorithmIdentifier{Algorithm: oid})
				}
				b.AddASN1OctetString(sum)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerSerial
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // GeneralNames
						b.AddASN1(tagCtx4, func(b *cryptobyte.Builder) { // directoryName
							b.AddBytes(cert.RawIssuer)
						})
					})
					b.AddASN1BigInt(cert.SerialNumber)
				})
			})
		})
	})
	return b.Bytes()
}

// signedAttributesDER returns the DER SET OF (tag 0x31) of the signed
// attributes for contentDigest, encoded in full (the template's source,
// and the reference its tests compare with).
func (b *Builder) signedAttributesDER(contentDigest, scv2 []byte) ([]byte, error) {
	var ct, md cryptobyte.Builder
	ct.AddASN1ObjectIdentifier(b.ctype)
	md.AddASN1OctetString(contentDigest)
	attrs := []Attribute{
		{Type: oids.ContentType, Values: [][]byte{ct.BytesOrPanic()}},
		{Type: oids.MessageDigest, Values: [][]byte{md.BytesOrPanic()}},
		{Type: oids.SigningCertificateV2, Values: [][]byte{scv2}},
	}
	attrs = append(attrs, b.extra...)
	content, err := marshalAttributes(attrs)
	if err != nil {
		return nil, err
	}
	var out cryptobyte.Builder
	out.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(content) })
	return out.Bytes()
}

// template returns the Builder's static DER, computing it on first use.
func (b *Builder) template() (*template, error) {
	b.tmplOnce.Do(func() { b.tmplErr = b.makeTemplate() })
	return &b.tmpl, b.tmplErr
}

func (b *Builder) makeTemplate() error {
	t := &b.tmpl
	scv2, err := signingCertificateV2(b.cert, b.hash)
	if err != nil {
		return err
	}
	zero := make([]byte, b.hash.Size())
	if t.signedAttrs, err = b.signedAttributesDER(zero, scv2); err != nil {
		return err
	}
	// The digest is the end of the messageDigest attribute's encoding.
	var md cryptobyte.Builder
	md.AddASN1OctetString(zero)
	mdAttr, err := Attribute{Type: oids.MessageDigest, Values: [][]byte{md.BytesOrPanic()}}.Marshal()
	if err != nil {
		return err
	}
	at := bytes.Index(t.signedAttrs, mdAttr)
	if at < 0 {
		return errors.New("cms: internal error: messageDigest not found in the signed attributes")
	}
	t.digestAt = at + len(mdAttr) - len(zero)
	var content cryptobyte.String
	if in := cryptobyte.String(t.signedAttrs); !in.ReadASN1(&content, cbasn1.SET) || !in.Empty() {
		return errors.New("cms: internal error: signed attributes are not a DER SET")
	}
	t.saContent = len(content)

	n := 256 + len(b.content)
	for _, raw := range b.certs {
		n += len(raw)
	}
	head := cryptobyte.NewBuilder(make([]byte, 0, n)) // grown once, not per certificate
	// RFC 5652, 5.1: version 3 when eContentType is not id-data.
	if b.ctype.Equal(oids.Data) {
		head.AddASN1Int64(1)
	} else {
		head.AddASN1Int64(3)
	}
	head.AddASN1(cbasn1.SET, func(c *cryptobyte.Builder) { addAlgorithm(c, b.digestAlg) })
	head.AddASN1(cbasn1.SEQUENCE, func(c *cryptobyte.Builder) { // EncapsulatedContentInfo
		c.AddASN1ObjectIdentifier(b.ctype)
		if b.content != nil {
			c.AddASN1(tagCtx0, func(c *cryptobyte.Builder) { c.AddASN1OctetString(b.content) })
		}
	})
	head.AddASN1(tagCtx0, func(c *cryptobyte.Builder) {
		for _, raw := range b.certs {
			c.AddBytes(raw)
		}
	})
	if t.head, err = head.Bytes(); err != nil {
		return err
	}
	var sid cryptobyte.Builder
	sid.AddASN1Int64(1)
	sid.AddASN1(cbasn1.SEQUENCE, func(c *cryptobyte.Builder) { // IssuerAndSerialNumber
		c.AddBytes(b.cert.RawIssuer)
		c.AddASN1BigInt(b.cert.SerialNumber)
	})
	addAlgorithm(&sid, b.digestAlg)
	if t.sid, err = sid.Bytes(); err != nil {
		return err
	}
	var alg cryptobyte.Builder
	addAlgorithm(&alg, b.sigAlg)
	t.sigAlg, err = alg.Bytes()
	return err
}

// signedAttributes returns the DER SET OF (tag 0x31) of the signed
// attributes for contentDigest: the template's, with the digest put in.
func (b *Builder) signedAttributes(contentDigest []byte) ([]byte, error) {
	t, err := b.template()
	if err != nil {
		return nil, err
	}
	if len(contentDigest) != b.hash.Size() {
		return nil, fmt.Errorf("cms: content digest is %d bytes, want %d for %v", len(contentDigest), b.hash.Size(), b.hash)
	}
	sa := bytes.Clone(t.signedAttrs)
	copy(sa[t.digestAt:], contentDigest)
	return sa, nil
}

// marshal assembles the ContentInfo. signedAttrs is the SET-tagged DER;
// unsigned is the concatenated content of the unsigned attributes, omitted
// when hasUnsigned is false. The static parts come from the template; the
// headers around the variable parts are written here, so the output is
// the DER that nesting cryptobyte builders would give, built in one
// buffer of the right size.
func (b *Builder) marshal(signedAttrs, sig, unsigned []byte, hasUnsigned bool) ([]byte, error) {
	var saContent cryptobyte.String
	in := cryptobyte.String(signedAttrs)
	if !in.ReadASN1(&saContent, cbasn1.SET) || !in.Empty() {
		return nil, errors.New("cms: internal error: signed attributes are not a DER SET")
	}
	t, err := b.template()
	if err != nil {
		return nil, err
	}
	l := b.lengths(len(saContent), len(sig), len(unsigned), hasUnsigned)
	out := make([]byte, 0, l.total)
	out = appendHeader(out, 0x30, l.contentInfo) // ContentInfo
	out = append(out, signedDataOID...)
	out = appendHeader(out, byte(tagCtx0), l.explicit)
	out = appendHeader(out, 0x30, l.signedData) // SignedData
	out = append(out, t.head...)
	out = appendHeader(out, 0x31, l.signerInfos)
	out = appendHeader(out, 0x30, l.signerInfo) // SignerInfo
	out = append(out, t.sid...)
	out = appendHeader(out, byte(tagCtx0), len(saContent))
	out = append(out, saContent...)
	out = append(out, t.sigAlg...)
	out = appendHeader(out, 0x04, len(sig))
	out = append(out, sig...)
	if hasUnsigned {
		out = appendHeader(out, byte(tagCtx1), len(unsigned))
		out = append(out, unsigned...)
	}
	if len(out) != l.total {
		return nil, fmt.Errorf("cms: internal error: ContentInfo is %d bytes, %d computed", len(out), l.total)
	}
	return out, nil
}

// signedDataOID is the DER of the id-signedData OBJECT IDENTIFIER.
var signedDataOID = func() []byte {
	var b cryptobyte.Builder
	b.AddASN1ObjectIdentifier(oids.SignedData)
	return b.BytesOrPanic()
}()

// cmsLengths are the content lengths of the nested elements of a
// ContentInfo, and its total length.
type cmsLengths struct {
	signerInfo, signerInfos, signedData, explicit, contentInfo, total int
}

// lengths computes the DER lengths of the ContentInfo whose signed
// attributes (SET content), signature value and unsigned attributes have
// the given sizes. The template must have been made.
func (b *Builder) lengths(saContent, sig, unsigned int, hasUnsigned bool) cmsLengths {
	t := &b.tmpl
	var l cmsLengths
	l.signerInfo = len(t.sid) + derElementLen(saContent) + len(t.sigAlg) + derElementLen(sig)
	if hasUnsigned {
		l.signerInfo += derElementLen(unsigned)
	}
	l.signerInfos = derElementLen(l.signerInfo)
	l.signedData = len(t.head) + derElementLen(l.signerInfos)
	l.explicit = derElementLen(l.signedData)
	l.contentInfo = len(signedDataOID) + derElementLen(l.explicit)
	l.total = derElementLen(l.contentInfo)
	return l
}

// appendHeader appends a DER tag (one byte) and definite length for n
// content bytes.
func appendHeader(b []byte, tag byte, n int) []byte {
	b = append(b, tag)
	switch {
	case n < 0x80:
		return append(b, byte(n))
	case n <= 0xff:
		return append(b, 0x81, byte(n))
	case n <= 0xffff:
		return append(b, 0x82, byte(n>>8), byte(n))
	case n <= 0xffffff:
		return append(b, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// MaxSize returns an upper bound of the length of the DER that Build or
// Signed.Marshal produce, before anything is signed. unsignedReserve is the
// room, in bytes, for the DER encodings of all unsigned attributes added
// later (see TimeStampTokenAttrSize); 0 when none will be added. The bound
// counts the largest signature the key can produce.
//
// It is computed from the template's lengths: nothing is signed or
// marshalled.
func (b *Builder) MaxSize(unsignedReserve int) int {
	t, err := b.template()
	if err != nil {
		return 0 // cannot happen: extra attributes are validated by NewBuilder
	}
	if unsignedReserve < 0 {
		unsignedReserve = 0
	}
	return b.lengths(t.saContent, b.maxSig, unsignedReserve, unsignedReserve > 0).total
}

// TimeStampTokenAttrSize returns the DER length of a
// signatureTimeStampToken attribute that holds a token of tokenLen bytes,
// for use as MaxSize's unsignedReserve.
func TimeStampTokenAttrSize(tokenLen int) int {
	oid := 2 + 11 // 1.2.840.113549.1.9.16.2.14
	return derElementLen(oid + derElementLen(tokenLen))
}

// TimeStampTokenAttribute returns the unsigned signatureTimeStampToken
// attribute holding token (a DER ContentInfo from a TSA).
func TimeStampTokenAttribute(token []byte) Attribute {
	return Attribute{Type: oids.SignatureTimeStampToken, Values: [][]byte{token}}
}

// NewAttribute returns an attribute whose values are the encoding/asn1
// marshalling of vals (use asn1.RawValue or RawContent for prepared DER).
func NewAttribute(oid asn1.ObjectIdentifier, vals ...any) (Attribute, error) {
	a := Attribute{Type: oid}
	for _, v := range vals {
		der, err := asn1.Marshal(v)
		if err != nil {
			return Attribute{}, fmt.Errorf("cms: attribute %v: %w", oid, err)
		}
		a.Values = append(a.Values, der)
	}
	return a, nil
}

// RevocationInfoArchivalAttribute returns the signed adbe-revocationInfoArchival
// attribute holding DER CRLs and DER OCSPResponses (Adobe's
// RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CRLs
// OPTIONAL, ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse OPTIONAL, ... }).
func RevocationInfoArchivalAttribute(crls, ocspResponses [][]byte) (Attribute, error) {
	for _, d := range slicesConcat(crls, ocspResponses) {
		if !isSingleElement(d) {
			return Attribute{}, errors.New("cms: revocation info value is not one DER element")
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if len(crls) > 0 {
			b.AddASN1(tagCtx0, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, c := range crls {
						b.AddBytes(c)
					}
				})
			})
		}
		if len(ocspResponses) > 0 {
			b.AddASN1(tagCtx1, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, o := range ocspResponses {
						b.AddBytes(o)
					}
				})
			})
		}
	})
	der, err := b.Bytes()
	if err != nil {
		return Attribute{}, fmt.Errorf("cms: revocation info archival: %w", err)
	}
	return Attribute{Type: oids.AdbeRevocationInfoArchival, Values: [][]byte{der}}, nil
}

func slicesConcat(a, b [][]byte) [][]byte {
	out := make([][]byte, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

// Signed is a signature made by a Builder, to which unsigned attributes can
// still be added before it is marshalled. It is not safe for concurrent use.
type Signed struct {
	b           *Builder
	signedAttrs []byte
	sig         []byte
	unsigned    []Attribute
}

// SignatureValue returns the signature value (the input of a signature
// timestamp).
func (s *Signed) SignatureValue() []byte { return s.sig }

// SignedAttributes returns the DER SET OF (tag 0x31) of the signed
// attributes, as signed.
func (s *Signed) SignedAttributes() []byte { return s.signedAttrs }

// AddUnsigned adds unsigned attributes, e.g. TimeStampTokenAttribute.
func (s *Signed) AddUnsigned(attrs ...Attribute) { s.unsigned = append(s.unsigned, attrs...) }

// Marshal returns the DER ContentInfo. Its length is at most
// MaxSize(reserve) when the added unsigned attributes take at most reserve
// bytes.
func (s *Signed) Marshal() ([]byte, error) {
	if len(s.unsigned) > MaxAttributes {
		return nil, fmt.Errorf("cms: more than %d unsigned attributes", MaxAttributes)
	}
	unsigned, err := marshalAttributes(s.unsigned)
	if err != nil {
		return nil, err
	}
	return s.b.marshal(s.signedAttrs, s.sig, unsigned, len(s.unsigned) > 0)
}

// Sign signs the signed attributes for contentDigest, the digest (with
// b.Hash()) of the detached content, e.g. the PDF byte ranges. The key signs
// exactly once; the signature is checked against the certificate.
func (b *Builder) Sign(ctx context.Context, contentDigest []byte) (*Signed, error) {
	if len(contentDigest) != b.hash.Size() {
		return nil, fmt.Errorf("cms: content digest is %d bytes, want %d for %v", len(contentDigest), b.hash.Size(), b.hash)
	}
	sa, err := b.signedAttributes(contentDigest)
	if err != nil {
		return nil, err
	}
	var (
		toSign []byte
		opts   crypto.SignerOpts = b.hash
	)
	switch b.scheme {
	case SchemeEd25519:
		toSign, opts = sa, crypto.Hash(0)
	case SchemeRSAPSS:
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: b.hash}
		fallthrough
	default:
		h := b.hash.New()
		h.Write(sa)
		toSign = h.Sum(nil)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var sig []byte
	if cs, ok := b.key.(ContextSigner); ok {
		sig, err = cs.SignContext(ctx, b.rand, toSign, opts)
	} else {
		sig, err = b.key.Sign(b.rand, toSign, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("cms: sign: %w", err)
	}
	if len(sig) > b.maxSig {
		return nil, fmt.Errorf("cms: signature is %d bytes, more than the %d expected", len(sig), b.maxSig)
	}
	var pss *PSSParameters
	if b.scheme == SchemeRSAPSS {
		pss = &PSSParameters{Hash: b.hash, MGFHash: b.hash, SaltLength: b.hash.Size(), TrailerField: 1}
	}
	if err := b.check(sa, toSign, sig, pss); err != nil {
		return nil, fmt.Errorf("cms: the key produced a signature that does not verify: %w", err)
	}
	return &Signed{b: b, signedAttrs: sa, sig: sig}, nil
}

// check verifies the key's signature sig of the signed attributes sa
// against the certificate: PKCS #1 v1.5 with the recycled modulus
// constants of verifyPKCS1v15 over digest (the hash of sa that Sign gave
// the key, not computed again), the other schemes as verifyRaw checks
// any signature.
func (b *Builder) check(sa, digest, sig []byte, pss *PSSParameters) error {
	if pub, ok := b.cert.PublicKey.(*rsa.PublicKey); ok && b.scheme == SchemeRSAPKCS1v15 && pub.N != nil && pub.N.BitLen() >= 1024 {
		if err := verifyPKCS1v15(pub, b.hash, digest, sig); err != nil {
			return invalid("RSA signature: %v", err)
		}
		return nil
	}
	return verifyRaw(b.cert.PublicKey, b.sigAlg, pss, b.hash, sa, sig)
}

// Build signs for contentDigest and returns the DER ContentInfo. When
// unsigned is not nil it is called with the signature value and its
// attributes are added as unsigned attributes (e.g. a signature timestamp).
func (b *Builder) Build(ctx context.Context, contentDigest []byte, unsigned UnsignedFunc) ([]byte, error) {
	s, err := b.Sign(ctx, contentDigest)
	if err != nil {
		return nil, err
	}
	if unsigned != nil {
		attrs, err := unsigned(ctx, s.SignatureValue())
		if err != nil {
			return nil, fmt.Errorf("cms: unsigned attributes: %w", err)
		}
		s.AddUnsigned(attrs...)
	}
	return s.Marshal()
}
