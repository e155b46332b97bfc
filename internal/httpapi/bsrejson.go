package httpapi

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// The BSrE v2 calls carry their PDFs as base64 strings in JSON. They are
// read as a stream: each "file" string is base64-decoded straight into a
// spool file, so a request holds no more in memory than a /v1 one; the
// other members (names, the passphrase, signatureProperties with perhaps
// a specimen image) are kept raw within maxV2Rest bytes.

// Bounds of a v2 body beyond its files.
const (
	maxV2Rest  = 6 << 20 // a 4 MiB specimen image in base64, and the rest
	maxV2Files = 16
	maxV2Key   = 256
)

// errV2Syntax reports a v2 body that is not the JSON object expected.
var errV2Syntax = errors.New("not a JSON object of the expected shape")

// errV2TooManyFiles reports a v2 body with more than maxV2Files files.
var errV2TooManyFiles = errors.New("at most " + strconv.Itoa(maxV2Files) + " files per request")

// v2Body is a v2 request body: its files spooled, in order, and its other
// members raw.
type v2Body struct {
	rest  map[string]json.RawMessage
	files []*spooled
}

// Close removes the spool files.
func (b *v2Body) Close() {
	for _, f := range b.files {
		f.Close()
	}
}

// decode unmarshals the members other than "file" into v.
func (b *v2Body) decode(v any) error {
	raw, err := json.Marshal(b.rest)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// readV2 reads a v2 body from r. Its problem is nil on success; a
// problem of type invalid-pdf means a file is not valid base64 or empty.
func (s *Server) readV2(r io.Reader) (*v2Body, *Problem) {
	p := &v2Parser{br: bufio.NewReaderSize(r, 32<<10), budget: maxV2Rest}
	b := &v2Body{rest: map[string]json.RawMessage{}}
	fail := func(pr *Problem) (*v2Body, *Problem) {
		b.Close()
		return nil, pr
	}
	bad := func(err error) (*v2Body, *Problem) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fail(newProblem("too-large", ""))
		}
		return fail(newProblem("bad-request", "the JSON body: "+err.Error()))
	}
	c, err := p.skipWS()
	if err != nil || c != '{' {
		return bad(errV2Syntax)
	}
	if c, err = p.skipWS(); err != nil {
		return bad(err)
	}
	for c != '}' {
		if c != '"' {
			return bad(errV2Syntax)
		}
		rawKey, err := p.rawString(maxV2Key)
		if err != nil {
			return bad(err)
		}
		var key string
		if err := json.Unmarshal(rawKey, &key); err != nil {
			return bad(errV2Syntax)
		}
		if c, err = p.skipWS(); err != nil || c != ':' {
			return bad(errV2Syntax)
		}
		if c, err = p.skipWS(); err != nil {
			return bad(err)
		}
		if key == "file" {
			if pr := s.readV2Files(p, c, b); pr != nil {
				return fail(pr)
			}
		} else {
			raw, err := p.rawValue(c)
			if err != nil {
				return bad(err)
			}
			b.rest[key] = raw
		}
		if c, err = p.skipWS(); err != nil {
			return bad(err)
		}
		switch c {
		case ',':
			if c, err = p.skipWS(); err != nil {
				return bad(err)
			}
		case '}':
		default:
			return bad(errV2Syntax)
		}
	}
	return b, nil
}

// readV2Files spools the value of "file", whose first byte is c: a
// string, an array of strings, or null.
func (s *Server) readV2Files(p *v2Parser, c byte, b *v2Body) *Problem {
	one := func() *Problem {
		if len(b.files) >= maxV2Files {
			pr := newProblem("bad-request", errV2TooManyFiles.Error())
			pr.cause = errV2TooManyFiles
			return pr
		}
		sr := &jsonStringReader{br: p.br}
		in, pr := s.spoolReader(base64.NewDecoder(base64.StdEncoding, sr))
		if pr == nil {
			// The decoder stops at the padding: what follows must be
			// the end of the string.
			if rest, err := io.Copy(io.Discard, sr); err != nil || rest > 0 || !sr.done {
				in.Close()
				pr = newProblem("invalid-pdf", "not base64")
			}
		}
		if pr != nil {
			return pr
		}
		b.files = append(b.files, in)
		return nil
	}
	switch c {
	case '"':
		return one()
	case 'n':
		if _, err := p.rawValue(c); err != nil {
			return newProblem("bad-request", "the JSON body: "+err.Error())
		}
		return nil
	case '[':
		c, err := p.skipWS()
		for err == nil && c != ']' {
			if c != '"' {
				return newProblem("bad-request", "the JSON body: file must hold strings")
			}
			if pr := one(); pr != nil {
				return pr
			}
			if c, err = p.skipWS(); err == nil && c == ',' {
				c, err = p.skipWS()
			}
		}
		if err != nil {
			return newProblem("bad-request", "the JSON body: "+err.Error())
		}
		return nil
	}
	return newProblem("bad-request", "the JSON body: file must be a string or a list of strings")
}

