package pdf

import (
	"bytes"
	"math"
	"strconv"
)

// Op is a content-stream operator with the operands before it (ISO
// 32000-2, 7.8.2). Operands are PDF objects: int64, float64, Name, String,
// Array, Dict, bool or nil (null, and a stray delimiter). Content streams
// hold no indirect references, so "1 0 R" is two integers and an operator.
type Op struct {
	Name string
	Args []Object
}

// ContentLexer reads a content stream, or a CMap (same syntax), as a
// sequence of operators with their operands. It never fails: like a
// viewer, it skips what is malformed (a bad number reads as 0, a bad
// character in a hex string is ignored, an unterminated string or array
// ends at the end of data) and skips inline images (BI … ID … EI).
type ContentLexer struct {
	p    parser
	data []byte
}

// Limits of the content lexer. Operands beyond MaxContentOperands (for an
// operator, or in one array or dictionary) are discarded; objects nested
// deeper than MaxContentNesting are skipped byte by byte.
const (
	MaxContentOperands = 4096
	MaxContentNesting  = 32
)

// NewContentLexer returns a lexer over the decoded data of a content
// stream. It reads data in place and does not modify it.
func NewContentLexer(data []byte) *ContentLexer {
	return &ContentLexer{data: data, p: parser{lex: newBytesLexer(data), maxDepth: MaxContentNesting, maxStr: math.MaxInt, lenient: true}}
}

// Next returns the next operator and its operands; ok is false at the end
// of the data. The operands of an inline image's dictionary and the
// operators BI, ID and EI are never returned.
func (c *ContentLexer) Next() (op Op, ok bool) {
	var args []Object
	for {
		v, kw, ok := c.token(0)
		if !ok {
			return Op{}, false
		}
		if kw == "" {
			if len(args) < MaxContentOperands {
				args = append(args, v)
			}
			continue
		}
		if kw == "BI" {
			c.skipInlineImage()
			args = args[:0]
			continue
		}
		return Op{Name: kw, Args: args}, true
	}
}

// token reads one operand (kw empty) or operator keyword (kw set); ok is
// false at the end of the data.
func (c *ContentLexer) token(depth int) (v Object, kw string, ok bool) {
	p := &c.p
	l := p.lex
	l.skipSpace()
	ch := l.peek()
	switch {
	case ch < 0:
		return nil, "", false
	case ch == '/':
		l.pos++
		save := l.pos
		if t, ok := l.run(); ok && bytes.IndexByte(t, '#') < 0 {
			return Name(t), "", true
		}
		l.pos = save
		n, _ := p.name() // cannot fail: maxStr is unbounded
		return n, "", true
	case ch == '(':
		l.pos++
		s, _ := p.literal() // cannot fail when lenient
		return s, "", true
	case ch == '<':
		l.pos++
		if l.peek() == '<' {
			l.pos++
			return c.dict(depth), "", true
		}
		s, _ := p.hex() // cannot fail when lenient
		return s, "", true
	case ch == '[':
		l.pos++
		return c.array(depth), "", true
	case !isRegular(ch):
		l.pos++ // stray delimiter: ] > ) { }
		return nil, "", true
	}
	save := l.pos
	t, ok := l.run()
	if !ok || len(t) > maxToken {
		l.pos = save
		t = l.token()
	}
	if isNumberStart(t[0]) {
		return lenientNumber(t), "", true
	}
	switch string(t) {
	case "true":
		return true, "", true
	case "false":
		return false, "", true
	case "null":
		return nil, "", true
	}
	kw = string(t)
	return kw, kw, true
}

// lenientNumber parses a number token as parseNumber does; an integer too
// large for int64 reads as a real, anything else malformed as 0.
func lenientNumber(t []byte) Object {
	n, err := parseNumber(t)
	if err == nil {
		return n
	}
	if allDigits(t[1:]) || allDigits(t) {
		if f, err := strconv.ParseFloat(string(t), 64); err == nil && !math.IsInf(f, 0) {
			return f
		}
	}
	return int64(0)
}

// array reads an array after its '['. Operators inside it are dropped.
func (c *ContentLexer) array(depth int) Array {
	l := c.p.lex
	arr := Array{}
	for {
		l.skipSpace()
		switch l.peek() {
		case -1:
			return arr
		case ']':
			l.pos++
			return arr
		}
		if depth >= MaxContentNesting {
			l.pos++
			continue
		}
		v, kw, ok := c.token(depth + 1)
		if !ok {
			return arr
		}
		if kw == "" && len(arr) < MaxContentOperands {
			arr = append(arr, v)
		}
	}
}

// dict reads a dictionary after its "<<": its operands, paired as keys and
// values; a value whose key is not a name is dropped, operators too.
func (c *ContentLexer) dict(depth int) Dict {
	l := c.p.lex
	d := NewDict()
	var key Object
	haveKey := false
	n := 0
	for {
		l.skipSpace()
		ch := l.peek()
		if ch < 0 {
			return d
		}
		if ch == '>' {
			l.pos++
			if l.peek() == '>' {
				l.pos++
				return d
			}
			continue // a stray '>'
		}
		if depth >= MaxContentNesting {
			l.pos++
			continue
		}
		v, kw, ok := c.token(depth + 1)
		if !ok {
			return d
		}
		if kw != "" || n >= 2*MaxContentOperands {
			continue
		}
		n++
		if !haveKey {
			key, haveKey = v, true
			continue
		}
		if k, isName := key.(Name); isName {
			d.Set(k, v)
		}
		haveKey = false
	}
}

// skipInlineImage skips from after "BI" to after "EI": the image
// dictionary, "ID", one white-space byte and the data, which ends at an
// "EI" between white space (the usual heuristic: the data's length is not
// recorded when it is compressed).
func (c *ContentLexer) skipInlineImage() {
	l := c.p.lex
	for {
		_, kw, ok := c.token(0)
		if !ok {
			return
		}
		if kw == "ID" {
			break
		}
	}
	l.pos++ // the single white-space byte after ID
	b := c.data
	for l.pos < l.size {
		i := bytes.Index(b[l.pos:], []byte("EI"))
		if i < 0 {
			l.pos = l.size
			return
		}
		at := l.pos + int64(i)
		l.pos = at + 2
		if at > 0 && isSpace(int(b[at-1])) && (at+2 == l.size || isSpace(int(b[at+2]))) {
			return
		}
	}
}
