package pdf

import (
	"bytes"
	"fmt"
	"math"
	"slices"
)

// EntryType is the kind of a cross-reference entry.
type EntryType uint8

const (
	// EntryFree is a free (deleted or never used) object number.
	EntryFree EntryType = iota
	// EntryInUse is an object stored at a byte offset in the file.
	EntryInUse
	// EntryCompressed is an object stored in an object stream.
	EntryCompressed
)

// XrefEntry is one cross-reference entry.
type XrefEntry struct {
	// Num is the object number.
	Num uint32
	// Type is the kind of entry.
	Type EntryType
	// Gen is the generation number (for a free entry: the generation to use
	// on reuse). Compressed objects have generation 0.
	Gen uint16
	// Offset is the byte offset of "Num Gen obj" for EntryInUse.
	Offset int64
	// Stream is the object number of the object stream for
	// EntryCompressed.
	Stream uint32
	// Index is the index of the object within its object stream for
	// EntryCompressed.
	Index int
}

// Ref returns the reference this entry defines.
func (e XrefEntry) Ref() Ref { return Ref{Num: e.Num, Gen: e.Gen} }

// section is one cross-reference section (classic table with trailer, or
// cross-reference stream), with the entries of a hybrid file's /XRefStm
// merged in.
type section struct {
	start    int64 // offset the startxref or /Prev pointed to
	tail     int64 // offset just after the trailer dictionary / xref stream object
	isStream bool
	trailer  Dict
	entries  map[uint32]XrefEntry
	// repaired marks the section a repair reconstructed (see repair.go):
	// it starts where the damage does and ends at the end of the file.
	repaired bool
}

// readSection parses the xref section at off. budget is the number of
// entries still allowed.
func (r *Reader) readSection(off int64, budget *int) (*section, error) {
	if off < 0 || off >= r.size {
		return nil, errAt(ErrBrokenXref, off, "xref offset outside the file (size %d)", r.size)
	}
	l := newLexer(r.src, r.size, off)
	l.skipSpace()
	if l.keyword("xref") {
		s, err := r.readTable(l, off, budget)
		if err != nil {
			return nil, err
		}
		if v, ok := s.trailer.Get("XRefStm").(int64); ok {
			hs, err := r.readXrefStream(v, budget)
			if err != nil {
				return nil, fmt.Errorf("pdf: /XRefStm of xref at offset %d: %w", off, err)
			}
			for n, e := range hs.entries {
				if old, ok := s.entries[n]; !ok || old.Type == EntryFree {
					s.entries[n] = e
				}
			}
		}
		return s, nil
	}
	if c := l.peek(); c >= '0' && c <= '9' {
		return r.readXrefStream(off, budget)
	}
	return nil, errAt(ErrBrokenXref, off, "no xref table or xref stream")
}

