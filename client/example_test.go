package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/segel-id/segel/client"
)

// ExampleClient_Sign signs a letter with an official's personal profile
// and a visible stamp where the letter says "${ttd}", streaming the file
// there and back.
func ExampleClient_Sign() {
	c := &client.Client{BaseURL: "https://segel.example.go.id", APIKey: os.Getenv("SEGEL_API_KEY")}
	in, err := os.Open("surat.pdf")
	if err != nil {
		log.Fatal(err)
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		log.Fatal(err)
	}
	signed, err := c.Sign(context.Background(), io.NewSectionReader(in, 0, st.Size()), st.Size(), client.SignOptions{
		Profile: "bupati", Passphrase: []byte(os.Getenv("PASSPHRASE")), Visible: "anchor=${ttd}",
		Number: "800/12/DPMPTSP/2026", Subject: "Undangan Rapat", Title: "Bupati Serang",
	})
	var refused *client.Error
	switch {
	case client.IsKind(err, client.KindPassphraseRejected):
		fmt.Println("passphrase salah")
		return
	case errors.As(err, &refused) && refused.Kind == client.KindPassphraseLockedOut:
		fmt.Println("terkunci; coba lagi dalam", refused.RetryAfter)
		return
	case errors.Is(err, client.ErrUnreachable):
		fmt.Println("Segel tidak terjangkau; coba lagi nanti")
		return
	case err != nil:
		log.Fatal(err)
	}
	defer signed.Close()
	out, err := os.Create("surat-ttd.pdf")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := io.Copy(out, signed); err != nil { // a cut-short answer is ErrUnreachable here
		out.Close()
		os.Remove(out.Name())
		log.Fatal(err)
	}
	if err := out.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(signed.DocumentID, signed.VerifyURL)
}

// ExampleClient_Verify verifies a PDF with the gateway's trust anchors
// and prints the verdict of each signature.
func ExampleClient_Verify() {
	c := &client.Client{BaseURL: "https://segel.example.go.id", APIKey: os.Getenv("SEGEL_API_KEY")}
	f, err := os.Open("surat-ttd.pdf")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	rep, err := c.Verify(context.Background(), f, -1)
	if err != nil {
		log.Fatal(err) // no report: not a failed signature, which is in the report
	}
	fmt.Println(rep.Indication)
	for _, s := range rep.Signatures {
		fmt.Println(s.Field, s.Indication, s.SubIndication, s.Level)
	}
}

// ExampleClient_Document reads the register record of a signed letter.
func ExampleClient_Document() {
	c := &client.Client{BaseURL: "https://segel.example.go.id", APIKey: os.Getenv("SEGEL_API_KEY")}
	doc, err := c.Document(context.Background(), "01JXAMPLE")
	if client.IsKind(err, client.KindNotFound) {
		fmt.Println("not signed by this client")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(doc.Number, doc.SignerName, doc.SignedAt, doc.VerifyURL)
}
