package signer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/segel-id/segel/internal/pdf"
)

// docState is what Sign needs to know about the document before it adds a
// signature: its form, its signature fields and its certification.
type docState struct {
	r       *pdf.Reader
	catalog pdf.Dict
	names   map[string]bool // fully qualified field names
	signed  int             // signature fields holding a value
	// certification is the DocMDP permission of the document's
	// certification signature; NotCertified when there is none.
	certification Permission
	formDict      pdf.Dict
	formRef       pdf.Ref
	hasForm       bool
}

func readState(r *pdf.Reader) (*docState, error) {
	s := &docState{r: r, names: map[string]bool{}}
	var err error
	if s.catalog, err = r.Catalog(); err != nil {
		return nil, err
	}
	if s.formDict, s.formRef, s.hasForm, err = r.AcroForm(); err != nil {
		return nil, err
	}
	if s.hasForm {
		fields, err := r.Fields()
		if err != nil {
			return nil, err
		}
		for _, f := range fields {
			s.names[f.Name] = true
			if s.r.FieldType(f.Dict) == "Sig" && f.Dict.Get("V") != nil {
				s.signed++
			}
		}
	}
	s.certification = s.docMDP()
	return s, nil
}

// docMDP returns the DocMDP permission of the document's certification
// signature (pdf.Reader.Certification: the catalog's /Perms /DocMDP),
// NotCertified when there is none. A missing /P means P=2; a /P outside
// 1–3 is read as the strictest, P=1.
func (s *docState) docMDP() Permission {
	if _, p, ok := s.r.Certification(); ok {
		return Permission(p)
	}
	return NotCertified
}

// freeName returns the first of prefix1, prefix2, … not in use.
func (s *docState) freeName(prefix string) string {
	for i := 1; ; i++ {
		name := fmt.Sprintf("%s%d", prefix, i)
		if !s.names[name] {
			return name
		}
	}
}

// existingField finds the empty signature field name.
func (s *docState) existingField(name string) (pdf.Ref, pdf.Dict, error) {
	ref, dict, err := s.r.FieldByName(name)
	if errors.Is(err, pdf.ErrNotFound) {
		return pdf.Ref{}, pdf.Dict{}, fmt.Errorf("%w: no field named %q", ErrFieldNotFound, name)
	}
	if err != nil {
		return pdf.Ref{}, pdf.Dict{}, fmt.Errorf("%w: field %q: %w", ErrInvalidPDF, name, err)
	}
	if ft := s.r.FieldType(dict); ft != "Sig" {
		return pdf.Ref{}, pdf.Dict{}, fmt.Errorf("%w: field %q is of type %q", ErrFieldNotSignature, name, ft)
	}
	if dict.Get("V") != nil {
		return pdf.Ref{}, pdf.Dict{}, fmt.Errorf("%w: %q", ErrFieldSigned, name)
	}
	if ref.IsZero() {
		return pdf.Ref{}, pdf.Dict{}, fmt.Errorf("%w: field %q is a direct object, which cannot be updated", ErrFieldNotSignature, name)
	}
	return ref, dict, nil
}

// checkNewName rejects a name for a new field that is taken or malformed.
func (s *docState) checkNewName(name string) error {
	if strings.Contains(name, ".") {
		return fmt.Errorf("%w: field name %q contains a period", ErrOptions, name)
	}
	if s.names[name] {
		return fmt.Errorf("%w: a field named %q already exists (set Field to sign into it)", ErrFieldNotSignature, name)
	}
	return nil
}
