package signer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/testcorpus"
	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// qpdfField is a terminal field as qpdf --json reports it.
type qpdfField struct {
	FullName  string          `json:"fullname"`
	FieldType string          `json:"fieldtype"`
	Value     json.RawMessage `json:"value"`
	Page      int             `json:"pageposfrom1"`
}

// qpdfFields returns the terminal form fields qpdf sees, by full name.
func qpdfFields(t testing.TB, data []byte) map[string]qpdfField {
	t.Helper()
	out, err := runTool(t, "qpdf", "--json=2", "--json-key=acroform", writeTemp(t, "form.pdf", data))
	if err != nil {
		t.Fatalf("qpdf --json: %v\n%s", err, out)
	}
	var doc struct {
		AcroForm struct {
			Fields []qpdfField `json:"fields"`
		} `json:"acroform"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	m := map[string]qpdfField{}
	for _, f := range doc.AcroForm.Fields {
		m[f.FullName] = f
	}
	return m
}

// fieldNames lists the fields the pdf package reads.
func fieldNames(t testing.TB, data []byte) []string {
	t.Helper()
	r, err := pdf.Open(bytes.NewReader(data), int64(len(data)), nil)
	if err != nil {
		t.Fatal(err)
	}
	fields, err := r.Fields()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range fields {
		names = append(names, f.Name)
	}
	return names
}

// formVariants returns form-2page and its qpdf variants.
func formVariants(t testing.TB) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	for name, data := range testcorpus.All(t) {
		if base, _, _ := strings.Cut(name, "/"); base == "form-2page" {
			m[name] = data
		}
	}
	if len(m) < 2 {
		t.Fatalf("form-2page variants missing: %v", testcorpus.Names(m))
	}
	return m
}

// TestSignKeepsFormFields signs a form with a new signature field: every
// earlier field, and its value, is still there for the pdf package and
// for qpdf, and the new field is added.
func TestSignKeepsFormFields(t *testing.T) {
	t.Parallel()
	id := identity(t, testpki.ECDSAP256)
	forms := formVariants(t)
	for _, name := range testcorpus.Names(forms) {
		src := forms[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			info, _ := testcorpus.Describe(name)
			before := fieldNames(t, src)
			if !slices.Equal(before, info.Fields) {
				t.Fatalf("fields before signing: %q, want %q", before, info.Fields)
			}
			qBefore := qpdfFields(t, src)
			out, res := signBytes(t, src, optionsFor(id))
			if res.Field != "Signature2" {
				t.Errorf("new field %q, want Signature2 (Signature1 exists)", res.Field)
			}
			checkExternal(t, out, res, allSegel(1))
			qpdfCheck(t, out)
			after := fieldNames(t, out)
			if want := append(slices.Clone(info.Fields), "Signature2"); !slices.Equal(after, want) {
				t.Errorf("fields after signing: %q, want %q", after, want)
			}
			qAfter := qpdfFields(t, out)
			for fname, f := range qBefore {
				g, ok := qAfter[fname]
				if !ok {
					t.Errorf("qpdf: field %q lost", fname)
					continue
				}
				if g.FieldType != f.FieldType || !bytes.Equal(g.Value, f.Value) || g.Page != f.Page {
					t.Errorf("qpdf: field %q changed: %+v, was %+v", fname, g, f)
				}
			}
			if g, ok := qAfter["Signature2"]; !ok || g.FieldType != "/Sig" {
				t.Errorf("qpdf: no signature field Signature2: %+v", g)
			}
		})
	}
}

// TestSignExistingField signs into the form's empty field Signature1, then
// checks that it cannot be signed again.
func TestSignExistingField(t *testing.T) {
	t.Parallel()
	id := identity(t, testpki.RSA2048)
	forms := formVariants(t)
	for _, name := range testcorpus.Names(forms) {
		src := forms[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			opts := optionsFor(id)
			opts.Field = "Signature1"
			out, res := signBytes(t, src, opts)
			if res.Field != "Signature1" {
				t.Errorf("Result.Field = %q", res.Field)
			}
			checkExternal(t, out, res, allSegel(1))
			qpdfCheck(t, out)
			ps, _ := runPdfsig(t, out)
			if len(ps) != 1 || ps[0].Field != "Signature1" {
				t.Errorf("pdfsig: %+v, want one signature in Signature1", ps)
			}
			if names := fieldNames(t, out); !slices.Equal(names, fieldNames(t, src)) {
				t.Errorf("fields %q, want the same as before %q", names, fieldNames(t, src))
			}
			// The widget stays where the form put it: page 2.
			q := qpdfFields(t, out)
			if f := q["Signature1"]; f.Page != 2 || f.FieldType != "/Sig" {
				t.Errorf("qpdf: Signature1 = %+v, want a /Sig field on page 2", f)
			}

			// Signing it again fails before anything is written.
			var buf bytes.Buffer
			_, err := signer.Sign(context.Background(), bytes.NewReader(out), int64(len(out)), &buf, opts)
			if !errors.Is(err, signer.ErrFieldSigned) {
				t.Errorf("signing Signature1 again: %v, want ErrFieldSigned", err)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written on error", buf.Len())
			}
			// A new field still works, as Signature2.
			out2, res2 := signBytes(t, out, optionsFor(id))
			if res2.Field != "Signature2" {
				t.Errorf("second signature in %q, want Signature2", res2.Field)
			}
			checkExternal(t, out2, res2, allSegel(2))
		})
	}
}

// TestSignFieldErrors checks the field options that Sign refuses, each
// with its error and nothing written.
func TestSignFieldErrors(t *testing.T) {
	t.Parallel()
	id := identity(t, testpki.ECDSAP256)
	form := testcorpus.Base(t)["form-2page"]
	cases := []struct {
		name            string
		field, newField string
		want            error
	}{
		{"missing", "Signature9", "", signer.ErrFieldNotFound},
		{"missing-kid", "pemohon.alamat", "", signer.ErrFieldNotFound},
		{"text", "nomor", "", signer.ErrFieldNotSignature},
		{"text-kid", "pemohon.nip", "", signer.ErrFieldNotSignature},
		{"parent", "pemohon", "", signer.ErrFieldNotSignature},
		{"new-taken-text", "", "perihal", signer.ErrFieldNotSignature},
		{"new-taken-sig", "", "Signature1", signer.ErrFieldNotSignature},
		{"new-period", "", "a.b", signer.ErrOptions},
		{"both", "Signature1", "Signature5", signer.ErrOptions},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := optionsFor(id)
			opts.Field, opts.NewField = tc.field, tc.newField
			var buf bytes.Buffer
			_, err := signer.Sign(context.Background(), bytes.NewReader(form), int64(len(form)), &buf, opts)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written on error", buf.Len())
			}
		})
	}
	// A document without a form has no field to sign into.
	src := letter(t)
	opts := optionsFor(id)
	opts.Field = "Signature1"
	var buf bytes.Buffer
	if _, err := signer.Sign(context.Background(), bytes.NewReader(src), int64(len(src)), &buf, opts); !errors.Is(err, signer.ErrFieldNotFound) || buf.Len() != 0 {
		t.Errorf("Field on a document without a form: %v (%d bytes written), want ErrFieldNotFound", err, buf.Len())
	}
}

// TestSignNewFieldName names the new field.
func TestSignNewFieldName(t *testing.T) {
	t.Parallel()
	opts := optionsFor(identity(t, testpki.ECDSAP256))
	opts.NewField = "Paraf Sekda"
	out, res := signBytes(t, testcorpus.Base(t)["form-2page"], opts)
	if res.Field != "Paraf Sekda" {
		t.Errorf("Result.Field = %q", res.Field)
	}
	checkExternal(t, out, res, allSegel(1))
	if ps, _ := runPdfsig(t, out); len(ps) != 1 || ps[0].Field != "Paraf Sekda" {
		t.Errorf("pdfsig: %+v", ps)
	}
}
