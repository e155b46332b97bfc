package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"fmt"

	"github.com/segel-id/segel/internal/oids"
)

// ErrDigestMismatch reports a messageDigest attribute that differs from the
// digest of the content. It wraps ErrSignatureInvalid, so errors.Is matches
// both (a verifier may map it to HASH_FAILURE).
var ErrDigestMismatch = fmt.Errorf("message digest mismatch: %w", ErrSignatureInvalid)

// sigKind is the family of a signature algorithm.
type sigKind int

const (
	kindRSAPKCS1 sigKind = iota + 1
	kindRSAPSS
	kindECDSA
	kindEd25519
)

// resolveSignature returns the family of sigAlg and the hash it declares:
// that of sha256WithRSAEncryption, ecdsa-with-SHA384 or the RSA-PSS
// parameters, or digestHash, the SignerInfo's digest algorithm, for the
// OIDs that name no hash (rsaEncryption, id-ecPublicKey, Ed25519).
//
// The declared hash may differ from digestHash: some signers write
// sha256WithRSAEncryption with digestAlgorithm SHA-512 (or the reverse).
// RFC 5652, 5.4 says the signed attributes are digested with the
// digestAlgorithm, but what a signature algorithm such as
// sha256WithRSAEncryption verifies is fixed by its own OID (the hash is
// inside the PKCS#1 DigestInfo or the PSS encoding), and BouncyCastle,
// EU DSS and pyHanko verify the signed attributes with the hash the
// signatureAlgorithm declares. So does this package: the signature must
// verify with the declared hash, or it fails (see docs/decisions.md).
func resolveSignature(sigAlg AlgorithmIdentifier, pss *PSSParameters, digestHash crypto.Hash) (sigKind, crypto.Hash, error) {
	oid := sigAlg.Algorithm
	switch {
	case oid.Equal(oids.RSAEncryption):
		return kindRSAPKCS1, digestHash, nil
	case oid.Equal(oids.RSAPSS):
		if pss == nil {
			return 0, 0, malformed("signatureAlgorithm: RSA-PSS without parameters")
		}
		if pss.MGFHash != pss.Hash {
			return 0, 0, unsupported("signatureAlgorithm: RSA-PSS with MGF1 hash %v and message hash %v", pss.MGFHash, pss.Hash)
		}
		if pss.TrailerField != 1 {
			return 0, 0, unsupported("signatureAlgorithm: RSA-PSS trailerField %d", pss.TrailerField)
		}
		return kindRSAPSS, pss.Hash, nil
	case oid.Equal(oids.Ed25519):
		return kindEd25519, digestHash, nil
	case oid.Equal(oids.ECPublicKey):
		return kindECDSA, digestHash, nil
	}
	for _, r := range rsaPKCS1OIDs {
		if oid.Equal(r.oid) {
			return kindRSAPKCS1, r.hash, nil
		}
	}
	for _, e := range ecdsaOIDs {
		if oid.Equal(e.oid) {
			return kindECDSA, e.hash, nil
		}
	}
	return 0, 0, unsupported("signatureAlgorithm %v", oid)
}

// SignatureHash returns the hash the signature algorithm applies to the
// signed attributes: the one its OID or RSA-PSS parameters declare, else
// the digest algorithm's. It can differ from Hash (see resolveSignature).
func (si *SignerInfo) SignatureHash() (crypto.Hash, error) {
	h, err := si.Hash()
	if err != nil {
		return 0, err
	}
	_, sh, err := resolveSignature(si.SignatureAlgorithm, si.PSS, h)
	if err != nil {
		return 0, err
	}
	if !sh.Available() {
		return 0, unsupported("hash %v", sh)
	}
	return sh, nil
}

// verifyRaw verifies sig over msg (the signed attributes, or the content
// for Ed25519 without signed attributes), hashing msg with the hash the
// signature algorithm declares.
func verifyRaw(pub crypto.PublicKey, sigAlg AlgorithmIdentifier, pss *PSSParameters, h crypto.Hash, msg, sig []byte) error {
	kind, sh, err := resolveSignature(sigAlg, pss, h)
	if err != nil {
		return err
	}
	if kind == kindEd25519 {
		k, ok := pub.(ed25519.PublicKey)
		if !ok {
			return invalid("Ed25519 signature with a %s key", keyName(pub))
		}
		if !ed25519.Verify(k, msg, sig) {
			return invalid("Ed25519 signature")
		}
		return nil
	}
	if !sh.Available() {
		return unsupported("hash %v", sh)
	}
	hh := sh.New()
	hh.Write(msg)
	return verifyDigest(pub, kind, pss, sh, hh.Sum(nil), sig)
}

// verifyDigest verifies sig over a precomputed digest (RSA and ECDSA only).
func verifyDigest(pub crypto.PublicKey, kind sigKind, pss *PSSParameters, h crypto.Hash, digest, sig []byte) error {
	switch kind {
	case kindRSAPKCS1, kindRSAPSS:
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return invalid("RSA signature with a %s key", keyName(pub))
		}
		if k.N == nil || k.N.BitLen() < 1024 {
			return unsupported("RSA key shorter than 1024 bits")
		}
		var err error
		if kind == kindRSAPSS {
			err = rsa.VerifyPSS(k, h, digest, sig, &rsa.PSSOptions{SaltLength: pss.SaltLength, Hash: h})
		} else {
			err = rsa.VerifyPKCS1v15(k, h, digest, sig)
		}
		if err != nil {
			return invalid("RSA signature: %v", err)
		}
		return nil
	case kindECDSA:
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return invalid("ECDSA signature with a %s key", keyName(pub))
		}
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return invalid("ECDSA signature")
		}
		return nil
	case kindEd25519:
		return unsupported("Ed25519 signature without signed attributes needs the content, not its digest")
	}
	return unsupported("signature kind %d", kind)
}

