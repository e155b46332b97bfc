package verify

import (
	"fmt"
	"slices"

	"github.com/segel-id/segel/internal/pdf"
)

// rule judges a changed object in one role: it records a Change for each
// part it clears (with its level) or refuses (OTHER). ref is the object
// (zero for a direct value judged through its parent's key), obj its
// description, o and n its old and new values (resolved).
type rule struct {
	name  string
	role  role
	check func(a *analysis, ref pdf.Ref, obj string, o, n pdf.Object)
}

// rules is the rule table, one rule per role. A role without a rule of
// its own (content) is OTHER whenever it changes.
var rules []rule

func init() {
	rules = []rule{
		{"content", roleContent, contentRule},
		{"catalog", roleCatalog, catalogRule},
		{"page-tree", rolePages, refuseRule("the page tree was changed")},
		{"page", rolePage, pageRule},
		{"list", roleList, listRule},
		{"form-node", roleNode, nodeRule},
		{"signature", roleSig, refuseRule("a signature dictionary of the signed revision was changed")},
		{"appearance", roleAppearance, appearanceRule},
		{"form", roleForm, formRule},
		{"form-resources", roleFormRes, formResRule},
		{"dss", roleDSS, levelRule("dss", "the document security store (DSS/VRI) was updated", LevelLTA, true)},
		{"info", roleInfo, levelRule("info", "the document information dictionary was updated", LevelLTA, false)},
		{"metadata", roleMetadata, levelRule("metadata", "the XMP metadata was updated", LevelLTA, true)},
		{"structure-tree", roleStruct, structRule},
		{"outlines", roleOutlines, refuseRule("the outlines (bookmarks) were changed")},
		{"names", roleNames, refuseRule("the name dictionary (destinations, scripts, embedded files) was changed")},
		{"permissions", rolePerms, refuseRule("the permissions (/Perms) were changed")},
		{"form-filling", roleValue, valueRule},
	}
}

// ruleFor returns the rule of a role.
func ruleFor(r role) *rule {
	for i := range rules {
		if rules[i].role == r {
			return &rules[i]
		}
	}
	return nil
}

// sub judges the value of a key that changed, resolved on both sides, by
// the rule of the role the key gives it.
func (a *analysis) sub(obj string, r role, o, n pdf.Object) {
	ru := ruleFor(r)
	if ru == nil {
		a.add(obj, "was changed", "", LevelOther)
		return
	}
	ref, _ := n.(pdf.Ref)
	ru.check(a, ref, obj, a.old.get(o), a.cur.get(n))
}

func contentRule(a *analysis, _ pdf.Ref, obj string, _, _ pdf.Object) {
	a.add(obj, "was changed", "", LevelOther)
}

func refuseRule(what string) func(a *analysis, ref pdf.Ref, obj string, o, n pdf.Object) {
	return func(a *analysis, _ pdf.Ref, obj string, o, n pdf.Object) {
		msg := what
		if keys := a.changedKeys(o, n); len(keys) > 0 {
			msg = fmt.Sprintf("%s (%s)", what, keyList(keys))
		}
		a.add(obj, msg, "", LevelOther)
	}
}

func levelRule(name, what string, level ModLevel, quiet bool) func(a *analysis, ref pdf.Ref, obj string, o, n pdf.Object) {
	return func(a *analysis, _ pdf.Ref, obj string, _, _ pdf.Object) {
		c := a.add(obj, what, name, level)
		c.quiet = quiet
	}
}

// changedKeys returns the keys whose values differ between two
// dictionaries (or streams); nil when either is not one.
func (a *analysis) changedKeys(o, n pdf.Object) []pdf.Name {
	od, ok1 := asDict(o)
	nd, ok2 := asDict(n)
	if !ok1 || !ok2 {
		return nil
	}
	keys := append(od.Keys(), nd.Keys()...)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	var out []pdf.Name
	for _, k := range keys {
		if !a.cmp.same(od.Get(k), nd.Get(k)) {
			out = append(out, k)
		}
	}
	if os, ok := o.(*pdf.Stream); ok {
		if ns, ok := n.(*pdf.Stream); ok && !a.cmp.streamEq(os, ns, 0) && len(out) == 0 {
			out = append(out, "(data)")
		}
	}
	return out
}

