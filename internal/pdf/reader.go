package pdf

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"sync"
)

// ReadOptions holds the limits of a Reader. A zero field means its default.
type ReadOptions struct {
	// MaxDepth bounds the nesting of arrays and dictionaries, the length
	// of reference chains followed by Resolve, and the depth of the page
	// and form-field trees. Default 100.
	MaxDepth int
	// MaxXrefEntries bounds the total number of cross-reference entries
	// over all sections. Default 8 388 607 (the PDF 1.7 object-number
	// limit); whatever it is, a file of n bytes may hold no more than
	// 65 536 + n/8 entries.
	MaxXrefEntries int
	// MaxXrefSections bounds the number of xref sections followed through
	// /Prev. Default 10 000.
	MaxXrefSections int
	// MaxStreamDecode bounds the decoded size of xref streams, object
	// streams and Stream.Decode(0). Default 256 MiB.
	MaxStreamDecode int64
	// MaxStringLen bounds the length of a string or name. Default 64 MiB.
	MaxStringLen int
	// MaxStreamScan bounds how far to search for "endstream" when a
	// stream's /Length is wrong or unresolvable. Default 64 MiB.
	MaxStreamScan int64
	// NoRepair makes Open fail on a broken or truncated cross-reference
	// instead of reconstructing it (see Reader.Repaired).
	NoRepair bool
}

func (o *ReadOptions) withDefaults() ReadOptions {
	var d ReadOptions
	if o != nil {
		d = *o
	}
	if d.MaxDepth <= 0 {
		d.MaxDepth = 100
	}
	if d.MaxXrefEntries <= 0 {
		d.MaxXrefEntries = 8388607
	}
	if d.MaxXrefSections <= 0 {
		d.MaxXrefSections = 10000
	}
	if d.MaxStreamDecode <= 0 {
		d.MaxStreamDecode = 256 << 20
	}
	if d.MaxStringLen <= 0 {
		d.MaxStringLen = 64 << 20
	}
	if d.MaxStreamScan <= 0 {
		d.MaxStreamScan = 64 << 20
	}
	return d
}

// Reader reads a PDF document from an io.ReaderAt. It reads only the file
// tail, the cross-reference chain and the objects asked for. A Reader is
// safe for concurrent use.
type Reader struct {
	src     io.ReaderAt
	size    int64
	opts    ReadOptions
	version string // header version, e.g. "1.7"

	chain   []*section // newest first
	xref    map[uint32]XrefEntry
	trailer Dict
	maxSize uint32

	mu      sync.Mutex
	objStms map[uint32]*objStm
	ends    []int64 // lazily computed revision ends, file order
	// dicts caches the first maxDictCache dictionaries read (not streams):
	// the catalog, the page and the form are read several times per
	// signature. Callers get deep copies, free to change. The key holds
	// the offset, so that a repaired xref never finds an object read
	// through the broken one.
	dicts map[dictKey]Dict
	// inherit caches inherited-attribute lookups (FieldType).
	inherit map[inheritKey]Object
	shared  *readerShared

	// repairCause is why the declared xref could not be used (nil when
	// it was); damagedFrom is where the damage starts (see repair.go).
	repairCause error
	damagedFrom int64
}

// Revision is one cross-reference section of the file, i.e. one revision
// (the original document or an incremental update).
type Revision struct {
	// StartXref is the offset of the xref table or stream.
	StartXref int64
	// End is the offset just after the "%%EOF" (and its end-of-line) that
	// follows this section, or the file size if none is found.
	End int64
	// XrefStream reports whether the section is a cross-reference stream.
	XrefStream bool
}

// Open reads the header, the tail and the cross-reference chain of a PDF
// file of the given size. opts may be nil for defaults. When the
// cross-reference is broken or truncated, Open reconstructs it by
// scanning the file (see Repaired), unless opts.NoRepair. Errors wrap
// ErrNotPDF, ErrTruncated, ErrBrokenXref, ErrLimit or ErrSyntax.
//
// Open succeeds on encrypted files; see Encrypted.
func Open(src io.ReaderAt, size int64, opts *ReadOptions) (*Reader, error) {
	r := &Reader{src: src, size: size, opts: opts.withDefaults(), shared: &readerShared{}}
	head, err := readWindow(src, 0, min(size, 1024))
	if err != nil {
		return nil, fmt.Errorf("pdf: reading header: %w", err)
	}
	i := bytes.Index(head, []byte("%PDF-"))
	if i < 0 {
		return nil, ErrNotPDF
	}
	v := head[i+5:]
	n := 0
	for n < len(v) && n < 8 && (v[n] >= '0' && v[n] <= '9' || v[n] == '.') {
		n++
	}
	r.version = string(v[:n])

	start, err := r.findStartxref()
	if err == nil {
		r.chain, err = r.readChain(start)
	}
	if err == nil {
		r.build()
		err = r.checkRoot()
	}
	if err == nil {
		err = r.checkExtended()
	}
	if err != nil {
		if r.opts.NoRepair {
			return nil, err
		}
		if rerr := r.repair(err); rerr != nil {
			return nil, fmt.Errorf("%w (reconstructing the cross-reference failed too: %w)", err, rerr)
		}
	}
	return r, nil
}

