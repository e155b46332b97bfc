package tstoken_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"math/big"
	"slices"
	"sync"
	"testing"

	"github.com/segel-id/segel/internal/cms"
	"github.com/segel-id/segel/internal/oids"
	"github.com/segel-id/segel/internal/tstoken"
	"github.com/segel-id/segel/testpki"
)

type world struct {
	pki          *testpki.PKI
	tsa, notTSA  *testpki.Identity
	good, signer *testpki.TSA
}

var shared = sync.OnceValues(func() (*world, error) {
	p, err := testpki.New(testpki.Options{Name: "Segel Token Test"})
	if err != nil {
		return nil, err
	}
	tsaID, err := p.IssueTSA(testpki.SignerOptions{KeyType: testpki.ECDSAP256})
	if err != nil {
		return nil, err
	}
	// A signer certificate that also lists timeStamping, non-critically.
	notTSA, err := p.IssueSigner(testpki.SignerOptions{KeyType: testpki.ECDSAP256,
		ExtKeyUsages: []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}}})
	if err != nil {
		return nil, err
	}
	return &world{pki: p, tsa: tsaID, notTSA: notTSA,
		good: testpki.NewTSA(tsaID, testpki.TSAOptions{}), signer: testpki.NewTSA(notTSA, testpki.TSAOptions{})}, nil
})

func worldFor(t *testing.T) *world {
	t.Helper()
	w, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	return w
}

type tsReq struct {
	Version        int
	MessageImprint struct {
		HashAlgorithm struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue `asn1:"optional"`
		}
		HashedMessage []byte
	}
	Nonce   *big.Int `asn1:"optional"`
	CertReq bool     `asn1:"optional,default:false"`
}

var digest = func() []byte { s := sha256.Sum256([]byte("stamped")); return s[:] }()

// token asks tsa for a token over digest, with nonce when not nil.
func token(t *testing.T, tsa *testpki.TSA, nonce *big.Int) *cms.SignedData {
	t.Helper()
	var req tsReq
	req.Version = 1
	req.MessageImprint.HashAlgorithm.Algorithm = oids.SHA256
	req.MessageImprint.HashedMessage = digest
	req.Nonce = nonce
	req.CertReq = true
	der, err := asn1.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := tsa.Respond(context.Background(), der)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Status asn1.RawValue
		Token  asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(resp, &r); err != nil || len(r.Token.FullBytes) == 0 {
		t.Fatalf("TSA answer: %v", err)
	}
	sd, err := cms.Parse(r.Token.FullBytes)
	if err != nil {
		t.Fatal(err)
	}
	return sd
}

func wantCheck(t *testing.T, err error, c tstoken.Check) {
	t.Helper()
	var te *tstoken.Error
	if !errors.As(err, &te) || te.Check != c {
		t.Fatalf("error %v, want a failure of the %s check", err, c)
	}
	if !errors.Is(err, tstoken.ErrInvalid) {
		t.Errorf("%v does not wrap ErrInvalid", err)
	}
}

var policy = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}

func TestValidateGood(t *testing.T) {
	w := worldFor(t)
	sd := token(t, w.good, big.NewInt(42))
	tok, err := tstoken.Validate(sd, tstoken.Options{Hash: crypto.SHA256, Imprint: tstoken.Digest(digest), Nonce: big.NewInt(42), Policy: policy})
	if err != nil {
		t.Fatal(err)
	}
	if !tok.Cert.Equal(w.tsa.Cert) || tok.Hash != crypto.SHA256 || tok.Info == nil {
		t.Errorf("token %+v", tok)
	}
	if _, err := tstoken.Validate(sd, tstoken.Options{Imprint: tstoken.Data([]byte("stamped"))}); err != nil {
		t.Errorf("Data imprint: %v", err)
	}
}