func asDict(o pdf.Object) (pdf.Dict, bool) {
	switch v := o.(type) {
	case pdf.Dict:
		return v, true
	case *pdf.Stream:
		return v.Dict, true
	}
	return pdf.Dict{}, false
}

func keyList(keys []pdf.Name) string {
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += "/" + string(k)
	}
	return s
}

// keyed judges a dictionary key by key: each changed key goes to its
// handler; keys without one are OTHER.
func (a *analysis) keyed(obj string, o, n pdf.Object, handlers map[pdf.Name]func(key pdf.Name, o, n pdf.Object)) {
	od, ok1 := asDict(o)
	nd, ok2 := asDict(n)
	if !ok1 || !ok2 {
		a.add(obj, "was replaced by an object of another type", "", LevelOther)
		return
	}
	for _, k := range a.changedKeys(o, n) {
		if h := handlers[k]; h != nil {
			h(k, od.Get(k), nd.Get(k))
			continue
		}
		a.add(obj, "/"+string(k)+" was "+verb(od.Get(k), nd.Get(k)), "", LevelOther)
	}
}

func verb(o, n pdf.Object) string {
	switch {
	case o == nil:
		return "added"
	case n == nil:
		return "removed"
	}
	return "changed"
}

// catalogRule: a later revision may give the catalog validation data,
// metadata, extensions, a language, a higher version, and change its
// form and structure tree as far as their own rules allow.
func catalogRule(a *analysis, _ pdf.Ref, obj string, o, n pdf.Object) {
	lta := func(what string) func(pdf.Name, pdf.Object, pdf.Object) {
		return func(k pdf.Name, _, _ pdf.Object) {
			a.housekeeping(obj, "/"+string(k)+" "+what, "catalog", LevelLTA)
		}
	}
	subRole := func(r role) func(pdf.Name, pdf.Object, pdf.Object) {
		return func(k pdf.Name, ov, nv pdf.Object) {
			a.sub(obj+" /"+string(k), r, ov, nv)
		}
	}
	a.keyed(obj, o, n, map[pdf.Name]func(pdf.Name, pdf.Object, pdf.Object){
		"AcroForm":       subRole(roleForm),
		"DSS":            subRole(roleDSS),
		"Metadata":       subRole(roleMetadata),
		"StructTreeRoot": subRole(roleStruct),
		"Pages":          subRole(rolePages),
		"Outlines":       subRole(roleOutlines),
		"Names":          subRole(roleNames),
		"Perms":          subRole(rolePerms),
		"Extensions":     lta("was updated (developer extensions)"),
		"PieceInfo":      lta("(application data) was updated"),
		"MarkInfo":       lta("(tagged PDF flags) was updated"),
		"LastModified":   lta("was updated"),
		"Lang":           lta("(language) was set"),
		"Version": func(k pdf.Name, ov, nv pdf.Object) {
			o, _ := ov.(pdf.Name)
			if n, ok := nv.(pdf.Name); ok && string(n) >= string(o) {
				a.housekeeping(obj, "/Version was raised", "catalog", LevelLTA)
				return
			}
			a.add(obj, "/Version was lowered", "", LevelOther)
		},
	})
}

// pageRule: a page may gain annotations (judged by the list rule) and
// the /StructParents a tagged page needs for them.
func pageRule(a *analysis, _ pdf.Ref, obj string, o, n pdf.Object) {
	a.keyed(obj, o, n, map[pdf.Name]func(pdf.Name, pdf.Object, pdf.Object){
		"Annots": func(_ pdf.Name, ov, nv pdf.Object) {
			listRule(a, pdf.Ref{}, obj+" /Annots", a.old.get(ov), a.cur.get(nv))
		},
		"StructParents": func(pdf.Name, pdf.Object, pdf.Object) {
			a.housekeeping(obj, "/StructParents was set (tagged PDF)", "structure-tree", LevelFormFilling)
		},
		"Tabs": func(pdf.Name, pdf.Object, pdf.Object) {
			a.housekeeping(obj, "/Tabs (field tab order) was set", "page", LevelFormFilling)
		},
		// Application data and its date (Acrobat): never drawn.
		"PieceInfo": func(pdf.Name, pdf.Object, pdf.Object) {
			a.housekeeping(obj, "/PieceInfo (application data) was updated", "page", LevelLTA)
		},
		"LastModified": func(pdf.Name, pdf.Object, pdf.Object) {
			a.housekeeping(obj, "/LastModified was updated", "page", LevelLTA)
		},
	})
}

