package trust_test

import (
	"crypto/x509"
	"fmt"
	"log"
	"time"

	"github.com/segel-id/segel/trust"
)

func ExamplePool() {
	// Start from the national bundle, as `segel verify` does without
	// --no-default-trust, then add the operator's --trust files.
	pool, err := trust.National()
	if err != nil {
		log.Fatal(err)
	}
	extra := []byte("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n")
	added, warnings := pool.AddPEM(extra, "operator.pem") // or pool.Load(paths...)
	fmt.Println("added:", added)
	for _, w := range warnings {
		fmt.Println("warning:", w)
	}

	for _, c := range pool.Anchors() {
		source, _ := pool.Source(c)
		fmt.Printf("anchor: %s (%s)\n", c.Subject.CommonName, source)
	}

	bsre := pool.Intermediates()[0]
	chains, err := bsre.Verify(x509.VerifyOptions{
		Roots:       pool.CertPool(),
		CurrentTime: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(chains[0][0].Subject.CommonName, "->", chains[0][1].Subject.CommonName)
	// Output:
	// added: 0
	// warning: operator.pem: PEM block 1: skipped: x509: malformed certificate
	// anchor: Root CA Indonesia DS G1 (national bundle)
	// BSRE CA DS G1 -> Root CA Indonesia DS G1
}
