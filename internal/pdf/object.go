package pdf

import (
	"fmt"
	"io"
	"slices"
)

// Object is a PDF object. Its dynamic type is one of: nil (null), bool,
// int64 (integer), float64 (real), Name, String, Array, Dict, *Stream, Ref,
// and, for writing only, Placeholder.
type Object interface{}

// Name is a PDF name object, without the leading slash and with #xx escapes
// decoded.
type Name string

// String is a PDF string object: the bytes after escape decoding. Hex records
// whether the string was written in hexadecimal form (<…>); the writer uses
// the same form.
type String struct {
	Bytes []byte
	Hex   bool
}

// Array is a PDF array.
type Array []Object

// Ref is an indirect reference "Num Gen R". The zero Ref (object 0) is never
// a valid in-use object and means "no reference".
type Ref struct {
	Num uint32
	Gen uint16
}

// IsZero reports whether r is the zero Ref, meaning "none".
func (r Ref) IsZero() bool { return r == Ref{} }

// String returns "Num Gen R".
func (r Ref) String() string { return fmt.Sprintf("%d %d R", r.Num, r.Gen) }

// Dict is an ordered PDF dictionary: key order is kept as read (or as set)
// and re-serialising a dictionary writes the keys in that order.
//
// Like a map, a Dict has reference semantics: copies of a Dict share their
// contents, so use Clone for an independent copy. The zero Dict is empty;
// Set on it allocates storage (for that variable only), prefer NewDict.
type Dict struct {
	p *dictData
}

type dictData struct {
	keys []Name
	m    map[Name]Object
}

// NewDict returns an empty dictionary ready for Set.
func NewDict() Dict {
	return Dict{p: &dictData{m: make(map[Name]Object)}}
}

// Len returns the number of entries.
func (d Dict) Len() int {
	if d.p == nil {
		return 0
	}
	return len(d.p.keys)
}

// Get returns the value for key, or nil if absent. A key with a null value
// is indistinguishable from an absent key (as in PDF).
func (d Dict) Get(key Name) Object {
	if d.p == nil {
		return nil
	}
	return d.p.m[key]
}

// Lookup returns the value for key and whether the key is present.
func (d Dict) Lookup(key Name) (Object, bool) {
	if d.p == nil {
		return nil, false
	}
	v, ok := d.p.m[key]
	return v, ok
}

// Has reports whether key is present.
func (d Dict) Has(key Name) bool {
	_, ok := d.Lookup(key)
	return ok
}

// Set sets key to v. A new key goes after the existing keys; an existing key
// keeps its position.
func (d *Dict) Set(key Name, v Object) {
	if d.p == nil {
		d.p = &dictData{m: make(map[Name]Object)}
	}
	if _, ok := d.p.m[key]; !ok {
		d.p.keys = append(d.p.keys, key)
	}
	d.p.m[key] = v
}

// Delete removes key, if present.
func (d Dict) Delete(key Name) {
	if d.p == nil {
		return
	}
	if _, ok := d.p.m[key]; !ok {
		return
	}
	delete(d.p.m, key)
	if i := slices.Index(d.p.keys, key); i >= 0 {
		d.p.keys = slices.Delete(d.p.keys, i, i+1)
	}
}

// Keys returns the keys in order. The slice is a copy.
func (d Dict) Keys() []Name {
	if d.p == nil {
		return nil
	}
	return slices.Clone(d.p.keys)
}

// Clone returns a shallow copy of d: a new dictionary with the same keys and
// values (nested arrays and dictionaries are shared).
func (d Dict) Clone() Dict {
	c := NewDict()
	if d.p != nil {
		c.p.keys = slices.Clone(d.p.keys)
		for k, v := range d.p.m {
			c.p.m[k] = v
		}
	}
	return c
}

// Name returns the value of key if it is a Name.
func (d Dict) Name(key Name) (Name, bool) {
	n, ok := d.Get(key).(Name)
	return n, ok
}

// Int returns the value of key if it is an integer.
func (d Dict) Int(key Name) (int64, bool) {
	n, ok := d.Get(key).(int64)
	return n, ok
}

// Stream is a stream object: its dictionary and the location of its raw
// (still encoded) data in the source file.
type Stream struct {
	// Dict is the stream dictionary.
	Dict Dict
	// Ref is the stream's own reference (streams are always indirect).
	Ref Ref
	// Offset is the absolute file offset of the first byte of raw data.
	Offset int64
	// Length is the number of raw data bytes: /Length, or the length found
	// by searching for "endstream" when /Length was wrong.
	Length int64

	src io.ReaderAt
	rd  *Reader // resolves indirect /Filter, /DecodeParms; may be nil
}

// Raw returns a reader of the raw (encoded) stream data, read from the
// source on demand.
func (s *Stream) Raw() io.Reader {
	return io.NewSectionReader(s.src, s.Offset, s.Length)
}

// PlaceholderKind selects how a Placeholder is serialised.
type PlaceholderKind int

const (
	// PlaceholderHex is a hex string of zeros: "<" + (Width-2)×'0' + ">",
	// e.g. the signature /Contents.
	PlaceholderHex PlaceholderKind = iota
	// PlaceholderArray is "[" + (Width-2)×' ' + "]", e.g. the signature
	// /ByteRange, patched later with "[0 a b c]" padded with spaces.
	PlaceholderArray
	// PlaceholderSpaces is Width spaces.
	PlaceholderSpaces
)

// Placeholder is an object written as a fixed-width region of exactly Width
// bytes whose absolute offset is reported in Result.Placeholders[Key]. It may
// appear anywhere an object may (as a dictionary value, typically) in objects
// given to Update.Set.
type Placeholder struct {
	Key   string
	Width int
	Kind  PlaceholderKind
}
