package httpapi

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/segel-id/segel/internal/service"
	"github.com/segel-id/segel/internal/spool"
)

// spooled is a request body in a spool.Spool: in memory when it is small
// and the memory budget allows (Options.SpoolMemory, SpoolMemoryTotal),
// else in a temporary file (never held whole in memory beyond that
// bound); Close clears and returns it.
//
// The spool holds the body in [0, size); what is made from it (a signed or
// augmented PDF) is written after it, at output, so that a request costs
// one spool: in memory too while it fits, else in the file.
type spooled struct {
	f      *spool.Spool
	size   int64
	sha256 string // lower-case hex
	// fields are the small form fields of a multipart body that came
	// before its "file" part (see newMultipart).
	fields map[string]string
}

// Close clears the memory and empties the file, returning both.
func (b *spooled) Close() { b.f.Close() }

// output returns a writer for what is made from the body, after it.
func (b *spooled) output() io.Writer { return io.NewOffsetWriter(b.f, b.size) }

// outputReader returns the n bytes written through output.
func (b *spooled) outputReader(n int64) *io.SectionReader {
	return io.NewSectionReader(b.f, b.size, n)
}

// outputRoom is what a signed or augmented PDF adds to its input, for the
// memory a spool takes at once for a body of known length: the signature's
// placeholder and a little more.
const outputRoom = 32 << 10

// spool reads the PDF of a request: the body itself (application/pdf or
// application/octet-stream), or the "file" part of a multipart form. The
// body is bounded by MaxBodySize.
func (s *Server) spool(w http.ResponseWriter, r *http.Request) (*spooled, *Problem) {
	deadline := false
	if s.opts.ReadTimeout > 0 {
		deadline = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.opts.ReadTimeout)) == nil
	}
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxBodySize)
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var src io.Reader
	var fields map[string]string
	switch {
	case ct == "application/pdf" || ct == "application/octet-stream" || ct == "" ||
		// curl --data-binary sends this type unless told otherwise; the
		// body is still the raw PDF.
		ct == "application/x-www-form-urlencoded":
		src = body
	case ct == "multipart/form-data":
		mr, fs, err := newMultipart(body, params["boundary"])
		if err != nil {
			return nil, newProblem("bad-request", err.Error())
		}
		src, fields = mr, fs
	default:
		return nil, newProblem("unsupported-media-type", "the Content-Type is not application/pdf, application/octet-stream or multipart/form-data")
	}
	f := s.newSpool()
	if r.ContentLength > 0 {
		// Room for the body and the signed PDF, if memory allows.
		f.Grow(r.ContentLength + outputRoom)
	}
	c, err := spool.Copy(f, src, s.opts.MaxBodySize)
	n := c.Size
	if err != nil {
		f.Close()
		var we *spool.WriteError
		if errors.As(err, &we) {
			// The temporary directory is full (or failing): the client
			// may try again; the server's paths stay in the log.
			s.opts.Logger.Error("temp file", "request_id", requestID(r.Context()), "error", we.Err)
			return nil, spoolProblem(we)
		}
		// The rest of the body is not worth waiting for: the connection
		// closes after the answer (and keeps its expired deadline, so
		// net/http does not wait for the rest either).
		w.Header().Set("Connection", "close")
		if errors.Is(err, spool.ErrTooLarge) {
			return nil, newProblem("too-large", "the limit is "+humanBytes(s.opts.MaxBodySize))
		}
		if p, ok := err.(*Problem); ok {
			return nil, p
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, newProblem("request-timeout", "the body was not received in time")
		}
		if r.Context().Err() != nil {
			return nil, newProblem("client-closed", "")
		}
		return nil, newProblem("bad-request", "reading the body: "+err.Error())
	}
	if deadline {
		// The body is read; the deadline must not outlive it on a
		// kept-alive connection.
		http.NewResponseController(w).SetReadDeadline(time.Time{})
	}
	if n == 0 {
		f.Close()
		return nil, newProblem("invalid-pdf", "the body is empty")
	}
	return &spooled{f: f, size: n, sha256: c.SHA256, fields: fields}, nil
}

// noRoom is the answer when a body cannot be spooled: 503, without the
// cause (which names server paths).
func noRoom() *Problem { return problemOf(service.NoRoom()) }

// spoolProblem is the answer when a body's spool file cannot be made or
// written: 503 when the directory is full or failing now (the client may
// try again), 500 when it cannot hold a file at all (missing, not
// writable: a configuration error).
func spoolProblem(err error) *Problem {
	if spool.Misconfigured(err) {
		return newProblem("internal", "")
	}
	return noRoom()
}

// Bounds on the form fields newMultipart keeps.
const (
	maxFormFields     = 32
	maxFormFieldBytes = 1 << 10
)

// newMultipart returns the content of the "file" part and the form fields
// before it (at most maxFormFields, of at most maxFormFieldBytes each;
// longer ones are refused).
func newMultipart(body io.Reader, boundary string) (io.Reader, map[string]string, error) {
	if boundary == "" {
		return nil, nil, errors.New("multipart body without boundary")
	}
	mr := multipartReader(body, boundary)
	fields := map[string]string{}
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, nil, errors.New(`multipart body without a "file" part`)
		}
		name := part.FormName()
		if name == "file" {
			return part, fields, nil
		}
		if part.FileName() != "" {
			continue
		}
		if len(fields) >= maxFormFields {
			return nil, nil, errors.New("multipart body with too many fields before its \"file\" part")
		}
		v, err := io.ReadAll(io.LimitReader(part, maxFormFieldBytes+1))
		if err != nil || len(v) > maxFormFieldBytes {
			return nil, nil, errors.New("multipart field too long or unreadable")
		}
		fields[name] = string(v)
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.TrimSuffix(strings.TrimRight(strings.TrimRight(formatFloat(float64(n)/(1<<20)), "0"), "."), ".") + " MiB"
	}
	return formatFloat(float64(n)) + " bytes"
}
