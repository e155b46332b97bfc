package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
)

// spooled is a request body written to a temporary file (never held
// whole in memory), removed by Close.
type spooled struct {
	f      *os.File
	size   int64
	sha256 string // lower-case hex
}

func (b *spooled) Close() {
	b.f.Close()
	os.Remove(b.f.Name())
}

// spool reads the PDF of a request: the body itself (application/pdf or
// application/octet-stream), or the "file" part of a multipart form. The
// body is bounded by MaxBodySize.
func (s *Server) spool(w http.ResponseWriter, r *http.Request) (*spooled, *Problem) {
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxBodySize)
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var src io.Reader
	switch {
	case ct == "application/pdf" || ct == "application/octet-stream" || ct == "" ||
		// curl --data-binary sends this type unless told otherwise; the
		// body is still the raw PDF.
		ct == "application/x-www-form-urlencoded":
		src = body
	case ct == "multipart/form-data":
		mr, err := newMultipart(body, params["boundary"])
		if err != nil {
			return nil, newProblem("bad-request", err.Error())
		}
		src = mr
	default:
		return nil, newProblem("unsupported-media-type", "got "+ct)
	}
	f, err := os.CreateTemp(s.opts.TempDir, "segel-req-*.pdf")
	if err != nil {
		return nil, newProblem("internal", "")
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), src)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, newProblem("too-large", "the limit is "+humanBytes(s.opts.MaxBodySize))
		}
		if p, ok := err.(*Problem); ok {
			return nil, p
		}
		return nil, newProblem("bad-request", "reading the body: "+err.Error())
	}
	if n == 0 {
		f.Close()
		os.Remove(f.Name())
		return nil, newProblem("invalid-pdf", "the body is empty")
	}
	return &spooled{f: f, size: n, sha256: hex.EncodeToString(h.Sum(nil))}, nil
}

// newMultipart returns the content of the "file" part.
func newMultipart(body io.Reader, boundary string) (io.Reader, error) {
	if boundary == "" {
		return nil, errors.New("multipart body without boundary")
	}
	mr := multipartReader(body, boundary)
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, errors.New(`multipart body without a "file" part`)
		}
		if part.FormName() == "file" {
			return part, nil
		}
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.TrimSuffix(strings.TrimRight(strings.TrimRight(formatFloat(float64(n)/(1<<20)), "0"), "."), ".") + " MiB"
	}
	return formatFloat(float64(n)) + " bytes"
}
