package pdf

import (
	"crypto/rand"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
)

// Update builds an incremental update of a document: new and replaced
// objects appended after the unchanged source, with a new xref section and
// trailer. It holds the update in memory; the source is never copied.
type Update struct {
	r       *Reader
	next    uint32
	objs    map[uint32]pendingObj
	trailer Dict
}

type pendingObj struct {
	ref    Ref
	obj    Object
	stream bool
	data   []byte
}

// Result is a serialised incremental update. The updated file is the
// source followed by Data.
type Result struct {
	// Data is the update, to append to the source. It starts with an EOL
	// when the source does not end with one.
	Data []byte
	// Offset is the absolute offset of Data[0]: the source size.
	Offset int64
	// Placeholders maps each Placeholder.Key to its absolute span in the
	// updated file (including the delimiters "<>" or "[]"). The bytes are
	// at Data[Offset-Result.Offset:][:Len].
	Placeholders map[string]Span
	// StartXref is the offset of the new xref section.
	StartXref int64
	// Objects maps each written object to its absolute offset.
	Objects map[Ref]int64
}

// NewUpdate starts an incremental update of r.
func NewUpdate(r *Reader) *Update {
	return &Update{r: r, next: max(r.Size(), 1), objs: make(map[uint32]pendingObj), trailer: NewDict()}
}

// Alloc returns a reference for a new object (generation 0), numbered
// after every object of the source and of this update.
func (u *Update) Alloc() Ref {
	for {
		n := u.next
		u.next++
		if _, used := u.objs[n]; !used {
			return Ref{Num: n}
		}
	}
}

// Set writes obj as object ref in the update: a new object (from Alloc) or
// a replacement of an existing one (use its current generation). obj must
// not be a *Stream; it may contain Placeholders.
func (u *Update) Set(ref Ref, obj Object) {
	u.objs[ref.Num] = pendingObj{ref: ref, obj: obj}
	if ref.Num >= u.next && ref.Num < math.MaxUint32 {
		u.next = ref.Num + 1
	}
}

// SetStream writes a stream object with dictionary dict and raw data
// (already encoded as dict's /Filter says). The writer sets /Length.
func (u *Update) SetStream(ref Ref, dict Dict, data []byte) {
	d := dict.Clone()
	d.Set("Length", int64(len(data)))
	u.objs[ref.Num] = pendingObj{ref: ref, obj: d, stream: true, data: data}
	if ref.Num >= u.next && ref.Num < math.MaxUint32 {
		u.next = ref.Num + 1
	}
}

// SetTrailer sets an entry of the new trailer (e.g. /Info to a new
// information dictionary). /Root, /Info and /ID default to the source's;
// /Size and /Prev are always computed.
func (u *Update) SetTrailer(key Name, v Object) { u.trailer.Set(key, v) }

// Bytes serialises the update. The source's kind of last xref section is
// kept: a classic xref table, or a cross-reference stream (uncompressed,
// which uses one more object number). It fails with ErrEncrypted for an
// encrypted source. Bytes may be called again after more changes.
func (u *Update) Bytes() (*Result, error) { return u.BytesInto(nil) }