// readTable parses a classic xref table after the "xref" keyword.
func (r *Reader) readTable(l *lexer, off int64, budget *int) (*section, error) {
	s := &section{start: off, entries: make(map[uint32]XrefEntry)}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: xref at offset %d: %s", ErrBrokenXref, off, fmt.Sprintf(format, args...))
	}
	readUint := func(what string) (int64, error) {
		l.skipSpace()
		at := l.pos
		t := l.token()
		n, ok := parseUint(t, 12)
		if !ok {
			return 0, bad("%s: expected a number at offset %d, found %q", what, at, t)
		}
		return n, nil
	}
	for {
		if l.keyword("trailer") {
			break
		}
		first, err := readUint("subsection start")
		if err != nil {
			return nil, err
		}
		count, err := readUint("subsection count")
		if err != nil {
			return nil, err
		}
		if first+count > math.MaxUint32 {
			return nil, bad("subsection %d %d out of range", first, count)
		}
		if count > int64(*budget) {
			return nil, fmt.Errorf("%w: xref at offset %d: more than %d entries", ErrLimit, off, r.opts.MaxXrefEntries)
		}
		if len(s.entries) == 0 && count <= 1<<16 {
			// Most tables are one subsection: size the map once.
			s.entries = make(map[uint32]XrefEntry, count)
		}
		for i := int64(0); i < count; i++ {
			o, err := readUint("entry offset")
			if err != nil {
				return nil, err
			}
			g, err := readUint("entry generation")
			if err != nil {
				return nil, err
			}
			l.skipSpace()
			at := l.pos
			kw := l.token()
			num := uint32(first + i)
			var e XrefEntry
			switch string(kw) {
			case "n":
				e = XrefEntry{Num: num, Type: EntryInUse, Gen: uint16(min(g, math.MaxUint16)), Offset: o}
			case "f":
				e = XrefEntry{Num: num, Type: EntryFree, Gen: uint16(min(g, math.MaxUint16))}
			default:
				return nil, bad("entry %d: expected n or f at offset %d, found %q", num, at, kw)
			}
			// An object number listed twice in one section: the first
			// entry counts, as poppler and qpdf read it.
			// Letting the later one win showed the change analysis
			// another object than the one a viewer displays.
			if _, dup := s.entries[num]; dup {
				continue
			}
			*budget--
			s.entries[num] = e
		}
	}
	p := r.parser(l)
	t, err := p.object(0)
	if err != nil {
		return nil, fmt.Errorf("%w: trailer of xref at offset %d: %w", ErrBrokenXref, off, err)
	}
	d, ok := t.(Dict)
	if !ok {
		return nil, bad("trailer is not a dictionary")
	}
	s.trailer = d
	s.tail = l.pos
	return s, nil
}

// readXrefStream parses a cross-reference stream object at off.
func (r *Reader) readXrefStream(off int64, budget *int) (*section, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: xref stream at offset %d: %s", ErrBrokenXref, off, fmt.Sprintf(format, args...))
	}
	if off < 0 || off >= r.size {
		return nil, bad("offset outside the file (size %d)", r.size)
	}
	// Indirect /Length cannot be resolved before the xref is known: the
	// object reader falls back to searching for "endstream".
	obj, _, end, err := r.readObjectAt(off, nil, -1)
	if err != nil {
		return nil, fmt.Errorf("%w: xref stream at offset %d: %w", ErrBrokenXref, off, err)
	}
	st, ok := obj.(*Stream)
	if !ok {
		return nil, bad("not a stream")
	}
	if t, _ := st.Dict.Name("Type"); t != "XRef" {
		return nil, bad("/Type is not /XRef")
	}
	s := &section{start: off, tail: end, isStream: true, trailer: st.Dict, entries: make(map[uint32]XrefEntry)}
	wa, ok := st.Dict.Get("W").(Array)
	if !ok || len(wa) < 3 {
		return nil, bad("missing or bad /W")
	}
	var w [3]int
	for i := range 3 {
		v, ok := wa[i].(int64)
		if !ok || v < 0 || v > 8 {
			return nil, bad("bad /W %v", wa)
		}
		w[i] = int(v)
	}
	rowLen := w[0] + w[1] + w[2]
	if rowLen == 0 {
		return nil, bad("empty /W")
	}
	size, ok := st.Dict.Int("Size")
	if !ok || size < 0 {
		return nil, bad("missing or bad /Size")
	}
	var index []int64
	switch ix := st.Dict.Get("Index").(type) {
	case nil:
		index = []int64{0, size}
	case Array:
		if len(ix)%2 != 0 {
			return nil, bad("odd /Index length")
		}
		for _, v := range ix {
			n, ok := v.(int64)
			if !ok || n < 0 || n > math.MaxUint32 {
				return nil, bad("bad /Index")
			}
			index = append(index, n)
		}
	default:
		return nil, bad("bad /Index")
	}
	// Size everything from the rows the stream says it holds, after
	// checking them against the entry budget (which the file's size
	// bounds): a hostile /Size costs nothing, and the decoded data may
	// not exceed what those rows need.
	var rows int64
	for i := 1; i < len(index); i += 2 {
		rows += index[i]
	}
	if rows > int64(*budget) {
		return nil, fmt.Errorf("%w: xref stream at offset %d: /Index or /Size asks for %d entries, more than the %d this file can hold", ErrLimit, off, rows, *budget)
	}
	limit := min(r.opts.MaxStreamDecode, 2*int64(rowLen+1)*rows+4096)
	data, err := st.decode(limit, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: xref stream at offset %d: %w", ErrBrokenXref, off, err)
	}
	field := func(b []byte) int64 {
		var v uint64
		for _, c := range b {
			v = v<<8 | uint64(c)
		}
		return int64(min(v, math.MaxInt64))
	}
	pos := 0
	for i := 0; i+1 < len(index); i += 2 {
		first, count := index[i], index[i+1]
		if first+count > math.MaxUint32 {
			return nil, bad("/Index subsection %d %d out of range", first, count)
		}
		for j := int64(0); j < count; j++ {
			if pos+rowLen > len(data) {
				return nil, bad("data too short for /Index and /W (%d bytes)", len(data))
			}
			row := data[pos : pos+rowLen]
			pos += rowLen
			typ := int64(1)
			if w[0] > 0 {
				typ = field(row[:w[0]])
			}
			f2 := field(row[w[0] : w[0]+w[1]])
			f3 := field(row[w[0]+w[1]:])
			num := uint32(first + j)
			var e XrefEntry
			switch typ {
			case 0:
				e = XrefEntry{Num: num, Type: EntryFree, Gen: uint16(min(f3, math.MaxUint16))}
			case 1:
				e = XrefEntry{Num: num, Type: EntryInUse, Offset: f2, Gen: uint16(min(f3, math.MaxUint16))}
			case 2:
				if f2 > math.MaxUint32 || f3 > math.MaxInt32 {
					return nil, bad("bad compressed entry for object %d", num)
				}
				e = XrefEntry{Num: num, Type: EntryCompressed, Stream: uint32(f2), Index: int(f3)}
			default:
				continue // reserved types: a reference to the null object
			}
			// Overlapping /Index subsections: the first entry counts, as
			// in a table (see readTable).
			if _, dup := s.entries[num]; dup {
				continue
			}
			if *budget <= 0 {
				return nil, fmt.Errorf("%w: xref stream at offset %d: more than %d entries", ErrLimit, off, r.opts.MaxXrefEntries)
			}
			*budget--
			s.entries[num] = e
		}
	}
	return s, nil
}

