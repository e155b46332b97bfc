package pdf

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// Tests of the ordered Dict with an index past dictIndexMin keys, the
// Reader's views of its cached dictionaries and the lexer's window no
// larger than the data left (docs/decisions.md, "Signing through SoftHSM:
// overhead (issue 12)"), written in review of those changes.

// encodeForTest is o as the writer writes it.
func encodeForTest(t *testing.T, o Object) string {
	w := &objWriter{}
	if err := w.object(o, 0); err != nil {
		t.Fatal(err)
	}
	return string(w.buf)
}

// Differential: parsing through the windowed lexer equals parsing with
// the whole data as window, for objects placed across window boundaries.
func TestLexerWindowMatchesWholeBuffer(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	toks := []string{"/Name", "/Na#41me", "123", "-4.5", "(str\\)ing)", "<41 42>", "[1 2 3]", "<< /A 1 /B /C >>", "true", "null", "12 0 R", "%c\n", " ", "\r\n"}
	for iter := 0; iter < 3000; iter++ {
		var sb strings.Builder
		sb.WriteString("[")
		target := []int{510, 512, 513, 4095, 4096, 4097, 4608, 4609, 8704}[iter%9] + rng.Intn(8) - 4
		for sb.Len() < target {
			sb.WriteString(toks[rng.Intn(len(toks))])
			sb.WriteByte(' ')
		}
		sb.WriteString(toks[rng.Intn(len(toks))])
		sb.WriteString("]")
		data := []byte(sb.String())
		for _, start := range []int{0, 1} {
			if start == 1 {
				data = append([]byte(" "), data...)
			}
			p1 := &parser{lex: newLexer(bytes.NewReader(data), int64(len(data)), 0), maxDepth: 50, maxStr: 1 << 20}
			p2 := &parser{lex: newBytesLexer(data), maxDepth: 50, maxStr: 1 << 20}
			o1, e1 := p1.object(0)
			o2, e2 := p2.object(0)
			if (e1 == nil) != (e2 == nil) || e1 == nil && encodeForTest(t, o1) != encodeForTest(t, o2) {
				t.Fatalf("len %d: %v %v\n%v\n%v", len(data), e1, e2, o1, o2)
			}
			if p1.lex.pos != p2.lex.pos {
				t.Fatalf("pos %d vs %d", p1.lex.pos, p2.lex.pos)
			}
		}
	}
}

func TestFindBounds(t *testing.T) {
	data := []byte(strings.Repeat("x", 5000) + "endstream" + strings.Repeat("y", 100))
	for from := int64(4980); from <= 5000; from++ {
		for limit := int64(4990); limit <= int64(len(data))+5; limit++ {
			l := newLexer(bytes.NewReader(data), int64(len(data)), 0)
			got := l.find([]byte("endstream"), from, limit)
			want := int64(-1)
			if from <= 5000 && limit >= 5009 {
				want = 5000
			}
			if got != want {
				t.Fatalf("find from %d limit %d = %d want %d", from, limit, got, want)
			}
		}
	}
	for size := 0; size < 3000; size += 7 {
		d := append(bytes.Repeat([]byte("a"), size), "%%EOF"...)
		l := newLexer(bytes.NewReader(d), int64(len(d)), 0)
		for _, from := range []int64{0, int64(size) / 2, int64(size)} {
			if got := l.find([]byte("%%EOF"), from, int64(len(d))); got != int64(size) {
				t.Fatalf("size %d from %d: %d", size, from, got)
			}
		}
	}
}

