package pdf

import (
	"fmt"
)

// GetDict resolves o and returns it as a dictionary (a stream's dictionary
// for a stream). Errors wrap ErrType when it is neither.
func (r *Reader) GetDict(o Object) (Dict, error) {
	v, err := r.Resolve(o)
	if err != nil {
		return Dict{}, err
	}
	return asDict(o, v)
}

// asDict returns v, what o resolved to, as a dictionary (a stream's
// dictionary for a stream).
func asDict(o, v Object) (Dict, error) {
	switch d := v.(type) {
	case Dict:
		return d, nil
	case *Stream:
		return d.Dict, nil
	}
	return Dict{}, fmt.Errorf("%w: %s is %s, not a dictionary", ErrType, describe(o), typeName(v))
}

// GetArray resolves o and returns it as an array.
func (r *Reader) GetArray(o Object) (Array, error) {
	v, err := r.Resolve(o)
	if err != nil {
		return nil, err
	}
	a, ok := v.(Array)
	if !ok {
		return nil, fmt.Errorf("%w: %s is %s, not an array", ErrType, describe(o), typeName(v))
	}
	return a, nil
}

// GetStream resolves o and returns it as a stream.
func (r *Reader) GetStream(o Object) (*Stream, error) {
	v, err := r.Resolve(o)
	if err != nil {
		return nil, err
	}
	s, ok := v.(*Stream)
	if !ok {
		return nil, fmt.Errorf("%w: %s is %s, not a stream", ErrType, describe(o), typeName(v))
	}
	return s, nil
}

func describe(o Object) string {
	if ref, ok := o.(Ref); ok {
		return "object " + ref.String()
	}
	return "object"
}

func typeName(o Object) string {
	switch o.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case int64:
		return "an integer"
	case float64:
		return "a real"
	case Name:
		return "a name"
	case String:
		return "a string"
	case Array:
		return "an array"
	case Dict:
		return "a dictionary"
	case *Stream:
		return "a stream"
	case Ref:
		return "a reference"
	}
	return fmt.Sprintf("%T", o)
}

// CatalogRef returns the trailer's /Root reference, or the zero Ref if it
// is missing or not a reference.
func (r *Reader) CatalogRef() Ref {
	ref, _ := r.trailer.Get("Root").(Ref)
	return ref
}

// Catalog returns the document catalog (trailer /Root).
func (r *Reader) Catalog() (Dict, error) { return r.catalog(r.GetDict) }

// catalogView is Catalog through view: the catalog must not be changed
// nor handed out.
func (r *Reader) catalogView() (Dict, error) { return r.catalog(r.viewDict) }

// catalog resolves the trailer's /Root with get (GetDict: a copy;
// viewDict: the cached dictionary itself).
func (r *Reader) catalog(get func(Object) (Dict, error)) (Dict, error) {
	root := r.trailer.Get("Root")
	if root == nil {
		return Dict{}, fmt.Errorf("%w: trailer has no /Root", ErrNotFound)
	}
	d, err := get(root)
	if err != nil {
		return Dict{}, fmt.Errorf("pdf: catalog: %w", err)
	}
	return d, nil
}