// structRule: the structure tree may grow (new elements for new
// widgets, new parent tree entries, a higher /ParentTreeNextKey); what
// existing elements say (/Alt, /ActualText, their type) may not change.
func structRule(a *analysis, _ pdf.Ref, obj string, o, n pdf.Object) {
	grown := func(k pdf.Name, ov, nv pdf.Object) {
		if a.keeps(a.old.get(ov), a.cur.get(nv)) {
			a.housekeeping(obj, "/"+string(k)+" gained entries (tagged PDF)", "structure-tree", LevelFormFilling)
			return
		}
		a.add(obj, "/"+string(k)+" lost or changed entries", "structure-tree", LevelOther)
	}
	a.keyed(obj, o, n, map[pdf.Name]func(pdf.Name, pdf.Object, pdf.Object){
		"K": grown, "Nums": grown, "Kids": grown, "Names": grown,
		"Limits": func(pdf.Name, pdf.Object, pdf.Object) {
			a.housekeeping(obj, "/Limits were updated", "structure-tree", LevelFormFilling)
		},
		"ParentTree": func(k pdf.Name, ov, nv pdf.Object) {
			a.sub(obj+" /ParentTree", roleStruct, ov, nv)
		},
		"IDTree": func(k pdf.Name, ov, nv pdf.Object) {
			a.sub(obj+" /IDTree", roleStruct, ov, nv)
		},
		"ParentTreeNextKey": func(_ pdf.Name, ov, nv pdf.Object) {
			o, _ := number(ov)
			if nn, ok := number(nv); ok && nn >= o {
				a.housekeeping(obj, "/ParentTreeNextKey was raised", "structure-tree", LevelFormFilling)
				return
			}
			a.add(obj, "/ParentTreeNextKey was lowered", "structure-tree", LevelOther)
		},
	})
}

// keeps reports whether the array (or single object) n keeps every
// element of o, in order.
func (a *analysis) keeps(o, n pdf.Object) bool {
	oa, ok := o.(pdf.Array)
	if !ok {
		if o == nil {
			return true
		}
		oa = pdf.Array{o}
	}
	na, ok := n.(pdf.Array)
	if !ok {
		na = pdf.Array{n}
	}
	j := 0
	for _, e := range oa {
		for j < len(na) && !a.cmp.same(e, na[j]) {
			j++
		}
		if j == len(na) {
			return false
		}
		j++
	}
	return true
}

// appearanceRule defers a changed appearance object: an appearance may
// be regenerated only for a field filled in or signed in the same
// analysis.
func appearanceRule(a *analysis, ref pdf.Ref, obj string, _, _ pdf.Object) {
	if ref.IsZero() {
		a.add(obj, "an appearance was changed", "appearance", LevelOther)
		return
	}
	a.appearances = append(a.appearances, ref)
}

func (a *analysis) judgeAppearances() {
	for _, ref := range a.appearances {
		owners := a.old.owners[ref]
		if len(owners) == 0 {
			owners = a.cur.owners[ref]
		}
		obj := fmt.Sprintf("object %d (appearance)", ref.Num)
		// A shared appearance may be regenerated only when every widget
		// that showed it was filled in: a square annotation or another
		// field drawing the same stream would change with it.
		var notFilled pdf.Ref
		ok := len(owners) > 0
		for _, owner := range owners {
			parent, _ := a.cur.dict(owner).Get("Parent").(pdf.Ref)
			if owner.IsZero() || !(a.filled[owner] || a.filled[parent]) {
				ok, notFilled = false, owner
				break
			}
		}
		if ok {
			a.housekeeping(obj, fmt.Sprintf("the appearance of field %q was regenerated", a.cur.fieldName(owners[0])), "form-filling", LevelFormFilling)
			continue
		}
		what := "an appearance stream of the signed revision was redefined"
		if !notFilled.IsZero() {
			what = fmt.Sprintf("the appearance of %s (object %d), which was not filled in, was redefined", a.nodeLabel(notFilled), notFilled.Num)
		}
		a.add(obj, what, "appearance", LevelOther)
	}
}

