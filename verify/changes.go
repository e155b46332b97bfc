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
	a.compareTrailers()
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
	// An object stream redefined after signing redefines every object
	// still read from it, although those have no entry of their own.
	if len(a.objStms) > 0 {
		for _, e := range v.r.Entries() {
			if e.Type == pdf.EntryCompressed && a.objStms[e.Stream] && !seen[e.Num] {
				seen[e.Num] = true
				a.classify(e)
			}
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
	// referred holds every object number the signed revision refers to,
	// defined or not; content those reachable from the catalog other than
	// through /DSS (what a reader may show).
	referred, content map[uint32]bool
	// objStms are the object streams redefined after signing.
	objStms map[uint32]bool
	changes []change
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
	a.objStms = map[uint32]bool{}
	a.referred, a.content = walk(a.old)
	a.sigField = map[pdf.Ref]bool{}
	a.formField = map[pdf.Ref]string{}
	if fields, err := a.old.Fields(); err == nil {
		for _, f := range fields {
			if f.Ref.IsZero() {
				continue
			}
			ft := a.old.FieldType(f.Dict)
			if ft == "Sig" {
				if f.Dict.Get("V") == nil {
					a.sigField[f.Ref] = true
					// Its widgets get the signature's appearance.
					kids, _ := a.old.GetArray(f.Dict.Get("Kids"))
					for _, k := range kids {
						if kr, ok := k.(pdf.Ref); ok {
							a.sigField[kr] = true
						}
					}
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
		// New objects are judged through what refers to them, unless the
		// signed revision already referred to them: defining an object
		// that a page pointed to in vain changes the page (a shadow
		// attack).
		if a.referred[e.Num] {
			a.add(changeForbidden, "object %d, referred to but undefined when signed, was defined afterwards", e.Num)
		}
		return
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
	// Containers of the file's own structure carry no content of their
	// own; the objects of a redefined object stream are judged one by one.
	if st, ok := oldObj.(*pdf.Stream); ok {
		switch t, _ := st.Dict.Name("Type"); t {
		case "XRef":
			return
		case "ObjStm":
			a.objStms[e.Num] = true
			return
		}
	}
	switch {
	case ref == a.catalog:
		a.dictChange(ref, "the document catalog", oldObj, newObj, a.catalogRules())
	case ref == a.form:
		if !a.formChange(oldObj, newObj) {
			a.add(changeForbidden, "the form dictionary (object %d) was changed", e.Num)
		}
	case ref == a.fields:
		if !a.appendedSigFields(oldObj, newObj) {
			a.add(changeForbidden, "the form's field list (object %d) was changed", e.Num)
		}
	case ref == a.info && !a.content[ref.Num]:
		a.add(changeAllowed, "the document information dictionary was updated")
	case a.dss[ref] && !a.content[ref.Num]:
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
		// Signing into a prepared empty field: its value, and the
		// appearance of the signature drawn in the field's own rectangle
		// (which the signer laid out for it).
		any := func(_, _ pdf.Object) bool { return true }
		a.dictChange(ref, fmt.Sprintf("signature field object %d", e.Num), oldObj, newObj, map[pdf.Name]func(o, n pdf.Object) bool{
			"V": a.isSigValue, "Lock": any, "AP": any, "F": any, "MK": any,
		})
	default:
		a.add(changeForbidden, "object %d was changed", e.Num)
	}
}

// maxWalk bounds the objects walk visits in one revision.
const maxWalk = 500_000

// walk visits every object reachable from r's trailer and returns the
// numbers of all objects referred to (defined or not) and of those
// reachable from the catalog other than through /DSS: what a reader may
// show.
func walk(r *pdf.Reader) (referred, content map[uint32]bool) {
	referred = map[uint32]bool{}
	content = map[uint32]bool{}
	visited := map[uint32]bool{}
	var queue []pdf.Object
	visit := func(start []pdf.Object, mark map[uint32]bool) {
		queue = append(queue[:0], start...)
		for len(queue) > 0 && len(visited) < maxWalk {
			o := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			switch v := o.(type) {
			case pdf.Ref:
				referred[v.Num] = true
				if mark != nil {
					if mark[v.Num] {
						continue
					}
					mark[v.Num] = true
				} else if visited[v.Num] {
					continue
				}
				visited[v.Num] = true
				if obj, err := r.Resolve(v); err == nil {
					queue = append(queue, obj)
				}
			case pdf.Dict:
				for _, k := range v.Keys() {
					queue = append(queue, v.Get(k))
				}
			case pdf.Array:
				queue = append(queue, []pdf.Object(v)...)
			case *pdf.Stream:
				queue = append(queue, v.Dict)
			}
		}
	}
	// What the catalog shows: everything under it but its /DSS.
	var start []pdf.Object
	if root, ok := r.Trailer().Get("Root").(pdf.Ref); ok {
		content[root.Num], visited[root.Num], referred[root.Num] = true, true, true
	}
	if cat, err := r.Catalog(); err == nil {
		for _, k := range cat.Keys() {
			if k != "DSS" {
				start = append(start, cat.Get(k))
			}
		}
	}
	visit(start, content)
	visit([]pdf.Object{r.Trailer()}, nil)
	return referred, content
}

// compareTrailers judges what a later trailer changed: a new /Root is a
// new catalog, judged against the signed one with the catalog's rules; a
// new /Encrypt changes how everything is read.
func (a *analysis) compareTrailers() {
	ot, nt := a.old.Trailer(), a.cur.Trailer()
	if !sameObject(ot.Get("Encrypt"), nt.Get("Encrypt")) {
		a.add(changeForbidden, "the document's encryption was changed")
	}
	if oldRoot, newRoot := a.old.CatalogRef(), a.cur.CatalogRef(); oldRoot != newRoot {
		oc, err1 := a.old.Catalog()
		nc, err2 := a.cur.Catalog()
		if err1 != nil || err2 != nil {
			a.add(changeForbidden, "the document catalog was replaced")
			return
		}
		a.dictChange(newRoot, fmt.Sprintf("the document catalog (replaced by object %d)", newRoot.Num), oc, nc, a.catalogRules())
	}
}

// catalogRules are the catalog keys a later revision may change.
func (a *analysis) catalogRules() map[pdf.Name]func(o, n pdf.Object) bool {
	return map[pdf.Name]func(o, n pdf.Object) bool{
		"AcroForm":   a.formChange,
		"DSS":        a.dssChange,
		"Extensions": func(_, _ pdf.Object) bool { return true },
		"Metadata":   func(_, _ pdf.Object) bool { return true },
		"Version":    raisedVersion,
	}
}

// dssChange allows /DSS to point at validation data, never at an object
// that the signed document shows.
func (a *analysis) dssChange(_, n pdf.Object) bool {
	ref, ok := n.(pdf.Ref)
	return !ok || !a.content[ref.Num]
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
		case "SigFlags", "DR", "DA":
			// Default resources and appearance gain what a new signature's
			// appearance uses (poppler adds its font); existing
			// appearance streams carry their own resources.
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
	// Text (a note icon), Popup and Link annotations are permitted: they do
	// not draw over the page's content.
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
	case sub != "Text" && sub != "Popup" && sub != "Link":
		// FreeText, Stamp, Square, Ink and the rest are drawn over the page
		// (from /AP, or from /DA and /Contents without one): they can
		// cover or contradict what was signed.
		a.add(changeForbidden, "a %s annotation (object %d) that draws over the page was added", sub, ref.Num)
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
	if err != nil || a.cur.FieldType(d) != "Sig" {
		return false
	}
	if v := d.Get("V"); v != nil && !a.isSigValue(nil, v) {
		return false
	}
	if visible(a.cur, d) {
		switch {
		case d.Get("V") == nil:
			// An empty field has nothing to show: its appearance can only
			// paint over the page.
			a.add(changeForbidden, "an unsigned signature field (object %d) with a visible appearance was added", ref.Num)
			return true
		case a.docMDP != 0:
			// A "sneaky signature": a new appearance over a certified
			// document.
			a.add(changeForbidden, "a visible signature (object %d) was added over a certified document", ref.Num)
			return true
		}
	}
	if a.docMDP == 1 {
		sig, _ := a.cur.GetDict(d.Get("V"))
		if t, _ := sig.Name("Type"); t != "DocTimeStamp" {
			return false
		}
	}
	return true
}

// visible reports whether a widget has a non-empty rectangle and an
// appearance stream.
func visible(r *pdf.Reader, d pdf.Dict) bool {
	rect, err := r.GetArray(d.Get("Rect"))
	if err != nil || len(rect) != 4 {
		return false
	}
	num := func(o pdf.Object) float64 {
		switch v := o.(type) {
		case int64:
			return float64(v)
		case float64:
			return v
		}
		return 0
	}
	if num(rect[0]) == num(rect[2]) || num(rect[1]) == num(rect[3]) {
		return false
	}
	ap, err := r.GetDict(d.Get("AP"))
	return err == nil && ap.Has("N")
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
