package softhsmtest_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/pkcs11"
)

func TestToken(t *testing.T) {
	tok := softhsmtest.New(t, "Kab. Sleman; 1", "p&n=1 2")
	pub := tok.GenerateKey(t, "signer/1", "ec-p256")

	self, _ := ecdsa.GenerateKey(pub.(*ecdsa.PublicKey).Curve, rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CA"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, self.Public(), self)
	ca, _ := x509.ParseCertificate(caDER)
	leafDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(2),
		Subject: pkix.Name{CommonName: "signer"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}, ca, pub, self)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(leafDER)
	tok.ImportCert(t, "signer/1", leaf, ca)

	k, err := pkcs11.Open(context.Background(), tok.KeyURI("signer/1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if len(k.Chain()) != 2 {
		t.Fatalf("chain of %d", len(k.Chain()))
	}
	d := sha256.Sum256([]byte("x"))
	sig, err := k.Sign(rand.Reader, d[:], crypto.SHA256)
	if err != nil || !ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), d[:], sig) {
		t.Fatalf("sign: %v", err)
	}
}
