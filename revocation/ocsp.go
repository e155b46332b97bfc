package revocation

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/segel-id/segel/internal/oids"
)

// The OCSP structures of RFC 6960, section 4. golang.org/x/crypto/ocsp
// defines them too but does not export them, and its ParseResponseForCert
// matches a response to a certificate by serial number only, checks only the
// first embedded certificate and not its id-kp-OCSPSigning EKU, and drops the
// response extensions that carry the nonce. Segel needs all of that, so it
// decodes the response itself; x/crypto/ocsp still names the response
// statuses and signs the responses of the tests.

type certID struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	NameHash      []byte
	IssuerKeyHash []byte
	SerialNumber  *big.Int
}

type ocspRequest struct {
	TBSRequest tbsRequest
}

type tbsRequest struct {
	Version           int `asn1:"explicit,tag:0,default:0,optional"`
	RequestList       []singleRequest
	RequestExtensions []pkix.Extension `asn1:"explicit,tag:2,optional"`
}

type singleRequest struct {
	Cert certID
}

type responseASN1 struct {
	Status   asn1.Enumerated
	Response responseBytes `asn1:"explicit,tag:0,optional"`
}

type responseBytes struct {
	ResponseType asn1.ObjectIdentifier
	Response     []byte
}

type basicResponse struct {
	TBSResponseData    responseData
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          asn1.BitString
	Certificates       []asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type responseData struct {
	Raw                asn1.RawContent
	Version            int `asn1:"optional,default:0,explicit,tag:0"`
	RawResponderID     asn1.RawValue
	ProducedAt         time.Time `asn1:"generalized"`
	Responses          []singleResponse
	ResponseExtensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type singleResponse struct {
	CertID           certID
	Good             asn1.Flag        `asn1:"tag:0,optional"`
	Revoked          revokedInfo      `asn1:"tag:1,optional"`
	Unknown          asn1.Flag        `asn1:"tag:2,optional"`
	ThisUpdate       time.Time        `asn1:"generalized"`
	NextUpdate       time.Time        `asn1:"generalized,explicit,tag:0,optional"`
	SingleExtensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type revokedInfo struct {
	RevocationTime time.Time       `asn1:"generalized"`
	Reason         asn1.Enumerated `asn1:"explicit,tag:0,optional"`
}

// nonceSize is the size of the nonces Segel sends: RFC 8954 asks for 1 to 32
// bytes and recommends at least 16 (some responders reject longer ones).
const nonceSize = 16

func hashFromOID(oid asn1.ObjectIdentifier) crypto.Hash {
	switch {
	case oid.Equal(oids.SHA1):
		return crypto.SHA1
	case oid.Equal(oids.SHA256):
		return crypto.SHA256
	case oid.Equal(oids.SHA384):
		return crypto.SHA384
	case oid.Equal(oids.SHA512):
		return crypto.SHA512
	}
	return 0
}

// issuerHashes returns the hashes of the issuer's name and public key (the
// BIT STRING contents of its SubjectPublicKeyInfo) that identify it in an
// OCSP CertID.
func issuerHashes(issuer *x509.Certificate, h crypto.Hash) (name, key []byte, err error) {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(issuer.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil, nil, fmt.Errorf("issuer public key: %w", err)
	}
	if !h.Available() {
		return nil, nil, fmt.Errorf("hash %v not available", h)
	}
	hh := h.New()
	hh.Write(issuer.RawSubject)
	name = hh.Sum(nil)
	hh.Reset()
	hh.Write(spki.PublicKey.RightAlign())
	key = hh.Sum(nil)
	return name, key, nil
}

// newOCSPRequest returns the DER OCSP request for cert, identified with
// SHA-1 (which every responder understands; the hash only names the issuer),
// and the nonce it carries, if any.
func newOCSPRequest(cert, issuer *x509.Certificate, withNonce bool) (der, nonce []byte, err error) {
	nameHash, keyHash, err := issuerHashes(issuer, crypto.SHA1)
	if err != nil {
		return nil, nil, err
	}
	req := ocspRequest{TBSRequest: tbsRequest{
		RequestList: []singleRequest{{Cert: certID{
			HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oids.SHA1, Parameters: asn1.NullRawValue},
			NameHash:      nameHash,
			IssuerKeyHash: keyHash,
			SerialNumber:  cert.SerialNumber,
		}}},
	}}
	if withNonce {
		nonce = make([]byte, nonceSize)
		if _, err := rand.Read(nonce); err != nil {
			return nil, nil, err
		}
		// RFC 8954: the extension's value is an OCTET STRING holding the nonce.
		v, err := asn1.Marshal(nonce)
		if err != nil {
			return nil, nil, err
		}
		req.TBSRequest.RequestExtensions = []pkix.Extension{{Id: oids.OCSPNonce, Value: v}}
	}
	der, err = asn1.Marshal(req)
	return der, nonce, err
}

// CheckOCSPResponse checks the DER OCSP response der as an answer about cert,
// issued by issuer, and returns the status it gives. It checks that:
//
//   - the response is successful and of the basic type;
//   - it has a single response whose CertID matches cert's serial number and
//     the issuer's name and key hashes;
//   - it is signed by the issuer, or by a certificate the issuer issued with
//     the id-kp-OCSPSigning extended key usage, valid when the response was
//     produced (anyone else's signature is rejected);
//   - thisUpdate and nextUpdate cover opts.CurrentTime;
//   - a nonce in the response, if opts.Nonce is set, matches it;
//   - no critical extension is left unprocessed.
//
// An unsuccessful response (tryLater, …) yields ErrUnavailable and any failed
// check ErrInvalidResponse, both in a [*SourceError].
//
// WARNING: this function does not check the revocation status of a
// delegated responder's own certificate ([Status.Responder]); the caller
// does so unless that certificate has the id-pkix-ocsp-nocheck extension.
func CheckOCSPResponse(der []byte, cert, issuer *x509.Certificate, opts *VerifyOptions) (*Status, error) {
	st, err := checkOCSP(der, cert, issuer, opts)
	if err != nil {
		err.Source = OCSP
		return nil, err
	}
	return st, nil
}

func checkOCSP(der []byte, cert, issuer *x509.Certificate, opts *VerifyOptions) (*Status, *SourceError) {
	if err := checkPair(cert, issuer); err != nil {
		return nil, err
	}
	var resp responseASN1
	if rest, err := asn1.Unmarshal(der, &resp); err != nil {
		return nil, invalid("malformed OCSP response: %s", asn1Error(err))
	} else if len(rest) > 0 {
		return nil, invalid("trailing data after OCSP response")
	}
	if status := ocsp.ResponseStatus(resp.Status); status != ocsp.Success {
		return nil, unavailable(fmt.Errorf("responder answered %q", status.String()))
	}
	if !resp.Response.ResponseType.Equal(oids.OCSPBasic) {
		return nil, invalid("unsupported OCSP response type %v", resp.Response.ResponseType)
	}
	var basic basicResponse
	if rest, err := asn1.Unmarshal(resp.Response.Response, &basic); err != nil {
		return nil, invalid("malformed basic OCSP response: %s", asn1Error(err))
	} else if len(rest) > 0 {
		return nil, invalid("trailing data after basic OCSP response")
	}
	tbs := &basic.TBSResponseData
	if tbs.Version != 0 {
		return nil, invalid("unsupported OCSP response version %d", tbs.Version+1)
	}

	single, err := findSingleResponse(tbs.Responses, cert, issuer)
	if err != nil {
		return nil, err
	}
	for _, ext := range single.SingleExtensions {
		if ext.Critical {
			return nil, invalid("unsupported critical extension %v in single response", ext.Id)
		}
	}
	var nonce *pkix.Extension
	for i, ext := range tbs.ResponseExtensions {
		if ext.Id.Equal(oids.OCSPNonce) {
			nonce = &tbs.ResponseExtensions[i]
		} else if ext.Critical {
			return nil, invalid("unsupported critical extension %v in response", ext.Id)
		}
	}

	responder, err := checkOCSPSignature(&basic, issuer, opts.skew())
	if err != nil {
		return nil, err
	}

	st := &Status{
		ThisUpdate: single.ThisUpdate,
		NextUpdate: single.NextUpdate,
		ProducedAt: tbs.ProducedAt,
		Source:     OCSP,
		Raw:        der,
		Responder:  responder,
	}
	switch {
	case bool(single.Good) && !bool(single.Unknown) && single.Revoked.RevocationTime.IsZero():
		st.State = Good
	case bool(single.Unknown) && !bool(single.Good) && single.Revoked.RevocationTime.IsZero():
		st.State = Unknown
	case !bool(single.Good) && !bool(single.Unknown) && !single.Revoked.RevocationTime.IsZero():
		st.State = Revoked
		st.RevokedAt = single.Revoked.RevocationTime
		st.Reason = int(single.Revoked.Reason)
	default:
		return nil, invalid("malformed certificate status")
	}

	if err := checkWindow(st.ThisUpdate, st.NextUpdate, opts); err != nil {
		return nil, err
	}
	if opts != nil && opts.Nonce != nil && nonce != nil {
		want, _ := asn1.Marshal(opts.Nonce)
		// Some responders echo the bare nonce instead of RFC 8954's OCTET
		// STRING; either is the nonce we sent.
		if !bytes.Equal(nonce.Value, want) && !bytes.Equal(nonce.Value, opts.Nonce) {
			return nil, invalid("nonce does not match the request's")
		}
	}
	return st, nil
}

// asn1Error shortens encoding/asn1's errors, whose structural ones dump
// the Go field parameters.
func asn1Error(err error) string {
	var se asn1.StructuralError
	if errors.As(err, &se) {
		if i := strings.Index(se.Msg, " ("); i > 0 {
			return se.Msg[:i]
		}
		return se.Msg
	}
	return strings.TrimPrefix(err.Error(), "asn1: ")
}

// checkPair checks that cert names issuer as its issuer.
func checkPair(cert, issuer *x509.Certificate) *SourceError {
	if cert == nil || issuer == nil {
		return &SourceError{Kind: ErrInvalidResponse, Err: errors.New("nil certificate or issuer")}
	}
	if !bytes.Equal(cert.RawIssuer, issuer.RawSubject) {
		return &SourceError{Kind: ErrInvalidResponse, Err: fmt.Errorf("certificate serial %s is issued by %q, not by %q",
			serialString(cert), cert.Issuer, issuer.Subject)}
	}
	return nil
}

// findSingleResponse returns the response about cert: same serial number,
// same issuer name and key hashes. A responder may answer for several
// certificates; matching the serial alone would accept an answer about
// another CA's certificate with the same serial.
func findSingleResponse(responses []singleResponse, cert, issuer *x509.Certificate) (*singleResponse, *SourceError) {
	if len(responses) == 0 {
		return nil, invalid("no single response")
	}
	otherIssuer := false
	for i := range responses {
		r := &responses[i]
		if r.CertID.SerialNumber == nil || r.CertID.SerialNumber.Cmp(cert.SerialNumber) != 0 {
			continue
		}
		h := hashFromOID(r.CertID.HashAlgorithm.Algorithm)
		if h == 0 {
			otherIssuer = true
			continue
		}
		name, key, err := issuerHashes(issuer, h)
		if err != nil {
			return nil, invalid("%v", err)
		}
		if bytes.Equal(r.CertID.NameHash, name) && bytes.Equal(r.CertID.IssuerKeyHash, key) {
			return r, nil
		}
		otherIssuer = true
	}
	if otherIssuer {
		return nil, invalid("response is for serial %s of another issuer (issuer name or key hash differs)", serialString(cert))
	}
	return nil, invalid("response is for another certificate (no response for serial %s)", serialString(cert))
}

// checkOCSPSignature checks that the response is signed by issuer or by a
// responder issuer authorised, and returns the delegated responder's
// certificate (nil when issuer signed).
func checkOCSPSignature(basic *basicResponse, issuer *x509.Certificate, skew time.Duration) (*x509.Certificate, *SourceError) {
	alg := signatureAlgorithm(basic.SignatureAlgorithm)
	if alg == x509.UnknownSignatureAlgorithm {
		return nil, invalid("unsupported signature algorithm %v", basic.SignatureAlgorithm.Algorithm)
	}
	if basic.Signature.BitLength%8 != 0 {
		return nil, invalid("malformed signature")
	}
	tbs, sig := basic.TBSResponseData.Raw, basic.Signature.Bytes

	issuerErr := issuer.CheckSignature(alg, tbs, sig)
	if issuerErr == nil {
		return nil, nil
	}
	if len(basic.Certificates) > maxResponseCerts {
		return nil, invalid("%d certificates in response, more than %d", len(basic.Certificates), maxResponseCerts)
	}
	for _, raw := range basic.Certificates {
		c, err := x509.ParseCertificate(raw.FullBytes)
		if err != nil {
			continue // not the signer: it cannot verify anything
		}
		if c.CheckSignature(alg, tbs, sig) != nil {
			continue
		}
		// c signed the response: it must be a responder authorised by issuer.
		if err := authorisedResponder(c, issuer, basic.TBSResponseData.ProducedAt, skew); err != nil {
			return nil, invalid("signed by %q, which is not an OCSP responder authorised by %q: %v",
				c.Subject, issuer.Subject, err)
		}
		return c, nil
	}
	return nil, invalid("signature verifies neither with the issuer's key (%v) nor with an embedded responder certificate (responder %s)",
		issuerErr, responderIDString(basic.TBSResponseData.RawResponderID))
}

// maxResponseCerts bounds the certificates parsed from one OCSP response:
// responders send one, sometimes its chain.
const maxResponseCerts = 8

// authorisedResponder checks a delegated responder certificate (RFC 6960,
// section 4.2.2.2): issued by issuer, with id-kp-OCSPSigning, valid when the
// response was produced.
func authorisedResponder(c, issuer *x509.Certificate, producedAt time.Time, skew time.Duration) error {
	if !bytes.Equal(c.RawIssuer, issuer.RawSubject) {
		return fmt.Errorf("it is issued by %q", c.Issuer)
	}
	if err := c.CheckSignatureFrom(issuer); err != nil {
		return fmt.Errorf("it is not signed by the issuer: %w", err)
	}
	eku := false
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageOCSPSigning {
			eku = true
		}
	}
	if !eku {
		return errors.New("it lacks the id-kp-OCSPSigning extended key usage")
	}
	if producedAt.Before(c.NotBefore.Add(-skew)) || producedAt.After(c.NotAfter.Add(skew)) {
		return fmt.Errorf("it was not valid at producedAt %s", producedAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// hasNoCheck reports whether c carries id-pkix-ocsp-nocheck.
func hasNoCheck(c *x509.Certificate) bool {
	for _, ext := range c.Extensions {
		if ext.Id.Equal(oids.OCSPNoCheck) {
			return true
		}
	}
	return false
}

func responderIDString(id asn1.RawValue) string {
	switch id.Tag {
	case 1:
		var rdn pkix.RDNSequence
		if _, err := asn1.Unmarshal(id.Bytes, &rdn); err == nil {
			var n pkix.Name
			n.FillFromRDNSequence(&rdn)
			return fmt.Sprintf("%q", n.String())
		}
	case 2:
		var kh []byte
		if _, err := asn1.Unmarshal(id.Bytes, &kh); err == nil {
			return fmt.Sprintf("key hash %x", kh)
		}
	}
	return "unidentified"
}

// signatureAlgorithm maps an AlgorithmIdentifier to crypto/x509's name for
// it. SHA-1 algorithms map too, so that crypto/x509 rejects them with a
// clear error.
func signatureAlgorithm(ai pkix.AlgorithmIdentifier) x509.SignatureAlgorithm {
	switch oid := ai.Algorithm; {
	case oid.Equal(oids.SHA1WithRSA):
		return x509.SHA1WithRSA
	case oid.Equal(oids.SHA256WithRSA):
		return x509.SHA256WithRSA
	case oid.Equal(oids.SHA384WithRSA):
		return x509.SHA384WithRSA
	case oid.Equal(oids.SHA512WithRSA):
		return x509.SHA512WithRSA
	case oid.Equal(oids.ECDSAWithSHA1):
		return x509.ECDSAWithSHA1
	case oid.Equal(oids.ECDSAWithSHA256):
		return x509.ECDSAWithSHA256
	case oid.Equal(oids.ECDSAWithSHA384):
		return x509.ECDSAWithSHA384
	case oid.Equal(oids.ECDSAWithSHA512):
		return x509.ECDSAWithSHA512
	case oid.Equal(oids.Ed25519):
		return x509.PureEd25519
	case oid.Equal(oids.RSAPSS):
		var params struct {
			Hash pkix.AlgorithmIdentifier `asn1:"explicit,tag:0"`
		}
		if _, err := asn1.Unmarshal(ai.Parameters.FullBytes, &params); err != nil {
			return x509.UnknownSignatureAlgorithm
		}
		switch hashFromOID(params.Hash.Algorithm) {
		case crypto.SHA256:
			return x509.SHA256WithRSAPSS
		case crypto.SHA384:
			return x509.SHA384WithRSAPSS
		case crypto.SHA512:
			return x509.SHA512WithRSAPSS
		}
	}
	return x509.UnknownSignatureAlgorithm
}
