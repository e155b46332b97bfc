package revocation_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/segel-id/segel/revocation"
)

// The verifier's use: check a signer's certificate online, then branch on
// the kind of failure. The signer keeps st.Raw (and st.Responder) for the
// PDF's DSS.
func Example() {
	// A throwaway CA, its OCSP responder and a certificate naming it.
	ca, caKey := newCA("Example CA")
	responder := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := ocsp.ParseRequest(body)
		if err != nil {
			w.Write(ocsp.MalformedRequestErrorResponse)
			return
		}
		now := time.Now()
		resp, _ := ocsp.CreateResponse(ca, ca, ocsp.Response{
			Status: ocsp.Good, SerialNumber: req.SerialNumber,
			ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour),
		}, caKey)
		w.Write(resp)
	}))
	defer responder.Close()
	cert := newCert(ca, caKey, responder.URL)

	checker := revocation.New(revocation.Options{Timeout: 5 * time.Second})
	st, err := checker.Check(context.Background(), cert, ca)
	switch {
	case errors.Is(err, revocation.ErrNoSources):
		fmt.Println("warning: the certificate names no OCSP responder or CRL")
	case errors.Is(err, revocation.ErrInvalidResponse):
		fmt.Println("INDETERMINATE: revocation data failed its checks:", err)
	case errors.Is(err, revocation.ErrUnavailable), errors.Is(err, revocation.ErrOffline):
		fmt.Println("INDETERMINATE/TRY_LATER:", err)
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println(st.State, "from", st.Source)
	}
	// Output: good from ocsp
}

func newCA(cn string) (*x509.Certificate, crypto.Signer) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}
	return cert, key
}

func newCert(ca *x509.Certificate, caKey crypto.Signer, ocspURL string) *x509.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Pejabat Contoh"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, OCSPServer: []string{ocspURL},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}
	return cert
}
