package verify

import (
	"bytes"
	"fmt"
	"io"
	"slices"

	"github.com/segel-id/segel/internal/pdf"
)

// Change classes of the difference analysis.
const (
	// changeAllowed is housekeeping PAdES allows after any signature.
	changeAllowed = iota
	// changePermitted is a change the signer's permissions allow (form
	// filling, annotations without certification): reported, not failed.
	changePermitted
	// changeUnverified is a change that may be legitimate (form filling,
	// annotations) but that this analysis cannot yet prove harmless.
	changeUnverified
	// changeForbidden alters what the signature covered.
	changeForbidden
)

// change is one object changed after a signature.
type change struct {
	class int
	what  string
}

// checkModifications classifies every object that the revisions after
// the signed one redefine, by comparing it with the object the signature
// covered. New signatures with their housekeeping, document timestamps and
// validation data are allowed; a change to what was signed fails the
// signature with MODIFIED_AFTER_SIGNING.
func (v *verifier) checkModifications(rep *SignatureReport, s *sigDict) {
	if rep.CoversWholeDocument || rep.Indication == TotalFailed {
		return
	}
	revs := v.r.Revisions()
	old, err := v.r.AtRevision(s.revision)
	if err != nil {
		rep.fail(FormatFailure, "the signed revision cannot be read: %v", err)
		return
	}
	a := &analysis{old: old, cur: v.r, docMDP: docMDP(v.r, s)}
	if err := a.prepare(); err != nil {
		rep.fail(UnsupportedFeature, "the changes after the signature cannot be analysed: %v", err)
		return
	}
	seen := map[uint32]bool{}
	for i := s.revision + 1; i < len(revs); i++ {
		entries, err := v.r.RevisionEntries(i)
		if err != nil {
			rep.fail(UnsupportedFeature, "revision %d cannot be read: %v", i+1, err)
			return
		}
		for _, e := range entries {
			if seen[e.Num] {
				continue
			}
			seen[e.Num] = true
			a.classify(e)
		}
	}
	worst := changeAllowed
	for _, c := range a.changes {
		rep.ModifiedAfterSigning = append(rep.ModifiedAfterSigning, c.what)
		worst = max(worst, c.class)
	}
	switch worst {
	case changeForbidden:
		for _, c := range a.changes {
			if c.class == changeForbidden {
				rep.fail(ModifiedAfterSigning, "the document was changed after this signature: %s", c.what)
			}
		}
	case changeUnverified:
		for _, c := range a.changes {
			if c.class == changeUnverified {
				rep.fail(UnsupportedFeature, "a change after this signature cannot be proven harmless: %s", c.what)
			}
		}
	}
}

// docMDP returns the DocMDP permission of a certification signature, or 0.
func docMDP(r *pdf.Reader, s *sigDict) int64 {
	refs, err := r.GetArray(s.dict.Get("Reference"))
	if err != nil {
		return 0
	}
	for _, o := range refs {
		d, err := r.GetDict(o)
		if err != nil {
			continue
		}
		if m, _ := d.Name("TransformMethod"); m == "DocMDP" {
			params, _ := r.GetDict(d.Get("TransformParams"))
			if p, ok := params.Int("P"); ok && p >= 1 && p <= 3 {
				return p
			}
			return 2
		}
	}
	return 0
}

// analysis compares the signed revision (old) with the current document.
type analysis struct {
	old, cur *pdf.Reader
	docMDP   int64

	catalog  pdf.Ref
	form     pdf.Ref // the form dictionary, when indirect
	fields   pdf.Ref // the form's /Fields array, when indirect
	info     pdf.Ref
	dss      map[pdf.Ref]bool // the old DSS and its parts
	pages    map[pdf.Ref]bool
	annots   map[pdf.Ref]pdf.Ref // indirect /Annots array -> its page
	sigField map[pdf.Ref]bool    // empty signature fields at signing
	// formField maps the other form fields at signing (and their widget
	// annotations) to their names.
	formField map[pdf.Ref]string
	changes   []change
}

func (a *analysis) add(class int, format string, args ...any) {
	a.changes = append(a.changes, change{class: class, what: fmt.Sprintf(format, args...)})
}

