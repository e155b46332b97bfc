package pdf

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// parser parses objects from a lexer.
type parser struct {
	lex      *lexer
	maxDepth int
	maxStr   int
	// lenient ends an unterminated string at the end of data and skips
	// bad characters in a hex string instead of failing (content streams).
	lenient bool
}

func (p *parser) errf(format string, args ...any) error {
	return errAt(ErrSyntax, p.lex.pos, format, args...)
}

// object parses one direct object (a Ref counts as direct here). depth is
// the current nesting depth.
func (p *parser) object(depth int) (Object, error) {
	if depth > p.maxDepth {
		return nil, errAt(ErrLimit, p.lex.pos, "objects nested deeper than %d", p.maxDepth)
	}
	l := p.lex
	l.skipSpace()
	start := l.pos
	c := l.peek()
	switch {
	case c < 0:
		if l.err != nil {
			return nil, fmt.Errorf("pdf: read at offset %d: %w", l.pos, l.err)
		}
		return nil, errAt(ErrSyntax, l.pos, "unexpected end of data")
	case c == '/':
		l.pos++
		return p.name()
	case c == '(':
		l.pos++
		return p.literal()
	case c == '<':
		l.pos++
		if l.peek() == '<' {
			l.pos++
			return p.dict(depth)
		}
		return p.hex()
	case c == '[':
		l.pos++
		return p.array(depth)
	case isRegular(c):
		t := l.token()
		switch string(t) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		if !isNumberStart(t[0]) {
			return nil, errAt(ErrSyntax, start, "unexpected keyword %q", t)
		}
		n, err := parseNumber(t)
		if err != nil {
			return nil, errAt(ErrSyntax, start, "%v", err)
		}
		if i, ok := n.(int64); ok && i >= 0 && t[0] != '+' && t[0] != '-' {
			if ref, ok := p.refTail(i); ok {
				return ref, nil
			}
		}
		return n, nil
	default:
		return nil, errAt(ErrSyntax, start, "unexpected %q", rune(c))
	}
}

// refTail tries to read "Gen R" after an object number; it restores the
// position when they are not there.
func (p *parser) refTail(num int64) (Ref, bool) {
	l := p.lex
	save := l.pos
	l.skipSpace()
	gen, ok := parseUint(l.token(), 5)
	if !ok || gen > math.MaxUint16 || num > math.MaxUint32 {
		l.pos = save
		return Ref{}, false
	}
	l.skipSpace()
	if l.peek() != 'R' {
		l.pos = save
		return Ref{}, false
	}
	l.pos++
	if isRegular(l.peek()) {
		l.pos = save
		return Ref{}, false
	}
	return Ref{Num: uint32(num), Gen: uint16(gen)}, true
}

func isNumberStart(c byte) bool {
	return c == '+' || c == '-' || c == '.' || c >= '0' && c <= '9'
}