// readChain reads the xref section at start and those its /Prev chain
// leads to, newest first.
func (r *Reader) readChain(start int64) ([]*section, error) {
	var chain []*section
	budget := r.entryBudget()
	seen := map[int64]bool{}
	for off := start; ; {
		if len(chain) >= r.opts.MaxXrefSections {
			return nil, fmt.Errorf("%w: more than %d xref sections", ErrLimit, r.opts.MaxXrefSections)
		}
		seen[off] = true
		s, err := r.readSection(off, &budget)
		if err != nil {
			return nil, err
		}
		chain = append(chain, s)
		prev, ok := s.trailer.Get("Prev").(int64)
		if !ok {
			if p, isF := s.trailer.Get("Prev").(float64); isF && p == math.Trunc(p) {
				prev, ok = int64(p), true
			}
		}
		if !ok {
			return chain, nil
		}
		if seen[prev] {
			return nil, fmt.Errorf("%w: %w: /Prev %d of xref at offset %d", ErrBrokenXref, ErrCycle, prev, off)
		}
		off = prev
	}
}

// checkRoot checks that the trailer's /Root is a dictionary where the
// xref says: a table whose offsets all point to the wrong place (a file
// whose line ends were converted, say) is broken even when it parses.
func (r *Reader) checkRoot() error {
	root, ok := r.trailer.Get("Root").(Ref)
	if !ok {
		return nil // not the xref's fault: Catalog reports it
	}
	o, err := r.loadAs(root, 0, true)
	if err != nil {
		return fmt.Errorf("%w: the catalog %v cannot be read: %w", ErrBrokenXref, root, err)
	}
	if o == nil {
		return fmt.Errorf("%w: the catalog %v is not in the xref", ErrBrokenXref, root)
	}
	return nil
}

// checkExtended reports a file that continues after its last revision
// with objects or xref parts: an update whose xref was cut off or whose
// startxref is not in the tail. Viewers show what follows, so the file
// is repaired. Other trailing bytes (junk, padding) are not.
func (r *Reader) checkExtended() error {
	var end int64
	for _, rev := range r.Revisions() {
		end = max(end, rev.End)
	}
	if end >= r.size {
		return nil
	}
	// Only the bytes after the end are searched: the trailing padding a
	// file often has must not cost a scan of the whole file.
	for _, kw := range []string{"xref", "trailer"} {
		if at := r.findAll([]byte(kw), end, 1); len(at) > 0 {
			return fmt.Errorf("%w: the file continues after the end of its last revision at offset %d with a %q at offset %d", ErrTruncated, end, kw, at[0])
		}
	}
	for _, at := range r.findAll([]byte("obj"), end, 1<<16) {
		if off, ok := r.headerBefore(at); ok && off >= end {
			return fmt.Errorf("%w: the file continues after the end of its last revision at offset %d with an object at offset %d", ErrTruncated, end, off)
		}
	}
	return nil
}

// entryBudget is the number of xref entries a file of r.size bytes may
// hold: MaxXrefEntries, but no more than 65 536 plus one per 8 bytes of
// the file (an object takes more than that), so that the tables stay
// proportional to the file whatever /Size or /Index claim.
func (r *Reader) entryBudget() int {
	return int(min(int64(r.opts.MaxXrefEntries), 65536+r.size/8))
}

