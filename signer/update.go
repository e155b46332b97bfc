package signer

import (
	"fmt"
	"strings"
	"time"

	"github.com/segel-id/segel/internal/pdf"
	"github.com/segel-id/segel/internal/tstoken"
)

// Placeholder keys in the update.
const (
	keyContents  = "Contents"
	keyByteRange = "ByteRange"
	// byteRangeWidth holds "[0 a b c]" for files up to 10^16 bytes.
	byteRangeWidth = 64
)

// sigUpdate is the incremental update that adds one signature.
type sigUpdate struct {
	field string // fully qualified name of the signed field
	res   *pdf.Result
	token *tstoken.Token // of a document timestamp, once written
}

// buildSigUpdate writes the signature dictionary with placeholders for
// /ByteRange and a /Contents of contentsLen bytes of DER, and the field,
// widget, form and catalog changes that reference it. A document
// timestamp (docTS) gets a /DocTimeStamp dictionary with SubFilter
// ETSI.RFC3161 and none of the signer's entries.
//
// The update is written into buf's storage when it has room (see
// pdf.Update.BytesInto); buf may be nil.
func buildSigUpdate(s *docState, opts *Options, contentsLen int, now time.Time, docTS bool, buf []byte) (*sigUpdate, error) {
	r := s.r
	u := pdf.NewUpdate(r)
	sigRef := u.Alloc()

	sig := pdf.NewDict()
	if docTS {
		sig.Set("Type", pdf.Name("DocTimeStamp"))
		sig.Set("Filter", pdf.Name("Adobe.PPKLite"))
		sig.Set("SubFilter", pdf.Name("ETSI.RFC3161"))
	} else {
		sig.Set("Type", pdf.Name("Sig"))
		sig.Set("Filter", pdf.Name("Adobe.PPKLite"))
		sig.Set("SubFilter", pdf.Name("ETSI.CAdES.detached"))
	}
	sig.Set(keyByteRange, pdf.Placeholder{Key: keyByteRange, Width: byteRangeWidth, Kind: pdf.PlaceholderArray})
	sig.Set(keyContents, pdf.Placeholder{Key: keyContents, Width: 2*contentsLen + 2, Kind: pdf.PlaceholderHex})
	if !docTS {
		sig.Set("M", pdf.DateString(now))
	}
	for _, e := range []struct {
		key pdf.Name
		val string
	}{{"Name", opts.Name}, {"Reason", opts.Reason}, {"Location", opts.Location}, {"ContactInfo", opts.ContactInfo}} {
		if e.val != "" {
			sig.Set(e.key, textString(e.val))
		}
	}
	if opts.Certify != NotCertified {
		params := pdf.NewDict()
		params.Set("Type", pdf.Name("TransformParams"))
		params.Set("P", int64(opts.Certify))
		params.Set("V", pdf.Name("1.2"))
		ref := pdf.NewDict()
		ref.Set("Type", pdf.Name("SigRef"))
		ref.Set("TransformMethod", pdf.Name("DocMDP"))
		ref.Set("TransformParams", params)
		sig.Set("Reference", pdf.Array{ref})
	}
	app := pdf.NewDict()
	app.Set("Name", pdf.Name("Segel"))
	build := pdf.NewDict()
	build.Set("App", app)
	if !docTS {
		sig.Set("Prop_Build", build)
	}
	u.Set(sigRef, sig)

	catalog := s.catalog.Clone()
	catalogDirty := false
	form := pdf.NewDict()
	if s.hasForm {
		form = s.formDict.Clone()
	}
	formDirty := false

	var name string
	// The field signed: Options.Field, or the Placement.Field of a
	// visible signature (appearance.go).
	existing, err := signedField(opts, docTS)
	if err != nil {
		return nil, err
	}
	if existing != "" {
		fieldRef, field, err := s.existingField(existing)
		if err != nil {
			return nil, err
		}
		field = field.Clone()
		field.Set("V", sigRef)
		// Visible signature (appearance.go): the stamp goes into the
		// field's widget; nothing changes without Options.Appearance.
		if err := drawInField(s, u, opts, now, docTS, fieldRef, field); err != nil {
			return nil, err
		}
		u.Set(fieldRef, field)
		name = existing
	} else {
		name = opts.NewField
		if name == "" {
			prefix := "Signature"
			if docTS {
				prefix = "Timestamp"
			}
			name = s.freeName(prefix)
		}
		if err := s.checkNewName(name); err != nil {
			return nil, err
		}
		pageRef, err := pickPage(r, opts.Page)
		if err != nil {
			return nil, err
		}
		widgetRef := u.Alloc()
		// An invisible signature or document timestamp has a zero-size
		// widget and no appearance at all, as pyHanko and EU DSS write
		// them: a verifier may clear a new invisible field as an archival
		// (LTA) update, while any appearance stream is form filling,
		// which DocMDP P=1 forbids. PDF/A-2 and -3 exempt zero-area
		// annotations from needing /AP (docs/decisions.md, "The signer's
		// own incremental updates").
		rect := pdf.Array{int64(0), int64(0), int64(0), int64(0)}
		var apDict pdf.Dict
		// Visible signature (appearance.go): the stamp is the widget's
		// appearance and sets its page and rectangle.
		if opts.Appearance != nil && !docTS {
			apRef := u.Alloc()
			if pageRef, rect, err = drawAppearance(s, u, opts, now, apRef); err != nil {
				return nil, err
			}
			apDict = pdf.NewDict()
			apDict.Set("N", apRef)
		}

		widget := pdf.NewDict()
		widget.Set("Type", pdf.Name("Annot"))
		widget.Set("Subtype", pdf.Name("Widget"))
		widget.Set("FT", pdf.Name("Sig"))
		widget.Set("T", textString(name))
		widget.Set("V", sigRef)
		widget.Set("F", int64(132)) // Print | Locked
		widget.Set("Rect", rect)
		widget.Set("P", pageRef)
		if apDict.Len() > 0 {
			widget.Set("AP", apDict)
		}
		u.Set(widgetRef, widget)

		if err := addAnnot(r, u, pageRef, widgetRef); err != nil {
			return nil, err
		}
		fields, err := appendRef(r, u, form.Get("Fields"), widgetRef)
		if err != nil {
			return nil, err
		}
		if fields != nil {
			form.Set("Fields", fields)
			formDirty = true
		}
	}

	// SignaturesExist | AppendOnly, set by the first signature. Once the
	// document is signed /SigFlags stays as the earlier signer left it:
	// pyHanko allows no AcroForm change but /Fields, /DR, /DA, /Q and
	// /NeedAppearances after a signature.
	if flags, _ := form.Int("SigFlags"); flags&3 != 3 && s.signed == 0 {
		form.Set("SigFlags", flags|3)
		formDirty = true
	}
	if formDirty {
		if s.hasForm && !s.formRef.IsZero() {
			u.Set(s.formRef, form)
		} else if s.hasForm {
			catalog.Set("AcroForm", form)
			catalogDirty = true
		} else {
			formRef := u.Alloc()
			u.Set(formRef, form)
			catalog.Set("AcroForm", formRef)
			catalogDirty = true
		}
	}
	// ETSI.CAdES.detached and ETSI.RFC3161 are PDF 2.0 features (and PDF
	// 1.7 with the ESIC extension): an older document is raised to 1.7
	// through the catalog's /Version, which an incremental update may do.
	if olderThan17(r.Version()) {
		catalog.Set("Version", pdf.Name("1.7"))
		catalogDirty = true
	}
	if opts.Certify != NotCertified {
		perms := pdf.NewDict()
		if old, err := r.GetDict(catalog.Get("Perms")); err == nil && old.Len() > 0 {
			perms = old.Clone()
		}
		perms.Set("DocMDP", sigRef)
		catalog.Set("Perms", perms)
		catalogDirty = true
	}
	if catalogDirty {
		ref := r.CatalogRef()
		if ref.IsZero() {
			return nil, fmt.Errorf("%w: the trailer has no /Root reference", ErrInvalidPDF)
		}
		u.Set(ref, catalog)
	}
	res, err := u.BytesInto(buf)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPDF, err)
	}
	return &sigUpdate{field: name, res: res}, nil
}

