package signer_test

import (
	"bytes"
	"fmt"
	"log"
	"os"

	"github.com/segel-id/segel/signer"
)

// A register writes the letter's number where the drafter's template left
// ${nomor}, before the letter is signed (with its stamp at ${ttd}).
func ExampleFillText() {
	draft, err := os.ReadFile("testdata/letter-libreoffice.pdf")
	if err != nil {
		log.Fatal(err)
	}
	var numbered bytes.Buffer
	err = signer.FillText(&numbered, bytes.NewReader(draft), int64(len(draft)),
		[]signer.TextFill{{Anchor: "${nomor}", Text: "800.1.2/0457/DISDIKBUD/2026"}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("the draft is a prefix:", bytes.HasPrefix(numbered.Bytes(), draft))

	// A template without the tag is refused, and nothing is written.
	var none bytes.Buffer
	err = signer.FillText(&none, bytes.NewReader(draft), int64(len(draft)),
		[]signer.TextFill{{Anchor: "${lampiran}", Text: "1 berkas"}}, nil)
	fmt.Println(err, none.Len())
	// Output:
	// the draft is a prefix: true
	// anchor text not found: "${lampiran}" is not shown on any page 0
}
