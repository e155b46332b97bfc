package verify

import (
	"bytes"
	"io"
	"math"

	"github.com/segel-id/segel/internal/pdf"
)

// compare is the equality of values across the two sides: references
// equal when they are the same (their objects are compared on their own)
// or when their objects are equal; streams by their decoded data.
//
// Pairs of references are compared coinductively: a pair met again while
// it is being compared (a cycle) is assumed equal. A result that rests on
// such an assumption is only provisional until the pair assumed is
// resolved: memo holds definite results only, tentative the provisional
// ones, dropped when a pair they may rest on turns out unequal
// (docs/decisions.md, "Sound equality cache").
type compare struct {
	old, cur *side
	// memo holds definite results: false ones (an assumption of
	// equality never makes a comparison fail, so a failure stands) and
	// true ones whose assumptions were all confirmed.
	memo map[[2]pdf.Ref]bool
	// stack holds the pairs being compared, outermost first; onStack
	// maps each to its index.
	stack   []cmpFrame
	onStack map[[2]pdf.Ref]int
	// tentative holds the pairs found equal under assumptions still
	// pending, with the lowest stack frame they may rest on; journal
	// lists them in the order found, so that a frame can drop or commit
	// those found since it was pushed.
	tentative map[[2]pdf.Ref]tentativeDep
	journal   [][2]pdf.Ref
	serial    uint64
	// decoded counts the stream data decoded to compare; past
	// maxDecodedTotal streams whose bytes differ compare unequal (fail
	// closed) instead of costing more.
	decoded int64
}

// maxDecodedTotal bounds the stream data one analysis decodes.
const maxDecodedTotal = 128 << 20

func (c *compare) same(o, n pdf.Object) bool {
	return c.eq(o, n, 0)
}

func (c *compare) eq(o, n pdf.Object, depth int) bool {
	if depth > 64 {
		return false
	}
	or, oIsRef := o.(pdf.Ref)
	nr, nIsRef := n.(pdf.Ref)
	switch {
	case oIsRef && nIsRef && or == nr:
		return true
	case oIsRef && nIsRef:
		return c.refEq([2]pdf.Ref{or, nr}, depth)
	case oIsRef:
		// A value written as a reference on one side and directly on the
		// other (digitorus/pdfsign copies a page's indirect /Resources
		// into the page it writes again) is the same value when what the
		// reference names equals it. The direct side is a finite tree
		// that each step descends, so this costs no more than its size;
		// a stream is always indirect and never equals a direct value;
		// a reference that names nothing (null) stays unequal.
		v := c.old.get(or)
		return v != nil && c.eq(v, n, depth+1)
	case nIsRef:
		v := c.cur.get(nr)
		return v != nil && c.eq(o, v, depth+1)
	}
	switch ov := o.(type) {
	case nil:
		return n == nil
	case bool, pdf.Name:
		return o == n
	case int64, float64:
		a, ok1 := number(o)
		b, ok2 := number(n)
		if !ok1 || !ok2 {
			return false
		}
		_, oReal := o.(float64)
		_, nReal := n.(float64)
		return a == b || oReal && nReal && sameReal(a, b)
	case pdf.String:
		nv, ok := n.(pdf.String)
		return ok && bytes.Equal(ov.Bytes, nv.Bytes)
	case pdf.Array:
		nv, ok := n.(pdf.Array)
		if !ok || len(ov) != len(nv) {
			return false
		}
		for i := range ov {
			if !c.eq(ov[i], nv[i], depth+1) {
				return false
			}
		}
		return true
	case pdf.Dict:
		nv, ok := n.(pdf.Dict)
		return ok && c.dictEq(ov, nv, nil, depth)
	case *pdf.Stream:
		nv, ok := n.(*pdf.Stream)
		return ok && c.streamEq(ov, nv, depth)
	}
	return false
}

// cmpFrame is a pair of references being compared.
type cmpFrame struct {
	key [2]pdf.Ref
	// low is the lowest stack index whose assumption the comparison
	// read so far (its own index when none below).
	low int
	// mark is the length of the journal when the frame was pushed.
	mark int
	// serial tells this frame from a later one at the same index.
	serial uint64
}

// tentativeDep is what a provisional result rests on: the frame at index
// low, as long as that frame (serial) is still on the stack.
type tentativeDep struct {
	low    int
	serial uint64
}

// depend records that the comparison in progress rests on the frame at
// index i.
func (c *compare) depend(i int) {
	if n := len(c.stack); n > 0 && i < c.stack[n-1].low {
		c.stack[n-1].low = i
	}
}