// findStartxref reads the file tail and returns the startxref value.
func (r *Reader) findStartxref() (int64, error) {
	// The last startxref is almost always in the last few dozen bytes:
	// read a short tail first, and the long one only when it has none
	// (the last occurrence in a tail is the last one in the longer tail).
	tailLen := int64(512)
	tail, err := readWindow(r.src, r.size-tailLen, r.size)
	if err != nil {
		return 0, fmt.Errorf("pdf: reading file tail: %w", err)
	}
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 && r.size > tailLen {
		tailLen = 4096
		if tail, err = readWindow(r.src, r.size-tailLen, r.size); err != nil {
			return 0, fmt.Errorf("pdf: reading file tail: %w", err)
		}
		i = bytes.LastIndex(tail, []byte("startxref"))
	}
	base := max(r.size-tailLen, 0)
	if i < 0 {
		return 0, fmt.Errorf("%w: no startxref in the last %d bytes", ErrTruncated, len(tail))
	}
	if !bytes.Contains(tail[i:], []byte("%%EOF")) {
		return 0, fmt.Errorf("%w: no %%%%EOF after startxref at offset %d", ErrTruncated, base+int64(i))
	}
	l := newBytesLexer(tail)
	l.pos = int64(i + len("startxref"))
	l.skipSpace()
	t := l.token()
	n, ok := parseUint(t, 15)
	if !ok {
		return 0, fmt.Errorf("%w: bad startxref value %q at offset %d", ErrBrokenXref, t, base+int64(i))
	}
	return n, nil
}

// sortedEntries returns the entries of m ordered by object number.
func sortedEntries(m map[uint32]XrefEntry) []XrefEntry {
	out := make([]XrefEntry, 0, len(m))
	for _, e := range m {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b XrefEntry) int { return int(int64(a.Num) - int64(b.Num)) })
	return out
}
