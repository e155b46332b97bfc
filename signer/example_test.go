package signer_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"log"
	"math/big"
	"time"

	"github.com/segel-id/segel/signer"
)

// tinyPDF returns a one-page PDF with a classic cross-reference table.
func tinyPDF() []byte {
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		"<< /Length 43 >>\nstream\nBT /F1 12 Tf 72 770 Td (Surat Edaran) Tj ET\nendstream",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// ExampleSign signs a PDF held in memory with a software key. In
// production the key is a *pkcs11.Key opened from a token, and dst is a
// temporary file renamed on success.
func ExampleSign() {
	// A key and a self-signed certificate, for the example only.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "Budi Santoso", Organization: []string{"Pemerintah Kabupaten Sleman"}, Country: []string{"ID"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}

	src := tinyPDF()
	var dst bytes.Buffer
	res, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &dst, &signer.Options{
		Signer:      key,
		Certificate: cert,
		Reason:      "Menyetujui surat edaran",
		Location:    "Sleman, Daerah Istimewa Yogyakarta",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("field:", res.Field)
	fmt.Println("level:", res.Level)
	fmt.Println("source kept as prefix:", bytes.HasPrefix(dst.Bytes(), src))
	fmt.Println("byte range covers the output:", res.ByteRange[2]+res.ByteRange[3] == int64(dst.Len()))
	// Output:
	// field: Signature1
	// level: B-B
	// source kept as prefix: true
	// byte range covers the output: true
}

// ExamplePrepare signs several letters with one key: the key's
// certificates and the rest of the CMS that does not depend on a
// document are encoded once, not per letter. Each letter gives its own
// options, without the key fields.
func ExamplePrepare() {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "Sekretariat Daerah", Country: []string{"ID"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}

	p, err := signer.Prepare(&signer.Options{Signer: key, Certificate: cert})
	if err != nil {
		log.Fatal(err)
	}
	src := tinyPDF()
	for _, reason := range []string{"Menyetujui surat edaran", "Mengetahui"} {
		var dst bytes.Buffer
		res, err := p.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &dst, &signer.Options{Reason: reason})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(reason+":", res.Field, res.Level, res.Size == int64(dst.Len()))
	}
	// Output:
	// Menyetujui surat edaran: Signature1 B-B true
	// Mengetahui: Signature1 B-B true
}
