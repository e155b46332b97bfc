package pkcs11_test

import (
	"context"
	"crypto"
	"crypto/sha256"
	"fmt"
	"log"

	"github.com/segel-id/segel/pkcs11"
)

// Example opens a key on an HSM by its RFC 7512 URI and signs a digest
// with it, as any crypto.Signer. The PIN comes from a file (pin-source),
// never from the code. This example needs a token named "segel" holding a
// key labelled "signer" and its certificate, so it is compiled, not run.
func Example() {
	uri := "pkcs11:token=segel;object=signer?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/secrets/segel-pin"
	key, err := pkcs11.Open(context.Background(), uri, nil)
	if err != nil {
		log.Fatal(err) // names what was not found; never the PIN
	}
	defer key.Close()
	digest := sha256.Sum256([]byte("surat"))
	sig, err := key.Sign(nil, digest[:], crypto.SHA256)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(key.Certificate().Subject.CommonName, len(sig) > 0)
}