// build merges the sections of r.chain into r.xref and the trailer.
func (r *Reader) build() {
	r.objStms = make(map[uint32]*objStm)
	var maxNum uint32
	if len(r.chain) == 1 {
		// One section: its entries are the xref (neither is written after
		// reading), so they are not copied.
		r.xref = r.chain[0].entries
		for n := range r.xref {
			maxNum = max(maxNum, n)
		}
	} else {
		r.xref = make(map[uint32]XrefEntry, len(r.chain[0].entries))
		for _, s := range r.chain {
			for n, e := range s.entries {
				if _, ok := r.xref[n]; !ok {
					r.xref[n] = e
					maxNum = max(maxNum, n)
				}
			}
		}
	}
	for _, s := range r.chain {
		if sz, ok := s.trailer.Int("Size"); ok && sz > 0 {
			r.maxSize = max(r.maxSize, uint32(min(sz, math.MaxUint32)))
		}
	}
	if len(r.xref) > 0 && maxNum < math.MaxUint32 {
		r.maxSize = max(r.maxSize, maxNum+1)
	}
	r.trailer = r.chain[0].trailer.Clone()
	for _, s := range r.chain[1:] {
		for _, k := range []Name{"Root", "Info", "ID", "Encrypt"} {
			if !r.trailer.Has(k) && s.trailer.Has(k) {
				r.trailer.Set(k, s.trailer.Get(k))
			}
		}
	}
}

// Trailer returns the trailer dictionary of the last section (for an xref
// stream, its stream dictionary), with /Root, /Info, /ID and /Encrypt taken
// from older sections if the last one lacks them. It is a copy.
func (r *Reader) Trailer() Dict { return r.trailer.Clone() }

// FileSize returns the size of the source.
func (r *Reader) FileSize() int64 { return r.size }

// Encrypted reports whether the trailer has /Encrypt. Strings and streams
// of an encrypted document are returned as stored (encrypted), object
// streams cannot be decoded, and Update.Bytes fails with ErrEncrypted.
func (r *Reader) Encrypted() bool { return r.trailer.Has("Encrypt") }

// Size returns the next free object number: the largest /Size over the
// xref chain (at least one more than the largest object number in it).
func (r *Reader) Size() uint32 { return r.maxSize }

// XrefIsStream reports whether the last xref section is a cross-reference
// stream. An incremental update must use the same kind of section.
func (r *Reader) XrefIsStream() bool { return r.chain[0].isStream }

// StartXref returns the offset of the last xref section (the value of the
// final startxref), which an update uses as /Prev.
func (r *Reader) StartXref() int64 { return r.chain[0].start }

// Version returns the PDF version: the header version, or the catalog's
// /Version if that is later.
func (r *Reader) Version() string {
	v := r.version
	if cat, err := r.catalogView(); err == nil {
		if cv, ok := cat.Name("Version"); ok && len(cv) <= 8 && string(cv) > v {
			v = string(cv)
		}
	}
	return v
}

// HeaderVersion returns the version in the "%PDF-" header.
func (r *Reader) HeaderVersion() string { return r.version }

// Revisions returns every xref section in file order: the original
// document first, then each incremental update. A linearized file has two
// sections for its first revision (first-page and main xref); they appear
// in reverse /Prev order like any other.
func (r *Reader) Revisions() []Revision {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.chain)
	if r.ends == nil {
		r.ends = make([]int64, n)
		l := newLexer(r.src, r.size, 0)
		for i := range n {
			s := r.chain[n-1-i]
			end := r.size
			if s.repaired {
				r.ends[i] = end
				continue
			}
			if p := l.find([]byte("%%EOF"), s.tail, r.size); p >= 0 {
				end = l.afterEOF(p)
			}
			r.ends[i] = end
		}
	}
	out := make([]Revision, n)
	for i := range n {
		s := r.chain[n-1-i]
		out[i] = Revision{StartXref: s.start, End: r.ends[i], XrefStream: s.isStream}
	}
	return out
}

// AtRevision returns the document as of revision i (an index into
// Revisions), ignoring later sections. The result shares the source.
func (r *Reader) AtRevision(i int) (*Reader, error) {
	n := len(r.chain)
	if i < 0 || i >= n {
		return nil, fmt.Errorf("pdf: revision %d out of range [0,%d)", i, n)
	}
	nr := &Reader{src: r.src, size: r.size, opts: r.opts, version: r.version, chain: r.chain[n-1-i:], shared: r.shared}
	if nr.chain[0].repaired {
		nr.repairCause, nr.damagedFrom = r.repairCause, r.damagedFrom
	}
	nr.build()
	return nr, nil
}

// Entry returns the effective xref entry for object number num.
func (r *Reader) Entry(num uint32) (XrefEntry, bool) {
	e, ok := r.xref[num]
	return e, ok
}

