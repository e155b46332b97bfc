package tsa_test

import (
	"context"
	"crypto"
	"crypto/sha256"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/tsa"
)

// Example asks a timestamp authority for a token over a digest; every
// answer is checked before it is returned.
func Example() {
	// A throwaway TSA for the example; in production, the URLs of the
	// regency's TSAs and the roots their certificates chain to.
	pki, err := testpki.New(testpki.Options{})
	if err != nil {
		log.Fatal(err)
	}
	id, err := pki.IssueTSA(testpki.SignerOptions{})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(testpki.NewTSA(id, testpki.TSAOptions{}))
	defer srv.Close()

	client, err := tsa.New(tsa.Options{URLs: []string{srv.URL}, Roots: pki.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	digest := sha256.Sum256([]byte("Surat Keputusan Bupati Serang"))
	tok, err := client.Request(context.Background(), digest[:], crypto.SHA256)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("stamped by", tok.Certificate.Subject.CommonName)
	// Output: stamped by Segel Test Timestamp Authority
}
