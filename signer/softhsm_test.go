//go:build cgo

package signer_test

import (
	"context"
	"crypto"
	"testing"

	"github.com/segel-id/segel/internal/softhsmtest"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/pkcs11"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// TestSoftHSM signs through keys generated on a SoftHSM2 token, with
// certificates testpki issued for their public keys: RSA-2048 (PKCS #1
// v1.5 and PSS), ECDSA P-256 and P-384. Each document is signed with
// exactly one call of the token key, and passes pdfsig and openssl.
//
// SoftHSM tests cannot run in parallel (softhsmtest uses t.Setenv).
func TestSoftHSM(t *testing.T) {
	tok := softhsmtest.New(t, "sleman", "1234")
	p := testPKI(t)
	ctx := context.Background()
	corpus := testcorpus.Base(t)
	cases := []struct {
		object, keyType string
		hash            crypto.Hash
		pss             bool
	}{
		{"rsa", pkcs11.RSA2048, crypto.SHA256, false},
		{"rsa-pss", pkcs11.RSA2048, crypto.SHA256, true},
		{"rsa-sha512", pkcs11.RSA2048, crypto.SHA512, false},
		{"ec256", pkcs11.ECP256, crypto.SHA256, false},
		{"ec384", pkcs11.ECP384, crypto.SHA384, false},
	}
	for _, tc := range cases {
		t.Run(tc.object, func(t *testing.T) {
			pub := tok.GenerateKey(t, tc.object, tc.keyType)
			id := p.MustIssueSigner(t, testpki.SignerOptions{PublicKey: pub, NonRepudiation: true})
			if id.Key != nil {
				t.Fatal("testpki returned a private key for a token key")
			}
			key, err := pkcs11.Open(ctx, tok.KeyURI(tc.object), &pkcs11.Options{AllowMissingCertificate: true})
			if err != nil {
				t.Fatal(err)
			}
			defer key.Close()
			for _, name := range []string{"gs-letter", "form-2page", "hybrid-xref"} {
				counter := &countingContextSigner{countingSigner: countingSigner{Signer: key}}
				opts := &signer.Options{Signer: counter, Certificate: id.Cert, Chain: id.Chain, Hash: tc.hash, PSS: tc.pss,
					Name: "Drs. Sri Purnomo", Reason: "Tanda tangan Bupati"}
				out, res := signBytes(t, corpus[name], opts)
				if n := counter.total(); n != 1 {
					t.Errorf("%s: the token key signed %d times (Sign %d, SignContext %d), want 1",
						name, n, counter.calls.Load(), counter.ctxCalls.Load())
				}
				checkExternal(t, out, res, allSegel(1))
				_, si := parseCMS(t, res.Signature)
				checkBaselineAttributes(t, out, res.ByteRange, si, id, tc.hash)
			}
		})
	}

	// The certificate and chain stored on the token, as the CLI uses them
	// without --cert.
	t.Run("certificate-from-token", func(t *testing.T) {
		pub := tok.GenerateKey(t, "bupati", pkcs11.RSA2048)
		id := p.MustIssueSigner(t, testpki.SignerOptions{PublicKey: pub, NonRepudiation: true, DocumentSigning: true})
		tok.ImportCert(t, "bupati", id.Cert, id.Chain...)
		key, err := pkcs11.Open(ctx, tok.KeyURI("bupati"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer key.Close()
		if key.Certificate() == nil || !key.Certificate().Equal(id.Cert) {
			t.Fatal("the token does not give back the imported certificate")
		}
		opts := &signer.Options{Signer: key, Certificate: key.Certificate(), Chain: key.Chain()}
		out, res := signBytes(t, corpus["cairo-letter"], opts)
		checkExternal(t, out, res, allSegel(1))
		out2, res2 := signBytes(t, out, opts)
		checkExternal(t, out2, res2, allSegel(2))
	})
}