func (a *analysis) prepare() error {
	a.catalog = a.old.CatalogRef()
	a.info, _ = a.old.Trailer().Get("Info").(pdf.Ref)
	cat, err := a.old.Catalog()
	if err != nil {
		return err
	}
	a.form, _ = cat.Get("AcroForm").(pdf.Ref)
	if form, err := a.old.GetDict(cat.Get("AcroForm")); err == nil {
		a.fields, _ = form.Get("Fields").(pdf.Ref)
	}
	a.dss = map[pdf.Ref]bool{}
	if ref, ok := cat.Get("DSS").(pdf.Ref); ok {
		a.dss[ref] = true
		if d, err := a.old.GetDict(ref); err == nil {
			for _, k := range []pdf.Name{"Certs", "OCSPs", "CRLs", "VRI"} {
				if r, ok := d.Get(k).(pdf.Ref); ok {
					a.dss[r] = true
				}
			}
		}
	}
	pages, err := a.old.Pages()
	if err != nil {
		return err
	}
	a.pages = map[pdf.Ref]bool{}
	a.annots = map[pdf.Ref]pdf.Ref{}
	for _, p := range pages {
		a.pages[p] = true
		if _, ref, err := a.old.PageAnnots(p); err == nil && !ref.IsZero() {
			a.annots[ref] = p
		}
	}
	a.sigField = map[pdf.Ref]bool{}
	a.formField = map[pdf.Ref]string{}
	if fields, err := a.old.Fields(); err == nil {
		for _, f := range fields {
			if f.Ref.IsZero() {
				continue
			}
			ft := fieldType(a.old, f.Dict)
			if ft == "Sig" {
				if f.Dict.Get("V") == nil {
					a.sigField[f.Ref] = true
				}
				continue
			}
			a.formField[f.Ref] = f.Name
			kids, _ := a.old.GetArray(f.Dict.Get("Kids"))
			for _, k := range kids {
				if kr, ok := k.(pdf.Ref); ok {
					if kd, err := a.old.GetDict(kr); err == nil && !kd.Has("T") {
						a.formField[kr] = f.Name // a widget of the field
					}
				}
			}
		}
	}
	return nil
}

// classify judges one object redefined after the signature.
func (a *analysis) classify(e pdf.XrefEntry) {
	ref := pdf.Ref{Num: e.Num, Gen: e.Gen}
	oe, existed := a.old.Entry(e.Num)
	existed = existed && oe.Type != pdf.EntryFree
	if e.Type == pdf.EntryFree {
		if existed {
			a.add(changeForbidden, "object %d was deleted", e.Num)
		}
		return
	}
	if !existed {
		return // new objects are judged through what refers to them
	}
	ref.Gen = oe.Gen
	if e.Type == pdf.EntryInUse && e.Gen != oe.Gen {
		a.add(changeForbidden, "object %d was redefined with another generation", e.Num)
		return
	}
	oldObj, err1 := a.old.Resolve(ref)
	newObj, err2 := a.cur.Resolve(ref)
	if err1 != nil || err2 != nil {
		a.add(changeForbidden, "object %d was redefined and cannot be compared", e.Num)
		return
	}
	if sameObject(oldObj, newObj) {
		return
	}
	// Containers of the file's own structure carry no content.
	if st, ok := oldObj.(*pdf.Stream); ok {
		if t, _ := st.Dict.Name("Type"); t == "XRef" || t == "ObjStm" {
			return
		}
	}
	switch {
	case ref == a.catalog:
		a.dictChange(ref, "the document catalog", oldObj, newObj, map[pdf.Name]func(o, n pdf.Object) bool{
			"AcroForm":   a.formChange,
			"DSS":        func(_, _ pdf.Object) bool { return true },
			"Extensions": func(_, _ pdf.Object) bool { return true },
			"Metadata":   func(_, _ pdf.Object) bool { return true },
			"Version":    raisedVersion,
		})
	case ref == a.form:
		if !a.formChange(oldObj, newObj) {
			a.add(changeForbidden, "the form dictionary (object %d) was changed", e.Num)
		}
	case ref == a.fields:
		if !a.appendedSigFields(oldObj, newObj) {
			a.add(changeForbidden, "the form's field list (object %d) was changed", e.Num)
		}
	case ref == a.info:
		a.add(changeAllowed, "the document information dictionary was updated")
	case a.dss[ref]:
		// Validation data may be added to at any time.
	case a.pages[ref]:
		a.dictChange(ref, fmt.Sprintf("page object %d", e.Num), oldObj, newObj, map[pdf.Name]func(o, n pdf.Object) bool{
			"Annots": a.appendedWidgets,
		})
	case !a.annots[ref].IsZero():
		if !a.appendedWidgets(oldObj, newObj) {
			a.add(changeForbidden, "the annotations of page object %d were changed", a.annots[ref].Num)
		}
	case a.formField[ref] != "":
		name := a.formField[ref]
		class := changePermitted
		if a.docMDP == 1 {
			class = changeForbidden
		}
		fill := func(_, _ pdf.Object) bool { return true }
		before := len(a.changes)
		a.dictChange(ref, fmt.Sprintf("form field %q (object %d)", name, e.Num), oldObj, newObj, map[pdf.Name]func(o, n pdf.Object) bool{
			"V": fill, "AP": fill, "AS": fill, "MK": fill,
		})
		if len(a.changes) == before {
			a.add(class, "form field %q was filled in", name)
		}
	case a.sigField[ref]:
		a.dictChange(ref, fmt.Sprintf("signature field object %d", e.Num), oldObj, newObj, map[pdf.Name]func(o, n pdf.Object) bool{
			"V":    a.isSigValue,
			"Lock": func(_, _ pdf.Object) bool { return true },
		})
	default:
		a.add(changeForbidden, "object %d was changed", e.Num)
	}
}

