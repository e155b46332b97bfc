package pdf

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/testenv"
)

// refDict is the model a Dict must behave as: keys in first-set order,
// the last value set for each.
type refDict struct {
	keys []Name
	m    map[Name]Object
}

func (r *refDict) set(k Name, v Object) {
	if _, ok := r.m[k]; !ok {
		r.keys = append(r.keys, k)
	}
	r.m[k] = v
}

func (r *refDict) del(k Name) {
	if _, ok := r.m[k]; ok {
		delete(r.m, k)
		r.keys = slices.DeleteFunc(r.keys, func(x Name) bool { return x == k })
	}
}

func checkDict(t *testing.T, what string, d Dict, r *refDict) {
	t.Helper()
	if !slices.Equal(d.Keys(), r.keys) || d.Len() != len(r.keys) {
		t.Fatalf("%s: keys %v, want %v", what, d.Keys(), r.keys)
	}
	for _, k := range r.keys {
		if v, ok := d.Lookup(k); !ok || v != r.m[k] {
			t.Fatalf("%s: %s = %v, %v, want %v", what, k, v, ok, r.m[k])
		}
	}
	for _, k := range []Name{"absent", "", "K999"} {
		if d.Has(k) {
			t.Fatalf("%s: has %q", what, k)
		}
	}
}

// TestDictSizes checks dictionaries below, at and above the size from
// which they keep an index (dictIndexMin), built by Set and by the
// parser, with repeated keys, deletions and clones: Dict must behave as
// an ordered map whatever its size.
func TestDictSizes(t *testing.T) {
	for _, n := range []int{0, 1, 2, 5, dictIndexMin - 1, dictIndexMin, dictIndexMin + 1, dictIndexMin + 2, 3 * dictIndexMin} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			r := &refDict{m: map[Name]Object{}}
			d := NewDict()
			var src strings.Builder
			src.WriteString("<<")
			// n keys, then every third one again with another value.
			for i := range n + (n+2)/3 {
				k := Name(fmt.Sprintf("K%d", i%max(n, 1)*3%max(n, 1)))
				if i < n {
					k = Name(fmt.Sprintf("K%d", i))
				}
				r.set(k, int64(i))
				d.Set(k, int64(i))
				fmt.Fprintf(&src, " /%s %d", k, i)
			}
			if d.Len() != n {
				t.Fatalf("%d keys, want %d", d.Len(), n)
			}
			src.WriteString(" >>")
			checkDict(t, "Set", d, r)
			parsed, err := parseString(src.String())
			if err != nil {
				t.Fatal(err)
			}
			checkDict(t, "parsed", parsed.(Dict), r)
			dc := deepCopy(parsed).(Dict)
			c := d.Clone()
			for i := 0; i < n; i += 4 {
				k := Name(fmt.Sprintf("K%d", i))
				d.Delete(k)
				parsed.(Dict).Delete(k)
				r.del(k)
			}
			d.Delete("absent")
			checkDict(t, "after Delete", d, r)
			checkDict(t, "parsed after Delete", parsed.(Dict), r)
			// Set after Delete: the key goes last; the clones kept every
			// key and are not changed by their originals.
			d.Set("K0", "again")
			r.set("K0", "again")
			checkDict(t, "Set after Delete", d, r)
			if c.Len() != dc.Len() || (n > 0 && (!c.Has("K0") || c.Get("K0") == "again")) {
				t.Fatalf("Clone changed with its original: %v", c.Keys())
			}
			for _, k := range c.Keys() {
				if c.Get(k) != dc.Get(k) {
					t.Fatalf("Clone and deepCopy differ at %s", k)
				}
			}
		})
	}
}

// TestParseDictAllocs checks that parsing a small dictionary, the kind a
// signature reads by the dozen (catalog, page, annotations), costs its
// values and two allocations of its own: the dictionary is one
// structure and one slice of entries, not a map with its key list grown
// by appends (7 of its own before, for this one).
func TestParseDictAllocs(t *testing.T) {
	if testenv.Race {
		t.Skip("the race detector's instrumentation allocates")
	}
	allocs := func(src string) float64 {
		return testing.AllocsPerRun(100, func() {
			if _, err := parseString(src); err != nil {
				t.Fatal(err)
			}
		})
	}
	// What any parse costs: the parser and its lexer.
	base := allocs("null")
	values := []string{"/Annot", "/Widget", "/Sig", "132", "(Signature1)", "[0 0 0 0]", "3 0 R", "12 0 R"}
	keys := []string{"Type", "Subtype", "FT", "F", "T", "Rect", "P", "V"}
	var src strings.Builder
	var own float64
	src.WriteString("<<")
	for i, v := range values {
		fmt.Fprintf(&src, " /%s %s", keys[i], v)
		own += allocs(v) - base
	}
	src.WriteString(" >>")
	if got := allocs(src.String()) - base - own; got > 2 {
		t.Errorf("an 8-key dictionary: %.0f allocations besides its values', want at most 2", got)
	}
	if got := allocs("<< >>") - base; got > 1 {
		t.Errorf("an empty dictionary: %.0f allocations, want at most 1", got)
	}
}

// TestRepeatedKeys: a parsed dictionary remembers the keys its source
// wrote more than once, each once and sorted, at every size (with and
// without the index), and its copies keep them; a dictionary built by Set
// has none, however often a key is set; Get answers the last value.
func TestRepeatedKeys(t *testing.T) {
	for _, n := range []int{3, dictIndexMin + 5, 20000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var src strings.Builder
			src.WriteString("<<")
			for i := range n {
				fmt.Fprintf(&src, " /K%d %d", i, i)
			}
			// Every key from the second on written again, K1 three times.
			var want []Name
			for i := 1; i < n; i++ {
				fmt.Fprintf(&src, " /K%d %d", i, -i)
				want = append(want, Name(fmt.Sprintf("K%d", i)))
			}
			src.WriteString(" /K1 7 >>")
			slices.Sort(want)
			parsed, err := parseString(src.String())
			if err != nil {
				t.Fatal(err)
			}
			d := parsed.(Dict)
			for name, c := range map[string]Dict{"parsed": d, "Clone": d.Clone(), "deepCopy": deepCopy(d).(Dict)} {
				if got := c.RepeatedKeys(); !slices.Equal(got, want) {
					t.Errorf("%s: %d repeated keys, want %d (first %v)", name, len(got), len(want), got[:min(3, len(got))])
				}
				if c.Get("K0") != int64(0) || c.Get("K1") != int64(7) || c.Get("K2") != int64(-2) {
					t.Errorf("%s: K0 %v K1 %v K2 %v, want the last values 0, 7, -2", name, c.Get("K0"), c.Get("K1"), c.Get("K2"))
				}
			}
			s := NewDict()
			for i := range 2 * n {
				s.Set(Name(fmt.Sprintf("K%d", i%n)), int64(i))
			}
			if k := s.RepeatedKeys(); k != nil {
				t.Errorf("Set made repeated keys %v", k[:min(3, len(k))])
			}
		})
	}
	d, err := parseString("<< /A 1 /B 2 >>")
	if err != nil || d.(Dict).RepeatedKeys() != nil {
		t.Errorf("a dictionary without repetitions: %v, %v", d.(Dict).RepeatedKeys(), err)
	}
}
