package pdftext

import (
	"unicode/utf16"

	"github.com/segel-id/segel/internal/pdf"
)

// cmap is what Segel reads of a CMap (ISO 32000-2, 9.7.5 and 9.10.3):
// code space ranges (how many bytes a code has), and either CIDs (an
// encoding CMap) or Unicode text (a ToUnicode CMap) per code.
type cmap struct {
	space   []codeRange
	uni     map[uint64]string
	uniR    []uniRange
	cid     map[uint64]int
	cidR    []cidRange
	defLen  int // code length when no range matches
	hasUni  bool
	hasCIDs bool
}

type codeRange struct {
	lo, hi []byte
}

type uniRange struct {
	n      int
	lo, hi uint32
	dst    []uint16 // start value, incremented in its last unit
	list   []string // or one string per code
	hasArr bool
}

type cidRange struct {
	n      int
	lo, hi uint32
	cid    int
}

// Limits of CMap parsing.
const (
	// maxCMapEntries bounds the entries kept from one CMap.
	maxCMapEntries = 1 << 17
)

func codeKey(n int, v uint32) uint64 { return uint64(n)<<32 | uint64(v) }

func codeVal(b []byte) uint32 {
	var v uint32
	for _, c := range b {
		v = v<<8 | uint32(c)
	}
	return v
}

// parseCMap reads a CMap stream's data.
func parseCMap(data []byte) *cmap {
	m := &cmap{uni: map[uint64]string{}, cid: map[uint64]int{}}
	l := pdf.NewContentLexer(data)
	entries := 0
	for {
		o, ok := l.Next()
		if !ok {
			break
		}
		a := o.Args
		switch o.Name {
		case "endcodespacerange":
			for i := 0; i+1 < len(a); i += 2 {
				lo, ok1 := operandString(a[i])
				hi, ok2 := operandString(a[i+1])
				if ok1 && ok2 && len(lo) == len(hi) && len(lo) >= 1 && len(lo) <= 4 {
					m.space = append(m.space, codeRange{lo, hi})
				}
			}
		case "endbfchar":
			for i := 0; i+1 < len(a) && entries < maxCMapEntries; i += 2 {
				src, ok1 := operandString(a[i])
				if !ok1 || len(src) == 0 || len(src) > 4 {
					continue
				}
				switch dst := a[i+1].(type) {
				case pdf.String:
					m.uni[codeKey(len(src), codeVal(src))] = utf16BE(dst.Bytes)
				case pdf.Name: // a glyph name (allowed by the spec, rare)
					m.uni[codeKey(len(src), codeVal(src))] = glyphNameText(string(dst))
				}
				entries++
				m.hasUni = true
			}
		case "endbfrange":
			for i := 0; i+2 < len(a) && entries < maxCMapEntries; i += 3 {
				lo, ok1 := operandString(a[i])
				hi, ok2 := operandString(a[i+1])
				if !ok1 || !ok2 || len(lo) != len(hi) || len(lo) == 0 || len(lo) > 4 {
					continue
				}
				r := uniRange{n: len(lo), lo: codeVal(lo), hi: codeVal(hi)}
				if r.hi < r.lo {
					continue
				}
				switch dst := a[i+2].(type) {
				case pdf.String:
					r.dst = bytesToUnits(dst.Bytes)
					if len(r.dst) == 0 {
						continue
					}
				case pdf.Array:
					r.hasArr = true
					for _, d := range dst {
						s := operandBytes(d)
						r.list = append(r.list, utf16BE(s))
					}
				default:
					continue
				}
				m.uniR = append(m.uniR, r)
				entries++
				m.hasUni = true
			}
		case "endcidchar":
			for i := 0; i+1 < len(a) && entries < maxCMapEntries; i += 2 {
				src, ok1 := operandString(a[i])
				cid, ok2 := operandNum(a[i+1])
				if ok1 && ok2 && len(src) >= 1 && len(src) <= 4 {
					m.cid[codeKey(len(src), codeVal(src))] = int(cid)
					entries++
					m.hasCIDs = true
				}
			}
		case "endcidrange":
			for i := 0; i+2 < len(a) && entries < maxCMapEntries; i += 3 {
				lo, ok1 := operandString(a[i])
				hi, ok2 := operandString(a[i+1])
				cid, ok3 := operandNum(a[i+2])
				if ok1 && ok2 && ok3 && len(lo) == len(hi) && len(lo) >= 1 && len(lo) <= 4 {
					m.cidR = append(m.cidR, cidRange{n: len(lo), lo: codeVal(lo), hi: codeVal(hi), cid: int(cid)})
					entries++
					m.hasCIDs = true
				}
			}
		}
	}
	return m
}

// next splits the first code off s and returns its value and length.
func (m *cmap) next(s []byte) (uint32, int) {
	if m != nil {
		for n := 1; n <= 4 && n <= len(s); n++ {
			for _, r := range m.space {
				if len(r.lo) != n {
					continue
				}
				in := true
				for i := range n {
					if s[i] < r.lo[i] || s[i] > r.hi[i] {
						in = false
						break
					}
				}
				if in {
					return codeVal(s[:n]), n
				}
			}
		}
	}
	n := 1
	if m != nil && m.defLen > 0 {
		n = m.defLen
	}
	n = min(n, len(s))
	return codeVal(s[:n]), n
}

// text returns the Unicode text of a code, and whether the CMap maps it.
func (m *cmap) text(v uint32, n int) (string, bool) {
	if m == nil || !m.hasUni {
		return "", false
	}
	if s, ok := m.uni[codeKey(n, v)]; ok {
		return s, true
	}
	for _, r := range m.uniR {
		if r.n != n || v < r.lo || v > r.hi {
			continue
		}
		off := v - r.lo
		if r.hasArr {
			if int(off) < len(r.list) {
				return r.list[off], true
			}
			return "", false
		}
		units := append([]uint16(nil), r.dst...)
		units[len(units)-1] += uint16(off)
		return string(utf16.Decode(units)), true
	}
	return "", false
}

// cidOf returns the CID of a code: from cidchar/cidrange entries, or the
// code itself (Identity).
func (m *cmap) cidOf(v uint32, n int) int {
	if m == nil || !m.hasCIDs {
		return int(v)
	}
	if c, ok := m.cid[codeKey(n, v)]; ok {
		return c
	}
	for _, r := range m.cidR {
		if r.n == n && v >= r.lo && v <= r.hi {
			return r.cid + int(v-r.lo)
		}
	}
	return 0
}

func bytesToUnits(b []byte) []uint16 {
	units := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		units = append(units, uint16(b[i])<<8|uint16(b[i+1]))
	}
	if len(b)%2 == 1 { // a one-byte destination: take it as a code point
		units = append(units, uint16(b[len(b)-1]))
	}
	return units
}

func utf16BE(b []byte) string { return string(utf16.Decode(bytesToUnits(b))) }