// v2Parser reads the JSON of a v2 body; budget bounds the bytes of the
// members kept raw.
type v2Parser struct {
	br     *bufio.Reader
	budget int
}

func (p *v2Parser) skipWS() (byte, error) {
	for {
		c, err := p.br.ReadByte()
		if err != nil {
			return 0, unexpected(err)
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c, nil
		}
	}
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// keep appends c to raw within the budget.
func (p *v2Parser) keep(raw []byte, c byte) ([]byte, error) {
	if p.budget--; p.budget < 0 {
		return nil, fmt.Errorf("the members other than file exceed %d bytes", maxV2Rest)
	}
	return append(raw, c), nil
}

// rawString reads a string whose opening quote was read, returning it
// with its quotes, at most limit bytes (and within the budget).
func (p *v2Parser) rawString(limit int) ([]byte, error) {
	raw := []byte{'"'}
	escaped := false
	for {
		c, err := p.br.ReadByte()
		if err != nil {
			return nil, unexpected(err)
		}
		if raw, err = p.keep(raw, c); err != nil {
			return nil, err
		}
		if len(raw) > limit {
			return nil, errors.New("a string is too long")
		}
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == '"':
			return raw, nil
		}
	}
}

// rawValue reads a JSON value whose first byte c was read, returning it
// raw; json.Unmarshal checks it later.
func (p *v2Parser) rawValue(c byte) ([]byte, error) {
	switch c {
	case '"':
		return p.rawString(maxV2Rest)
	case '{', '[':
		raw := []byte{c}
		depth := 1
		for depth > 0 {
			c, err := p.br.ReadByte()
			if err != nil {
				return nil, unexpected(err)
			}
			if c == '"' {
				s, err := p.rawString(maxV2Rest)
				if err != nil {
					return nil, err
				}
				raw = append(raw, s...)
				continue
			}
			if raw, err = p.keep(raw, c); err != nil {
				return nil, err
			}
			switch c {
			case '{', '[':
				if depth++; depth > 32 {
					return nil, errors.New("nested too deeply")
				}
			case '}', ']':
				depth--
			}
		}
		return raw, nil
	}
	// A number, true, false or null: up to the next delimiter.
	raw := []byte{c}
	for {
		c, err := p.br.ReadByte()
		if err != nil {
			return nil, unexpected(err)
		}
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			p.br.UnreadByte()
			return raw, nil
		}
		if raw, err = p.keep(raw, c); err != nil {
			return nil, err
		}
		if len(raw) > 64 {
			return nil, errV2Syntax
		}
	}
}

// jsonStringReader reads the content of a JSON string whose opening
// quote was read, unescaped, up to its closing quote (then io.EOF). A
// base64 file has only ASCII; escapes of line breaks and tabs are dropped
// (they are not base64), "\/" (as PHP writes "/") is "/".
type jsonStringReader struct {
	br   *bufio.Reader
	done bool
}

func (j *jsonStringReader) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) && !j.done {
		c, err := j.br.ReadByte()
		if err != nil {
			return n, unexpected(err)
		}
		switch c {
		case '"':
			j.done = true
		case '\\':
			e, err := j.br.ReadByte()
			if err != nil {
				return n, unexpected(err)
			}
			switch e {
			case '/', '\\', '"':
				b[n] = e
				n++
			case 'n', 'r', 't':
			case 'u':
				var hex [4]byte
				if _, err := io.ReadFull(j.br, hex[:]); err != nil {
					return n, unexpected(err)
				}
				v, err := strconv.ParseUint(string(hex[:]), 16, 16)
				if err != nil || v >= 0x80 {
					return n, errors.New("a file string holds a character that is not base64")
				}
				if v != '\n' && v != '\r' && v != '\t' {
					b[n] = byte(v)
					n++
				}
			default:
				return n, errors.New("a bad escape in a string")
			}
		default:
			b[n] = c
			n++
		}
	}
	if n == 0 && j.done {
		return 0, io.EOF
	}
	return n, nil
}
