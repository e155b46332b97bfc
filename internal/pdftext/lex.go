package pdftext

import (
	"bytes"
	"strconv"
)

// A content stream is a sequence of operands followed by an operator
// (ISO 32000-2, 7.8.2). The lexer turns it into operand values of these
// types: float64 (numbers), name (names), []byte (strings), []any
// (arrays), and nil for dictionaries, booleans and null, which no text
// operator needs.
type name string

// op is an operator with its operands.
type op struct {
	name string
	args []any
}

// lexer walks a content stream. It never fails: malformed input ends the
// stream or is skipped, as viewers do.
type lexer struct {
	b   []byte
	pos int
}

func isWhite(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isDelim(c byte) bool {
	return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' || c == '}' || c == '/' || c == '%'
}

// maxOperands bounds the operand stack (more are discarded).
const maxOperands = 4096

// next returns the next operator and its operands; ok is false at the end.
func (l *lexer) next() (op, bool) {
	var args []any
	for {
		tok, isOp, ok := l.token(0)
		if !ok {
			return op{}, false
		}
		if !isOp {
			if len(args) < maxOperands {
				args = append(args, tok)
			}
			continue
		}
		kw := tok.(string)
		if kw == "BI" {
			l.skipInlineImage()
			args = args[:0]
			continue
		}
		return op{name: kw, args: args}, true
	}
}

// maxNesting bounds the nesting of arrays and dictionaries in operands.
const maxNesting = 32

// token reads one operand (isOp false) or operator keyword (isOp true, the
// value is the keyword as a string).
func (l *lexer) token(depth int) (v any, isOp, ok bool) {
	l.skipWhite()
	if l.pos >= len(l.b) {
		return nil, false, false
	}
	c := l.b[l.pos]
	switch {
	case c == '/':
		l.pos++
		start := l.pos
		for l.pos < len(l.b) && !isWhite(l.b[l.pos]) && !isDelim(l.b[l.pos]) {
			l.pos++
		}
		return name(unescapeName(l.b[start:l.pos])), false, true
	case c == '(':
		return l.literal(), false, true
	case c == '<' && l.pos+1 < len(l.b) && l.b[l.pos+1] == '<':
		l.pos += 2
		l.skipUntil(">>", depth)
		return nil, false, true
	case c == '<':
		return l.hex(), false, true
	case c == '[':
		l.pos++
		var arr []any
		for {
			l.skipWhite()
			if l.pos >= len(l.b) {
				return arr, false, true
			}
			if l.b[l.pos] == ']' {
				l.pos++
				return arr, false, true
			}
			if depth >= maxNesting {
				l.pos++
				continue
			}
			v, isOp, ok := l.token(depth + 1)
			if !ok {
				return arr, false, true
			}
			if !isOp && len(arr) < maxOperands {
				arr = append(arr, v)
			}
		}
	case c == ']' || c == '>' || c == ')' || c == '{' || c == '}':
		l.pos++ // stray delimiter
		return nil, false, true
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		start := l.pos
		l.pos++
		for l.pos < len(l.b) && !isWhite(l.b[l.pos]) && !isDelim(l.b[l.pos]) {
			l.pos++
		}
		f, err := strconv.ParseFloat(string(l.b[start:l.pos]), 64)
		if err != nil {
			f = 0
		}
		return f, false, true
	}
	start := l.pos
	for l.pos < len(l.b) && !isWhite(l.b[l.pos]) && !isDelim(l.b[l.pos]) {
		l.pos++
	}
	kw := string(l.b[start:l.pos])
	switch kw {
	case "true", "false", "null":
		return nil, false, true
	}
	return kw, true, true
}

func (l *lexer) skipWhite() {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		if c == '%' {
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
			continue
		}
		if !isWhite(c) {
			return
		}
		l.pos++
	}
}

// skipUntil skips the tokens of a dictionary up to its closing ">>".
func (l *lexer) skipUntil(end string, depth int) {
	for {
		l.skipWhite()
		if l.pos >= len(l.b) {
			return
		}
		if bytes.HasPrefix(l.b[l.pos:], []byte(end)) {
			l.pos += len(end)
			return
		}
		if depth >= maxNesting {
			l.pos++
			continue
		}
		if _, _, ok := l.token(depth + 1); !ok {
			return
		}
	}
}

func (l *lexer) literal() []byte {
	l.pos++ // (
	var out []byte
	nest := 1
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		switch c {
		case '(':
			nest++
		case ')':
			nest--
			if nest == 0 {
				return out
			}
		case '\\':
			if l.pos >= len(l.b) {
				return out
			}
			e := l.b[l.pos]
			l.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.pos < len(l.b) && l.b[l.pos] == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for i := 0; i < 2 && l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '7'; i++ {
						v = v*8 + int(l.b[l.pos]-'0')
						l.pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = append(out, c)
	}
	return out
}

func (l *lexer) hex() []byte {
	l.pos++ // <
	var out []byte
	hi := -1
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		if c == '>' {
			break
		}
		v := hexVal(c)
		if v < 0 {
			continue
		}
		if hi < 0 {
			hi = v
		} else {
			out = append(out, byte(hi<<4|v))
			hi = -1
		}
	}
	if hi >= 0 {
		out = append(out, byte(hi<<4))
	}
	return out
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func unescapeName(b []byte) string {
	if bytes.IndexByte(b, '#') < 0 {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '#' && i+2 < len(b) && hexVal(b[i+1]) >= 0 && hexVal(b[i+2]) >= 0 {
			out = append(out, byte(hexVal(b[i+1])<<4|hexVal(b[i+2])))
			i += 2
			continue
		}
		out = append(out, b[i])
	}
	return string(out)
}

// skipInlineImage skips from after "BI" to after "EI": the image
// dictionary, "ID", one white-space byte and the data, which ends at an
// "EI" between white space (the usual heuristic: the data's length is
// not recorded when it is compressed).
func (l *lexer) skipInlineImage() {
	for {
		tok, isOp, ok := l.token(0)
		if !ok {
			return
		}
		if isOp && tok.(string) == "ID" {
			break
		}
	}
	l.pos++ // the single white-space byte after ID
	for l.pos < len(l.b) {
		i := bytes.Index(l.b[l.pos:], []byte("EI"))
		if i < 0 {
			l.pos = len(l.b)
			return
		}
		at := l.pos + i
		l.pos = at + 2
		if at > 0 && isWhite(l.b[at-1]) && (at+2 == len(l.b) || isWhite(l.b[at+2])) {
			return
		}
	}
}
