package verify

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/tstoken"
)

// checkDetached checks a detached CMS signature (ETSI.CAdES.detached,
// adbe.pkcs7.detached): messageDigest over the ranges, the signature and
// the signing-certificate attributes, and its signature timestamps.
func (v *verifier) checkDetached(rep *SignatureReport, sd *cms.SignedData, si *cms.SignerInfo, ranges [][2]int64) *checked {
	h, err := si.Hash()
	if err != nil {
		rep.fail(CryptoConstraintsFailureNoPOE, note(CodeDigestUnsupported, "detail", err.Error()), "the digest algorithm is not supported: %v", err)
		return nil
	}
	digest, cert, certs := v.digestAndSigner(rep, sd, si, h, ranges)
	if cert == nil {
		return nil
	}
	if err := sd.VerifyDetached(si, cert, digest); err != nil {
		cryptoFailure(rep, err)
		return nil
	}
	if !checkSigningCertificate(rep, si, cert) {
		return nil
	}
	if t, ok := si.SigningTime(); ok && rep.ClaimedSigningTime.IsZero() {
		rep.ClaimedSigningTime = reportTime(t)
	}
	// Revocation data the signer embedded: the SignedData crls field
	// (CRLs, OCSP responses as other revocation info) and Adobe's signed
	// revocationInfoArchival attribute. They join the DSS's as embedded
	// validation data.
	rd := sd.RevocationData()
	c := &checked{cert: cert, pool: certs, hash: h, crls: rd.CRLs, ocsps: rd.OCSPResponses}
	if ria, err := si.RevocationInfoArchival(); err == nil {
		c.ocsps = append(c.ocsps, ria.OCSP()...)
		c.crls = append(c.crls, ria.CRLs...)
	}
	checkConstraints(rep, h, cert)
	if sh, err := si.SignatureHash(); err == nil && sh != h && si.RawSignedAttrs != nil {
		rep.warn(note(CodeHashMismatch, "sigHash", hashName(sh), "hash", hashName(h)), "the signature algorithm hashes with %s while the digest algorithm is %s; the signed attributes verify with %s, as the signature algorithm declares",
			hashName(sh), hashName(h), hashName(sh))
		if sh == crypto.SHA1 || sh == crypto.MD5 {
			rep.fail(CryptoConstraintsFailureNoPOE, note(CodeSigHashWeak, "hash", hashName(sh)), "the signature algorithm's hash %s is no longer considered secure", hashName(sh))
		}
	}
	v.checkSignatureTimestamps(rep, si, c)
	return c
}

// digestAndSigner digests the signed ranges with h and finds the
// signer's certificate among those of the signature; on failure it
// records why and returns a nil certificate.
func (v *verifier) digestAndSigner(rep *SignatureReport, sd *cms.SignedData, si *cms.SignerInfo, h crypto.Hash, ranges [][2]int64) ([]byte, *x509.Certificate, []*x509.Certificate) {
	rep.DigestAlgorithm = hashName(h)
	digest, err := v.digest(h, ranges)
	if err != nil {
		rep.fail(FormatFailure, note(CodeSignedRangesUnread, "detail", err.Error()), "reading the signed ranges: %v", err)
		return nil, nil, nil
	}
	certs := sd.ParsedCertificates()
	cert, err := si.FindCertificate(certs)
	if err != nil {
		detail := err.Error() + unparsed(sd)
		rep.fail(NoSigningCertificateFound, note(CodeSignerCertMissing, "detail", detail), "the signer's certificate is not in the signature: %s", detail)
		return nil, nil, nil
	}
	rep.Signer = describe(cert)
	return digest, cert, certs
}

// unparsed describes the certificates of sd that could not be parsed (an
// algorithm such as Brainpool or Ed448 that Go does not implement): the
// reason a signer's certificate may be missing.
func unparsed(sd *cms.SignedData) string {
	var out string
	for i, c := range sd.Certificates {
		if c.ParseErr != nil {
			out += fmt.Sprintf("; certificate %d of the signature cannot be read: %v", i+1, c.ParseErr)
		}
	}
	return out
}

// checkSHA1 checks an adbe.pkcs7.sha1 signature: the encapsulated content
// is the SHA-1 digest of the ranges.
func (v *verifier) checkSHA1(rep *SignatureReport, sd *cms.SignedData, si *cms.SignerInfo, ranges [][2]int64) *checked {
	digest, cert, certs := v.digestAndSigner(rep, sd, si, crypto.SHA1, ranges)
	if cert == nil {
		return nil
	}
	if !sd.HasEContent || !bytes.Equal(sd.EContent, digest) {
		rep.fail(HashFailure, note(CodeSHA1DigestMismatch), "the signed SHA-1 digest is not the document's")
		return nil
	}
	if err := sd.VerifyContent(si, cert); err != nil {
		cryptoFailure(rep, err)
		return nil
	}
	c := &checked{cert: cert, pool: certs, hash: crypto.SHA1}
	checkConstraints(rep, crypto.SHA1, cert)
	return c
}