// Pages returns the page objects in document order, walking the page tree
// from the catalog's /Pages with cycle and depth protection.
func (r *Reader) Pages() ([]Ref, error) {
	cat, err := r.catalogView()
	if err != nil {
		return nil, err
	}
	root, ok := cat.Get("Pages").(Ref)
	if !ok {
		return nil, fmt.Errorf("%w: catalog /Pages is not an indirect reference", ErrType)
	}
	var pages []Ref
	seen := map[Ref]bool{}
	var walk func(ref Ref, depth int) error
	walk = func(ref Ref, depth int) error {
		if seen[ref] {
			return fmt.Errorf("%w: page tree node %v visited twice", ErrCycle, ref)
		}
		if depth > r.opts.MaxDepth {
			return fmt.Errorf("%w: page tree deeper than %d", ErrLimit, r.opts.MaxDepth)
		}
		seen[ref] = true
		node, err := r.viewDict(ref)
		if err != nil {
			return fmt.Errorf("pdf: page tree: %w", err)
		}
		typ, _ := node.Name("Type")
		kidsObj, hasKids := node.Lookup("Kids")
		if typ == "Page" || typ != "Pages" && !hasKids {
			pages = append(pages, ref)
			return nil
		}
		kidsV, err := r.view(kidsObj)
		if err != nil {
			return fmt.Errorf("pdf: page tree node %v /Kids: %w", ref, err)
		}
		kids, ok := kidsV.(Array)
		if !ok {
			err = fmt.Errorf("%w: %s is %s, not an array", ErrType, describe(kidsObj), typeName(kidsV))
		}
		if err != nil {
			return fmt.Errorf("pdf: page tree node %v /Kids: %w", ref, err)
		}
		for _, k := range kids {
			kr, ok := k.(Ref)
			if !ok {
				return fmt.Errorf("%w: page tree node %v has a kid that is not a reference", ErrType, ref)
			}
			if err := walk(kr, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(root, 0); err != nil {
		return nil, err
	}
	return pages, nil
}

// PageAttr returns the value of key for a page, looking up the /Parent
// chain for inheritable attributes (/Resources, /MediaBox, /CropBox,
// /Rotate). The value is returned unresolved; nil if absent.
func (r *Reader) PageAttr(page Ref, key Name) (Object, error) {
	var o Object = page
	seen := map[Ref]bool{}
	for depth := 0; ; depth++ {
		if ref, ok := o.(Ref); ok {
			if seen[ref] {
				return nil, fmt.Errorf("%w: /Parent chain of page %v", ErrCycle, page)
			}
			seen[ref] = true
		}
		if depth > r.opts.MaxDepth {
			return nil, fmt.Errorf("%w: /Parent chain of page %v longer than %d", ErrLimit, page, r.opts.MaxDepth)
		}
		d, err := r.GetDict(o)
		if err != nil {
			return nil, fmt.Errorf("pdf: page %v: %w", page, err)
		}
		if v, ok := d.Lookup(key); ok {
			return v, nil
		}
		o = d.Get("Parent")
		if o == nil {
			return nil, nil
		}
	}
}

// AcroForm returns the interactive form dictionary (catalog /AcroForm).
// ref is its reference when /AcroForm is an indirect object, which is then
// the object to rewrite; when ref is zero the dictionary is direct in the
// catalog and the catalog (CatalogRef) must be rewritten. ok is false when
// the document has no form.
func (r *Reader) AcroForm() (form Dict, ref Ref, ok bool, err error) {
	cat, err := r.catalogView()
	if err != nil {
		return Dict{}, Ref{}, false, err
	}
	v := cat.Get("AcroForm")
	if v == nil {
		return Dict{}, Ref{}, false, nil
	}
	ref, _ = v.(Ref)
	// The catalog is the Reader's own: what is handed out is a copy.
	form, err = r.GetDict(deepCopy(v))
	if err != nil {
		return Dict{}, Ref{}, false, fmt.Errorf("pdf: /AcroForm: %w", err)
	}
	return form, ref, true, nil
}

// PageAnnots returns a page's /Annots array. ref is its reference when the
// array is an indirect object (rewrite that object to add an annotation);
// when ref is zero the array is direct in the page dictionary (or absent,
// annots nil) and the page object must be rewritten.
func (r *Reader) PageAnnots(page Ref) (annots Array, ref Ref, err error) {
	d, err := r.viewDict(page)
	if err != nil {
		return nil, Ref{}, fmt.Errorf("pdf: page %v: %w", page, err)
	}
	// The page is the Reader's own: what is handed out is a copy.
	v := deepCopy(d.Get("Annots"))
	if v == nil {
		return nil, Ref{}, nil
	}
	ref, _ = v.(Ref)
	a, err := r.Resolve(v)
	if err != nil {
		return nil, Ref{}, fmt.Errorf("pdf: page %v /Annots: %w", page, err)
	}
	if a == nil {
		return nil, ref, nil
	}
	annots, ok := a.(Array)
	if !ok {
		return nil, Ref{}, fmt.Errorf("%w: page %v /Annots is %s", ErrType, page, typeName(a))
	}
	return annots, ref, nil
}

// Field is a form field (a node of the AcroForm field tree with a /T, or a
// terminal field).
type Field struct {
	// Name is the fully qualified name: partial names (/T) joined by '.'.
	Name string
	// Ref is the field's reference (zero if it is a direct object).
	Ref Ref
	// Dict is the field dictionary.
	Dict Dict
}

// Fields returns the form fields in tree order, each node that has a
// partial name /T, with fully qualified names. Kids without /T (widget
// annotations of their parent) are not listed. A document without a form
// has no fields.
func (r *Reader) Fields() ([]Field, error) {
	form, _, ok, err := r.AcroForm()
	if err != nil || !ok {
		return nil, err
	}
	arr, err := r.GetArray(form.Get("Fields"))
	if err != nil {
		if form.Get("Fields") == nil {
			return nil, nil
		}
		return nil, fmt.Errorf("pdf: /AcroForm /Fields: %w", err)
	}
	var out []Field
	seen := map[Ref]bool{}
	var walk func(list Array, prefix string, depth int) error
	walk = func(list Array, prefix string, depth int) error {
		if depth > r.opts.MaxDepth {
			return fmt.Errorf("%w: field tree deeper than %d", ErrLimit, r.opts.MaxDepth)
		}
		for _, k := range list {
			ref, _ := k.(Ref)
			if !ref.IsZero() {
				if seen[ref] {
					return fmt.Errorf("%w: field %v visited twice", ErrCycle, ref)
				}
				seen[ref] = true
			}
			if o, err := r.Resolve(k); err == nil && o == nil {
				// A null entry (an object an update freed, or one never
				// defined) is no field: viewers skip it, and the rest of
				// the form still reads.
				continue
			}
			d, err := r.GetDict(k)
			if err != nil {
				return fmt.Errorf("pdf: form field: %w", err)
			}
			name := prefix
			if t, ok := d.Get("T").(String); ok {
				name = TextString(t.Bytes)
				if prefix != "" {
					name = prefix + "." + name
				}
				out = append(out, Field{Name: name, Ref: ref, Dict: d})
			}
			if kv := d.Get("Kids"); kv != nil {
				ka, err := r.GetArray(kv)
				if err != nil {
					return fmt.Errorf("pdf: form field %q /Kids: %w", name, err)
				}
				if err := walk(ka, name, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(arr, "", 0); err != nil {
		return nil, err
	}
	return out, nil
}

// FieldType returns a form field's type (/FT: Btn, Tx, Ch or Sig),
// inherited from its parents when the field does not set it; "" when
// none does (or the chain of parents is broken or too deep). The type
// found for each parent is cached, so that asking for every kid of a
// field with many kids costs one parse of the parent, not one per kid.
func (r *Reader) FieldType(d Dict) Name {
	if ft, ok := d.Name("FT"); ok {
		return ft
	}
	ref, ok := d.Get("Parent").(Ref)
	if !ok {
		parent, err := r.GetDict(d.Get("Parent"))
		if err != nil || parent.Len() == 0 {
			return ""
		}
		ft, _ := parent.Name("FT")
		return ft
	}
	v, _ := r.inherited(ref, "FT", 32)
	ft, _ := v.(Name)
	return ft
}

// inheritKey is a cached inherited-attribute lookup.
type inheritKey struct {
	ref Ref
	key Name
}

// inherited returns the value of key in the dictionary ref or, when it
// lacks key, in its /Parent chain (at most depth dictionaries); nil when
// none has it or the chain is broken. Results are cached per node.
func (r *Reader) inherited(ref Ref, key Name, depth int) (Object, error) {
	var chain []Ref
	var v Object
	var err error
	seen := map[Ref]bool{}
	cur := ref
	for {
		r.mu.Lock()
		cv, hit := r.inherit[inheritKey{cur, key}]
		r.mu.Unlock()
		if hit {
			v = cv
			break
		}
		if seen[cur] {
			err = fmt.Errorf("%w: /Parent chain of %v", ErrCycle, ref)
			break
		}
		if len(chain) >= depth {
			err = fmt.Errorf("%w: /Parent chain of %v longer than %d", ErrLimit, ref, depth)
			break
		}
		seen[cur] = true
		chain = append(chain, cur)
		d, derr := r.GetDict(cur)
		if derr != nil {
			err = derr
			break
		}
		if x, ok := d.Lookup(key); ok {
			v = x
			break
		}
		next, ok := d.Get("Parent").(Ref)
		if !ok {
			if p := d.Get("Parent"); p != nil {
				pd, _ := r.GetDict(p)
				v = pd.Get(key)
			}
			break
		}
		cur = next
	}
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.inherit == nil {
		r.inherit = map[inheritKey]Object{}
	}
	for _, c := range chain {
		r.inherit[inheritKey{c, key}] = v
	}
	r.mu.Unlock()
	return v, nil
}

// FieldByName returns the form field with the fully qualified name
// (partial names joined by '.'). The error wraps ErrNotFound when there is
// no such field.
func (r *Reader) FieldByName(name string) (Ref, Dict, error) {
	fs, err := r.Fields()
	if err != nil {
		return Ref{}, Dict{}, err
	}
	for _, f := range fs {
		if f.Name == name {
			return f.Ref, f.Dict, nil
		}
	}
	return Ref{}, Dict{}, fmt.Errorf("%w: form field %q", ErrNotFound, name)
}