func allDigits(t []byte) bool {
	for _, c := range t {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(t) > 0
}

// parseUint parses t, a run of at most maxDigits decimal digits (at most
// 18, so that it fits an int64), without the allocation of parseNumber's
// interface result. ok is false for anything else.
func parseUint(t []byte, maxDigits int) (n int64, ok bool) {
	if len(t) == 0 || len(t) > maxDigits || len(t) > 18 {
		return 0, false
	}
	for _, c := range t {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseNumber parses an integer (int64) or a real (float64): [+-]digits,
// [+-]digits.digits?, [+-].digits. Integers beyond int64 are an error.
func parseNumber(t []byte) (Object, error) {
	s := t
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	dot, digits := -1, 0
	for i, c := range s {
		switch {
		case c == '.' && dot < 0:
			dot = i
		case c >= '0' && c <= '9':
			digits++
		default:
			return nil, fmt.Errorf("bad number %q", t)
		}
	}
	if digits == 0 {
		return nil, fmt.Errorf("bad number %q", t)
	}
	if dot < 0 {
		n, err := strconv.ParseInt(string(t), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("integer %q out of range", t)
		}
		return n, nil
	}
	f, err := strconv.ParseFloat(string(t), 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, fmt.Errorf("bad real %q", t)
	}
	return f, nil
}

func unhex(c int) int {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return -1
}

// name parses a name after its slash.
func (p *parser) name() (Object, error) {
	l := p.lex
	// Most names lie inside the window and have no #xx escape: take
	// them as a view, and common ones as constants (no allocation).
	save := l.pos
	if t, ok := l.run(); ok && len(t) <= p.maxStr && bytes.IndexByte(t, '#') < 0 {
		if n, ok := commonNames[string(t)]; ok {
			return n, nil
		}
		return Name(t), nil
	}
	l.pos = save
	var b []byte
	for {
		c := l.peek()
		if !isRegular(c) {
			break
		}
		l.pos++
		if c == '#' {
			save := l.pos
			h1 := unhex(l.peek())
			if h1 >= 0 {
				l.pos++
				if h2 := unhex(l.peek()); h2 >= 0 {
					l.pos++
					c = h1<<4 | h2
				} else {
					l.pos = save
				}
			}
		}
		if len(b) >= p.maxStr {
			return nil, p.errf("name longer than %d bytes", p.maxStr)
		}
		b = append(b, byte(c))
	}
	return Name(b), nil
}

// commonNames holds, boxed once, the names most dictionaries a signature
// reads hold (catalog, page tree, page, trailer, form): the parser hands
// them out without allocating.
var commonNames = func() map[string]Object {
	m := make(map[string]Object)
	for _, n := range []string{
		"Type", "Subtype", "Catalog", "Pages", "Page", "Kids", "Count", "Parent",
		"MediaBox", "CropBox", "Rotate", "Resources", "Contents", "Font",
		"XObject", "ExtGState", "ProcSet", "PDF", "Text", "Annots", "Metadata",
		"AcroForm", "Fields", "Root", "Info", "ID", "Size", "Prev", "Length",
		"Filter", "FlateDecode", "Annot", "Widget", "FT", "Sig", "Rect", "T", "V",
		"P", "F", "AP", "N",
	} {
		m[n] = Name(n)
	}
	return m
}()

// literal parses a literal string after its opening parenthesis.
func (p *parser) literal() (Object, error) {
	l := p.lex
	start := l.pos - 1
	var b []byte
	nest := 0
	for {
		if len(b) > p.maxStr {
			return nil, errAt(ErrLimit, start, "string longer than %d bytes", p.maxStr)
		}
		c := l.next()
		switch c {
		case -1:
			if p.lenient {
				return String{Bytes: b}, nil
			}
			return nil, errAt(ErrSyntax, start, "unterminated string")
		case '(':
			nest++
		case ')':
			if nest == 0 {
				return String{Bytes: b}, nil
			}
			nest--
		case '\r':
			if l.peek() == '\n' {
				l.pos++
			}
			c = '\n'
		case '\\':
			c = l.next()
			switch c {
			case -1:
				if p.lenient {
					return String{Bytes: b}, nil
				}
				return nil, errAt(ErrSyntax, start, "unterminated string")
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
				if l.peek() == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			default:
				if c >= '0' && c <= '7' {
					v := c - '0'
					for range 2 {
						d := l.peek()
						if d < '0' || d > '7' {
							break
						}
						l.pos++
						v = v<<3 | (d - '0')
					}
					c = v & 0xff
				}
			}
		}
		b = append(b, byte(c))
	}
}

// hex parses a hex string after its '<'. White space is ignored; an odd
// final digit is padded with 0.
func (p *parser) hex() (Object, error) {
	l := p.lex
	start := l.pos - 1
	var b []byte
	hi := -1
	for {
		if len(b) > p.maxStr {
			return nil, errAt(ErrLimit, start, "string longer than %d bytes", p.maxStr)
		}
		c := l.next()
		if c < 0 && p.lenient {
			c = '>'
		}
		switch {
		case c == '>':
			if hi >= 0 {
				b = append(b, byte(hi<<4))
			}
			return String{Bytes: b, Hex: true}, nil
		case isSpace(c):
		case unhex(c) >= 0:
			if hi < 0 {
				hi = unhex(c)
			} else {
				b = append(b, byte(hi<<4|unhex(c)))
				hi = -1
			}
		case c < 0:
			return nil, errAt(ErrSyntax, start, "unterminated hex string")
		case p.lenient:
		default:
			return nil, errAt(ErrSyntax, l.pos-1, "bad character %q in hex string", rune(c))
		}
	}
}

// array parses an array after its '['.
func (p *parser) array(depth int) (Object, error) {
	l := p.lex
	start := l.pos - 1
	a := Array{}
	for {
		l.skipSpace()
		switch l.peek() {
		case ']':
			l.pos++
			return a, nil
		case -1:
			return nil, errAt(ErrSyntax, start, "unterminated array")
		}
		o, err := p.object(depth + 1)
		if err != nil {
			return nil, err
		}
		a = append(a, o)
	}
}

// dict parses a dictionary after its "<<".
func (p *parser) dict(depth int) (Object, error) {
	l := p.lex
	start := l.pos - 2
	// The entries are gathered on the stack and copied once, at their
	// number, when the dictionary ends; a large one gets its index as
	// it grows, so that duplicate keys are found without a quadratic
	// search.
	var buf [16]dictEntry
	entries := buf[:0]
	var index map[Name]int
	var repeated []Name
	for {
		l.skipSpace()
		switch l.peek() {
		case '>':
			l.pos++
			if l.next() != '>' {
				return nil, errAt(ErrSyntax, l.pos-1, "expected >> to end dictionary at offset %d", start)
			}
			if repeated != nil {
				// Each once, sorted: a sort, not a search at every
				// repetition, so that a hostile file's many cannot make
				// the parse quadratic.
				slices.Sort(repeated)
				repeated = slices.Compact(repeated)
			}
			d := Dict{p: &dictData{entries: make([]dictEntry, len(entries)), index: index, repeated: repeated}}
			copy(d.p.entries, entries)
			return d, nil
		case -1:
			return nil, errAt(ErrSyntax, start, "unterminated dictionary")
		case '/':
		default:
			return nil, errAt(ErrSyntax, l.pos, "dictionary key is not a name (dictionary at offset %d)", start)
		}
		l.pos++
		k, err := p.name()
		if err != nil {
			return nil, err
		}
		v, err := p.object(depth + 1)
		if err != nil {
			return nil, err
		}
		// A repeated key keeps its first position and takes the last
		// value, as Dict.Set does, and is remembered (RepeatedKeys).
		key := k.(Name)
		if i := findEntry(entries, index, key); i >= 0 {
			entries[i].val = v
			repeated = append(repeated, key)
			continue
		}
		entries = append(entries, dictEntry{key, v})
		switch {
		case index != nil:
			index[key] = len(entries) - 1
		case len(entries) > dictIndexMin:
			index = make(map[Name]int, 2*len(entries))
			for i, e := range entries {
				index[e.key] = i
			}
		}
	}
}