// BytesInto is Bytes writing the update into buf's storage (from
// buf[:0]) when it has room for it, so that a caller writing many
// updates can reuse one buffer: Result.Data then shares buf's storage.
func (u *Update) BytesInto(buf []byte) (*Result, error) {
	r := u.r
	if r.Encrypted() {
		return nil, ErrEncrypted
	}
	if u.r.Repaired() {
		return nil, fmt.Errorf("%w: the cross-reference of this file was reconstructed (%w); an incremental update cannot be appended to it", ErrBrokenXref, u.r.RepairCause())
	}
	res := &Result{Offset: r.size, Placeholders: map[string]Span{}, Objects: map[Ref]int64{}}
	// Size the buffer once: the objects (a /Contents placeholder is most
	// of a signature's update), their streams, the xref and the trailer.
	hint := 1024
	for _, p := range u.objs {
		hint += 256 + placeholderBytes(p.obj, 0) + len(p.data)
	}
	if cap(buf) < hint {
		buf = make([]byte, 0, hint)
	}
	w := &objWriter{buf: buf[:0], base: r.size, ph: res.Placeholders}
	last, err := readWindow(r.src, r.size-1, r.size)
	if err != nil {
		return nil, fmt.Errorf("pdf: reading source end: %w", err)
	}
	if len(last) == 0 || last[0] != '\n' && last[0] != '\r' {
		w.buf = append(w.buf, '\n')
	}
	nums := make([]uint32, 0, len(u.objs)+1)
	for n := range u.objs {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	if len(nums) > 0 && nums[len(nums)-1] >= math.MaxUint32-1 || r.Size() >= math.MaxUint32-1 {
		return nil, fmt.Errorf("%w: object numbers exhausted", ErrLimit)
	}
	offsets := map[uint32]int64{}
	for _, n := range nums {
		p := u.objs[n]
		if n == 0 {
			return nil, fmt.Errorf("pdf: cannot write object number 0")
		}
		off := w.base + int64(len(w.buf))
		offsets[n] = off
		res.Objects[p.ref] = off
		w.buf = appendRef(w.buf, p.ref, " obj\n")
		if err := w.object(p.obj, 0); err != nil {
			return nil, fmt.Errorf("pdf: object %d %d: %w", p.ref.Num, p.ref.Gen, err)
		}
		if p.stream {
			w.buf = append(w.buf, "\nstream\n"...)
			w.buf = append(w.buf, p.data...)
			w.buf = append(w.buf, "\nendstream"...)
		}
		w.buf = append(w.buf, "\nendobj\n"...)
	}

	// Trailer entries.
	tr := NewDict()
	size := r.Size()
	if len(nums) > 0 {
		size = max(size, nums[len(nums)-1]+1)
	}
	var xrefRef Ref
	if r.XrefIsStream() {
		xrefRef = Ref{Num: size}
		for {
			if _, used := u.objs[xrefRef.Num]; !used {
				break
			}
			xrefRef.Num++
		}
		size = xrefRef.Num + 1
	}
	tr.Set("Size", int64(size))
	for _, k := range []Name{"Root", "Info", "ID"} {
		if v, ok := u.trailer.Lookup(k); ok {
			if v != nil {
				tr.Set(k, v)
			}
		} else if v := r.trailer.Get(k); v != nil {
			if k == "ID" {
				if id, err := r.Resolve(v); err == nil {
					v = id
				}
			}
			tr.Set(k, v)
		}
	}
	if !tr.Has("ID") {
		id := make([]byte, 16)
		if _, err := io.ReadFull(rand.Reader, id); err != nil {
			return nil, fmt.Errorf("pdf: generating /ID: %w", err)
		}
		tr.Set("ID", Array{String{Bytes: id, Hex: true}, String{Bytes: id, Hex: true}})
	}
	for _, k := range u.trailer.Keys() {
		switch k {
		case "Root", "Info", "ID", "Size", "Prev", "XRefStm", "Encrypt":
		default:
			tr.Set(k, u.trailer.Get(k))
		}
	}
	tr.Set("Prev", r.StartXref())

	xrefOff := w.base + int64(len(w.buf))
	if r.XrefIsStream() {
		offsets[xrefRef.Num] = xrefOff
		nums = append(nums, xrefRef.Num)
		gens := func(n uint32) uint16 {
			if p, ok := u.objs[n]; ok {
				return p.ref.Gen
			}
			return 0
		}
		ow := 1
		for v := xrefOff; v > 0xff; v >>= 8 {
			ow++
		}
		var data []byte
		var index Array
		for i := 0; i < len(nums); {
			j := i + 1
			for j < len(nums) && nums[j] == nums[j-1]+1 {
				j++
			}
			index = append(index, int64(nums[i]), int64(j-i))
			for _, n := range nums[i:j] {
				data = append(data, 1)
				for s := ow - 1; s >= 0; s-- {
					data = append(data, byte(offsets[n]>>(8*s)))
				}
				g := gens(n)
				data = append(data, byte(g>>8), byte(g))
			}
			i = j
		}
		d := NewDict()
		d.Set("Type", Name("XRef"))
		for _, k := range tr.Keys() {
			d.Set(k, tr.Get(k))
		}
		d.Set("Index", index)
		d.Set("W", Array{int64(1), int64(ow), int64(2)})
		d.Set("Length", int64(len(data)))
		w.buf = fmt.Appendf(w.buf, "%d 0 obj\n", xrefRef.Num)
		if err := w.object(d, 0); err != nil {
			return nil, fmt.Errorf("pdf: xref stream: %w", err)
		}
		w.buf = append(w.buf, "\nstream\n"...)
		w.buf = append(w.buf, data...)
		w.buf = append(w.buf, "\nendstream\nendobj\n"...)
	} else {
		w.buf = append(w.buf, "xref\n"...)
		for i := 0; i < len(nums); {
			j := i + 1
			for j < len(nums) && nums[j] == nums[j-1]+1 {
				j++
			}
			w.buf = strconv.AppendUint(w.buf, uint64(nums[i]), 10)
			w.buf = append(w.buf, ' ')
			w.buf = strconv.AppendInt(w.buf, int64(j-i), 10)
			w.buf = append(w.buf, '\n')
			for _, n := range nums[i:j] {
				// "%010d %05d n\r\n"
				w.buf = appendPadded(w.buf, offsets[n], 10)
				w.buf = append(w.buf, ' ')
				w.buf = appendPadded(w.buf, int64(u.objs[n].ref.Gen), 5)
				w.buf = append(w.buf, " n\r\n"...)
			}
			i = j
		}
		w.buf = append(w.buf, "trailer\n"...)
		if err := w.object(tr, 0); err != nil {
			return nil, fmt.Errorf("pdf: trailer: %w", err)
		}
		w.buf = append(w.buf, '\n')
	}
	w.buf = fmt.Appendf(w.buf, "startxref\n%d\n%%%%EOF\n", xrefOff)
	res.Data = w.buf
	res.StartXref = xrefOff
	return res, nil
}
