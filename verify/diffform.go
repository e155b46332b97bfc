package verify

import (
	"fmt"
	"math"
	"strings"

	"github.com/segel-id/segel/internal/pdf"
)

// The rules of the interactive form and the annotations: the form
// dictionary, the lists (/Fields, /Kids, a page's /Annots), and the form
// nodes (fields, widgets, annotations), existing or new.

// formRule: the form may gain fields (judged by the list rule), the
// /SigFlags of a signed document, default appearance and resources for a
// new signature's appearance, and /NeedAppearances (viewers then draw
// fields from their values: form filling).
func formRule(a *analysis, _ pdf.Ref, obj string, o, n pdf.Object) {
	if o == nil {
		o = pdf.NewDict() // a form added to a document without one
	}
	a.keyed(obj, o, n, map[pdf.Name]func(pdf.Name, pdf.Object, pdf.Object){
		"Fields": func(_ pdf.Name, ov, nv pdf.Object) {
			listRule(a, pdf.Ref{}, obj+" /Fields", a.old.get(ov), a.cur.get(nv))
		},
		"SigFlags": func(pdf.Name, pdf.Object, pdf.Object) {
			a.housekeeping(obj, "/SigFlags was set", "form", LevelLTA)
		},
		"DA": func(pdf.Name, pdf.Object, pdf.Object) {
			a.housekeeping(obj, "the default appearance (/DA) was updated", "form", LevelFormFilling)
		},
		"DR": func(_ pdf.Name, ov, nv pdf.Object) {
			// Entries may be added, not redefined (formResRule).
			if !a.resKeeps(a.old.get(ov), a.cur.get(nv), 0) {
				a.add(obj, "a resource of the default resources (/DR) was redefined", "form-resources", LevelOther)
				return
			}
			a.housekeeping(obj, "the default resources (/DR) were updated", "form", LevelFormFilling)
		},
		"Q": func(pdf.Name, pdf.Object, pdf.Object) {
			a.housekeeping(obj, "the default alignment (/Q) was updated", "form", LevelFormFilling)
		},
		"NeedAppearances": func(pdf.Name, pdf.Object, pdf.Object) {
			a.add(obj, "/NeedAppearances was changed: viewers may redraw the fields from their values", "form", LevelFormFilling)
		},
	})
}

// listRule: a list of form nodes (/Fields, /Kids, /Annots) keeps its
// entries; new entries are judged as new nodes; a removed note, link or
// popup is an annotation change, a removed field, widget or annotation
// that drew on the page is OTHER. Entries match
// by reference, then (for a few left over) by equal value, so that a list
// of thousands costs linear time.
func listRule(a *analysis, ref pdf.Ref, obj string, o, n pdf.Object) {
	oa, _ := o.(pdf.Array)
	na, ok := n.(pdf.Array)
	if !ok && n != nil {
		a.add(obj, "is not an array", "list", LevelOther)
		return
	}
	byRef := map[pdf.Ref][]int{}
	for k, e := range na {
		if r, ok := e.(pdf.Ref); ok {
			byRef[r] = append(byRef[r], k)
		}
	}
	kept := make([]bool, len(na))
	var leftOld []pdf.Object
	last, reordered, paintsKept := -1, false, false
	for _, e := range oa {
		if r, ok := e.(pdf.Ref); ok && len(byRef[r]) > 0 {
			k := byRef[r][0]
			kept[k] = true
			byRef[r] = byRef[r][1:]
			reordered = reordered || k < last
			last = max(last, k)
			paintsKept = paintsKept || paints(a.old, a.old.dict(e))
			continue
		}
		leftOld = append(leftOld, e)
	}
	if reordered && paintsKept && (strings.HasSuffix(obj, " /Annots") || a.old.isAnnotsArray(ref)) {
		// A page draws its annotations in /Annots order, the last on
		// top: reordering them uncovers what one hid under another.
		a.add(obj, "the order in which the page draws its annotations was changed", "list", LevelOther)
	}
	var leftNew []int
	for k := range na {
		if !kept[k] {
			leftNew = append(leftNew, k)
		}
	}
	const maxDeep = 256
	for _, e := range leftOld {
		found := false
		if len(leftOld) <= maxDeep && len(leftNew) <= maxDeep {
			for _, k := range leftNew {
				if !kept[k] && a.cmp.same(e, na[k]) {
					kept[k], found = true, true
					break
				}
			}
		}
		if !found {
			a.removed(obj, e)
		}
	}
	for _, k := range leftNew {
		if !kept[k] {
			a.newNode(obj, na[k])
		}
	}
}

