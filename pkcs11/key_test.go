package pkcs11_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"testing"

	"github.com/segel-id/segel/pkcs11"
)

func TestSign(t *testing.T) {
	for _, kt := range []string{pkcs11.RSA2048, pkcs11.RSA3072, pkcs11.ECP256, pkcs11.ECP384} {
		t.Run(kt, func(t *testing.T) {
			_, k, p := tokenWithKey(t, kt)
			if !k.Certificate().Equal(p.leaf) {
				t.Fatal("Certificate is not the leaf")
			}
			if !p.leaf.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(k.Public()) {
				t.Fatal("Public does not match the certificate")
			}
			chain := k.Chain()
			if len(chain) != 3 || !chain[0].Equal(p.leaf) || !chain[1].Equal(p.inter) || !chain[2].Equal(p.root) {
				t.Fatalf("chain has %d certificates, want leaf, intermediate, root", len(chain))
			}
			var optsList []crypto.SignerOpts
			for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
				optsList = append(optsList, h)
				if kt[:3] == "rsa" {
					optsList = append(optsList,
						&rsa.PSSOptions{Hash: h, SaltLength: rsa.PSSSaltLengthEqualsHash},
						&rsa.PSSOptions{Hash: h, SaltLength: rsa.PSSSaltLengthAuto},
						&rsa.PSSOptions{Hash: h, SaltLength: 20})
				}
			}
			for _, opts := range optsList {
				d := digest(opts.HashFunc(), []byte("hello "+kt))
				sig, err := k.Sign(rand.Reader, d, opts)
				if err != nil {
					t.Fatalf("%v: %v", describe(opts), err)
				}
				if err := verify(k.Public(), d, sig, opts); err != nil {
					t.Fatalf("%v: %v", describe(opts), err)
				}
			}
			if err := k.Healthy(context.Background()); err != nil {
				t.Fatal(err)
			}
			if st := k.Stats(); st.Signatures != uint64(len(optsList)) || st.Sessions < 1 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

func describe(o crypto.SignerOpts) string {
	if p, ok := o.(*rsa.PSSOptions); ok {
		return fmt.Sprintf("PSS %v salt %d", p.Hash, p.SaltLength)
	}
	return o.HashFunc().String()
}

func TestSignUnsupported(t *testing.T) {
	_, k, _ := tokenWithKey(t, pkcs11.RSA2048)
	d := digest(crypto.SHA256, []byte("x"))
	for name, c := range map[string]struct {
		d    []byte
		opts crypto.SignerOpts
	}{
		"sha1":       {d[:20], crypto.SHA1},
		"md5":        {d[:16], crypto.MD5},
		"no hash":    {d, crypto.Hash(0)},
		"nil opts":   {d, nil},
		"short":      {d[:10], crypto.SHA256},
		"pss-sha224": {d[:28], &rsa.PSSOptions{Hash: crypto.SHA224}},
	} {
		if _, err := k.Sign(rand.Reader, c.d, c.opts); err == nil {
			t.Errorf("%s: signed", name)
		} else if name != "short" && !errors.Is(err, pkcs11.ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", name, err)
		}
	}
}
