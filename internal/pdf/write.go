package pdf

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Span is a region of the output file.
type Span struct {
	// Offset is the absolute file offset of the first byte (counting the
	// source size for an update).
	Offset int64
	// Len is the number of bytes.
	Len int
}

// Marshal returns the PDF syntax of a direct object (Refs are written as
// "N G R"). Placeholders are written but their offsets are not reported;
// *Stream cannot be marshalled (use Update.SetStream).
func Marshal(o Object) ([]byte, error) {
	w := &objWriter{}
	if err := w.object(o, 0); err != nil {
		return nil, err
	}
	return w.buf, nil
}

// objWriter serialises objects into buf, recording placeholder spans
// relative to base.
type objWriter struct {
	buf  []byte
	base int64
	ph   map[string]Span
}

const maxWriteDepth = 1000

func (w *objWriter) object(o Object, depth int) error {
	if depth > maxWriteDepth {
		return fmt.Errorf("%w: objects nested deeper than %d", ErrLimit, maxWriteDepth)
	}
	switch v := o.(type) {
	case nil:
		w.buf = append(w.buf, "null"...)
	case bool:
		w.buf = strconv.AppendBool(w.buf, v)
	case int:
		w.buf = strconv.AppendInt(w.buf, int64(v), 10)
	case int64:
		w.buf = strconv.AppendInt(w.buf, v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: cannot write real %v", ErrType, v)
		}
		w.buf = appendReal(w.buf, v)
	case Name:
		w.buf = appendName(w.buf, v)
	case String:
		if v.Hex {
			w.buf = appendHex(w.buf, v.Bytes)
		} else {
			w.buf = appendLiteral(w.buf, v.Bytes)
		}
	case Ref:
		w.buf = appendRef(w.buf, v, " R")
	case Array:
		w.buf = append(w.buf, '[')
		for i, e := range v {
			if i > 0 {
				w.buf = append(w.buf, ' ')
			}
			if err := w.object(e, depth+1); err != nil {
				return err
			}
		}
		w.buf = append(w.buf, ']')
	case Dict:
		w.buf = append(w.buf, "<<"...)
		if v.p != nil {
			for _, e := range v.p.entries {
				w.buf = append(w.buf, ' ')
				w.buf = appendName(w.buf, e.key)
				w.buf = append(w.buf, ' ')
				if err := w.object(e.val, depth+1); err != nil {
					return err
				}
			}
		}
		w.buf = append(w.buf, " >>"...)
	case Placeholder:
		if v.Width < 2 && v.Kind != PlaceholderSpaces || v.Width < 1 {
			return fmt.Errorf("pdf: placeholder %q: width %d too small", v.Key, v.Width)
		}
		if w.ph != nil {
			if _, dup := w.ph[v.Key]; dup {
				return fmt.Errorf("pdf: duplicate placeholder %q", v.Key)
			}
			w.ph[v.Key] = Span{Offset: w.base + int64(len(w.buf)), Len: v.Width}
		}
		switch v.Kind {
		case PlaceholderHex:
			w.buf = append(w.buf, '<')
			w.buf = appendRepeat(w.buf, '0', v.Width-2)
			w.buf = append(w.buf, '>')
		case PlaceholderArray:
			w.buf = append(w.buf, '[')
			w.buf = appendRepeat(w.buf, ' ', v.Width-2)
			w.buf = append(w.buf, ']')
		default:
			w.buf = appendRepeat(w.buf, ' ', v.Width)
		}
	case *Stream:
		return fmt.Errorf("%w: a stream cannot be written as a direct object (use Update.SetStream)", ErrType)
	default:
		return fmt.Errorf("%w: cannot write %T", ErrType, o)
	}
	return nil
}

// appendRepeat appends n copies of c, growing b once: a /Contents
// placeholder is thousands of bytes.
func appendRepeat(b []byte, c byte, n int) []byte {
	if n <= 0 {
		return b
	}
	b = slices.Grow(b, n)
	fill := b[len(b) : len(b)+n]
	fill[0] = c
	for done := 1; done < n; done *= 2 { // doubling copies: memmove speed
		copy(fill[done:], fill[:done])
	}
	return b[:len(b)+n]
}

// appendRef appends "Num Gen" and suffix (" R" or " obj\n").
func appendRef(b []byte, r Ref, suffix string) []byte {
	b = strconv.AppendUint(b, uint64(r.Num), 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(r.Gen), 10)
	return append(b, suffix...)
}

// appendPadded appends v (not negative) in decimal with leading zeros to
// at least width digits, as fmt's %0*d does.
func appendPadded(b []byte, v int64, width int) []byte {
	var d [20]byte
	s := strconv.AppendInt(d[:0], v, 10)
	b = appendRepeat(b, '0', width-len(s))
	return append(b, s...)
}

// placeholderBytes returns the total width of the placeholders in o, to
// size the update's buffer before writing it.
func placeholderBytes(o Object, depth int) int {
	if depth > maxWriteDepth {
		return 0
	}
	n := 0
	switch v := o.(type) {
	case Placeholder:
		n = max(v.Width, 0)
	case Array:
		for _, e := range v {
			n += placeholderBytes(e, depth+1)
		}
	case Dict:
		if v.p != nil {
			for _, e := range v.p.entries {
				n += placeholderBytes(e.val, depth+1)
			}
		}
	}
	return n
}

// appendReal formats a real without exponent, with no more digits than
// needed to round-trip, and always with a decimal point.
func appendReal(b []byte, f float64) []byte {
	if f == 0 {
		return append(b, "0.0"...)
	}
	n := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, 64)
	if !bytes.ContainsRune(b[n:], '.') {
		b = append(b, ".0"...) // keep it a real when read back
	}
	return b
}

// appendName writes /name with #xx escapes for delimiters, white space,
// '#' and bytes outside 0x21–0x7e.
func appendName(b []byte, n Name) []byte {
	b = append(b, '/')
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c < 0x21 || c > 0x7e || c == '#' || isDelim(int(c)) {
			b = fmt.Appendf(b, "#%02X", c)
		} else {
			b = append(b, c)
		}
	}
	return b
}

// appendLiteral writes a literal string, escaping backslash, both
// parentheses and CR (so that no EOL normalisation can change it).
func appendLiteral(b []byte, s []byte) []byte {
	b = append(b, '(')
	for _, c := range s {
		switch c {
		case '\\', '(', ')':
			b = append(b, '\\', c)
		case '\r':
			b = append(b, '\\', 'r')
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, c)
		}
	}
	return append(b, ')')
}

func appendHex(b []byte, s []byte) []byte {
	const digits = "0123456789ABCDEF"
	b = append(b, '<')
	for _, c := range s {
		b = append(b, digits[c>>4], digits[c&15])
	}
	return append(b, '>')
}
