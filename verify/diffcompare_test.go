package verify

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/segel-id/segel/internal/pdf"
)

// cmpSides returns a comparison over two sides made of the given objects.
func cmpSides(old, cur map[pdf.Ref]pdf.Object) *compare {
	return &compare{old: &side{objs: old}, cur: &side{objs: cur}, memo: map[[2]pdf.Ref]bool{}}
}

func dict(kv ...any) pdf.Dict {
	d := pdf.NewDict()
	for i := 0; i < len(kv); i += 2 {
		d.Set(pdf.Name(kv[i].(string)), kv[i+1])
	}
	return d
}

// TestCompareCycleStale is the red team's case: A refers to C and C back
// to A; comparing (A, A') assumes the pair equal, finds (C, C') equal under
// that assumption, then finds A and A' differ (/Z). C and C' differ too
// (their /Back objects differ), so a later comparison of (C, C') must not
// read an "equal" kept from the failed one. The cache before this fix
// answered true here.
func TestCompareCycleStale(t *testing.T) {
	a, c := pdf.Ref{Num: 1}, pdf.Ref{Num: 2}
	a2, c2 := pdf.Ref{Num: 11}, pdf.Ref{Num: 12}
	old := map[pdf.Ref]pdf.Object{
		a: dict("C", c, "Z", int64(1)),
		c: dict("Back", a),
	}
	cur := map[pdf.Ref]pdf.Object{
		a2: dict("C", c2, "Z", int64(2)),
		c2: dict("Back", a2),
	}
	cmp := cmpSides(old, cur)
	if cmp.same(a, a2) {
		t.Fatal("A and A' differ in /Z but compare equal")
	}
	if cmp.same(c, c2) {
		t.Fatal("C and C' refer to unequal objects but compare equal (stale cache entry)")
	}
	// Fresh, in the other order.
	cmp = cmpSides(old, cur)
	if cmp.same(c, c2) || cmp.same(a, a2) {
		t.Fatal("unequal cyclic pair compares equal")
	}
}

// TestCompareCycleEqual: cycles that agree compare equal, and stay equal
// when asked again (the cache keeps what was confirmed).
func TestCompareCycleEqual(t *testing.T) {
	a, c := pdf.Ref{Num: 1}, pdf.Ref{Num: 2}
	a2, c2 := pdf.Ref{Num: 11}, pdf.Ref{Num: 12}
	old := map[pdf.Ref]pdf.Object{
		a: dict("C", c, "Self", a, "Z", int64(1)),
		c: dict("Back", a, "Arr", pdf.Array{c, a}),
	}
	cur := map[pdf.Ref]pdf.Object{
		a2: dict("C", c2, "Self", a2, "Z", int64(1)),
		c2: dict("Back", a2, "Arr", pdf.Array{c2, a2}),
	}
	cmp := cmpSides(old, cur)
	for range 2 {
		if !cmp.same(a, a2) || !cmp.same(c, c2) {
			t.Fatal("equal cyclic graphs compare unequal")
		}
	}
	if cmp.same(a, c2) {
		t.Fatal("A and C' have different keys but compare equal")
	}
	if len(cmp.stack) != 0 || len(cmp.tentative) != 0 || len(cmp.journal) != 0 {
		t.Fatalf("state left after comparing: stack %d tentative %d journal %d",
			len(cmp.stack), len(cmp.tentative), len(cmp.journal))
	}
}

// bisim is the reference answer: the greatest relation between the refs
// of the two sides closed under the structural comparison (computed by
// refinement from "all equal").
func bisim(old, cur map[pdf.Ref]pdf.Object) map[[2]pdf.Ref]bool {
	rel := map[[2]pdf.Ref]bool{}
	for o := range old {
		for n := range cur {
			rel[[2]pdf.Ref{o, n}] = true
		}
	}
	var eq func(o, n pdf.Object) bool
	eq = func(o, n pdf.Object) bool {
		or, ok1 := o.(pdf.Ref)
		nr, ok2 := n.(pdf.Ref)
		if ok1 && ok2 {
			return rel[[2]pdf.Ref{or, nr}]
		}
		if ok1 || ok2 {
			return false
		}
		switch ov := o.(type) {
		case int64:
			return o == n
		case pdf.Array:
			nv, ok := n.(pdf.Array)
			if !ok || len(nv) != len(ov) {
				return false
			}
			for i := range ov {
				if !eq(ov[i], nv[i]) {
					return false
				}
			}
			return true
		case pdf.Dict:
			nv, ok := n.(pdf.Dict)
			if !ok {
				return false
			}
			for _, k := range append(ov.Keys(), nv.Keys()...) {
				if !eq(ov.Get(k), nv.Get(k)) {
					return false
				}
			}
			return true
		case nil:
			return n == nil
		}
		return false
	}
	for changed := true; changed; {
		changed = false
		for k, v := range rel {
			if v && !eq(old[k[0]], cur[k[1]]) {
				rel[k] = false
				changed = true
			}
		}
	}
	return rel
}

