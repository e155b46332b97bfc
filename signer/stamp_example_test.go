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

// stampLetter returns a one-page letter whose template left the tag
// ${ttd} where the signature goes.
func stampLetter() []byte {
	content := "BT /F1 12 Tf 72 770 Td (Surat Edaran) Tj 300 -200 Td (Bupati Sleman,) Tj 0 -20 Td (${ttd}) Tj ET"
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
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

// ExampleAppearance makes a visible signature: a stamp with the QR code
// of the document's verification page, placed where the letter shows the
// tag ${ttd}.
func ExampleAppearance() {
	// A key and a self-signed certificate, for the example only.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "Kustini Sri Purnomo", Country: []string{"ID"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}

	// What the CLI's --visible and the HTTP API's visible= give.
	place, err := signer.ParseVisibleSpec("anchor=${ttd};size=200,80")
	if err != nil {
		log.Fatal(err)
	}
	src := stampLetter()
	var dst bytes.Buffer
	res, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &dst, &signer.Options{
		Signer:      key,
		Certificate: cert,
		Appearance: &signer.Appearance{
			Placement: *place,
			Lines: []string{
				"Ditandatangani secara elektronik oleh",
				"Bupati Sleman",
				"Kustini Sri Purnomo",
			},
			QR:     "https://segel.slemankab.go.id/v/0193c6b2-7f1e-7c3a-9d4e-5f6a7b8c9d0e",
			Footer: "Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat elektronik yang diterbitkan oleh BSrE, BSSN",
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("field:", res.Field)
	fmt.Println("source kept as prefix:", bytes.HasPrefix(dst.Bytes(), src))
	// Output:
	// field: Signature1
	// source kept as prefix: true
}

func ExampleParseVisibleSpec() {
	for _, spec := range []string{
		"page=1;rect=350,100,550,190",
		"field=Signature1",
		"anchor=${ttd};page=-1;size=180,80",
		"anchor=${ttd};align=center;position=below",
		"page=1;rect=350,100",
	} {
		p, err := signer.ParseVisibleSpec(spec)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Printf("%+v\n", *p)
	}
	// Output:
	// {Page:1 Rect:[350 100 550 190] Field: Anchor: Size:[0 0] Align: Position:}
	// {Page:0 Rect:[0 0 0 0] Field:Signature1 Anchor: Size:[0 0] Align: Position:}
	// {Page:-1 Rect:[0 0 0 0] Field: Anchor:${ttd} Size:[180 80] Align: Position:}
	// {Page:0 Rect:[0 0 0 0] Field: Anchor:${ttd} Size:[0 0] Align:center Position:below}
	// error: invalid signing options: visible spec "page=1;rect=350,100": rect: "350,100" has 2 numbers, want 4 (want X1,Y1,X2,Y2 in points)
}