// removed judges an entry removed from a list.
func (a *analysis) removed(obj string, e pdf.Object) {
	d := a.old.dict(e)
	if isFormNode(d) {
		a.add(obj, fmt.Sprintf("%s was removed", a.oldLabel(e)), "list", LevelOther)
		return
	}
	sub, _ := d.Name("Subtype")
	if paints(a.old, d) {
		// What the signed page showed over its content is gone.
		a.add(obj, fmt.Sprintf("a %s annotation that the signed page showed was removed", sub), "annotations", LevelOther)
		return
	}
	a.add(obj, fmt.Sprintf("a %s annotation was removed", sub), "annotations", LevelAnnotations)
}

func (a *analysis) oldLabel(e pdf.Object) string {
	if name := a.old.fieldName(e); name != "" {
		return fmt.Sprintf("field %q", name)
	}
	return "a widget"
}

// isFormNode reports whether an annotation dictionary is a widget or a
// form field (/Type may be missing; fields may inherit from /Parent).
func isFormNode(d pdf.Dict) bool {
	sub, _ := d.Name("Subtype")
	return sub == "Widget" || d.Has("FT") || d.Has("T") || d.Has("Kids") || (sub == "" && d.Has("Parent"))
}

// newNode judges an entry new to a list: a new signature or document
// timestamp field (or its widget), an empty signature field, an
// annotation; any other new field is OTHER.
func (a *analysis) newNode(obj string, e pdf.Object) {
	ref, isRef := e.(pdf.Ref)
	if isRef {
		if a.judged[ref] {
			return
		}
		a.judged[ref] = true
		if a.old.roles[ref] != 0 && a.old.defined(ref) {
			// An object of the signed revision put into another list.
			if a.old.roles[ref]&roleNode != 0 {
				// Listed on a page that did not list it, an annotation
				// that draws shows its appearance over that page's
				// signed content (a widget of page 1 put on page 2).
				if p := a.newlyOnPage(ref); p > 0 && paints(a.cur, a.cur.dict(ref)) {
					a.add(obj, fmt.Sprintf("%s (object %d) of the signed revision is now also shown on page %d", a.nodeLabel(ref), ref.Num, p), "list", LevelOther)
					return
				}
				a.add(obj, fmt.Sprintf("%s (object %d) was added to another list", a.nodeLabel(ref), ref.Num), "list", LevelAnnotations)
				return
			}
			a.add(obj, fmt.Sprintf("object %d of the signed revision was added as an annotation or field", ref.Num), "list", LevelOther)
			return
		}
	}
	d := a.cur.dict(e)
	if d.Len() == 0 {
		if a.cur.get(e) == nil {
			return // a reference to nothing shows nothing
		}
		a.add(obj, "an entry that is not a dictionary was added", "list", LevelOther)
		return
	}
	what := fmt.Sprintf("object %d", ref.Num)
	if !isRef {
		what = "a direct object"
	}
	if act := activeAction(a.cur, d); act != "" {
		// A script runs when the page opens (/AA /PO, /PV) or on a
		// click, and can hide, fill or redraw what the page shows; a
		// launch runs a program.
		a.add(obj, fmt.Sprintf("an annotation or field (%s) with a /%s action was added", what, act), "annotations", LevelOther)
		return
	}
	if !isFormNode(d) {
		sub, _ := d.Name("Subtype")
		if paints(a.cur, d) {
			a.add(obj, fmt.Sprintf("a %s annotation (%s) that draws over the page was added", sub, what), "annotations", LevelOther)
			return
		}
		a.add(obj, fmt.Sprintf("a %s annotation (%s) was added", sub, what), "annotations", LevelAnnotations)
		return
	}
	name := a.cur.fieldName(e)
	if a.cur.fieldType(e) != "Sig" {
		a.add(obj, fmt.Sprintf("a form field %q (%s) was added", name, what), "form-field", LevelOther)
		return
	}
	v := a.cur.fieldValue(e)
	vis := visible(a.cur, d)
	if v == nil {
		if vis {
			a.add(obj, fmt.Sprintf("an unsigned signature field %q (%s) with a visible appearance was added", name, what), "signature-field", LevelOther)
			return
		}
		a.housekeeping(obj, fmt.Sprintf("an empty signature field %q was added", name), "signature-field", LevelFormFilling)
		return
	}
	level, ok := a.newSignature(v)
	switch {
	case !ok:
		a.add(obj, fmt.Sprintf("signature field %q (%s) has a value that is not a new signature", name, what), "signature-field", LevelOther)
	case vis && a.docMDP > 0:
		// A "sneaky signature": a new appearance over a certified document.
		a.add(obj, fmt.Sprintf("a visible signature %q (%s) was added over a certified document", name, what), "signature-field", LevelOther)
	case level == LevelLTA:
		a.housekeeping(obj, fmt.Sprintf("a document timestamp %q was added", name), "signature-field", LevelLTA)
	default:
		a.housekeeping(obj, fmt.Sprintf("a signature %q was added", name), "signature-field", LevelFormFilling)
	}
}