// Duplicate keys: same winner (last value, first position) for every size,
// through parse, Set, Clone, deepCopy.
func TestDuplicateKeysEverySize(t *testing.T) {
	for n := 1; n < 60; n++ {
		for dupAt := 0; dupAt < n; dupAt++ {
			var sb strings.Builder
			sb.WriteString("<<")
			d := NewDict()
			for i := 0; i < n; i++ {
				fmt.Fprintf(&sb, " /K%d %d", i, i)
				d.Set(Name(fmt.Sprint("K", i)), int64(i))
			}
			fmt.Fprintf(&sb, " /K%d 1000 /Type /Pages /K%d 2000 /Type /Catalog >>", dupAt, dupAt)
			d.Set(Name(fmt.Sprint("K", dupAt)), int64(1000))
			d.Set("Type", Name("Pages"))
			d.Set(Name(fmt.Sprint("K", dupAt)), int64(2000))
			d.Set("Type", Name("Catalog"))
			o, err := parseString(sb.String())
			if err != nil {
				t.Fatal(err)
			}
			pd := o.(Dict)
			for _, x := range []Dict{pd, d, pd.Clone(), deepCopy(pd).(Dict), d.Clone()} {
				if x.Get(Name(fmt.Sprint("K", dupAt))) != int64(2000) || x.Get("Type") != Name("Catalog") || x.Len() != n+1 {
					t.Fatalf("n=%d dup=%d: %v %v len %d", n, dupAt, x.Get(Name(fmt.Sprint("K", dupAt))), x.Get("Type"), x.Len())
				}
				keys := x.Keys()
				if keys[dupAt] != Name(fmt.Sprint("K", dupAt)) || keys[n] != "Type" {
					t.Fatalf("order %v", keys)
				}
				for i, k := range keys {
					if v, ok := x.Lookup(k); !ok || (k != "Type" && i != dupAt && v != int64(i)) {
						t.Fatalf("lookup %s", k)
					}
				}
			}
			if encodeForTest(t, pd) != encodeForTest(t, d) {
				t.Fatalf("encode differs")
			}
			// Delete then lookups
			pd.Delete("K0")
			if pd.Has("K0") || pd.Len() != n {
				t.Fatal("delete")
			}
			for _, k := range pd.Keys() {
				if !pd.Has(k) {
					t.Fatalf("n=%d after delete lost %s", n, k)
				}
			}
			pd.Set("New", int64(1))
			pd.Set("New", int64(2))
			if pd.Get("New") != int64(2) || pd.Len() != n+1 {
				t.Fatal("set after delete")
			}
			for _, k := range pd.Keys() {
				if !pd.Has(k) {
					t.Fatalf("n=%d after set lost %s", n, k)
				}
			}
		}
	}
}

func TestConcurrentViews(t *testing.T) {
	for iter := 0; iter < 20; iter++ {
		r := openBytes(t, viewPDF())
		done := make(chan error)
		for g := range 6 {
			go func() {
				for range 30 {
					switch g % 3 {
					case 0:
						pages, err := r.Pages()
						if err != nil {
							done <- err
							return
						}
						a, _, _ := r.PageAnnots(pages[0])
						a[0] = Name("x")
						f, _, _, _ := r.AcroForm()
						f.Set("SigFlags", int64(0))
						_ = r.Version()
					case 1:
						c, _ := r.Catalog()
						c.Delete("Perms")
						c.Set("Pages", int64(3))
						p, _ := r.GetDict(Ref{Num: 3})
						p.Delete("Annots")
						p.Set("Type", Name("Pages"))
					case 2:
						s, p, ok := r.Certification()
						if !ok || p != 2 {
							done <- fmt.Errorf("cert %v %v", p, ok)
							return
						}
						s.Set("Reference", int64(0))
					}
				}
				done <- nil
			}()
		}
		for range 6 {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		if _, p, ok := r.Certification(); !ok || p != 2 {
			t.Fatal("changed")
		}
		if ps, err := r.Pages(); err != nil || len(ps) != 1 {
			t.Fatal("pages changed")
		}
	}
}

// FuzzDictOps: random sequences of Set, Delete, Clone and deepCopy agree
// with a model of a dictionary, and the dictionary written from the model
// parses to the same (testdata/fuzz/FuzzDictOps holds the seeds).
func FuzzDictOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5})
	f.Add(bytes.Repeat([]byte{1, 7, 13, 200, 99}, 30))
	f.Fuzz(func(t *testing.T, ops []byte) {
		r := &refDict{m: map[Name]Object{}}
		d := NewDict()
		var src strings.Builder
		src.WriteString("<<")
		for i, op := range ops {
			k := Name(fmt.Sprint("K", op%48))
			switch op >> 6 {
			case 0, 1, 2:
				r.set(k, int64(i))
				d.Set(k, int64(i))
				fmt.Fprintf(&src, " /%s %d", k, i)
			case 3:
				r.del(k)
				d.Delete(k)
				// keep src in sync: rebuild from model
				src.Reset()
				src.WriteString("<<")
				for _, kk := range r.keys {
					fmt.Fprintf(&src, " /%s %d", kk, r.m[kk])
				}
			}
			if i%7 == 0 {
				d = d.Clone()
			} else if i%11 == 0 {
				d = deepCopy(d).(Dict)
			}
			checkDict(t, "ops", d, r)
		}
		src.WriteString(" >>")
		p, err := parseString(src.String())
		if err != nil {
			t.Fatal(err)
		}
		checkDict(t, "parsed", p.(Dict), r)
	})
}
