package signer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// signErr signs and expects err, with nothing written to dst.
func signErr(t testing.TB, src []byte, opts *signer.Options, want error) error {
	t.Helper()
	var buf bytes.Buffer
	_, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &buf, opts)
	if !errors.Is(err, want) {
		t.Errorf("err = %v, want %v", err, want)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written to dst on error %v", buf.Len(), err)
	}
	return err
}

// TestCertify makes certification signatures with each DocMDP permission
// and checks the catalog's /Perms, the /Reference, and what may follow.
func TestCertify(t *testing.T) {
	t.Parallel()
	id := identity(t, testpki.RSA2048)
	other := identity(t, testpki.ECDSAP256)
	bases := testcorpus.Base(t)
	for _, p := range []signer.Permission{signer.NoChanges, signer.FormFilling, signer.Annotations} {
		for _, name := range []string{"gs-letter", "form-2page", "hybrid-xref"} {
			src := bases[name]
			t.Run(fmt.Sprintf("P%d/%s", p, name), func(t *testing.T) {
				t.Parallel()
				opts := optionsFor(id)
				opts.Certify = p
				if name == "form-2page" {
					opts.Field = "Signature1"
				}
				out, res := signBytes(t, src, opts)
				checkExternal(t, out, res, allSegel(1))
				qpdfCheck(t, out)

				r, sig := sigDict(t, out, res.Field)
				_, field, err := r.FieldByName(res.Field)
				if err != nil {
					t.Fatal(err)
				}
				sigRef, ok := field.Get("V").(pdf.Ref)
				if !ok {
					t.Fatalf("field /V = %v, want a reference", field.Get("V"))
				}
				catalog, err := r.Catalog()
				if err != nil {
					t.Fatal(err)
				}
				perms, err := r.GetDict(catalog.Get("Perms"))
				if err != nil {
					t.Fatalf("catalog /Perms: %v", err)
				}
				if got := perms.Get("DocMDP"); got != pdf.Object(sigRef) {
					t.Errorf("/Perms /DocMDP = %v, want the signature dictionary %v", got, sigRef)
				}
				refs, err := r.GetArray(sig.Get("Reference"))
				if err != nil || len(refs) != 1 {
					t.Fatalf("/Reference = %v, %v; want one entry", sig.Get("Reference"), err)
				}
				ref, err := r.GetDict(refs[0])
				if err != nil {
					t.Fatal(err)
				}
				if m, _ := ref.Name("TransformMethod"); m != "DocMDP" {
					t.Errorf("/TransformMethod = %q, want DocMDP", m)
				}
				if ty, _ := ref.Name("Type"); ty != "SigRef" {
					t.Errorf("/Reference /Type = %q, want SigRef", ty)
				}
				params, err := r.GetDict(ref.Get("TransformParams"))
				if err != nil {
					t.Fatal(err)
				}
				if got, _ := params.Int("P"); got != int64(p) {
					t.Errorf("/TransformParams /P = %d, want %d", got, p)
				}
				if v, _ := params.Name("V"); v != "1.2" {
					t.Errorf("/TransformParams /V = %q, want 1.2", v)
				}

				// A second certification is refused (P=1 refuses any
				// signature first).
				opts2 := optionsFor(other)
				opts2.Certify = signer.FormFilling
				if p == signer.NoChanges {
					signErr(t, out, opts2, signer.ErrLocked)
				} else {
					signErr(t, out, opts2, signer.ErrCertification)
				}

				// P=1 locks the document; P=2 and P=3 allow signing.
				if p == signer.NoChanges {
					signErr(t, out, optionsFor(other), signer.ErrLocked)
					return
				}
				out2, res2 := signBytes(t, out, optionsFor(other))
				checkExternal(t, out2, res2, allSegel(2))
			})
		}
	}
}

// TestCertifySigned: only the first signature may certify.
func TestCertifySigned(t *testing.T) {
	t.Parallel()
	id := identity(t, testpki.ECDSAP256)
	out, res := signBytes(t, letter(t), optionsFor(id))
	checkExternal(t, out, res, allSegel(1))
	for _, p := range []signer.Permission{signer.NoChanges, signer.FormFilling, signer.Annotations} {
		opts := optionsFor(id)
		opts.Certify = p
		err := signErr(t, out, opts, signer.ErrCertification)
		if err != nil && errors.Is(err, signer.ErrLocked) {
			t.Errorf("P=%d: %v", p, err)
		}
	}
	for _, p := range []signer.Permission{-1, 4} {
		opts := optionsFor(id)
		opts.Certify = p
		signErr(t, letter(t), opts, signer.ErrOptions)
	}
}

// TestCertificationPermissionRead: a /TransformParams without /P means
// P=2 (invisible signatures allowed, new visible ones refused); a /P
// outside 1–3 is read as the strictest, P=1.
func TestCertificationPermissionRead(t *testing.T) {
	t.Parallel()
	id := identity(t, testpki.RSA2048)
	other := identity(t, testpki.ECDSAP256)
	opts := optionsFor(id)
	opts.Certify = signer.FormFilling
	out, _ := signBytes(t, letter(t), opts)
	// The /P of the TransformParams dictionary, in the signature's update.
	tp := bytes.LastIndex(out, []byte("/Type /TransformParams"))
	j := bytes.Index(out[max(tp, 0):], []byte("/P 2 "))
	if tp < 0 || j < 0 || j > 40 {
		t.Fatalf("no /P 2 in the TransformParams of the certified file")
	}
	i := tp + j
	patch := func(repl string) []byte {
		b := bytes.Clone(out)
		copy(b[i:], repl)
		return b
	}
	visible := optionsFor(other)
	visible.Appearance = &signer.Appearance{Placement: signer.Placement{Rect: [4]float64{340, 80, 540, 160}}}

	noP := patch("    ")
	signErr(t, noP, visible, signer.ErrVisibleAfterCertification)
	signBytes(t, noP, optionsFor(other))

	for _, bad := range []string{"/P 0", "/P 7"} {
		signErr(t, patch(bad), optionsFor(other), signer.ErrLocked)
	}
	signErr(t, out, visible, signer.ErrVisibleAfterCertification)
}
