package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzBSrEUpload: the streaming reader of BSrE v1 forms never panics;
// it either spools the PDF (within MaxBodySize, the fields within their
// bounds) or answers an error itself, and the spool's memory is back in
// the budget once released.
func FuzzBSrEUpload(f *testing.F) {
	const boundary = "xyz"
	part := func(name, filename, body string) string {
		h := `Content-Disposition: form-data; name="` + name + `"`
		if filename != "" {
			h += `; filename="` + filename + `"`
		}
		return "--" + boundary + "\r\n" + h + "\r\n\r\n" + body + "\r\n"
	}
	for _, seed := range []string{
		part("nik", "", "1") + part("file", "a.pdf", "%PDF-1.7 x") + "--" + boundary + "--\r\n",
		part("file", "a.pdf", "%PDF-1.7 x") + part("imageTTD", "t.png", "\x89PNG") + part("passphrase", "", "p") + "--" + boundary + "--\r\n",
		part("file", "", "%PDF") + part("file", "b.pdf", "again") + "--" + boundary + "--\r\n",
		"--" + boundary + "\r\nbroken", "", part("x", "", strings.Repeat("a", 100)),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		s := &Server{opts: Options{MaxBodySize: 1 << 16, TempDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}}
		s.temps.SetMemory(4<<10, 64<<10)
		defer s.temps.Close()
		r := httptest.NewRequest("POST", "/api/sign/pdf", strings.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		w := httptest.NewRecorder()
		in, _, done := s.bsreUpload(w, r, "file")
		if in == nil {
			if w.Code < 400 {
				t.Fatalf("no spool and answer %d", w.Code)
			}
		} else {
			if w.Code != http.StatusOK || w.Body.Len() > 0 {
				t.Fatalf("a spool and an answer %d", w.Code)
			}
			if in.size <= 0 || in.size > s.opts.MaxBodySize {
				t.Fatalf("spooled %d bytes", in.size)
			}
			for k, vs := range r.PostForm {
				for _, v := range vs {
					if len(v) > maxBSrEFieldBytes {
						t.Fatalf("field %q of %d bytes", k, len(v))
					}
				}
			}
			done()
		}
		if n := s.temps.MemoryHeld(); n != 0 {
			t.Fatalf("%d bytes of memory held after the request", n)
		}
	})
}
