package testpki_test

import (
	"crypto/x509"
	"fmt"
	"log"
	"time"

	"github.com/segel-id/segel/testpki"
	"golang.org/x/crypto/ocsp"
)

func Example() {
	p, err := testpki.New(testpki.Options{})
	if err != nil {
		log.Fatal(err)
	}
	signer, err := p.IssueSigner(testpki.SignerOptions{NonRepudiation: true, DocumentSigning: true})
	if err != nil {
		log.Fatal(err)
	}
	chains, err := signer.Cert.Verify(x509.VerifyOptions{
		Roots:         p.Roots(),
		Intermediates: p.Intermediates(),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range chains[0] {
		fmt.Println(c.Subject.CommonName)
	}

	if err := p.Revoke(signer.Cert, time.Time{}, ocsp.KeyCompromise); err != nil {
		log.Fatal(err)
	}
	der, err := p.OCSPResponseFor(signer.Cert, time.Time{})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := ocsp.ParseResponseForCert(der, signer.Cert, p.Issuing.Cert)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("revoked:", resp.Status == ocsp.Revoked)
	// Output:
	// Segel Test Signer
	// Segel Test CA DS G1
	// Segel Test Root CA
	// revoked: true
}