// checkDocTimestamp checks a document timestamp: the token's imprint is
// the digest of the ranges and the token's signature verifies.
func (v *verifier) checkDocTimestamp(rep *SignatureReport, sd *cms.SignedData, ranges [][2]int64) *checked {
	var readErr error
	ts, err := validateToken(sd, tstoken.Options{Imprint: func(h crypto.Hash) ([]byte, error) {
		d, err := v.digest(h, ranges)
		readErr = err
		return d, err
	}})
	if ts != nil && ts.cert != nil {
		rep.Signer = describe(ts.cert)
	}
	if ts != nil {
		rep.DigestAlgorithm = hashName(ts.hash)
	}
	switch {
	case readErr != nil:
		rep.fail(FormatFailure, note(CodeTimestampRangesUnread, "detail", readErr.Error()), "reading the timestamped ranges: %v", readErr)
		return nil
	case isCheck(err, tstoken.CheckImprint):
		rep.fail(HashFailure, note(CodeTimestampImprint), "the timestamp's message imprint is not the document's digest")
		return nil
	case err != nil:
		tokenFailure(rep, err)
		return nil
	}
	rep.Timestamp = &Timestamp{Time: reportTime(ts.info.GenTime), TSA: rep.Signer.CommonName}
	rep.ClaimedSigningTime = rep.Timestamp.Time
	checkConstraints(rep, ts.hash, ts.cert)
	return &checked{cert: ts.cert, pool: sd.ParsedCertificates(), hash: ts.hash, poe: ts.info.GenTime, tsa: rep.Signer.CommonName}
}

// isCheck reports whether err is a failure of the token check c.
func isCheck(err error, c tstoken.Check) bool {
	var te *tstoken.Error
	return errors.As(err, &te) && te.Check == c
}

// checkSignatureTimestamps validates the signature timestamp tokens over
// the signature value; the earliest valid one is the proof of existence.
func (v *verifier) checkSignatureTimestamps(rep *SignatureReport, si *cms.SignerInfo, c *checked) {
	for i, tok := range si.TimeStampTokens() {
		sd, err := cms.Parse(tok)
		if err != nil {
			rep.warn(note(CodeSigTimestampUnparsed, "n", strconv.Itoa(i+1)), "signature timestamp %d cannot be parsed; it is ignored", i+1)
			continue
		}
		ts, err := validateToken(sd, tstoken.Options{Imprint: tstoken.Data(si.Signature)})
		switch {
		case isCheck(err, tstoken.CheckImprint):
			rep.warn(note(CodeSigTimestampOther, "n", strconv.Itoa(i+1)), "signature timestamp %d is not over this signature and is ignored", i+1)
			continue
		case err != nil:
			rep.warn(note(CodeSigTimestampInvalid, "n", strconv.Itoa(i+1), "detail", err.Error()), "signature timestamp %d is not valid and is ignored: %v", i+1, err)
			continue
		}
		if err := v.tokenChain(ts); err != nil {
			rep.warn(note(CodeSigTimestampIgnored, "n", strconv.Itoa(i+1), "detail", err.Error()), "signature timestamp %d: %v; it is ignored", i+1, err)
			continue
		}
		if c.poe.IsZero() || ts.info.GenTime.Before(c.poe) {
			c.poe = ts.info.GenTime
			c.tsa = ts.cert.Subject.CommonName
			rep.Timestamp = &Timestamp{Time: reportTime(ts.info.GenTime), TSA: c.tsa}
		}
	}
}

// token is a timestamp token whose signature verified.
type token struct {
	info *cms.TSTInfo
	cert *x509.Certificate
	pool []*x509.Certificate
	hash crypto.Hash
}

// validateToken checks a timestamp token with the validator the
// timestamp client uses (internal/tstoken): signature, ESS
// signing-certificate binding, critical timeStamping EKU, and what opts
// ask. On failure the token is returned as far as it was read.
func validateToken(sd *cms.SignedData, opts tstoken.Options) (*token, error) {
	tt, err := tstoken.Validate(sd, opts)
	if tt == nil {
		return nil, err
	}
	return &token{info: tt.Info, cert: tt.Cert, pool: tt.Certs, hash: tt.Hash}, err
}

func tokenFailure(rep *SignatureReport, err error) {
	switch {
	case errors.Is(err, cms.ErrCertificateNotFound):
		rep.fail(NoSigningCertificateFound, note(CodeTSACertMissing, "detail", err.Error()), "the TSA certificate is not in the timestamp: %v", err)
	case isCheck(err, tstoken.CheckSigningCertificate):
		rep.fail(NoSigningCertificateFound, note(CodeTSACertUnbound, "detail", err.Error()), "the timestamp does not bind its TSA certificate: %v", err)
	case isCheck(err, tstoken.CheckEKU):
		rep.fail(ChainConstraintsFailure, note(CodeTSACertNotTSA, "detail", err.Error()), "the timestamp's certificate is not a TSA certificate: %v", err)
	default:
		cryptoFailure(rep, err)
	}
}