// Entries returns all effective xref entries, ordered by object number.
func (r *Reader) Entries() []XrefEntry { return sortedEntries(r.xref) }

// RevisionEntries returns the entries defined by the section of revision i
// (an index into Revisions), ordered by object number: for an incremental
// update, the objects it adds, replaces or frees.
func (r *Reader) RevisionEntries(i int) ([]XrefEntry, error) {
	n := len(r.chain)
	if i < 0 || i >= n {
		return nil, fmt.Errorf("pdf: revision %d out of range [0,%d)", i, n)
	}
	return sortedEntries(r.chain[n-1-i].entries), nil
}

func (r *Reader) parser(l *lexer) *parser {
	return &parser{lex: l, maxDepth: r.opts.MaxDepth, maxStr: r.opts.MaxStringLen}
}

// Resolve follows o while it is a Ref and returns the object it refers to;
// other objects are returned as is. A reference to a free or missing object
// resolves to nil (null). Reference cycles and over-long chains are errors.
func (r *Reader) Resolve(o Object) (Object, error) {
	return r.resolve(o, 0)
}

func (r *Reader) resolve(o Object, depth int) (Object, error) {
	return r.resolveAs(o, depth, false)
}

// view resolves o as Resolve does, but an object it returns may be the
// Reader's cached dictionary itself, not a copy: for the Reader's own
// reading only, which must not change it nor hand it (or anything in
// it) out (docs/decisions.md, "Signing through SoftHSM: overhead
// (issue 12)").
func (r *Reader) view(o Object) (Object, error) {
	return r.resolveAs(o, 0, true)
}

// viewDict is GetDict through view: the dictionary must not be changed
// nor handed out.
func (r *Reader) viewDict(o Object) (Dict, error) {
	v, err := r.view(o)
	if err != nil {
		return Dict{}, err
	}
	return asDict(o, v)
}

// resolveAs is resolve; shared says whether a cached dictionary may be
// returned itself (view) rather than a deep copy.
func (r *Reader) resolveAs(o Object, depth int, shared bool) (Object, error) {
	var buf [4]Ref
	seen := buf[:0]
	for {
		ref, ok := o.(Ref)
		if !ok {
			return o, nil
		}
		for _, s := range seen {
			if s == ref {
				return nil, fmt.Errorf("%w: object %v refers to itself", ErrCycle, ref)
			}
		}
		if depth+len(seen) > r.opts.MaxDepth {
			return nil, fmt.Errorf("%w: resolving %v: references nested deeper than %d", ErrLimit, ref, r.opts.MaxDepth)
		}
		seen = append(seen, ref)
		var err error
		o, err = r.loadAs(ref, depth+len(seen), shared)
		if err != nil {
			return nil, err
		}
	}
}

// loadAs reads the indirect object ref (one level, no chain following).
// When shared, a dictionary may be the cached one itself (see view), and
// a dictionary read from the file is cached as it is, without a copy.
func (r *Reader) loadAs(ref Ref, depth int, shared bool) (Object, error) {
	e, ok := r.xref[ref.Num]
	if !ok {
		return nil, nil
	}
	switch e.Type {
	case EntryInUse:
		if e.Gen != ref.Gen {
			return nil, nil
		}
		key := dictKey{ref, e.Offset}
		r.mu.Lock()
		cached, ok := r.dicts[key]
		r.mu.Unlock()
		if ok {
			if shared {
				return cached, nil
			}
			return deepCopy(cached), nil
		}
		o, _, _, err := r.readObjectAt(e.Offset, &ref, depth)
		if d, isDict := o.(Dict); isDict && err == nil {
			r.mu.Lock()
			if r.dicts == nil {
				r.dicts = make(map[dictKey]Dict)
			}
			if _, ok := r.dicts[key]; !ok && len(r.dicts) < maxDictCache {
				if !shared {
					d = deepCopy(d).(Dict)
				}
				r.dicts[key] = d
			}
			r.mu.Unlock()
		}
		return o, err
	case EntryCompressed:
		if ref.Gen != 0 {
			return nil, nil
		}
		return r.loadCompressed(e, depth)
	}
	return nil, nil
}

