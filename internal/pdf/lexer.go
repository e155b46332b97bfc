package pdf

import (
	"bytes"
	"io"
)

// lexChunk is the read size of the lexer's window over the source.
const lexChunk = 4096

// lexFirstChunk is the size of the lexer's first read.
const lexFirstChunk = 512

// lexer reads bytes of an io.ReaderAt through a small moving window. It
// never reads beyond size. Positions are absolute offsets in the source.
type lexer struct {
	src    io.ReaderAt
	size   int64
	buf    []byte
	bufOff int64
	pos    int64
	err    error // first read error other than io.EOF
}

func newLexer(src io.ReaderAt, size, pos int64) *lexer {
	return &lexer{src: src, size: size, pos: pos, bufOff: -1}
}

// newBytesLexer returns a lexer over an in-memory buffer.
func newBytesLexer(b []byte) *lexer {
	return &lexer{src: bytes.NewReader(b), size: int64(len(b)), buf: b, bufOff: 0}
}

// fill makes sure the byte at l.pos is in the window; false at end of data.
func (l *lexer) fill() bool {
	if l.bufOff >= 0 && l.pos >= l.bufOff && l.pos < l.bufOff+int64(len(l.buf)) {
		return true
	}
	if l.pos < 0 || l.pos >= l.size || l.err != nil {
		return false
	}
	// Most objects are small: start with a small window, then grow.
	chunk := int64(lexFirstChunk)
	if l.bufOff >= 0 {
		chunk = lexChunk
	}
	n := min(chunk, l.size-l.pos)
	if int64(cap(l.buf)) < n {
		// No larger than what is left of the data: near the end of the
		// file (the xref table, its trailer) that is far less than a chunk.
		l.buf = make([]byte, n)
	}
	b := l.buf[:n]
	m, err := l.src.ReadAt(b, l.pos)
	if m < int(n) && err != nil && err != io.EOF {
		l.err = err
	}
	l.buf = b[:m]
	l.bufOff = l.pos
	return m > 0
}

// peek returns the byte at the current position, or -1 at end of data.
func (l *lexer) peek() int {
	if !l.fill() {
		return -1
	}
	return int(l.buf[l.pos-l.bufOff])
}

// next returns the byte at the current position and advances, or -1.
func (l *lexer) next() int {
	c := l.peek()
	if c >= 0 {
		l.pos++
	}
	return c
}

// Character classes (PDF 32000-1, 7.2.2): a byte is white space, a
// delimiter or regular.
const (
	classRegular = iota
	classSpace
	classDelim
)

// classes maps each byte to its class: a table lookup instead of a switch
// per byte, the lexer's inner loops run over every byte of an object.
var classes = func() (t [256]uint8) {
	for _, c := range "\x00\t\n\f\r " {
		t[c] = classSpace
	}
	for _, c := range "()<>[]{}/%" {
		t[c] = classDelim
	}
	return t
}()

func isSpace(c int) bool {
	return c >= 0 && c < 256 && classes[c] == classSpace
}

func isDelim(c int) bool {
	return c >= 0 && c < 256 && classes[c] == classDelim
}

// isRegular reports whether c is a regular character (not space, not
// delimiter, not end of data).
func isRegular(c int) bool {
	return c >= 0 && c < 256 && classes[c] == classRegular
}

// skipSpace skips white space and comments.
func (l *lexer) skipSpace() {
	for {
		// Skip the white space inside the window without a call per byte.
		if l.bufOff >= 0 && l.pos >= l.bufOff {
			i := int(l.pos - l.bufOff)
			for i < len(l.buf) && classes[l.buf[i]] == classSpace {
				i++
			}
			l.pos = l.bufOff + int64(i)
		}
		c := l.peek()
		switch {
		case isSpace(c):
			l.pos++
		case c == '%':
			for c != -1 && c != '\n' && c != '\r' {
				l.pos++
				c = l.peek()
			}
		default:
			return
		}
	}
}

// maxToken bounds the length of a keyword or number token.
const maxToken = 256

// token reads a run of regular characters (a keyword or number). It returns
// nil if the current byte is not regular. Longer runs are truncated to
// maxToken bytes and the position moves past the whole run. The result
// may be a view of the window (see run), valid until the next read: a
// caller that reads on must copy or convert it first.
func (l *lexer) token() []byte {
	// Most tokens lie inside the window: return a view, without copying.
	save := l.pos
	if t, ok := l.run(); ok && len(t) <= maxToken {
		return t
	}
	l.pos = save
	var t []byte
	for {
		c := l.peek()
		if !isRegular(c) {
			return t
		}
		if len(t) < maxToken {
			t = append(t, byte(c))
		} else if len(t) == maxToken {
			t = append(t, '~') // mark truncation; never a valid token
		}
		l.pos++
	}
}

// keyword skips white space and reports whether the next token is kw; the
// position is left after the token if so, unchanged otherwise.
func (l *lexer) keyword(kw string) bool {
	save := l.pos
	l.skipSpace()
	t := l.token()
	if string(t) == kw {
		return true
	}
	l.pos = save
	return false
}

// find returns the offset of the first occurrence of pat in [from, limit),
// or -1. It reads the source in chunks.
func (l *lexer) find(pat []byte, from, limit int64) int64 {
	limit = min(limit, l.size)
	// The pattern is usually near (an "endstream", a "%%EOF"): start
	// with a small window and grow it, so that many short searches do not
	// each allocate the large one.
	chunk := int64(1 << 10)
	buf := make([]byte, min(chunk+int64(len(pat)), max(limit-from, 0)))
	for off := from; off < limit; off += chunk {
		if chunk < 64<<10 && off > from {
			chunk *= 4
			buf = make([]byte, chunk+int64(len(pat)))
		}
		n := min(int64(len(buf)), limit-off)
		m, err := l.src.ReadAt(buf[:n], off)
		if m <= 0 {
			if err != nil && err != io.EOF {
				l.err = err
			}
			return -1
		}
		if i := bytes.Index(buf[:m], pat); i >= 0 {
			return off + int64(i)
		}
	}
	return -1
}

// readWindow reads [from, limit) of src (clamped at 0), short at end of data.
func readWindow(src io.ReaderAt, from, limit int64) ([]byte, error) {
	if from < 0 {
		from = 0
	}
	if limit <= from {
		return nil, nil
	}
	b := make([]byte, limit-from)
	m, err := src.ReadAt(b, from)
	if m < len(b) && err != nil && err != io.EOF {
		return nil, err
	}
	return b[:m], nil
}

// afterEOF returns the offset just past the "%%EOF" marker at eof and the
// one end-of-line (CR, LF or CR LF) that may follow it: where the revision
// it closes ends.
func (l *lexer) afterEOF(eof int64) int64 {
	end := eof + 5
	l.pos = end
	switch l.peek() {
	case '\r':
		end++
		l.pos++
		if l.peek() == '\n' {
			end++
		}
	case '\n':
		end++
	}
	return end
}

// run returns the run of regular characters at the current position as a
// view of the window, without copying, and moves past it; ok is false
// (and nothing moves) when the run does not end inside the window, so
// the caller must use token. The view is valid until the next read.
func (l *lexer) run() (t []byte, ok bool) {
	if !l.fill() {
		return nil, true
	}
	i := int(l.pos - l.bufOff)
	j := i
	for j < len(l.buf) && classes[l.buf[j]] == classRegular {
		j++
	}
	if j == len(l.buf) && l.bufOff+int64(j) < l.size {
		return nil, false
	}
	l.pos += int64(j - i)
	return l.buf[i:j], true
}