// newSignature judges a signature field's value: a signature dictionary
// the signed revision did not have. Document timestamps are LTA updates,
// signatures form filling.
func (a *analysis) newSignature(v pdf.Object) (ModLevel, bool) {
	ref, ok := v.(pdf.Ref)
	if !ok || a.old.defined(ref) {
		return LevelOther, false
	}
	d := a.cur.dict(ref)
	t, _ := d.Name("Type")
	switch {
	case pdf.IsDocTimestamp(d):
		return LevelLTA, true
	case t == "Sig" || t == "" && d.Has("ByteRange"):
		return LevelFormFilling, true
	}
	return LevelOther, false
}

// formFillKeys are what filling in a field changes on the field and its
// widgets (/M is the widget's modification date).
var formFillKeys = map[pdf.Name]bool{"M": true, "Q": true, "V": true, "I": true, "AS": true, "AP": true, "MK": true, "DA": true}

// signingKeys are what signing a prepared signature field changes (/M
// is the widget's modification date, /P its page).
var signingKeys = map[pdf.Name]bool{"M": true, "P": true, "V": true, "AP": true, "AS": true, "MK": true, "F": true, "Lock": true, "DA": true, "DR": true}

// annotationKeys are what editing an annotation's text changes.
var annotationKeys = map[pdf.Name]bool{"Contents": true, "M": true, "T": true, "NM": true, "RC": true,
	"Popup": true, "Open": true, "CreationDate": true, "Subj": true, "State": true, "StateModel": true}