// readObjectAt parses the indirect object "N G obj … endobj" at off. If
// want is not nil, the header must match it. depth < 0 disables resolving
// an indirect stream /Length (used while reading the xref). It returns the
// object, its reference and the offset after it.
func (r *Reader) readObjectAt(off int64, want *Ref, depth int) (Object, Ref, int64, error) {
	// what names the object in errors; formatted only on error.
	named := want
	what := func() string {
		if named == nil {
			return "object"
		}
		return fmt.Sprintf("object %d %d", named.Num, named.Gen)
	}
	if off < 0 || off >= r.size {
		return nil, Ref{}, 0, fmt.Errorf("%w: %s: offset %d outside the file (size %d)", ErrBrokenXref, what(), off, r.size)
	}
	l := newLexer(r.src, r.size, off)
	l.skipSpace()
	hdr := func() (Ref, bool) {
		// Each token is a view of the lexer's window: parse it before
		// reading the next.
		n, ok := parseUint(l.token(), 10)
		if !ok || n > math.MaxUint32 {
			return Ref{}, false
		}
		l.skipSpace()
		g, ok := parseUint(l.token(), 5)
		if !ok || g > math.MaxUint16 || !l.keyword("obj") {
			return Ref{}, false
		}
		return Ref{Num: uint32(n), Gen: uint16(g)}, true
	}
	ref, ok := hdr()
	if !ok || want != nil && ref != *want {
		return nil, Ref{}, 0, fmt.Errorf("%w: %s at offset %d: no matching \"N G obj\" header", ErrBrokenXref, what(), off)
	}
	named = &ref
	p := r.parser(l)
	obj, err := p.object(0)
	if err != nil {
		return nil, Ref{}, 0, fmt.Errorf("pdf: %s at offset %d: %w", what(), off, err)
	}
	d, isDict := obj.(Dict)
	if isDict && l.keyword("stream") {
		switch l.peek() {
		case '\r':
			l.pos++
			if l.peek() == '\n' {
				l.pos++
			}
		case '\n':
			l.pos++
		}
		dataOff := l.pos
		length := int64(-1)
		switch v := d.Get("Length").(type) {
		case int64:
			length = v
		case Ref:
			if depth >= 0 {
				if lo, err := r.resolve(v, depth+1); err == nil {
					if n, ok := lo.(int64); ok {
						length = n
					}
				}
			}
		}
		found := false
		if length >= 0 && length <= r.size-dataOff {
			l.pos = dataOff + length
			found = l.keyword("endstream")
		}
		if !found {
			e := r.endstreamAfter(dataOff, dataOff+r.opts.MaxStreamScan)
			if e < 0 {
				return nil, Ref{}, 0, fmt.Errorf("%w: %s at offset %d: stream data at %d has no endstream", ErrSyntax, what(), off, dataOff)
			}
			length = e - dataOff
			if tail, _ := readWindow(r.src, max(e-2, dataOff), e); len(tail) > 0 {
				switch {
				case bytes.HasSuffix(tail, []byte("\r\n")):
					length -= 2
				case tail[len(tail)-1] == '\n' || tail[len(tail)-1] == '\r':
					length--
				}
			}
			l.pos = e + int64(len("endstream"))
		}
		obj = &Stream{Dict: d, Ref: ref, Offset: dataOff, Length: length, src: r.src, rd: r}
	}
	l.keyword("endobj") // optional: tolerate its absence
	if l.err != nil {
		return nil, Ref{}, 0, fmt.Errorf("pdf: %s at offset %d: %w", what(), off, l.err)
	}
	return obj, ref, l.pos, nil
}

// objStm is a decoded object stream.
type objStm struct {
	data  []byte
	first int64
	nums  []uint32
	offs  []int64
	// dups holds the object numbers the header lists more than once.
	dups map[uint32]bool
}

const maxObjStmCache = 16

// dictKey names a cached dictionary: its reference and where it was read.
type dictKey struct {
	ref Ref
	off int64
}

// maxDictCache bounds Reader.dicts.
const maxDictCache = 64

// deepCopy returns o with its dictionaries, arrays and string bytes
// copied, so that changing the copy cannot change o. The parser's
// MaxDepth bounds the recursion.
func deepCopy(o Object) Object {
	switch v := o.(type) {
	case Dict:
		if v.p == nil {
			return v
		}
		c := Dict{p: &dictData{entries: make([]dictEntry, len(v.p.entries)), repeated: v.p.repeated}}
		for i, e := range v.p.entries {
			c.p.entries[i] = dictEntry{e.key, deepCopy(e.val)}
		}
		c.p.reindex()
		return c
	case Array:
		if v == nil {
			return v
		}
		c := make(Array, len(v))
		for i, e := range v {
			c[i] = deepCopy(e)
		}
		return c
	case String:
		v.Bytes = bytes.Clone(v.Bytes)
		return v
	}
	return o
}

