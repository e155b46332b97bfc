package verify

import (
	"context"
	"slices"
	"strings"

	"github.com/segel-id/segel/internal/pdf"
)

// side is one revision's view of the document: its reader, a cache of
// resolved objects, and the roles of every object reachable from its
// trailer.
type side struct {
	r     *pdf.Reader
	objs  map[pdf.Ref]pdf.Object
	roles map[pdf.Ref]role
	// owner maps appearance and value objects to the widget or field
	// they belong to (the first reached); owners holds every owner of a
	// shared one, first included.
	owner  map[pdf.Ref]pdf.Ref
	owners map[pdf.Ref][]pdf.Ref
	// pages are the objects of the page tree (pages and nodes).
	pages map[pdf.Ref]bool
	// pageNo numbers the pages from 1.
	pageNo map[pdf.Ref]int
	order  []pdf.Ref // refs in the order first reached
	// annots holds the (page, annotation) pairs of the pages' /Annots,
	// built on first use (annotListed).
	annots map[[2]pdf.Ref]bool
	// annotsArrays holds the indirect /Annots arrays of the pages.
	annotsArrays map[pdf.Ref]bool
	ft           map[pdf.Ref]pdf.Name
}

func newSide(r *pdf.Reader) *side {
	return &side{r: r, objs: map[pdf.Ref]pdf.Object{}, roles: map[pdf.Ref]role{},
		owner: map[pdf.Ref]pdf.Ref{}, owners: map[pdf.Ref][]pdf.Ref{}, pages: map[pdf.Ref]bool{}, pageNo: map[pdf.Ref]int{},
		ft: map[pdf.Ref]pdf.Name{}}
}

// get resolves o (one level of reference at a time, cached).
func (s *side) get(o pdf.Object) pdf.Object {
	for range 32 {
		ref, ok := o.(pdf.Ref)
		if !ok {
			return o
		}
		v, ok := s.objs[ref]
		if !ok {
			e, ok := s.r.Entry(ref.Num)
			if ok && e.Type != pdf.EntryFree && (e.Type != pdf.EntryInUse || e.Gen == ref.Gen) {
				v, _ = s.r.Resolve(ref)
			}
			// A chain of references resolved by Resolve is kept as the
			// final value.
			s.objs[ref] = v
		}
		o = v
	}
	return nil
}

// defined reports whether ref is an object of this revision.
func (s *side) defined(ref pdf.Ref) bool {
	return s.get(ref) != nil
}

func (s *side) dict(o pdf.Object) pdf.Dict {
	switch v := s.get(o).(type) {
	case pdf.Dict:
		return v
	case *pdf.Stream:
		return v.Dict
	}
	return pdf.Dict{}
}

func (s *side) array(o pdf.Object) pdf.Array {
	a, _ := s.get(o).(pdf.Array)
	return a
}

// fieldType returns the field type of a form node, inherited through
// /Parent, cached per object so that many kids cost one walk each.
func (s *side) fieldType(o pdf.Object) pdf.Name {
	var chain []pdf.Ref
	var ft pdf.Name
	for range 64 {
		ref, isRef := o.(pdf.Ref)
		if isRef {
			if v, ok := s.ft[ref]; ok {
				ft = v
				break
			}
			if slices.Contains(chain, ref) {
				break
			}
			chain = append(chain, ref)
		}
		d := s.dict(o)
		if v, ok := d.Name("FT"); ok {
			ft = v
			break
		}
		o = d.Get("Parent")
		if o == nil {
			break
		}
	}
	for _, r := range chain {
		s.ft[r] = ft
	}
	return ft
}

// fieldFlags returns a form node's /Ff, inherited through /Parent.
func (s *side) fieldFlags(o pdf.Object) int64 {
	seen := map[pdf.Ref]bool{}
	for range 64 {
		if ref, ok := o.(pdf.Ref); ok {
			if seen[ref] {
				return 0
			}
			seen[ref] = true
		}
		d := s.dict(o)
		if v, ok := s.get(d.Get("Ff")).(int64); ok {
			return v
		}
		o = d.Get("Parent")
		if o == nil {
			return 0
		}
	}
	return 0
}

