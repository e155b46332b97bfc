package cms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// negativeSerialCert returns a CA and a certificate it issued whose serial
// number is negative, as old CA software wrote them: the TBSCertificate of
// a normal certificate with the serial replaced, signed again by the CA.
func negativeSerialCert(t *testing.T) (ca *x509.Certificate, der []byte) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Old CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ = x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x7f7f), Subject: pkix.Name{CommonName: "Signer"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	good, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	// Rebuild the TBSCertificate with serial 0x8f7f (negative: -28801).
	in := cryptobyte.String(good)
	var cert, tbs, sigAlg cryptobyte.String
	in.ReadASN1(&cert, cbasn1.SEQUENCE)
	cert.ReadASN1(&tbs, cbasn1.SEQUENCE)
	cert.ReadASN1Element(&sigAlg, cbasn1.SEQUENCE)
	var version, serial cryptobyte.String
	tbs.ReadASN1Element(&version, cbasn1.Tag(0).Constructed().ContextSpecific())
	tbs.ReadASN1(&serial, cbasn1.INTEGER)
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(version)
		b.AddASN1(cbasn1.INTEGER, func(b *cryptobyte.Builder) { b.AddBytes([]byte{0x8f, 0x7f}) })
		b.AddBytes(tbs)
	})
	newTBS := tb.BytesOrPanic()
	sum := sha256.Sum256(newTBS)
	sig, err := caKey.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var cb cryptobyte.Builder
	cb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(newTBS)
		b.AddBytes(sigAlg)
		b.AddASN1BitString(sig)
	})
	return ca, cb.BytesOrPanic()
}

func TestParseCertificateNegativeSerial(t *testing.T) {
	ca, der := negativeSerialCert(t)
	if _, err := x509.ParseCertificate(der); err == nil {
		t.Skip("this Go accepts negative serial numbers by default")
	}
	c, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if c.SerialNumber.Cmp(big.NewInt(-28801)) != 0 {
		t.Errorf("serial %v, want -28801", c.SerialNumber)
	}
	if string(c.Raw) != string(der) {
		t.Error("Raw is not the original certificate")
	}
	if err := c.CheckSignatureFrom(ca); err != nil {
		t.Errorf("the CA's signature no longer verifies: %v", err)
	}
	// Anything else that Go refuses still fails.
	if _, err := ParseCertificate([]byte{0x30, 0x03, 0x02, 0x01, 0x01}); err == nil {
		t.Error("garbage parsed")
	}
	_ = asn1.NullRawValue
}