func keyName(pub crypto.PublicKey) string {
	switch pub.(type) {
	case *rsa.PublicKey:
		return "RSA"
	case *ecdsa.PublicKey:
		return "ECDSA"
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

// SignedAttrsDER returns the signed attributes re-tagged as SET OF (0x31),
// the message that the signature covers; nil when there are none.
func (si *SignerInfo) SignedAttrsDER() []byte {
	if si.RawSignedAttrs == nil {
		return nil
	}
	out := bytes.Clone(si.RawSignedAttrs)
	out[0] = 0x31
	return out
}

// VerifySignature verifies the signature over the signed attributes
// (re-tagged as SET OF) with cert's public key. It does not check the
// messageDigest attribute: see SignedData.VerifyDetached and VerifyContent.
func (si *SignerInfo) VerifySignature(cert *x509.Certificate) error {
	if cert == nil {
		return fmt.Errorf("cms: verify signature: no certificate")
	}
	if si.RawSignedAttrs == nil {
		return malformed("signerInfo has no signed attributes (use VerifySignatureNoAttrs)")
	}
	h, err := si.Hash()
	if err != nil {
		return err
	}
	return verifyRaw(cert.PublicKey, si.SignatureAlgorithm, si.PSS, h, si.SignedAttrsDER(), si.Signature)
}

// VerifySignatureNoAttrs verifies a signature made directly over the content
// (a SignerInfo without signed attributes), given the content's digest with
// the SignerInfo's digest algorithm. Ed25519 signs the content itself and
// is reported as ErrUnsupportedAlgorithm; use SignedData.VerifyContent.
func (si *SignerInfo) VerifySignatureNoAttrs(cert *x509.Certificate, contentDigest []byte) error {
	if cert == nil {
		return fmt.Errorf("cms: verify signature: no certificate")
	}
	if si.RawSignedAttrs != nil {
		return malformed("signerInfo has signed attributes (use VerifySignature)")
	}
	h, err := si.Hash()
	if err != nil {
		return err
	}
	if len(contentDigest) != h.Size() {
		return fmt.Errorf("cms: content digest is %d bytes, want %d for %v", len(contentDigest), h.Size(), h)
	}
	kind, sh, err := resolveSignature(si.SignatureAlgorithm, si.PSS, h)
	if err != nil {
		return err
	}
	if sh != h {
		// Without signed attributes the signature is over the content's
		// digest, which is made with the digest algorithm: a signature
		// algorithm with another hash cannot have signed it.
		return malformed("signatureAlgorithm %v does not use digestAlgorithm %v", si.SignatureAlgorithm.Algorithm, h)
	}
	return verifyDigest(cert.PublicKey, kind, si.PSS, h, contentDigest, si.Signature)
}

// VerifyDetached verifies si for detached content whose digest (with si's
// digest algorithm) is contentDigest: with signed attributes it checks the
// contentType attribute against sd.EContentType, the messageDigest
// attribute against contentDigest (ErrDigestMismatch) and the signature;
// without, the signature over the content.
func (sd *SignedData) VerifyDetached(si *SignerInfo, cert *x509.Certificate, contentDigest []byte) error {
	return sd.verify(si, cert, contentDigest, nil)
}

// VerifyContent verifies si against the encapsulated content (eContent),
// e.g. the TSTInfo of an RFC 3161 token: contentType, messageDigest =
// hash(eContent) and the signature.
func (sd *SignedData) VerifyContent(si *SignerInfo, cert *x509.Certificate) error {
	if !sd.HasEContent {
		return malformed("verify content: SignedData is detached (no eContent)")
	}
	h, err := si.Hash()
	if err != nil {
		return err
	}
	if !h.Available() {
		return unsupported("hash %v", h)
	}
	hh := h.New()
	hh.Write(sd.EContent)
	return sd.verify(si, cert, hh.Sum(nil), sd.EContent)
}

func (sd *SignedData) verify(si *SignerInfo, cert *x509.Certificate, digest, content []byte) error {
	if si == nil || cert == nil {
		return fmt.Errorf("cms: verify: missing signer info or certificate")
	}
	if si.RawSignedAttrs == nil {
		if content != nil && si.SignatureAlgorithm.Algorithm.Equal(oids.Ed25519) {
			h, err := si.Hash()
			if err != nil {
				return err
			}
			return verifyRaw(cert.PublicKey, si.SignatureAlgorithm, si.PSS, h, content, si.Signature)
		}
		return si.VerifySignatureNoAttrs(cert, digest)
	}
	ct, err := si.ContentType()
	if err != nil {
		return err
	}
	if !ct.Equal(sd.EContentType) {
		return malformed("contentType attribute %v differs from eContentType %v", ct, sd.EContentType)
	}
	md, err := si.MessageDigest()
	if err != nil {
		return err
	}
	if !bytes.Equal(md, digest) {
		return fmt.Errorf("cms: %w", ErrDigestMismatch)
	}
	return si.VerifySignature(cert)
}
