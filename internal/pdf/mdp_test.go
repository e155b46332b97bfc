package pdf

import (
	"slices"
	"testing"
)

func TestTransforms(t *testing.T) {
	b := newDoc("1.7")
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(2, "<< /Type /Pages /Kids [] /Count 0 >>")
	b.obj(3, "<< /Type /Sig /Reference [<< /TransformMethod /DocMDP /TransformParams << /P 1 >> >> 4 0 R] >>")
	b.obj(4, "<< /TransformMethod /FieldMDP /TransformParams << /Action /Include /Fields [(a) <FEFF0062>] >> >>")
	b.obj(5, "<< /Type /Sig /Reference [<< /TransformMethod /DocMDP /TransformParams << /P 7 >> >>] >>")
	b.obj(6, "<< /Type /DocTimeStamp /SubFilter /ETSI.RFC3161 >>")
	r := openBytes(t, b.classic("/Root 1 0 R"))
	dict := func(n uint32) Dict {
		d, err := r.GetDict(Ref{Num: n})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	p, locks := r.Transforms(dict(3))
	if p != 1 || len(locks) != 1 || locks[0].Action != "Include" || !slices.Equal(locks[0].Fields, []string{"a", "b"}) {
		t.Errorf("Transforms = %d, %+v", p, locks)
	}
	if p, _ := r.Transforms(dict(5)); p != 1 {
		t.Errorf("an invalid /P gives %d, want the strictest, 1", p)
	}
	if p, locks := r.Transforms(dict(6)); p != 0 || locks != nil {
		t.Errorf("no /Reference: %d, %v", p, locks)
	}
	if !IsDocTimestamp(dict(6)) || IsDocTimestamp(dict(3)) {
		t.Error("IsDocTimestamp")
	}
	for _, tc := range []struct {
		l    FieldLock
		name string
		want bool
	}{
		{FieldLock{Action: "All"}, "x", true},
		{FieldLock{Action: "Include", Fields: []string{"a"}}, "a", true},
		{FieldLock{Action: "Include", Fields: []string{"a"}}, "b", false},
		{FieldLock{Action: "Exclude", Fields: []string{"a"}}, "a", false},
		{FieldLock{Action: "Exclude", Fields: []string{"a"}}, "b", true},
		{FieldLock{Action: "Other"}, "b", true},
	} {
		if got := tc.l.Locks(tc.name); got != tc.want {
			t.Errorf("%+v.Locks(%q) = %v", tc.l, tc.name, got)
		}
	}
}

func TestDocMDPPermission(t *testing.T) {
	b := newDoc("1.7")
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R /Perms << /DocMDP 4 0 R >> >>")
	b.obj(2, "<< /Type /Pages /Kids [] /Count 0 >>")
	b.obj(3, "3")
	b.obj(4, "<< /Type /Sig /Reference [<< /TransformMethod /DocMDP /TransformParams << /P 3 0 R >> >>] >>")
	r := openBytes(t, b.classic("/Root 1 0 R"))
	for _, tc := range []struct {
		params string
		want   int
	}{
		{"<< >>", 2},
		{"<< /P null >>", 2},
		{"<< /P 9 0 R >>", 2}, // a reference to nothing is null
		{"<< /P 1 >>", 1},
		{"<< /P 2 >>", 2},
		{"<< /P 3 >>", 3},
		{"<< /P 3 0 R >>", 3},
		{"<< /P 0 >>", 1},
		{"<< /P 4 >>", 1},
		{"<< /P -2 >>", 1},
		{"<< /P 2.0 >>", 1},
		{"<< /P (2) >>", 1},
		{"<< /P /Two >>", 1},
	} {
		o, err := parseString(tc.params)
		if err != nil {
			t.Fatalf("%s: %v", tc.params, err)
		}
		d, _ := o.(Dict)
		if got := r.DocMDPPermission(d); got != tc.want {
			t.Errorf("DocMDPPermission(%s) = %d, want %d", tc.params, got, tc.want)
		}
	}
	sig, p, ok := r.Certification()
	if !ok || p != 3 || !sig.Has("Reference") {
		t.Errorf("Certification = %v, %d, %v", sig, p, ok)
	}
}

func TestCertificationNone(t *testing.T) {
	for _, catalog := range []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Catalog /Pages 2 0 R /Perms 7 >>",
		"<< /Type /Catalog /Pages 2 0 R /Perms << /DocMDP 9 0 R >> >>",
		"<< /Type /Catalog /Pages 2 0 R /Perms << /DocMDP << /Type /Sig >> >> >>",
		"<< /Type /Catalog /Pages 2 0 R /Perms << /DocMDP << /Reference [<< /TransformMethod /FieldMDP >>] >> >> >>",
	} {
		b := newDoc("1.7")
		b.obj(1, catalog)
		b.obj(2, "<< /Type /Pages /Kids [] /Count 0 >>")
		r := openBytes(t, b.classic("/Root 1 0 R"))
		if _, p, ok := r.Certification(); ok || p != 0 {
			t.Errorf("%s: certified with P=%d", catalog, p)
		}
	}
}

func TestTransformsStrictestDocMDP(t *testing.T) {
	b := newDoc("1.7")
	b.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	b.obj(2, "<< /Type /Pages /Kids [] /Count 0 >>")
	b.obj(3, "<< /Type /Sig /Reference [<< /TransformMethod /DocMDP /TransformParams << /P 3 >> >> << /TransformMethod /DocMDP /TransformParams << /P 2 >> >>] >>")
	r := openBytes(t, b.classic("/Root 1 0 R"))
	d, err := r.GetDict(Ref{Num: 3})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := r.Transforms(d); p != 2 {
		t.Errorf("two DocMDP references (P=3, P=2) give %d, want the strictest, 2", p)
	}
}