// randGraph makes n objects numbered from base: dictionaries whose values
// are small numbers, references into the graph or arrays of those.
func randGraph(rng *rand.Rand, base, n int) map[pdf.Ref]pdf.Object {
	val := func() pdf.Object {
		if rng.Intn(3) == 0 {
			return int64(rng.Intn(2))
		}
		return pdf.Ref{Num: uint32(base + rng.Intn(n))}
	}
	g := map[pdf.Ref]pdf.Object{}
	for i := range n {
		d := pdf.NewDict()
		for _, k := range []pdf.Name{"A", "B", "C"} {
			switch rng.Intn(5) {
			case 0: // absent
			case 1:
				d.Set(k, pdf.Array{val(), val()})
			default:
				d.Set(k, val())
			}
		}
		g[pdf.Ref{Num: uint32(base + i)}] = d
	}
	return g
}

// TestCompareRandomCyclic checks the comparison, with its cache shared by
// queries in random order, against the greatest bisimulation on random
// small cyclic graphs.
func TestCompareRandomCyclic(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for iter := range 3000 {
		n := 2 + rng.Intn(3)
		old := randGraph(rng, 1, n)
		var cur map[pdf.Ref]pdf.Object
		if rng.Intn(2) == 0 {
			cur = randGraph(rng, 101, n)
		} else { // a copy with one value changed: near misses
			cur = map[pdf.Ref]pdf.Object{}
			for r, o := range old {
				d := o.(pdf.Dict)
				nd := pdf.NewDict()
				for _, k := range d.Keys() {
					nd.Set(k, shift(d.Get(k)))
				}
				cur[pdf.Ref{Num: r.Num + 100}] = nd
			}
			victim := cur[pdf.Ref{Num: uint32(101 + rng.Intn(n))}].(pdf.Dict)
			victim.Set("C", int64(rng.Intn(2)))
		}
		want := bisim(old, cur)
		cmp := cmpSides(old, cur)
		var pairs [][2]pdf.Ref
		for k := range want {
			pairs = append(pairs, k)
		}
		rng.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
		for _, k := range pairs {
			if got := cmp.same(k[0], k[1]); got != want[k] {
				t.Fatalf("iteration %d: %v ~ %v: got %v, want %v\nold %s\ncur %s",
					iter, k[0], k[1], got, want[k], dump(old), dump(cur))
			}
		}
	}
}

// shift renumbers the references of o into the new side's numbers.
func shift(o pdf.Object) pdf.Object {
	switch v := o.(type) {
	case pdf.Ref:
		return pdf.Ref{Num: v.Num + 100}
	case pdf.Array:
		out := make(pdf.Array, len(v))
		for i := range v {
			out[i] = shift(v[i])
		}
		return out
	}
	return o
}

func dump(g map[pdf.Ref]pdf.Object) string {
	s := ""
	for r, o := range g {
		s += fmt.Sprintf("%v=%v ", r, o)
	}
	return s
}

// pageTree makes a page tree of n leaves under one root, every node
// pointing back to its parent (a cycle per edge), numbered from base;
// when differ is set, the last leaf's /Rotate differs.
func pageTree(base, n int, differ bool) map[pdf.Ref]pdf.Object {
	g := map[pdf.Ref]pdf.Object{}
	root := pdf.Ref{Num: uint32(base)}
	kids := make(pdf.Array, 0, n)
	for i := 1; i <= n; i++ {
		r := pdf.Ref{Num: uint32(base + i)}
		kids = append(kids, r)
		rot := int64(0)
		if differ && i == n {
			rot = 90
		}
		g[r] = dict("Type", pdf.Name("Page"), "Parent", root, "Rotate", rot)
	}
	g[root] = dict("Type", pdf.Name("Pages"), "Kids", kids, "Count", int64(n))
	return g
}

// TestCompareLargeCyclic: a page tree whose leaves point back to the root
// is compared in time linear in its size, whether it is equal or one leaf
// differs, and when every pair is then asked again.
func TestCompareLargeCyclic(t *testing.T) {
	const n = 20000
	for _, differ := range []bool{false, true} {
		cmp := cmpSides(pageTree(1, n, false), pageTree(1_000_001, n, differ))
		if got := cmp.same(pdf.Ref{Num: 1}, pdf.Ref{Num: 1_000_001}); got == differ {
			t.Fatalf("differ=%v: root pair equal = %v", differ, got)
		}
		for i := 1; i <= n; i++ {
			got := cmp.same(pdf.Ref{Num: uint32(1 + i)}, pdf.Ref{Num: uint32(1_000_001 + i)})
			if got == differ {
				t.Fatalf("differ=%v: leaf %d equal = %v", differ, i, got)
			}
		}
		if len(cmp.memo) > 2*(n+1) {
			t.Fatalf("differ=%v: %d cache entries for %d pairs", differ, len(cmp.memo), n+1)
		}
	}
}

// BenchmarkCompareCyclic compares a 20 000-leaf page tree with back
// links, equal and with one leaf differing, then every leaf pair.
func BenchmarkCompareCyclic(b *testing.B) {
	const n = 20000
	old := pageTree(1, n, false)
	for _, differ := range []bool{false, true} {
		cur := pageTree(1_000_001, n, differ)
		b.Run(fmt.Sprint("differ=", differ), func(b *testing.B) {
			for range b.N {
				cmp := cmpSides(old, cur)
				cmp.same(pdf.Ref{Num: 1}, pdf.Ref{Num: 1_000_001})
				for i := 1; i <= n; i++ {
					cmp.same(pdf.Ref{Num: uint32(1 + i)}, pdf.Ref{Num: uint32(1_000_001 + i)})
				}
			}
		})
	}
}