// olderThan17 reports whether a PDF version ("1.3", "2.0") is below 1.7.
func olderThan17(v string) bool {
	major, minor, ok := strings.Cut(v, ".")
	if !ok || len(major) != 1 || len(minor) != 1 {
		return false
	}
	return major < "1" || (major == "1" && minor < "7")
}

// pickPage returns the page for a 1-based number; 0 means 1, -1 the last.
func pickPage(r *pdf.Reader, n int) (pdf.Ref, error) {
	pages, err := r.Pages()
	if err != nil {
		return pdf.Ref{}, fmt.Errorf("%w: page tree: %w", ErrInvalidPDF, err)
	}
	if len(pages) == 0 {
		return pdf.Ref{}, fmt.Errorf("%w: the document has no pages", ErrInvalidPDF)
	}
	switch {
	case n == 0:
		n = 1
	case n < 0:
		n = len(pages) + 1 + n
	}
	if n < 1 || n > len(pages) {
		return pdf.Ref{}, fmt.Errorf("%w: page %d of %d", ErrPage, n, len(pages))
	}
	return pages[n-1], nil
}

// addAnnot adds annot to the page's /Annots, rewriting the array when it
// is an indirect object and the page dictionary otherwise.
func addAnnot(r *pdf.Reader, u *pdf.Update, page, annot pdf.Ref) error {
	annots, annotsRef, err := r.PageAnnots(page)
	if err != nil {
		return fmt.Errorf("%w: annotations of page %v: %w", ErrInvalidPDF, page, err)
	}
	list := make(pdf.Array, 0, len(annots)+1)
	list = append(append(list, annots...), annot)
	if !annotsRef.IsZero() {
		u.Set(annotsRef, list)
		return nil
	}
	dict, err := r.GetDict(page)
	if err != nil {
		return fmt.Errorf("%w: page %v: %w", ErrInvalidPDF, page, err)
	}
	dict = dict.Clone()
	dict.Set("Annots", list)
	u.Set(page, dict)
	return nil
}

// appendRef appends ref to the form's /Fields. When /Fields is an
// indirect array it is rewritten in the update and nil is returned;
// otherwise the new direct array is returned.
func appendRef(r *pdf.Reader, u *pdf.Update, fields pdf.Object, ref pdf.Ref) (pdf.Object, error) {
	if fref, ok := fields.(pdf.Ref); ok {
		arr, err := r.GetArray(fref)
		if err != nil {
			return nil, fmt.Errorf("%w: /AcroForm /Fields: %w", ErrInvalidPDF, err)
		}
		list := append(append(make(pdf.Array, 0, len(arr)+1), arr...), ref)
		u.Set(fref, list)
		return nil, nil
	}
	arr, _ := fields.(pdf.Array)
	return append(append(make(pdf.Array, 0, len(arr)+1), arr...), ref), nil
}
