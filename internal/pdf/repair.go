package pdf

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"sync"
)

// readerShared is what a Reader shares with the views AtRevision makes
// of it: indexes of the whole file.
type readerShared struct {
	endOnce    sync.Once
	endstreams []int64 // offsets of every "endstream", in file order
}

// Repair: when the final cross-reference (the startxref, the table or
// stream it points to, or the /Prev chain) is broken or truncated, a
// Reader reconstructs it the way poppler, pdf.js and qpdf do: it scans
// the file for "N G obj" headers, object streams and trailers, and the
// last definition of each object number wins. The revisions whose own
// xref chain is intact (the longest chain a startxref earlier in the
// file leads to) keep their per-revision view; everything after them is
// one more, reconstructed, revision that ends at the end of the file.
// See docs/decisions.md, "Broken or truncated final cross-reference".

// Repaired reports whether the cross-reference was reconstructed by
// scanning the file because the one the file declares is broken or
// truncated (see DamagedFrom and RepairCause).
func (r *Reader) Repaired() bool { return r.repairCause != nil }

// DamagedFrom returns, for a repaired file, the offset from which its
// structure is damaged: the end of the last revision whose xref chain is
// intact (0 when none is). It returns -1 for a file that was not
// repaired.
func (r *Reader) DamagedFrom() int64 {
	if r.repairCause == nil {
		return -1
	}
	return r.damagedFrom
}

// RepairCause returns why the declared cross-reference could not be
// used, or nil when it was.
func (r *Reader) RepairCause() error { return r.repairCause }

// repair reconstructs the xref after cause made the declared one
// unusable.
func (r *Reader) repair(cause error) error {
	r.chain, r.xref, r.ends = nil, nil, nil
	intact, damagedFrom := r.intactChain()
	scan, err := r.scanObjects()
	if err != nil {
		return err
	}
	if len(scan.entries) == 0 {
		return fmt.Errorf("%w: no objects found", ErrBrokenXref)
	}
	trailer := scan.trailer
	if !trailer.Has("Root") {
		if root, ok := scan.catalog(); ok {
			trailer = trailer.Clone()
			trailer.Set("Root", root)
		} else {
			return fmt.Errorf("%w: no trailer and no catalog found", ErrBrokenXref)
		}
	}
	// The reconstructed revision holds every object that differs from
	// the intact revisions' view, so that RevisionEntries of it is what
	// the damaged part changed (as far as it can be told).
	old := map[uint32]XrefEntry{}
	for i := len(intact) - 1; i >= 0; i-- {
		for n, e := range intact[i].entries {
			old[n] = e
		}
	}
	entries := make(map[uint32]XrefEntry, len(scan.entries))
	for n, e := range scan.entries {
		if o, ok := old[n]; !ok || o != e {
			entries[n] = e
		}
	}
	rs := &section{start: damagedFrom, tail: r.size, trailer: trailer, entries: entries, repaired: true}
	r.chain = append([]*section{rs}, intact...)
	r.build()
	// Objects the intact revisions define but the scan did not find
	// (their offsets are right, the scan's parse failed) stay visible;
	// the scan's view wins where both have the object.
	r.damagedFrom = damagedFrom
	r.repairCause = cause
	return nil
}

// intactChain returns the newest xref chain that a startxref in the file
// leads to and that reads without error, and the end of its newest
// revision; nil and 0 when there is none.
func (r *Reader) intactChain() ([]*section, int64) {
	// Only the last few startxrefs are tried: each try may read a long
	// chain, and a hostile file could hold thousands of bad ones.
	const tries = 8
	offs := r.findAll([]byte("startxref"), 0, tries)
	for i := len(offs) - 1; i >= 0; i-- {
		l := newLexer(r.src, r.size, offs[i]+int64(len("startxref")))
		l.skipSpace()
		v, ok := parseUint(l.token(), 15)
		if !ok {
			continue
		}
		eof := l.find([]byte("%%EOF"), l.pos, min(l.pos+1024, r.size))
		if eof < 0 {
			continue
		}
		chain, err := r.readChain(v)
		if err != nil {
			continue
		}
		// The chain must describe the file before this startxref.
		if chain[0].start >= offs[i] {
			continue
		}
		end := l.afterEOF(eof)
		probe := &Reader{src: r.src, size: r.size, opts: r.opts, version: r.version, chain: chain, shared: r.shared}
		probe.build()
		if probe.checkRoot() != nil {
			continue
		}
		return chain, end
	}
	return nil, 0
}