// nodeRule judges a field, widget or annotation of the signed revision
// that changed: signing a prepared signature field, filling in a field
// (value and regenerated appearance), editing an annotation's text.
func nodeRule(a *analysis, ref pdf.Ref, obj string, o, n pdf.Object) {
	od, ok1 := asDict(o)
	nd, ok2 := asDict(n)
	if !ok1 || !ok2 {
		a.add(obj, "was replaced by an object of another type", "form-node", LevelOther)
		return
	}
	keys := a.changedKeys(o, n)
	if len(keys) == 0 {
		return
	}
	var node pdf.Object = ref
	if ref.IsZero() {
		node = n
	}
	name := a.cur.fieldName(node)
	ft := a.cur.fieldType(node)
	isField := isFormNode(od) || ft != ""
	var other []pdf.Name
	listed := false
	for _, k := range keys {
		switch {
		case k == "Kids" || k == "Annots":
			listRule(a, pdf.Ref{}, obj+" /"+string(k), a.old.get(od.Get(k)), a.cur.get(nd.Get(k)))
		case k == "Type" && nd.Get("Type") == pdf.Name("Annot") && od.Get("Type") == nil:
			a.housekeeping(obj, "/Type /Annot was added", "form-node", LevelLTA)
		case k == "StructParent" || k == "StructParents":
			a.housekeeping(obj, "/"+string(k)+" was set (tagged PDF)", "structure-tree", LevelFormFilling)
		case isField && ft == "Sig" && signingKeys[k]:
			oldV, newV := a.old.fieldValue(node), a.cur.fieldValue(node)
			if oldV != nil || newV == nil {
				other = append(other, k)
				continue
			}
			if k == "V" {
				level, ok := a.newSignature(newV)
				if !ok {
					other = append(other, k)
					continue
				}
				what := fmt.Sprintf("the prepared signature field %q was signed", name)
				if level == LevelLTA {
					what = fmt.Sprintf("a document timestamp was put into the prepared field %q", name)
				}
				a.housekeeping(obj, what, "signature-field", level).Field = name
			}
			if !ref.IsZero() {
				a.filled[ref] = true
			}
		case isField && ft != "Sig" && formFillKeys[k] && a.fixedField(node, ft):
			// A read-only field or a push button holds what the signer
			// saw: no one fills it in.
			other = append(other, k)
		case isField && ft != "Sig" && formFillKeys[k]:
			if !listed {
				a.add(obj, fmt.Sprintf("form field %q was filled in", name), "form-filling", LevelFormFilling).Field = name
				listed = true
			}
			if !ref.IsZero() {
				a.filled[ref] = true
			}
		case !isField && annotationKeys[k] && !((k == "Contents" || k == "RC") && (paints(a.old, od) || paints(a.cur, nd))):
			// A note's text shows in its popup; a FreeText annotation draws
			// its /Contents on the page, so that is not an edit of a note.
			a.add(obj, fmt.Sprintf("a %s annotation's text (/%s) was changed", subtype(nd), k), "annotations", LevelAnnotations)
		default:
			other = append(other, k)
		}
	}
	if len(other) > 0 {
		what := fmt.Sprintf("%s was changed", keyList(other))
		if name != "" {
			what = fmt.Sprintf("%s of field %q", what, name)
		}
		c := a.add(obj, what, "form-node", LevelOther)
		c.Field = name
	}
	if isField && !a.cmp.same(od.Get("V"), nd.Get("V")) {
		switch ft {
		case "Tx", "Ch":
			a.staleAppearance(obj, node, name)
		case "Btn":
			a.buttonState(obj, node, name, nd.Get("V"))
		}
	}
}

// buttonState fails a check box or radio button whose value changed to
// a state that a widget does not show (/AS): viewers differ on which of
// the two they believe.
func (a *analysis) buttonState(obj string, node pdf.Object, name string, v pdf.Object) {
	val, _ := a.cur.get(v).(pdf.Name)
	widgets := []pdf.Object{node}
	if kids := a.cur.array(a.cur.dict(node).Get("Kids")); len(kids) > 0 {
		widgets = kids
	}
	shown := false
	for _, w := range widgets {
		as, ok := a.cur.dict(w).Name("AS")
		if !ok {
			return // no appearance state: viewers draw the value
		}
		if as == val {
			shown = true
		} else if as != "Off" {
			break
		}
	}
	if !shown && val != "Off" {
		a.add(obj, fmt.Sprintf("the value of button %q changed to a state its widgets do not show", name), "form-filling", LevelOther).Field = name
	}
}

func subtype(d pdf.Dict) pdf.Name {
	s, _ := d.Name("Subtype")
	return s
}