// fieldName returns the fully qualified name of a form node.
func (s *side) fieldName(o pdf.Object) string {
	var parts []string
	seen := map[pdf.Ref]bool{}
	for range 64 {
		if ref, ok := o.(pdf.Ref); ok {
			if seen[ref] {
				break
			}
			seen[ref] = true
		}
		d := s.dict(o)
		if d.Len() == 0 {
			break
		}
		if t, ok := d.Get("T").(pdf.String); ok {
			parts = append(parts, pdf.TextString(t.Bytes))
		}
		o = d.Get("Parent")
		if o == nil {
			break
		}
	}
	slices.Reverse(parts)
	return strings.Join(parts, ".")
}

// fieldValue returns a form node's /V, inherited through /Parent.
func (s *side) fieldValue(o pdf.Object) pdf.Object {
	seen := map[pdf.Ref]bool{}
	for range 64 {
		if ref, ok := o.(pdf.Ref); ok {
			if seen[ref] {
				return nil
			}
			seen[ref] = true
		}
		d := s.dict(o)
		if v, ok := d.Lookup("V"); ok {
			return v
		}
		o = d.Get("Parent")
		if o == nil {
			return nil
		}
	}
	return nil
}

// walkItem is an object reached in a role.
type walkItem struct {
	o     pdf.Object
	role  role
	owner pdf.Ref // for appearances: the widget
}

// walk visits every object reachable from the trailer and gives each
// its roles. References into the page tree or to the catalog from other
// roles are links (destinations, /P, /Pg), not descended.
func (s *side) walk(ctx context.Context) error {
	if pages, err := s.r.Pages(); err == nil {
		for i, p := range pages {
			s.pageNo[p] = i + 1
			s.pages[p] = true
		}
	}
	cat := s.r.CatalogRef()
	if root, ok := s.dict(cat).Get("Pages").(pdf.Ref); ok {
		s.pages[root] = true
		s.markNodes(root)
	}
	tr := s.r.Trailer()
	stack := []walkItem{{o: tr.Get("Root"), role: roleCatalog}, {o: tr.Get("Info"), role: roleInfo}, {o: tr.Get("Encrypt"), role: roleContent}}
	n := 0
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if ref, ok := it.o.(pdf.Ref); ok {
			if it.role != roleCatalog && ref == cat {
				continue
			}
			if s.pages[ref] && it.role&(rolePages|rolePage) == 0 {
				continue // a link to a page
			}
			owned := (it.role == roleAppearance || it.role == roleValue) && !it.owner.IsZero()
			if s.roles[ref]&it.role != 0 {
				// An appearance or value reached again through another
				// widget or field is shared: every owner is recorded (and
				// the object's parts descended again for it), so that
				// filling one of them does not clear a change the others
				// show. Bounded by maxOwners per object.
				if !owned || !s.addOwner(ref, it.owner) {
					continue
				}
			} else if owned {
				s.addOwner(ref, it.owner)
			}
			if _, seen := s.roles[ref]; !seen {
				s.order = append(s.order, ref)
			}
			s.roles[ref] |= it.role
			n++
			if n > maxWalk {
				return errTooLarge
			}
			if n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			v := s.get(ref)
			if it.role == roleNode {
				it.owner = ref
			}
			stack = s.children(stack, v, it)
			continue
		}
		stack = s.children(stack, it.o, it)
	}
	return nil
}

// maxOwners bounds the owners recorded for one shared appearance or
// value; past it a zero owner (never filled in) is recorded, so that a
// change to the object fails closed.
const maxOwners = 16

// addOwner records owner for the appearance or value ref and reports
// whether it is new (and the object must be descended for it).
func (s *side) addOwner(ref, owner pdf.Ref) bool {
	list := s.owners[ref]
	if slices.Contains(list, owner) {
		return false
	}
	if len(list) >= maxOwners {
		if !slices.Contains(list, pdf.Ref{}) {
			s.owners[ref] = append(list, pdf.Ref{})
		}
		return false
	}
	if len(list) == 0 {
		s.owner[ref] = owner
	}
	s.owners[ref] = append(list, owner)
	return true
}