// refEq compares the objects of a pair of distinct references.
func (c *compare) refEq(key [2]pdf.Ref, depth int) bool {
	if v, ok := c.memo[key]; ok {
		return v
	}
	if i, ok := c.onStack[key]; ok {
		c.depend(i) // a cycle: assumed equal until resolved
		return true
	}
	if t, ok := c.tentative[key]; ok {
		if t.low < len(c.stack) && c.stack[t.low].serial == t.serial {
			c.depend(t.low)
		} else {
			// The frame it rested on has finished, itself provisional,
			// resting on one below: the outermost frame is a safe bound.
			c.depend(0)
		}
		return true
	}
	if c.onStack == nil {
		c.onStack = map[[2]pdf.Ref]int{}
		c.tentative = map[[2]pdf.Ref]tentativeDep{}
	}
	idx := len(c.stack)
	c.serial++
	c.stack = append(c.stack, cmpFrame{key: key, low: idx, mark: len(c.journal), serial: c.serial})
	c.onStack[key] = idx
	v := c.eq(c.old.get(key[0]), c.cur.get(key[1]), depth+1)
	f := c.stack[idx]
	c.stack = c.stack[:idx]
	delete(c.onStack, key)
	switch {
	case !v:
		// Whatever was found equal since this pair was assumed may
		// rest on that assumption: drop it. A failure is definite.
		for _, k := range c.journal[f.mark:] {
			delete(c.tentative, k)
		}
		c.journal = c.journal[:f.mark]
		c.memo[key] = false
	case f.low >= idx:
		// Rests on nothing pending below: this pair and everything
		// found equal since it was pushed are confirmed.
		for _, k := range c.journal[f.mark:] {
			delete(c.tentative, k)
			c.memo[k] = true
		}
		c.journal = c.journal[:f.mark]
		c.memo[key] = true
	default:
		c.tentative[key] = tentativeDep{low: f.low, serial: c.stack[f.low].serial}
		c.journal = append(c.journal, key)
		c.depend(f.low)
	}
	return v
}

// streamKeys are the stream dictionary keys that say how the data is
// stored, not what it is.
var streamKeys = map[pdf.Name]bool{"Length": true, "Filter": true, "DecodeParms": true, "DL": true}

func (c *compare) dictEq(o, n pdf.Dict, skip map[pdf.Name]bool, depth int) bool {
	keys := append(o.Keys(), n.Keys()...)
	for _, k := range keys {
		if skip[k] {
			continue
		}
		if !c.eq(o.Get(k), n.Get(k), depth+1) {
			return false
		}
	}
	return true
}

func (c *compare) streamEq(o, n *pdf.Stream, depth int) bool {
	if !c.dictEq(o.Dict, n.Dict, streamKeys, depth) {
		return false
	}
	if o.Offset == n.Offset && o.Length == n.Length {
		return true
	}
	sameCoding := c.eq(o.Dict.Get("Filter"), n.Dict.Get("Filter"), depth+1) &&
		c.eq(o.Dict.Get("DecodeParms"), n.Dict.Get("DecodeParms"), depth+1)
	if sameCoding && o.Length == n.Length && o.Length <= maxCompare {
		ra, err1 := io.ReadAll(o.Raw())
		rb, err2 := io.ReadAll(n.Raw())
		if err1 == nil && err2 == nil && bytes.Equal(ra, rb) {
			return true
		}
		if !o.Dict.Has("Filter") {
			return false
		}
	}
	if c.decoded >= maxDecodedTotal {
		return false
	}
	limit := min(maxCompare, maxDecodedTotal-c.decoded)
	da, err := o.Decode(limit)
	c.decoded += int64(len(da))
	if err != nil {
		return false
	}
	db, err := n.Decode(limit)
	c.decoded += int64(len(db))
	return err == nil && bytes.Equal(da, db)
}

// Two reals are the same value when they differ by at most a billionth
// and by at most a millionth of their size. pdfsig -add-signature (and
// Okular, which signs through poppler) writes a page again with its reals
// rounded to ten decimals: LibreOffice's A4 width 595.303937007874 comes
// back as 595.3039370079, a difference no reader can show (they hold reals
// to about five significant digits, ISO 32000-1, annex C). The bound is
// absolute so that a large value (a translation cancelled by one in the
// content) cannot move by much, and relative so that a tiny value (a
// scale the content multiplies back up) cannot change by a large factor.
// Integers, and an integer against a real, still compare exactly: they
// count, index and flag.
const (
	realAbsTolerance = 1e-9
	realRelTolerance = 1e-6
)

func sameReal(a, b float64) bool {
	d := math.Abs(a - b)
	return d <= realAbsTolerance && d <= realRelTolerance*max(math.Abs(a), math.Abs(b))
}

func number(o pdf.Object) (float64, bool) {
	switch v := o.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, !math.IsNaN(v)
	}
	return 0, false
}