// TestValidateEachCheck makes each check fail in turn.
func TestValidateEachCheck(t *testing.T) {
	w := worldFor(t)
	fresh := func() (*cms.SignedData, *cms.SignerInfo) {
		sd := token(t, w.good, nil)
		si := *sd.SignerInfos[0]
		sd.SignerInfos = []*cms.SignerInfo{&si}
		return sd, &si
	}
	t.Run("format: not a TSTInfo", func(t *testing.T) {
		sd, _ := fresh()
		sd.EContentType = oids.Data
		_, err := tstoken.Validate(sd, tstoken.Options{})
		wantCheck(t, err, tstoken.CheckFormat)
		if !errors.Is(err, tstoken.ErrNotTimestamp) {
			t.Errorf("%v is not ErrNotTimestamp", err)
		}
	})
	t.Run("format: two signers", func(t *testing.T) {
		sd, si := fresh()
		sd.SignerInfos = append(sd.SignerInfos, si)
		_, err := tstoken.Validate(sd, tstoken.Options{})
		wantCheck(t, err, tstoken.CheckFormat)
	})
	t.Run("signer certificate missing", func(t *testing.T) {
		sd, _ := fresh()
		sd.Certificates = nil
		_, err := tstoken.Validate(sd, tstoken.Options{})
		wantCheck(t, err, tstoken.CheckSigner)
		if !errors.Is(err, cms.ErrCertificateNotFound) {
			t.Errorf("%v is not ErrCertificateNotFound", err)
		}
	})
	t.Run("signature", func(t *testing.T) {
		sd, si := fresh()
		si.Signature = bytes.Clone(si.Signature)
		si.Signature[len(si.Signature)-3] ^= 1
		tok, err := tstoken.Validate(sd, tstoken.Options{})
		wantCheck(t, err, tstoken.CheckSignature)
		if !errors.Is(err, cms.ErrSignatureInvalid) || tok == nil || tok.Cert == nil {
			t.Errorf("%v, token %+v", err, tok)
		}
	})
	// The ESS checks read the parsed attributes; the signature covers
	// the raw ones, so editing the parsed list isolates the check.
	withoutESS := func(si *cms.SignerInfo) {
		si.SignedAttrs = slices.DeleteFunc(slices.Clone(si.SignedAttrs), func(a cms.Attribute) bool {
			return a.Type.Equal(oids.SigningCertificateV2) || a.Type.Equal(oids.SigningCertificate)
		})
	}
	t.Run("signing-certificate missing", func(t *testing.T) {
		sd, si := fresh()
		withoutESS(si)
		_, err := tstoken.Validate(sd, tstoken.Options{})
		wantCheck(t, err, tstoken.CheckSigningCertificate)
	})
	t.Run("signing-certificate names another certificate", func(t *testing.T) {
		sd, si := fresh()
		withoutESS(si)
		// The signing-certificate-v2 of another TSA token, naming its
		// certificate.
		other := token(t, w.signer, nil).SignerInfos[0]
		a, _ := other.SignedAttribute(oids.SigningCertificateV2)
		si.SignedAttrs = append(si.SignedAttrs, a)
		_, err := tstoken.Validate(sd, tstoken.Options{})
		wantCheck(t, err, tstoken.CheckSigningCertificate)
	})
	t.Run("EKU not critical", func(t *testing.T) {
		_, err := tstoken.Validate(token(t, w.signer, nil), tstoken.Options{})
		wantCheck(t, err, tstoken.CheckEKU)
	})
	t.Run("imprint", func(t *testing.T) {
		sd, _ := fresh()
		_, err := tstoken.Validate(sd, tstoken.Options{Imprint: tstoken.Data([]byte("other"))})
		wantCheck(t, err, tstoken.CheckImprint)
	})
	t.Run("imprint hash", func(t *testing.T) {
		sd, _ := fresh()
		_, err := tstoken.Validate(sd, tstoken.Options{Hash: crypto.SHA384})
		wantCheck(t, err, tstoken.CheckImprint)
	})
	t.Run("nonce absent", func(t *testing.T) {
		sd, _ := fresh()
		_, err := tstoken.Validate(sd, tstoken.Options{Nonce: big.NewInt(7)})
		wantCheck(t, err, tstoken.CheckNonce)
	})
	t.Run("nonce other", func(t *testing.T) {
		_, err := tstoken.Validate(token(t, w.good, big.NewInt(8)), tstoken.Options{Nonce: big.NewInt(7)})
		wantCheck(t, err, tstoken.CheckNonce)
	})
	t.Run("policy", func(t *testing.T) {
		sd, _ := fresh()
		_, err := tstoken.Validate(sd, tstoken.Options{Policy: asn1.ObjectIdentifier{1, 2, 3}})
		wantCheck(t, err, tstoken.CheckPolicy)
	})
	t.Run("nil", func(t *testing.T) {
		_, err := tstoken.Validate(nil, tstoken.Options{})
		wantCheck(t, err, tstoken.CheckFormat)
	})
}