// nodeLabel names a form node: its field name, or its annotation type.
func (a *analysis) nodeLabel(ref pdf.Ref) string {
	if name := a.cur.fieldName(ref); name != "" {
		return fmt.Sprintf("field %q", name)
	}
	sub, _ := a.cur.dict(ref).Name("Subtype")
	return fmt.Sprintf("a %s annotation", sub)
}

// valueRule: an indirect value of a form field (a string or rich text
// written as its own object) changed: the field was filled in, like a
// direct /V. The owning field is filled for its appearances.
func valueRule(a *analysis, ref pdf.Ref, obj string, _, _ pdf.Object) {
	// A value shared by several fields fills them all: each is reported
	// (a FieldMDP lock is checked against every one), and each must have
	// regenerated its appearance.
	owners := a.old.owners[ref]
	if len(owners) == 0 {
		a.add(obj, "a field value of the signed revision was changed", "form-filling", LevelOther)
		return
	}
	for _, owner := range owners {
		if owner.IsZero() || a.cur.fieldType(owner) == "Sig" || a.fixedField(owner, a.cur.fieldType(owner)) {
			a.add(obj, "a field value of the signed revision was changed", "form-filling", LevelOther)
			return
		}
	}
	for _, owner := range owners {
		name := a.cur.fieldName(owner)
		a.add(obj, fmt.Sprintf("form field %q was filled in", name), "form-filling", LevelFormFilling).Field = name
		a.filled[owner] = true
		if ft := a.cur.fieldType(owner); ft == "Tx" || ft == "Ch" {
			a.staleAppearance(obj, owner, name)
		}
	}
}

// formResRule: the form's default resources (/DR) may gain entries (a
// font for a new signature's appearance), but a resource they held when
// signed may not be redefined (dropping is tolerated, see resKeeps): viewers draw field values with
// these fonts whenever they regenerate an appearance (/NeedAppearances,
// editing, printing), so swapping the font behind /Helv changes what
// every signed text field shows without touching a /V.
func formResRule(a *analysis, _ pdf.Ref, obj string, o, n pdf.Object) {
	if isResource(o) || !a.resKeeps(o, n, 0) {
		a.add(obj, "a resource of the form's default resources (/DR) was redefined", "form-resources", LevelOther)
		return
	}
	a.housekeeping(obj, "the form's default resources gained entries", "form-resources", LevelFormFilling)
}

// isResource reports whether o (resolved) is a resource itself (a font,
// an XObject, a colour space array, ...) rather than /DR or one of its
// name maps (/Font, /XObject, ...), which are plain dictionaries.
func isResource(o pdf.Object) bool {
	switch v := o.(type) {
	case pdf.Dict:
		return v.Has("Type") || v.Has("Subtype") || v.Has("BaseFont")
	case nil:
		return false
	}
	return true // streams, arrays, names, numbers
}

// resKeeps reports whether the resource map n (resolved) gives every
// entry of o an equal value or drops it; a nested name map (e.g. /DR
// /Font) is checked the same way, one level down. New entries are
// allowed.
func (a *analysis) resKeeps(o, n pdf.Object, depth int) bool {
	if o == nil || n == nil {
		return true
	}
	od, ok1 := o.(pdf.Dict)
	nd, ok2 := n.(pdf.Dict)
	if !ok1 || !ok2 {
		return a.cmp.same(o, n)
	}
	for _, k := range od.Keys() {
		ov, nv := od.Get(k), nd.Get(k)
		if nv == nil {
			// Dropped (digitorus/pdfsign writes its catalog without /DR):
			// viewers then fall back to their own fonts, which an
			// attacker cannot choose.
			continue
		}
		if a.cmp.same(ov, nv) {
			continue
		}
		or, _ := ov.(pdf.Ref)
		if nr, ok := nv.(pdf.Ref); ok && nr == or {
			continue // the same object: judged on its own
		}
		sub, subNew := a.old.get(ov), a.cur.get(nv)
		if depth >= 1 || isResource(sub) || !a.resKeeps(sub, subNew, depth+1) {
			return false
		}
	}
	return true
}
