package httpapi

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
)

// Bounds of the v1 BSrE forms beyond their PDF: the fields (nik,
// passphrase, the stamp's placement, text and footer, …) and the
// specimen image imageTTD.
const (
	maxBSrEFields     = 64
	maxBSrEFieldBytes = 16 << 10
	maxBSrEImage      = 4 << 20
)

// errBSrEForm reports a v1 form that cannot be read: not multipart, a
// broken part, too many or too long fields.
var errBSrEForm = errors.New("not a multipart form of the expected shape")

// bsreUpload reads a v1 multipart form as a stream: the PDF of field
// straight into a spool (in memory when small, as /v1's bodies), the
// specimen image imageTTD (at most maxBSrEImage bytes) and the other
// fields into memory within their bounds, which r.FormValue then
// answers, with the query's values after the form's as net/http orders
// them. Nothing goes through ParseMultipartForm, which would hold up to
// its maxMemory of the PDF outside the spool's budget and the rest in
// os.TempDir. It answers the error itself and returns a nil spool on
// failure; done releases the spool.
func (s *Server) bsreUpload(w http.ResponseWriter, r *http.Request, field string) (*spooled, []byte, func()) {
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodySize)
	var in *spooled
	fail := func(err error, p *Problem) (*spooled, []byte, func()) {
		if in != nil {
			in.Close()
		}
		var mbe *http.MaxBytesError
		switch {
		case p != nil:
			bsreProblem(w, p, s.opts.MaxBodySize)
		case errors.As(err, &mbe) || r.ContentLength > s.opts.MaxBodySize:
			bsreTooLarge(w, s.opts.MaxBodySize)
		default:
			writeBSrE(w, http.StatusBadRequest, bsreBadRequest, bsreMsgCheck)
		}
		return nil, nil, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return fail(err, nil)
	}
	post := url.Values{}
	var image []byte
	fields := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(err, nil)
		}
		switch name := part.FormName(); {
		case name == field && in == nil:
			var p *Problem
			if in, p = s.spoolReader(part); p != nil {
				in = nil
				return fail(nil, p)
			}
		case name == "imageTTD" && part.FileName() != "" && image == nil:
			// Cut at the bound, as before: what is beyond is dropped by
			// NextPart.
			if image, err = io.ReadAll(io.LimitReader(part, maxBSrEImage)); err != nil {
				return fail(err, nil)
			}
		case part.FileName() != "" || name == "":
			// Another file, or a part without a name: skipped by NextPart.
		default:
			if fields++; fields > maxBSrEFields {
				return fail(errBSrEForm, nil)
			}
			v, err := io.ReadAll(io.LimitReader(part, maxBSrEFieldBytes+1))
			if err != nil {
				return fail(err, nil)
			}
			if len(v) > maxBSrEFieldBytes {
				return fail(errBSrEForm, nil)
			}
			post.Add(name, string(v))
		}
	}
	if in == nil {
		writeBSrE(w, http.StatusBadRequest, bsreBadRequest, "Dokumen ("+field+") harus diisi")
		return nil, nil, nil
	}
	form := url.Values{}
	for k, vs := range post {
		form[k] = append([]string(nil), vs...)
	}
	for k, vs := range r.URL.Query() {
		form[k] = append(form[k], vs...)
	}
	r.Form, r.PostForm, r.MultipartForm = form, post, &multipart.Form{Value: post}
	return in, image, func() { in.Close() }
}
