package pdf

import (
	"bytes"
	"testing"
)

func fuzzOpts() *ReadOptions {
	return &ReadOptions{MaxStreamDecode: 1 << 20, MaxXrefEntries: 1 << 16, MaxDepth: 50, MaxStringLen: 1 << 20, MaxXrefSections: 64}
}

// walk resolves everything reachable from the trailer, bounded.
func walkAll(r *Reader) {
	budget := 5000
	seen := map[Ref]bool{}
	var visit func(o Object, depth int)
	visit = func(o Object, depth int) {
		budget--
		if budget < 0 || depth > 60 {
			return
		}
		if ref, ok := o.(Ref); ok {
			if seen[ref] {
				return
			}
			seen[ref] = true
			v, err := r.Resolve(ref)
			if err != nil {
				return
			}
			o = v
		}
		switch v := o.(type) {
		case Array:
			for _, e := range v {
				visit(e, depth+1)
			}
		case Dict:
			for _, k := range v.Keys() {
				visit(v.Get(k), depth+1)
			}
		case *Stream:
			v.Decode(1 << 16)
			visit(v.Dict, depth+1)
		}
	}
	visit(r.Trailer(), 0)
	for _, e := range r.Entries() {
		visit(e.Ref(), 0)
	}
	r.Catalog()
	if ps, err := r.Pages(); err == nil {
		for _, p := range ps {
			r.PageAttr(p, "MediaBox")
			r.PageAnnots(p)
		}
	}
	r.Fields()
	r.FieldByName("Signature1")
	r.Version()
	for i, rev := range r.Revisions() {
		_ = rev
		if ar, err := r.AtRevision(i); err == nil {
			ar.Catalog()
		}
		r.RevisionEntries(i)
	}
}

func fuzzSeeds(f *testing.F) {
	f.Add(samplePDF(1))
	f.Add(samplePDF(3))
	f.Add(objStmPDF(false))
	f.Add(objStmPDF(true))
	f.Add(formPDF())
	f.Add(tinyPDF())
}

// tinyPDF is a minimal one-page PDF, a small seed the fuzzer mutates well.
func tinyPDF() []byte {
	b := newDoc("1.0")
	b.obj(1, "<</Type/Catalog/Pages 2 0 R>>")
	b.obj(2, "<</Type/Pages/Kids[3 0 R]/Count 1>>")
	b.obj(3, "<</Type/Page/Parent 2 0 R/MediaBox[0 0 3 3]/Contents 4 0 R>>")
	b.stream(4, "/Filter/AHx", []byte("41>"))
	return b.classic("/Root 1 0 R")
}

func FuzzOpen(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Open(bytes.NewReader(data), int64(len(data)), fuzzOpts())
		if err != nil {
			return
		}
		walkAll(r)
	})
}

func FuzzUpdate(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Open(bytes.NewReader(data), int64(len(data)), fuzzOpts())
		if err != nil || r.Encrypted() {
			return
		}
		testUpdateRoundTrip(t, data, false)
	})
}
