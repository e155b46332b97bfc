package pdf

import (
	"bytes"
	"fmt"
	"testing"
)

// updated returns data with one incremental update that sets /Mark on
// the catalog.
func updated(t *testing.T, data []byte, mark int) []byte {
	t.Helper()
	r := openBytes(t, data)
	cat, err := r.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	cat = cat.Clone()
	cat.Set("Mark", int64(mark))
	u := NewUpdate(r)
	u.Set(r.CatalogRef(), cat)
	res, err := u.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return append(bytes.Clone(data), res.Data...)
}

func TestRepairKeepsIntactRevisions(t *testing.T) {
	two := updated(t, samplePDF(1), 1)
	ends := openBytes(t, two).Revisions()
	// A third update whose xref was cut off, and one whose startxref
	// points nowhere.
	tail := "\n1 0 obj\n<</Type /Catalog /Pages 2 0 R /Mark 2>>\nendobj\n"
	cases := map[string][]byte{
		"truncated":     append(bytes.Clone(two), tail+"xref\n0 1\n00000"...),
		"bad startxref": append(bytes.Clone(two), tail+"startxref\n99999999\n%%EOF\n"...),
		"garbage":       append(bytes.Clone(two), bytes.Repeat([]byte("garbage "), 1000)...),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			r := openBytes(t, data)
			if !r.Repaired() {
				t.Fatal("not repaired")
			}
			t.Log(r.RepairCause())
			if r.DamagedFrom() != ends[1].End {
				t.Errorf("DamagedFrom %d, want %d", r.DamagedFrom(), ends[1].End)
			}
			revs := r.Revisions()
			if len(revs) != 3 || revs[0] != ends[0] || revs[1] != ends[1] || revs[2].End != int64(len(data)) {
				t.Fatalf("revisions %+v, want %+v and one more to %d", revs, ends, len(data))
			}
			for i := range 2 {
				old, err := r.AtRevision(i)
				if err != nil {
					t.Fatal(err)
				}
				if old.Repaired() {
					t.Errorf("revision %d is intact, yet Repaired", i)
				}
				cat, err := old.Catalog()
				if err != nil {
					t.Fatal(err)
				}
				if m, _ := cat.Int("Mark"); m != int64(i) {
					t.Errorf("revision %d: /Mark %d", i, m)
				}
			}
			checkDoc(t, r, 1)
			cat, _ := r.Catalog()
			want := int64(1)
			if name != "garbage" {
				want = 2 // the reconstructed view shows the last catalog
			}
			if m, _ := cat.Int("Mark"); m != want {
				t.Errorf("repaired view: /Mark %d, want %d", m, want)
			}
		})
	}
}

// TestRepairShiftedOffsets: a table whose offsets all point to the
// wrong place parses, but the catalog is not where it says.
func TestRepairShiftedOffsets(t *testing.T) {
	data := samplePDF(2)
	bad := bytes.Replace(data, []byte("%PDF-1.7\n"), []byte("%PDF-1.7\n\n\n\n"), 1)
	if bytes.Equal(bad, data) {
		bad = append([]byte("\n\n\n"), data...)
	}
	r := openBytes(t, bad)
	if !r.Repaired() || r.DamagedFrom() != 0 {
		t.Fatalf("Repaired %v from %d (%v)", r.Repaired(), r.DamagedFrom(), r.RepairCause())
	}
	checkDoc(t, r, 2)
}

// TestRepairObjStm: objects in object streams are found too.
func TestRepairObjStm(t *testing.T) {
	data := objStmPDF(false)
	i := bytes.LastIndex(data, []byte("startxref"))
	bad := append(bytes.Clone(data[:i]), fmt.Sprintf("startxref\n%d\n%%%%EOF\n", 3)...)
	r := openBytes(t, bad)
	if !r.Repaired() {
		t.Fatal("not repaired")
	}
	checkDoc(t, r, 1)
}
