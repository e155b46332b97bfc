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
type compare struct {
	old, cur *side
	memo     map[[2]pdf.Ref]bool
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
		key := [2]pdf.Ref{or, nr}
		if v, ok := c.memo[key]; ok {
			return v
		}
		c.memo[key] = true // assumed while in progress: cycles are equal
		v := c.eq(c.old.get(or), c.cur.get(nr), depth+1)
		c.memo[key] = v
		return v
	case oIsRef || nIsRef:
		return false
	}
	switch ov := o.(type) {
	case nil:
		return n == nil
	case bool, pdf.Name:
		return o == n
	case int64, float64:
		a, ok1 := number(o)
		b, ok2 := number(n)
		return ok1 && ok2 && a == b
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

func number(o pdf.Object) (float64, bool) {
	switch v := o.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, !math.IsNaN(v)
	}
	return 0, false
}