// staleAppearance fails a text or choice field whose value changed while
// a widget kept the appearance it had when signed: viewers then disagree
// on what the field shows (the value or the old appearance), which is
// how a shadow attack replaces what a reader sees.
func (a *analysis) staleAppearance(obj string, node pdf.Object, name string) {
	widgets := []pdf.Object{node}
	if kids := a.cur.array(a.cur.dict(node).Get("Kids")); len(kids) > 0 {
		widgets = kids
	}
	for _, w := range widgets {
		ow, nw := a.old.dict(w), a.cur.dict(w)
		if !ow.Has("AP") {
			continue
		}
		if a.sameAppearance(ow.Get("AP"), nw.Get("AP")) {
			a.add(obj, fmt.Sprintf("the value of field %q changed but its appearance was not regenerated", name), "form-filling", LevelOther).Field = name
			return
		}
	}
}

// sameAppearance reports whether an /AP dictionary's normal appearance
// is unchanged, its streams included.
func (a *analysis) sameAppearance(o, n pdf.Object) bool {
	on, nn := a.old.dict(o).Get("N"), a.cur.dict(n).Get("N")
	if !a.cmp.same(on, nn) {
		return false
	}
	ov, nv := a.old.get(on), a.cur.get(nn)
	if !a.cmp.same(ov, nv) {
		return false
	}
	// Appearance states: each stream unchanged.
	if od, ok := ov.(pdf.Dict); ok {
		nd, _ := nv.(pdf.Dict)
		for _, k := range od.Keys() {
			if !a.cmp.same(a.old.get(od.Get(k)), a.cur.get(nd.Get(k))) {
				return false
			}
		}
	}
	return true
}

// paints reports whether an annotation draws over the page: every kind
// but a note (Text), a Link or a Popup, and those too when they carry an
// appearance larger than an icon or a border wider than the default
// one. Hidden annotations draw nothing (see hidden: NoView ones that
// print or toggle do).
func paints(s *side, d pdf.Dict) bool {
	if hidden(d) {
		return false
	}
	switch subtype(d) {
	case "Text", "Link", "Popup":
		// Viewers stroke a Link's border (/BS /W, else /Border's third
		// number; 1 by default) in its /C colour around /Rect, with or
		// without an appearance: a white border 120 points wide erases
		// the letter's text around a small or even empty rectangle.
		if borderWidth(s, d) > 1 {
			return true
		}
		if !d.Has("AP") {
			return false
		}
		w, h := rectSize(s, d)
		return w > 48 || h > 48
	}
	return true
}

// borderWidth returns the width of an annotation's border: /BS /W when
// there is a /BS, else the third number of /Border, else 1 (the default
// of both). A width that is not a number counts as wide.
func borderWidth(s *side, d pdf.Dict) float64 {
	if bs := s.dict(d.Get("BS")); bs.Len() > 0 || d.Has("BS") {
		o := s.get(bs.Get("W"))
		if o == nil {
			return 1
		}
		w, ok := number(o)
		if !ok {
			return math.Inf(1)
		}
		return w
	}
	b := s.array(d.Get("Border"))
	if b == nil && !d.Has("Border") {
		return 1
	}
	if len(b) < 3 {
		return math.Inf(1)
	}
	w, ok := number(s.get(b[2]))
	if !ok {
		return math.Inf(1)
	}
	return w
}

// rectSize returns the width and height of an annotation's /Rect.
func rectSize(s *side, d pdf.Dict) (float64, float64) {
	rect := s.array(d.Get("Rect"))
	if len(rect) != 4 {
		return 0, 0
	}
	var v [4]float64
	for i, o := range rect {
		v[i], _ = number(s.get(o))
	}
	w, h := v[2]-v[0], v[3]-v[1]
	if w < 0 {
		w = -w
	}
	if h < 0 {
		h = -h
	}
	return w, h
}