// raisedVersion allows the catalog's /Version to be raised (signing an
// old document raises it to 1.7), never lowered.
func raisedVersion(o, n pdf.Object) bool {
	nv, ok := n.(pdf.Name)
	if !ok {
		return false
	}
	ov, _ := o.(pdf.Name)
	return string(nv) >= string(ov)
}

// dictChange allows the changed keys that have a rule and forbids the rest.
func (a *analysis) dictChange(ref pdf.Ref, what string, oldObj, newObj pdf.Object, rules map[pdf.Name]func(o, n pdf.Object) bool) {
	od, ok1 := oldObj.(pdf.Dict)
	nd, ok2 := newObj.(pdf.Dict)
	if !ok1 || !ok2 {
		a.add(changeForbidden, "%s was replaced", what)
		return
	}
	keys := append(od.Keys(), nd.Keys()...)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	for _, k := range keys {
		if sameObject(od.Get(k), nd.Get(k)) {
			continue
		}
		rule := rules[k]
		if rule == nil || !rule(od.Get(k), nd.Get(k)) {
			a.add(changeForbidden, "%s: /%s was changed", what, k)
		}
	}
	_ = ref
}

// formChange allows a form dictionary to gain signature fields and the
// /SigFlags they need.
func (a *analysis) formChange(o, n pdf.Object) bool {
	od, err1 := a.old.GetDict(o)
	nd, err2 := a.cur.GetDict(n)
	if err1 != nil && o != nil || err2 != nil {
		return false
	}
	keys := append(od.Keys(), nd.Keys()...)
	for _, k := range keys {
		if sameObject(od.Get(k), nd.Get(k)) {
			continue
		}
		switch k {
		case "SigFlags":
		case "Fields":
			if !a.appendedSigFields(od.Get("Fields"), nd.Get("Fields")) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// appendedSigFields allows a field list to gain signature fields.
func (a *analysis) appendedSigFields(o, n pdf.Object) bool {
	return a.appended(o, n, a.isNewSigField)
}

// appendedWidgets allows an annotation list to gain signature widgets,
// and other annotations as far as the signature's permissions go.
func (a *analysis) appendedWidgets(o, n pdf.Object) bool {
	return a.appended(o, n, func(x pdf.Object) bool {
		return a.isNewSigField(x) || a.newAnnotation(x)
	})
}

// newAnnotation judges an annotation added after the signature: permitted
// (and reported) without certification or with DocMDP P=3, unless it
// draws its own appearance over the page, which may cover what was
// signed (an "evil annotation"); forbidden by DocMDP P=1 and P=2.
func (a *analysis) newAnnotation(x pdf.Object) bool {
	ref, ok := x.(pdf.Ref)
	if !ok {
		return false
	}
	if e, ok := a.old.Entry(ref.Num); ok && e.Type != pdf.EntryFree {
		return false // an object of the signed revision moved onto the page
	}
	d, err := a.cur.GetDict(ref)
	if err != nil {
		return false
	}
	sub, _ := d.Name("Subtype")
	switch {
	case a.docMDP == 1 || a.docMDP == 2:
		a.add(changeForbidden, "a %s annotation (object %d) was added to a certified document", sub, ref.Num)
		return true
	case sub == "Widget":
		a.add(changeForbidden, "a form field widget (object %d) was added", ref.Num)
		return true
	case d.Has("AP") && sub != "Text" && sub != "Popup" && sub != "Link":
		a.add(changeForbidden, "a %s annotation (object %d) with its own appearance was added over the page", sub, ref.Num)
		return true
	}
	a.add(changePermitted, "a %s annotation (object %d) was added", sub, ref.Num)
	return true
}

// appended reports whether list n is list o followed by entries that ok
// accepts.
func (a *analysis) appended(o, n pdf.Object, ok func(pdf.Object) bool) bool {
	var oa pdf.Array
	if o != nil {
		var err error
		if oa, err = a.old.GetArray(o); err != nil {
			return false
		}
	}
	na, err := a.cur.GetArray(n)
	if err != nil || len(na) < len(oa) {
		return false
	}
	for i := range oa {
		if !sameObject(oa[i], na[i]) {
			return false
		}
	}
	for _, x := range na[len(oa):] {
		if !ok(x) {
			return false
		}
	}
	return true
}

// isNewSigField accepts a new signature field (or its widget): an object
// that did not exist at signing, of field type Sig, whose value (if any)
// is a signature dictionary. On a document certified with P=1 only
// document timestamps may be added.
func (a *analysis) isNewSigField(x pdf.Object) bool {
	ref, ok := x.(pdf.Ref)
	if !ok {
		return false
	}
	if e, ok := a.old.Entry(ref.Num); ok && e.Type != pdf.EntryFree {
		return false
	}
	d, err := a.cur.GetDict(ref)
	if err != nil || fieldType(a.cur, d) != "Sig" {
		return false
	}
	if v := d.Get("V"); v != nil && !a.isSigValue(nil, v) {
		return false
	}
	if a.docMDP == 1 {
		sig, _ := a.cur.GetDict(d.Get("V"))
		if t, _ := sig.Name("Type"); t != "DocTimeStamp" {
			return false
		}
	}
	return true
}

// isSigValue accepts a signature dictionary that did not exist at signing.
func (a *analysis) isSigValue(_, n pdf.Object) bool {
	ref, ok := n.(pdf.Ref)
	if !ok {
		return false
	}
	if e, ok := a.old.Entry(ref.Num); ok && e.Type != pdf.EntryFree {
		return false
	}
	d, err := a.cur.GetDict(ref)
	if err != nil {
		return false
	}
	t, _ := d.Name("Type")
	return t == "Sig" || t == "DocTimeStamp"
}

// maxCompare bounds the stream data compared byte by byte.
const maxCompare = 64 << 20

// sameObject compares two direct objects by their serialisation.
func sameObject(a, b pdf.Object) bool {
	if sa, ok := a.(*pdf.Stream); ok {
		sb, ok := b.(*pdf.Stream)
		if !ok || !sameObject(sa.Dict, sb.Dict) {
			return false
		}
		if sa.Offset == sb.Offset && sa.Length == sb.Length {
			return true
		}
		if sa.Length != sb.Length || sa.Length > maxCompare {
			return false
		}
		ra, err1 := io.ReadAll(sa.Raw())
		rb, err2 := io.ReadAll(sb.Raw())
		return err1 == nil && err2 == nil && bytes.Equal(ra, rb)
	}
	ma, err1 := pdf.Marshal(a)
	mb, err2 := pdf.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ma, mb)
}