// loadCompressed reads an object stored in an object stream.
func (r *Reader) loadCompressed(e XrefEntry, depth int) (Object, error) {
	what := fmt.Sprintf("object %d 0 (in object stream %d)", e.Num, e.Stream)
	os, err := r.objStm(e.Stream, depth)
	if err != nil {
		return nil, fmt.Errorf("pdf: %s: %w", what, err)
	}
	if os.dups[e.Num] {
		// Readers differ on which of two definitions in one stream
		// counts: poppler takes the one at the xref's index, qpdf the
		// last. Neither is read: an update could show
		// a viewer one page and the change analysis the signed one.
		return nil, fmt.Errorf("%w: %s: the object stream defines it more than once", ErrBrokenXref, what)
	}
	i := e.Index
	if i < 0 || i >= len(os.nums) || os.nums[i] != e.Num {
		i = -1
		for j, n := range os.nums {
			if n == e.Num {
				i = j
				break
			}
		}
		if i < 0 {
			return nil, fmt.Errorf("%w: %s: not in the object stream", ErrBrokenXref, what)
		}
	}
	off := os.first + os.offs[i]
	if off < 0 || off >= int64(len(os.data)) {
		return nil, fmt.Errorf("%w: %s: offset %d outside the object stream", ErrBrokenXref, what, off)
	}
	l := newBytesLexer(os.data)
	l.pos = off
	o, err := r.parser(l).object(0)
	if err != nil {
		return nil, fmt.Errorf("pdf: %s: %w", what, err)
	}
	return o, nil
}

func (r *Reader) objStm(num uint32, depth int) (*objStm, error) {
	r.mu.Lock()
	os := r.objStms[num]
	r.mu.Unlock()
	if os != nil {
		return os, nil
	}
	e, ok := r.xref[num]
	if !ok || e.Type != EntryInUse {
		return nil, fmt.Errorf("%w: object stream %d is not an in-use object", ErrBrokenXref, num)
	}
	ref := Ref{Num: num, Gen: e.Gen}
	o, _, _, err := r.readObjectAt(e.Offset, &ref, depth+1)
	if err != nil {
		return nil, err
	}
	st, ok := o.(*Stream)
	if !ok {
		return nil, fmt.Errorf("%w: object stream %d is not a stream", ErrType, num)
	}
	n, ok1 := st.Dict.Int("N")
	first, ok2 := st.Dict.Int("First")
	if !ok1 || !ok2 || n < 0 || first < 0 {
		return nil, fmt.Errorf("%w: object stream %d: bad /N or /First", ErrSyntax, num)
	}
	data, err := st.decode(r.opts.MaxStreamDecode, depth+1)
	if err != nil {
		return nil, fmt.Errorf("pdf: object stream %d: %w", num, err)
	}
	if n > int64(len(data)) || first > int64(len(data)) {
		return nil, fmt.Errorf("%w: object stream %d: /N or /First beyond its %d bytes", ErrSyntax, num, len(data))
	}
	os = &objStm{data: data, first: first}
	l := newBytesLexer(data[:first])
	for i := int64(0); i < n; i++ {
		l.skipSpace()
		// Each token is a view of the lexer's window: parse it before
		// reading the next.
		av, okA := parseUint(l.token(), 10)
		l.skipSpace()
		bv, okB := parseUint(l.token(), 12)
		if !okA || !okB {
			return nil, fmt.Errorf("%w: object stream %d: bad header entry %d", ErrSyntax, num, i)
		}
		if av > math.MaxUint32 {
			return nil, fmt.Errorf("%w: object stream %d: bad object number", ErrSyntax, num)
		}
		os.nums = append(os.nums, uint32(av))
		os.offs = append(os.offs, bv)
	}
	seen := make(map[uint32]bool, len(os.nums))
	for _, n := range os.nums {
		if seen[n] {
			if os.dups == nil {
				os.dups = map[uint32]bool{}
			}
			os.dups[n] = true
		}
		seen[n] = true
	}
	r.mu.Lock()
	if len(r.objStms) >= maxObjStmCache {
		for k := range r.objStms {
			delete(r.objStms, k)
			break
		}
	}
	r.objStms[num] = os
	r.mu.Unlock()
	return os, nil
}