// markNodes marks the intermediate nodes of the page tree.
func (s *side) markNodes(root pdf.Ref) {
	stack := []pdf.Ref{root}
	for len(stack) > 0 && len(s.pages) < maxWalk {
		ref := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, k := range s.array(s.dict(ref).Get("Kids")) {
			if kr, ok := k.(pdf.Ref); ok && !s.pages[kr] {
				s.pages[kr] = true
				stack = append(stack, kr)
			}
		}
	}
}

// children pushes the parts of the direct object v, each in the role its
// key gives it.
func (s *side) children(stack []walkItem, v pdf.Object, it walkItem) []walkItem {
	push := func(o pdf.Object, r role) {
		switch o.(type) {
		case pdf.Ref, pdf.Dict, pdf.Array, *pdf.Stream:
			stack = append(stack, walkItem{o: o, role: r, owner: it.owner})
		}
	}
	switch x := v.(type) {
	case pdf.Array:
		r := it.role
		switch it.role {
		case roleList:
			r = roleNode
		case rolePages:
			r = 0 // decided per kid below
		}
		for _, e := range x {
			if r == 0 {
				if t, _ := s.dict(e).Name("Type"); t == "Pages" {
					push(e, rolePages)
				} else {
					push(e, rolePage)
				}
				continue
			}
			push(e, r)
		}
	case *pdf.Stream:
		stack = s.children(stack, x.Dict, it)
	case pdf.Dict:
		for _, k := range x.Keys() {
			if r := childRole(it.role, k); r != 0 {
				if r == roleSig && it.role == roleNode {
					// A form node's /V is a signature only on a signature field.
					if _, isStr := x.Get(k).(pdf.String); isStr {
						continue
					}
					if t, _ := s.dict(x.Get(k)).Name("Type"); t != "Sig" && t != "DocTimeStamp" && !s.dict(x.Get(k)).Has("ByteRange") {
						r = roleContent
						if k == "V" {
							r = roleValue
						}
					}
				}
				push(x.Get(k), r)
			}
		}
	}
	return stack
}

// childRole is the role of the value of key in a dictionary of role
// parent; 0 means the value is not followed (a link back).
func childRole(parent role, key pdf.Name) role {
	switch parent {
	case roleCatalog:
		switch key {
		case "Pages":
			return rolePages
		case "AcroForm":
			return roleForm
		case "DSS":
			return roleDSS
		case "Metadata":
			return roleMetadata
		case "StructTreeRoot":
			return roleStruct
		case "Outlines":
			return roleOutlines
		case "Names":
			return roleNames
		case "Perms":
			return rolePerms
		case "PieceInfo":
			return roleInfo // application data, never drawn
		}
	case rolePages:
		switch key {
		case "Kids":
			return rolePages // the array; kids decided by their /Type
		case "Parent":
			return 0
		}
	case rolePage:
		switch key {
		case "Annots":
			return roleList
		case "PieceInfo":
			return roleInfo
		case "Parent":
			return 0
		}
	case roleList:
		return roleNode
	case roleForm:
		switch key {
		case "Fields":
			return roleList
		case "DR":
			return roleFormRes
		}
	case roleNode:
		switch key {
		case "AP":
			return roleAppearance
		case "Kids":
			return roleList
		case "Parent", "Popup", "IRT":
			return roleNode
		case "P":
			return 0
		case "V", "Lock", "SV":
			return roleSig
		case "RV":
			return roleValue
		}
	case roleSig:
		if key == "Data" {
			return 0 // FieldMDP's link to the catalog
		}
		return roleSig
	case roleValue:
		return roleValue
	case roleAppearance:
		if key == "Resources" {
			return roleContent
		}
		return roleAppearance
	case roleStruct:
		switch key {
		case "Pg", "Obj", "P":
			return 0 // links to pages, annotations and parents
		}
		return roleStruct
	case roleOutlines:
		switch key {
		case "Parent", "Prev", "Next", "Last":
			return roleOutlines
		case "Dest", "A", "SE":
			return roleContent
		}
		return roleOutlines
	case roleDSS, roleInfo, roleMetadata, roleNames, rolePerms, roleFormRes:
		if parent == rolePerms {
			return roleSig
		}
		return parent
	}
	return roleContent
}