// findAll returns the offsets of every occurrence of pat in the file at
// or after from, at most limit of them (the last ones).
func (r *Reader) findAll(pat []byte, from int64, limit int) []int64 {
	var out []int64
	chunk := int(min(r.size-from, 1<<20))
	buf := make([]byte, chunk+len(pat))
	for base := from; base < r.size; base += int64(chunk) {
		n, err := r.src.ReadAt(buf[:min(int64(len(buf)), r.size-base)], base)
		if n <= 0 && err != nil && err != io.EOF {
			break
		}
		b := buf[:n]
		for i := 0; ; {
			j := bytes.Index(b[i:], pat)
			if j < 0 || i+j >= chunk {
				break
			}
			out = append(out, base+int64(i+j))
			if len(out) > limit {
				out = out[1:]
			}
			i += j + 1
		}
	}
	return out
}

// scanResult is what a scan of the file found.
type scanResult struct {
	entries map[uint32]XrefEntry
	trailer Dict
	// dicts of the objects found, for the catalog search (only those
	// with /Type /Catalog are kept).
	catalogs []Ref
}

func (s *scanResult) catalog() (Ref, bool) {
	if len(s.catalogs) == 0 {
		return Ref{}, false
	}
	return s.catalogs[len(s.catalogs)-1], true
}

// scanObjects scans the file for indirect objects, object streams and
// trailers. The cost is one parse of each object (stream data is
// skipped) and the decoding of each object stream within one budget of
// ReadOptions.MaxStreamDecode for them all.
func (r *Reader) scanObjects() (*scanResult, error) {
	res := &scanResult{entries: map[uint32]XrefEntry{}}
	pos := map[uint32]int64{} // where each entry's definition is
	budget := r.entryBudget()
	hdrs := r.findAll([]byte("obj"), 0, math.MaxInt)
	var objStms []Ref
	var trailers []int64
	skip := int64(0)
	for _, at := range hdrs {
		if at < skip {
			continue
		}
		off, ok := r.headerBefore(at)
		if !ok {
			continue
		}
		o, ref, end, err := r.readObjectAt(off, nil, -1)
		if err != nil {
			continue
		}
		skip = end
		if _, dup := res.entries[ref.Num]; !dup {
			if budget--; budget < 0 {
				return nil, fmt.Errorf("%w: more than %d objects", ErrLimit, r.entryBudget())
			}
		}
		res.entries[ref.Num] = XrefEntry{Num: ref.Num, Type: EntryInUse, Gen: ref.Gen, Offset: off}
		pos[ref.Num] = off
		var d Dict
		switch v := o.(type) {
		case Dict:
			d = v
		case *Stream:
			d = v.Dict
			switch t, _ := d.Name("Type"); t {
			case "ObjStm":
				objStms = append(objStms, ref)
			case "XRef":
				trailers = append(trailers, off)
			}
		}
		if t, _ := d.Name("Type"); t == "Catalog" {
			res.catalogs = append(res.catalogs, ref)
		}
	}
	// Trailer dictionaries, newest last; an xref stream's dictionary is
	// a trailer too.
	for _, at := range r.findAll([]byte("trailer"), 0, 1<<16) {
		trailers = append(trailers, -at-1) // negative: a "trailer" keyword
	}
	slices.SortFunc(trailers, func(a, b int64) int {
		return cmpOff(a) - cmpOff(b)
	})
	r.xref, r.objStms = res.entries, map[uint32]*objStm{}
	merged := NewDict()
	for i := len(trailers) - 1; i >= 0; i-- {
		d, ok := r.trailerAt(trailers[i])
		if !ok {
			continue
		}
		for _, k := range []Name{"Root", "Info", "ID", "Encrypt"} {
			if !merged.Has(k) && d.Has(k) {
				merged.Set(k, d.Get(k))
			}
		}
	}
	// Objects in object streams: an object stream defines its objects at
	// its own position in the file; a later definition wins.
	decodeBudget := r.opts.MaxStreamDecode
	for _, ref := range objStms {
		if decodeBudget <= 0 {
			break
		}
		os, err := r.objStm(ref.Num, 0)
		if err != nil {
			continue
		}
		decodeBudget -= int64(len(os.data))
		at := pos[ref.Num]
		for i, n := range os.nums {
			if p, ok := pos[n]; ok && p > at {
				continue
			}
			if _, dup := res.entries[n]; !dup {
				if budget--; budget < 0 {
					return nil, fmt.Errorf("%w: more than %d objects", ErrLimit, r.entryBudget())
				}
			}
			res.entries[n] = XrefEntry{Num: n, Type: EntryCompressed, Stream: ref.Num, Index: i}
			pos[n] = at
		}
	}
	if !merged.Has("Root") {
		// A catalog stored in an object stream.
		var best uint32
		found := false
		for n, e := range res.entries {
			if e.Type != EntryCompressed {
				continue
			}
			if d, err := r.GetDict(Ref{Num: n}); err == nil {
				if t, _ := d.Name("Type"); t == "Catalog" && (!found || pos[n] > pos[best]) {
					best, found = n, true
				}
			}
		}
		if found {
			res.catalogs = append(res.catalogs, Ref{Num: best})
		}
	}
	res.trailer = merged
	r.xref = nil
	return res, nil
}

