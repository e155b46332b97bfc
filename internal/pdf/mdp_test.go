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
	if p, _ := r.Transforms(dict(5)); p != 2 {
		t.Errorf("an invalid /P gives %d, want the default 2", p)
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
