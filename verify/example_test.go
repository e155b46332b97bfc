package verify_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"

	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/verify"
)

// exampleLetter returns a letter signed by a throwaway test PKI, and the
// PKI's root certificate. In real use the PDF comes from the citizen or
// the e-office, and the root from trust.National or `--trust` files.
func exampleLetter() ([]byte, *x509.Certificate) {
	pki, err := testpki.New(testpki.Options{})
	if err != nil {
		panic(err)
	}
	id, err := pki.IssueSigner(testpki.SignerOptions{Subject: pkix.Name{CommonName: "Budi Santoso"}})
	if err != nil {
		panic(err)
	}
	var letter, signed bytes.Buffer
	if err := writeLetterPDF(&letter, 0); err != nil {
		panic(err)
	}
	_, err = signer.Sign(context.Background(), bytes.NewReader(letter.Bytes()), int64(letter.Len()), &signed,
		&signer.Options{Signer: id.Key, Certificate: id.Cert, Chain: id.Chain, Reason: "Disetujui"})
	if err != nil {
		panic(err)
	}
	return signed.Bytes(), pki.Root.Cert
}

func ExampleVerify() {
	pdf, root := exampleLetter()

	// Trust anchors: here the test root; in production trust.National()
	// and the operator's files (pool.Load).
	pool := trust.NewPool()
	pool.AddCert(root, "root.pem")

	rep, err := verify.Verify(context.Background(), bytes.NewReader(pdf), int64(len(pdf)), &verify.Options{
		Trust:   pool,
		Offline: true, // use only the revocation data inside the PDF
	})
	if err != nil {
		fmt.Println("not a PDF:", err)
		return
	}
	fmt.Println("document:", rep.Indication)
	for _, s := range rep.Signatures {
		fmt.Printf("%s: %s by %s (%s), reason %q, covers the whole document: %v\n",
			s.Field, s.Indication, s.Signer.CommonName, s.Level, s.Reason, s.CoversWholeDocument)
	}

	// One byte changed after signing.
	pdf[100] ^= 1
	rep, _ = verify.Verify(context.Background(), bytes.NewReader(pdf), int64(len(pdf)), &verify.Options{Trust: pool, Offline: true})
	fmt.Println("changed:", rep.Indication, rep.Signatures[0].SubIndication)

	// Output:
	// document: TOTAL_PASSED
	// Signature1: TOTAL_PASSED by Budi Santoso (PAdES-BASELINE-B), reason "Disetujui", covers the whole document: true
	// changed: TOTAL_FAILED HASH_FAILURE
}
