package pdf

import (
	"reflect"
	"testing"
)

func TestContentLexer(t *testing.T) {
	in := "q 1 0 0 1 72.5 -3 cm /Tag <</MCID 3 /X [1 (a)]>> BDC BT /F#31 10 Tf [(a\\051\r\nb) -250 <4142 4>] TJ " +
		"BI /W 1 /H 1 ID \x00EI\x01 EI true null ) 1e5 99999999999999999999 T* (unterminated"
	l := NewContentLexer([]byte(in))
	var got []Op
	for {
		op, ok := l.Next()
		if !ok {
			break
		}
		got = append(got, op)
	}
	mcid := NewDict()
	mcid.Set("MCID", int64(3))
	mcid.Set("X", Array{int64(1), String{Bytes: []byte("a")}})
	want := []Op{
		{Name: "q"},
		{Name: "cm", Args: []Object{int64(1), int64(0), int64(0), int64(1), 72.5, int64(-3)}},
		{Name: "BDC", Args: []Object{Name("Tag"), mcid}},
		{Name: "BT"},
		{Name: "Tf", Args: []Object{Name("F1"), int64(10)}},
		{Name: "TJ", Args: []Object{Array{String{Bytes: []byte("a)\nb")}, int64(-250), String{Bytes: []byte("AB@"), Hex: true}}}},
		{Name: "T*", Args: []Object{true, nil, nil, int64(0), 99999999999999999999.0}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d operators %v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i].Name != want[i].Name || len(got[i].Args) != len(want[i].Args) {
			t.Fatalf("op %d: got %v, want %v", i, got[i], want[i])
		}
		for j, a := range want[i].Args {
			g := got[i].Args[j]
			if d, ok := a.(Dict); ok {
				gd, _ := g.(Dict)
				if !reflect.DeepEqual(d.Keys(), gd.Keys()) || !reflect.DeepEqual(d.Get("X"), gd.Get("X")) || gd.Get("MCID") != int64(3) {
					t.Errorf("op %d arg %d: got %v, want %v", i, j, g, a)
				}
				continue
			}
			if !reflect.DeepEqual(g, a) {
				t.Errorf("op %d arg %d: got %#v, want %#v", i, j, g, a)
			}
		}
	}
}

// FuzzContentLexer runs the content lexer over arbitrary data: it must end
// and never panic.
func FuzzContentLexer(f *testing.F) {
	for _, seed := range []string{
		"BT /F1 10 Tf 100 700 Td (AB) Tj [(C) -250 (D)] TJ ET",
		"/P <</MCID 0>> BDC q 1 0 0 1 5 5 cm Q EMC",
		"BI /W 1 /H 1 ID \x00 EI BT ET",
		"1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfrange <01> <02> [<0041> <0042>] endbfrange",
		"[[[[(x", "<<<<", "(\\", "<4", "/#4",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l := NewContentLexer(data)
		for n := 0; ; n++ {
			if _, ok := l.Next(); !ok {
				break
			}
			if n > len(data) {
				t.Fatalf("%d operators from %d bytes", n, len(data))
			}
		}
	})
}