// cryptoFailure maps a CMS verification error to its sub-indication.
func cryptoFailure(rep *SignatureReport, err error) {
	switch {
	case errors.Is(err, cms.ErrDigestMismatch):
		rep.fail(HashFailure, note(CodeDigestMismatch), "the document was changed after signing: the digest of the signed bytes does not match")
	case errors.Is(err, cms.ErrSignatureInvalid):
		rep.fail(SigCryptoFailure, note(CodeSignatureValue), "the signature value does not verify with the signer's public key")
	case errors.Is(err, cms.ErrUnsupportedAlgorithm):
		rep.fail(CryptoConstraintsFailureNoPOE, note(CodeAlgorithmUnsupported, "detail", err.Error()), "the signature algorithm is not supported: %v", err)
	case errors.Is(err, tstoken.ErrNotTimestamp):
		rep.fail(FormatFailure, note(CodeSignatureFormat, "detail", err.Error()), "%v", err)
	default:
		rep.fail(FormatFailure, note(CodeSignatureMalformed, "detail", err.Error()), "the signature is malformed: %v", err)
	}
}

// checkSigningCertificate checks the ESS signing-certificate(-v2)
// attribute against the certificate that verified the signature.
func checkSigningCertificate(rep *SignatureReport, si *cms.SignerInfo, cert *x509.Certificate) bool {
	sc, err := si.SigningCertificateV2()
	if errors.Is(err, cms.ErrAttributeNotFound) {
		sc, err = si.SigningCertificate()
	}
	if errors.Is(err, cms.ErrAttributeNotFound) {
		return true
	}
	if err != nil {
		rep.fail(FormatFailure, note(CodeSigningCertAttrBad, "detail", err.Error()), "the signing-certificate attribute is malformed: %v", err)
		return false
	}
	if len(sc.Certs) == 0 || !sc.Certs[0].Matches(cert) {
		rep.fail(NoSigningCertificateFound, note(CodeSigningCertAttrOther), "the signing-certificate attribute does not identify the certificate that verifies the signature")
		return false
	}
	return true
}

// checkConstraints applies the cryptographic constraints: SHA-1 and RSA
// keys under 2048 bits cannot be trusted without a proof of existence from
// before they were retired.
func checkConstraints(rep *SignatureReport, h crypto.Hash, cert *x509.Certificate) {
	if h == crypto.SHA1 || h == crypto.MD5 {
		rep.fail(CryptoConstraintsFailureNoPOE, note(CodeDigestWeak, "hash", hashName(h)), "the digest algorithm %s is no longer considered secure", hashName(h))
	}
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			rep.fail(CryptoConstraintsFailureNoPOE, note(CodeRSAKeyShort, "bits", strconv.Itoa(k.N.BitLen())), "the signer's RSA key has %d bits, fewer than 2048", k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k.Curve.Params().BitSize < 256 {
			rep.fail(CryptoConstraintsFailureNoPOE, note(CodeECKeyShort, "bits", strconv.Itoa(k.Curve.Params().BitSize)), "the signer's EC key has %d bits, fewer than 256", k.Curve.Params().BitSize)
		}
	}
}

func hashName(h crypto.Hash) string {
	switch h {
	case crypto.SHA1:
		return "SHA-1"
	case crypto.SHA256:
		return "SHA-256"
	case crypto.SHA384:
		return "SHA-384"
	case crypto.SHA512:
		return "SHA-512"
	}
	return h.String()
}

// level returns the PAdES baseline level the signature conforms to: B;
// T with a signature timestamp (or a document timestamp over it); LT when
// its validation data is all in the document; LTA when a document
// timestamp also covers that data.
func (v *verifier) level(rep *SignatureReport, si *cms.SignerInfo, s *sigDict, c *checked) Level {
	if rep.SubFilter != "ETSI.CAdES.detached" {
		return NoBaseline
	}
	if _, ok := si.SigningTime(); ok {
		rep.warn(note(CodeSigningTimeAttr), "the CMS carries a signingTime attribute, which PAdES baseline signatures must not: the level is NONE")
		return NoBaseline
	}
	if _, err := si.SigningCertificateV2(); err != nil {
		if _, err1 := si.SigningCertificate(); err1 != nil {
			rep.warn(note(CodeNoSigningCertAttr), "the CMS has no signing-certificate attribute, which PAdES requires: the level is NONE")
			return NoBaseline
		}
	}
	if c.poe.IsZero() {
		return BaselineB
	}
	if c.online || v.dssRevision <= s.revision || rep.Indication != TotalPassed {
		return BaselineT
	}
	for _, ts := range v.docTS {
		if ts.revision > v.dssRevision {
			return BaselineLTA
		}
	}
	return BaselineLT
}
