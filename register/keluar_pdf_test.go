package register

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

func TestInspectDraft(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ok := read("draft-ttd.pdf")
	info, err := inspectDraft(bytes.NewReader(ok), int64(len(ok)))
	if err != nil || info.Pages != 1 || info.HasNomor {
		t.Errorf("draft with ${ttd}: %+v, %v", info, err)
	}
	no := read("draft-no-ttd.pdf")
	if _, err := inspectDraft(bytes.NewReader(no), int64(len(no))); !errors.Is(err, ErrDraftNoTTD) {
		t.Errorf("draft without ${ttd}: %v", err)
	}
	for _, bad := range [][]byte{nil, []byte("hello"), []byte("%PDF-1.7\n"), ok[:len(ok)/2]} {
		if _, err := inspectDraft(bytes.NewReader(bad), int64(len(bad))); err == nil {
			t.Errorf("%q…: no error", bad[:min(len(bad), 10)])
		}
	}
}

// FuzzInspectDraft: no upload makes the draft check panic or accept a
// draft without ${ttd}.
func FuzzInspectDraft(f *testing.F) {
	for _, name := range []string{"draft-ttd.pdf", "draft-no-ttd.pdf"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := inspectDraft(bytes.NewReader(b), int64(len(b)))
		if err == nil && (info.Pages < 1 || !bytes.Contains(b, []byte("%PDF-"))) {
			t.Fatalf("accepted %+v", info)
		}
	})
}