// visible reports whether a widget shows something: a rectangle with an
// area, an appearance, and not hidden.
func visible(s *side, d pdf.Dict) bool {
	if hidden(d) {
		return false
	}
	w, h := rectSize(s, d)
	if w == 0 || h == 0 {
		return false
	}
	return s.dict(d.Get("AP")).Has("N")
}

// newlyOnPage returns the number of a page whose /Annots lists ref now
// but did not in the signed revision (0 when there is none).
func (a *analysis) newlyOnPage(ref pdf.Ref) int {
	for p, n := range a.cur.pageNo {
		if a.cur.annotListed(p, ref) && !a.old.annotListed(p, ref) {
			return n
		}
	}
	return 0
}

// annotListed reports whether page lists annot in its /Annots; the set of
// pairs is built once per side.
func (s *side) annotListed(page, annot pdf.Ref) bool {
	if s.annots == nil {
		s.annots = map[[2]pdf.Ref]bool{}
		for p := range s.pageNo {
			for _, e := range s.array(s.dict(p).Get("Annots")) {
				if r, ok := e.(pdf.Ref); ok {
					s.annots[[2]pdf.Ref{p, r}] = true
				}
			}
		}
	}
	return s.annots[[2]pdf.Ref{page, annot}]
}

// hidden reports whether an annotation is drawn neither on screen nor
// in print: /F Hidden (2), or NoView (32) without Print (4) and without
// ToggleNoView (256). A NoView annotation that prints changes the printed
// letter; one with ToggleNoView appears when the pointer passes over it.
func hidden(d pdf.Dict) bool {
	f, ok := d.Int("F")
	if !ok {
		return false
	}
	return f&2 != 0 || f&32 != 0 && f&(4|256) == 0
}

// fixedField reports whether a field of the signed revision cannot be
// filled in: read-only (/Ff bit 1, inherited through /Parent), or a push
// button (bit 17), which has no value and shows only its appearance.
func (a *analysis) fixedField(node pdf.Object, ft pdf.Name) bool {
	ff := a.old.fieldFlags(node)
	return ff&1 != 0 || ft == "Btn" && ff&(1<<16) != 0
}

// isAnnotsArray reports whether ref is the indirect /Annots array of a
// page; the set is built once per side.
func (s *side) isAnnotsArray(ref pdf.Ref) bool {
	if ref.IsZero() {
		return false
	}
	if s.annotsArrays == nil {
		s.annotsArrays = map[pdf.Ref]bool{}
		for p := range s.pageNo {
			if r, ok := s.dict(p).Get("Annots").(pdf.Ref); ok {
				s.annotsArrays[r] = true
			}
		}
	}
	return s.annotsArrays[ref]
}

// safeActions are the actions a new annotation may carry: going to a
// destination, opening a URI, a named navigation.
var safeActions = map[pdf.Name]bool{"GoTo": true, "URI": true, "Named": true}

// activeAction returns the type of the first action of an annotation or
// field (its /A, its /Next chain, its additional actions /AA) that is not
// a safe one, or "" when there is none.
func activeAction(s *side, d pdf.Dict) pdf.Name {
	var acts []pdf.Object
	if d.Has("A") {
		acts = append(acts, d.Get("A"))
	}
	aa := s.dict(d.Get("AA"))
	for _, k := range aa.Keys() {
		acts = append(acts, aa.Get(k))
	}
	if d.Has("AA") && aa.Len() == 0 && s.get(d.Get("AA")) != nil {
		return "AA"
	}
	for i := 0; i < len(acts); i++ {
		if i >= 64 {
			return "Next" // a chain too long to follow: fail closed
		}
		ad := s.dict(acts[i])
		t, _ := s.get(ad.Get("S")).(pdf.Name)
		if !safeActions[t] {
			if t == "" {
				t = "unknown"
			}
			return t
		}
		switch next := s.get(ad.Get("Next")).(type) {
		case pdf.Array:
			acts = append(acts, next...)
		case pdf.Dict:
			acts = append(acts, next)
		}
	}
	return ""
}
