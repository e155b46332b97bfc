package pdf

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func parseString(s string) (Object, error) {
	p := &parser{lex: newBytesLexer([]byte(s)), maxDepth: 20, maxStr: 1 << 10}
	return p.object(0)
}

func dictOf(kv ...any) Dict {
	d := NewDict()
	for i := 0; i < len(kv); i += 2 {
		d.Set(Name(kv[i].(string)), kv[i+1])
	}
	return d
}

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want Object
	}{
		{"null", nil},
		{"true", true},
		{" %comment\r\n false", false},
		{"123", int64(123)},
		{"-0", int64(0)},
		{"+17", int64(17)},
		{"+.5", 0.5},
		{"4.", 4.0},
		{"-.002", -0.002},
		{"9223372036854775807", int64(math.MaxInt64)},
		{"/Name", Name("Name")},
		{"/A#20B#2f", Name("A B/")},
		{"/", Name("")},
		{"/a#zz", Name("a#zz")},
		{"(a(b)c\\)\\n\\101\\0\\\r\nx)", String{Bytes: []byte("a(b)c)\nA\x00x")}},
		{"(line\r\nbreak\rcr)", String{Bytes: []byte("line\nbreak\ncr")}},
		{"<48 65\n6C6C 6F>", String{Bytes: []byte("Hello"), Hex: true}},
		{"<123>", String{Bytes: []byte{0x12, 0x30}, Hex: true}},
		{"<>", String{Bytes: []byte{}, Hex: true}},
		{"[1 2 R 3]", Array{Ref{Num: 1, Gen: 2}, int64(3)}},
		{"[1 2 3]", Array{int64(1), int64(2), int64(3)}},
		{"[1 0 Rx]", nil}, // error
		{"12 0 R", Ref{Num: 12}},
		{"<</A 1/B[/C]/D<</E(f)>>>>", dictOf("A", int64(1), "B", Array{Name("C")}, "D", dictOf("E", String{Bytes: []byte("f")}))},
	}
	for _, c := range cases {
		got, err := parseString(c.in)
		if c.in == "[1 0 Rx]" {
			if err == nil {
				t.Errorf("%q: no error", c.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if !equalObj(got, c.want) {
			t.Errorf("%q: got %#v, want %#v", c.in, got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"", "9223372036854775808", "-9223372036854775809", "1.2.3", "--1", "(unterminated", "<12 zz>", "<</A>>",
		"<<1 2>>", "[1 2", "endobj", "{", ")", strings.Repeat("[", 50) + strings.Repeat("]", 50),
		"<<" + strings.Repeat("/a <<", 30),
	} {
		if o, err := parseString(in); err == nil {
			t.Errorf("%q: no error, got %#v", in, o)
		} else if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrLimit) {
			t.Errorf("%q: error %v is neither ErrSyntax nor ErrLimit", in, err)
		}
	}
}

func equalObj(a, b Object) bool {
	switch x := a.(type) {
	case Dict:
		y, ok := b.(Dict)
		if !ok || !reflect.DeepEqual(x.Keys(), y.Keys()) {
			return false
		}
		for _, k := range x.Keys() {
			if !equalObj(x.Get(k), y.Get(k)) {
				return false
			}
		}
		return true
	case Array:
		y, ok := b.(Array)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalObj(x[i], y[i]) {
				return false
			}
		}
		return true
	case String:
		y, ok := b.(String)
		return ok && x.Hex == y.Hex && string(x.Bytes) == string(y.Bytes)
	}
	return reflect.DeepEqual(a, b)
}

func TestMarshalRoundTrip(t *testing.T) {
	objs := []Object{
		nil, true, int64(-42), 0.1, -1e-7, 1e20, 3.0, math.Copysign(0, -1),
		Name("simple"), Name("with space/#(x)\x00\xff"), Name(""),
		String{Bytes: []byte("bal(an)ced ( \\ \r\n\t\x00\xff")},
		String{Bytes: []byte("hex\x00"), Hex: true},
		Ref{Num: 4294967295, Gen: 65535},
		Array{int64(1), Array{}, NewDict(), Ref{Num: 1}},
		dictOf("Z", int64(1), "A", Array{Name("x")}, "M", dictOf("k", String{Bytes: []byte(")")})),
	}
	for _, o := range objs {
		b, err := Marshal(o)
		if err != nil {
			t.Fatalf("%#v: %v", o, err)
		}
		if strings.ContainsAny(string(b), "eE") && !strings.ContainsAny(string(b), "/(<") && string(b) != "true" && string(b) != "false" {
			t.Errorf("%#v: exponent in %q", o, b)
		}
		got, err := parseString(string(b))
		if err != nil {
			t.Fatalf("%q: %v", b, err)
		}
		want := o
		if f, ok := o.(float64); ok && f == 0 {
			want = 0.0
		}
		if !equalObj(got, want) {
			t.Errorf("round trip %#v -> %q -> %#v", o, b, got)
		}
	}
	for _, bad := range []Object{math.NaN(), math.Inf(1), &Stream{}, struct{}{}} {
		if _, err := Marshal(bad); err == nil {
			t.Errorf("Marshal(%#v): no error", bad)
		}
	}
}

func TestDict(t *testing.T) {
	d := NewDict()
	d.Set("B", int64(1))
	d.Set("A", int64(2))
	d.Set("B", int64(3))
	if !reflect.DeepEqual(d.Keys(), []Name{"B", "A"}) || d.Get("B") != int64(3) || d.Len() != 2 {
		t.Fatalf("dict = %v", d.Keys())
	}
	c := d.Clone()
	d.Delete("B")
	if d.Has("B") || d.Len() != 1 || !c.Has("B") {
		t.Fatal("Delete/Clone")
	}
	var z Dict
	if z.Len() != 0 || z.Get("x") != nil || z.Keys() != nil {
		t.Fatal("zero dict")
	}
	z.Delete("x")
	z.Set("x", true)
	if z.Get("x") != true {
		t.Fatal("zero dict Set")
	}
}

func TestFilters(t *testing.T) {
	// PNG predictor: 2 columns, rows using Sub, Up, Average, Paeth.
	raw := []byte{1, 5, 1, 2, 1, 1, 3, 0, 0, 4, 0, 0, 0, 7, 9}
	got, err := predict(raw, dictOf("Predictor", int64(12), "Columns", int64(2)), 100)
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{5, 6, 6, 7, 3, 5, 3, 5, 7, 9}; !reflect.DeepEqual(got, want) {
		t.Errorf("predict = %v, want %v", got, want)
	}
	if _, err := inflate(deflate(make([]byte, 1000)), 999); !errors.Is(err, ErrLimit) {
		t.Errorf("inflate limit: %v", err)
	}
	if b, err := ascii85([]byte("z9jqo^~>")); err != nil || string(b) != "\x00\x00\x00\x00Man " {
		t.Errorf("ascii85 = %q %v", b, err)
	}
	if b, err := asciiHex([]byte("41 4>")); err != nil || string(b) != "A@" {
		t.Errorf("asciiHex = %q %v", b, err)
	}
}
