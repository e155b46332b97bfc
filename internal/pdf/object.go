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

// dictData holds a dictionary's entries in order. Most dictionaries a
// signature meets have a handful of keys, for which a linear search of
// the entries is cheaper than a map (no hashing, one allocation instead
// of a map's several, and a copy is one slice copy); a dictionary that
// grows past dictIndexMin entries gets an index as well, so that large
// ones (a hostile file's included) stay linear to read and look up
// (docs/decisions.md, "Signing through SoftHSM: overhead (issue 12)").
type dictData struct {
	entries []dictEntry
	index   map[Name]int // position in entries, when len(entries) > dictIndexMin
	// repeated holds the keys the file wrote more than once in this
	// dictionary, each once, sorted (nil for almost every dictionary).
	// Copies keep it; Set does not add to it.
	repeated []Name
}

// dictEntry is one key and its value.
type dictEntry struct {
	key Name
	val Object
}

// dictIndexMin is the number of entries up to which a dictionary has no
// index.
const dictIndexMin = 24

// find returns the position of key in the entries, or -1.
func (p *dictData) find(key Name) int { return findEntry(p.entries, p.index, key) }

// findEntry returns the position of key in entries, looked up in index
// when there is one, or -1.
func findEntry(entries []dictEntry, index map[Name]int, key Name) int {
	if index != nil {
		if i, ok := index[key]; ok {
			return i
		}
		return -1
	}
	for i := range entries {
		if entries[i].key == key {
			return i
		}
	}
	return -1
}

// reindex builds the index when there are enough entries for one, and
// drops it otherwise.
func (p *dictData) reindex() {
	if len(p.entries) <= dictIndexMin {
		p.index = nil
		return
	}
	p.index = make(map[Name]int, len(p.entries))
	for i, e := range p.entries {
		p.index[e.key] = i
	}
}

// NewDict returns an empty dictionary ready for Set.
func NewDict() Dict {
	return Dict{p: &dictData{}}
}

// RepeatedKeys returns the keys the file wrote more than once in this
// dictionary, each once and sorted, or nil. The dictionary holds the last value
// written for each (Get answers it); another reader may take the first, so
// a verifier refuses a signature dictionary that repeats a key rather than
// pick one of its meanings. Set never adds to them.
func (d Dict) RepeatedKeys() []Name {
	if d.p == nil {
		return nil
	}
	return slices.Clone(d.p.repeated)
}

// Len returns the number of entries.
func (d Dict) Len() int {
	if d.p == nil {
		return 0
	}
	return len(d.p.entries)
}

// Get returns the value for key, or nil if absent. A key with a null value
// is indistinguishable from an absent key (as in PDF).
func (d Dict) Get(key Name) Object {
	v, _ := d.Lookup(key)
	return v
}

// Lookup returns the value for key and whether the key is present.
func (d Dict) Lookup(key Name) (Object, bool) {
	if d.p == nil {
		return nil, false
	}
	if i := d.p.find(key); i >= 0 {
		return d.p.entries[i].val, true
	}
	return nil, false
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
		d.p = &dictData{}
	}
	p := d.p
	if i := p.find(key); i >= 0 {
		p.entries[i].val = v
		return
	}
	p.entries = append(p.entries, dictEntry{key, v})
	switch n := len(p.entries); {
	case n == dictIndexMin+1:
		p.reindex()
	case n > dictIndexMin+1:
		p.index[key] = n - 1
	}
}

// Delete removes key, if present.
func (d Dict) Delete(key Name) {
	if d.p == nil {
		return
	}
	i := d.p.find(key)
	if i < 0 {
		return
	}
	d.p.entries = slices.Delete(d.p.entries, i, i+1)
	if d.p.index != nil {
		d.p.reindex()
	}
}

// Keys returns the keys in order. The slice is a copy.
func (d Dict) Keys() []Name {
	if d.p == nil {
		return nil
	}
	keys := make([]Name, len(d.p.entries))
	for i, e := range d.p.entries {
		keys[i] = e.key
	}
	return keys
}

// Clone returns a shallow copy of d: a new dictionary with the same keys and
// values (nested arrays and dictionaries are shared).
func (d Dict) Clone() Dict {
	if d.p == nil {
		return NewDict()
	}
	c := Dict{p: &dictData{entries: slices.Clone(d.p.entries), repeated: d.p.repeated}}
	if c.p.entries == nil {
		c.p.entries = []dictEntry{}
	}
	c.p.reindex()
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
