package httpapi

import (
	"strings"
	"testing"
)

// FuzzReadV2: the streaming reader of BSrE v2 bodies never panics, never
// keeps more than its bounds, and leaves no spool file open on error.
func FuzzReadV2(f *testing.F) {
	for _, seed := range []string{
		`{"file":"JVBERi0xLjcK"}`, `{"nik":"1","file":["JVBERi0=","JVBERi0="],"signatureProperties":[{"page":1}]}`,
		`{"file":"JVBER\/0="}`, `{"file":null}`, `{"a":{"b":[1,{"c":"\""}]},"file":"JVBERi0="}`, `{`, `{"file":"\u004A"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		s := &Server{opts: Options{MaxBodySize: 1 << 16, TempDir: t.TempDir()}}
		b, p := s.readV2(strings.NewReader(body))
		if (b == nil) == (p == nil) {
			t.Fatalf("body %v, problem %v", b, p)
		}
		if b != nil {
			if len(b.files) > maxV2Files {
				t.Fatalf("%d files", len(b.files))
			}
			var v map[string]any
			b.decode(&v)
			b.Close()
		}
	})
}
