package cms

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"testing"
)

// TestChooseSigner: of several SignerInfos the one that covers the
// content is chosen, the preferred one of several that do, and none when
// none does; each other one says why.
func TestChooseSigner(t *testing.T) {
	content := []byte("%PDF-1.7 the signed ranges")
	other := []byte("another document")
	stranger, signer := newPKI(t, "p256"), newPKI(t, "p256")
	one := func(p *testPKI, data []byte) *SignedData {
		t.Helper()
		b, err := NewBuilder(p.leaf, p.leafKey, BuildOptions{Hash: crypto.SHA256, Certificates: []*x509.Certificate{p.root}})
		if err != nil {
			t.Fatal(err)
		}
		der, err := b.Build(context.Background(), digestOf(crypto.SHA256, data), nil)
		if err != nil {
			t.Fatal(err)
		}
		sd, err := Parse(der)
		if err != nil {
			t.Fatal(err)
		}
		return sd
	}
	merge := func(sds ...*SignedData) *SignedData {
		out := *sds[0]
		out.SignerInfos, out.Certificates = nil, nil
		for _, sd := range sds {
			out.SignerInfos = append(out.SignerInfos, sd.SignerInfos...)
			out.Certificates = append(out.Certificates, sd.Certificates...)
		}
		return &out
	}
	digests := 0
	opts := ChooseOptions{
		Digest: func(h crypto.Hash) ([]byte, error) { digests++; return digestOf(h, content), nil },
		Prefer: func(c *x509.Certificate) bool { return c.CheckSignatureFrom(signer.root) == nil },
	}
	for _, c := range []struct {
		name   string
		sd     *SignedData
		opts   ChooseOptions
		chosen int
		errs   []error // per candidate, nil when it covers
	}{
		{"second covers", merge(one(stranger, other), one(signer, content)), opts, 1, []error{ErrNotCovering, nil}},
		{"both cover, the preferred second", merge(one(stranger, content), one(signer, content)), opts, 1, []error{nil, nil}},
		{"both cover, no preference", merge(one(stranger, content), one(signer, content)), ChooseOptions{Digest: opts.Digest}, 0, []error{nil, nil}},
		{"none covers", merge(one(stranger, other), one(signer, other)), opts, -1, []error{ErrNotCovering, ErrNotCovering}},
		{"certificate missing", func() *SignedData {
			sd := merge(one(stranger, content), one(signer, content))
			sd.Certificates = sd.Certificates[:len(sd.Certificates)/2]
			return sd
		}(), opts, 0, []error{nil, ErrCertificateNotFound}},
	} {
		t.Run(c.name, func(t *testing.T) {
			chosen, all := c.sd.ChooseSigner(c.opts)
			if chosen != c.chosen || len(all) != len(c.errs) {
				t.Fatalf("chosen %d of %d, want %d of %d", chosen, len(all), c.chosen, len(c.errs))
			}
			for i, want := range c.errs {
				if got := all[i].Err; (want == nil) != (got == nil) || (want != nil && !errors.Is(got, want)) {
					t.Errorf("candidate %d: err %v, want %v", i, got, want)
				}
			}
		})
	}
	if digests == 0 {
		t.Error("the content digest was never asked for")
	}
}