func cmpOff(a int64) int {
	if a < 0 {
		a = -a - 1
	}
	return int(a)
}

// trailerAt reads the trailer dictionary after a "trailer" keyword
// (encoded -off-1) or the dictionary of the xref stream at off.
func (r *Reader) trailerAt(enc int64) (Dict, bool) {
	if enc >= 0 {
		o, _, _, err := r.readObjectAt(enc, nil, -1)
		if err != nil {
			return Dict{}, false
		}
		st, ok := o.(*Stream)
		if !ok {
			return Dict{}, false
		}
		return st.Dict, true
	}
	off := -enc - 1
	l := newLexer(r.src, r.size, off+int64(len("trailer")))
	o, err := r.parser(l).object(0)
	if err != nil {
		return Dict{}, false
	}
	d, ok := o.(Dict)
	return d, ok
}

// headerBefore finds "N G " before the "obj" at at and returns the
// offset of N.
func (r *Reader) headerBefore(at int64) (int64, bool) {
	from := max(at-32, 0)
	b, err := readWindow(r.src, from, min(at+4, r.size))
	if err != nil || int64(len(b)) < at-from+3 {
		return 0, false
	}
	i := int(at - from)
	// "obj" must end there: a delimiter or white space follows.
	if i+3 < len(b) && isRegular(int(b[i+3])) {
		return 0, false
	}
	j := i
	skipSp := func() bool {
		k := j
		for j > 0 && isSpace(int(b[j-1])) {
			j--
		}
		return j < k
	}
	digits := func() bool {
		k := j
		for j > 0 && b[j-1] >= '0' && b[j-1] <= '9' {
			j--
		}
		return j < k
	}
	if !skipSp() || !digits() || !skipSp() || !digits() {
		return 0, false
	}
	if j > 0 && isRegular(int(b[j-1])) {
		return 0, false
	}
	return from + int64(j), true
}

// endstreamAfter returns the offset of the first "endstream" at or after
// from and before to, or -1. The offsets of every "endstream" of the file
// are found once, so that many streams with a wrong /Length cost one
// scan of the file, not one each.
func (r *Reader) endstreamAfter(from, to int64) int64 {
	sh := r.shared
	sh.endOnce.Do(func() { sh.endstreams = r.findAll([]byte("endstream"), 0, math.MaxInt) })
	i := sort.Search(len(sh.endstreams), func(i int) bool { return sh.endstreams[i] >= from })
	if i < len(sh.endstreams) && sh.endstreams[i] < to {
		return sh.endstreams[i]
	}
	return -1
}
