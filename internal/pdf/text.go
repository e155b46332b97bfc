package pdf

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// TextString decodes a PDF text string (ISO 32000-2, 7.9.2.2): UTF-16BE
// after the byte order mark FE FF, UTF-8 after the byte order mark EF BB
// BF (PDF 2.0), and PDFDocEncoding (Annex D, table D.2) otherwise.
//
// Language escapes (U+001B, a language and optional country code, U+001B;
// 7.9.2.2.1) are dropped, as they are markup and not text. Bytes that
// PDFDocEncoding leaves undefined (0x7F, 0x9F, 0xAD), unpaired UTF-16
// surrogates, a trailing odd byte of UTF-16 and invalid UTF-8 become
// U+FFFD, so the result is always valid UTF-8.
func TextString(b []byte) string {
	switch {
	case len(b) >= 2 && b[0] == 0xfe && b[1] == 0xff:
		u := b[2:]
		units := make([]uint16, len(u)/2)
		for i := range units {
			units[i] = uint16(u[2*i])<<8 | uint16(u[2*i+1])
		}
		s := string(utf16.Decode(units))
		if len(u)%2 != 0 {
			s += string(utf8.RuneError)
		}
		return dropLangEscapes(s)
	case len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf:
		return dropLangEscapes(strings.ToValidUTF8(string(b[3:]), string(utf8.RuneError)))
	}
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		sb.WriteRune(pdfDocRune(c))
	}
	return sb.String()
}

// dropLangEscapes removes the language escapes of a Unicode text string:
// U+001B, a two-letter ISO 639 language code, an optional two-letter ISO
// 3166 country code, U+001B. Anything else between two U+001B is kept, so
// that no text can hide in an escape.
func dropLangEscapes(s string) string {
	if !strings.ContainsRune(s, 0x1b) {
		return s
	}
	var sb strings.Builder
	for {
		i := strings.IndexByte(s, 0x1b)
		if i < 0 {
			break
		}
		n := langEscapeLen(s[i:])
		if n == 0 {
			sb.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		sb.WriteString(s[:i])
		s = s[i+n:]
	}
	sb.WriteString(s)
	return sb.String()
}

// langEscapeLen returns the length of the language escape s starts with,
// 0 when it starts with none.
func langEscapeLen(s string) int {
	letter := func(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
	for _, n := range []int{2, 4} {
		if len(s) < n+2 || s[n+1] != 0x1b {
			continue
		}
		ok := true
		for k := 1; k <= n; k++ {
			ok = ok && letter(s[k])
		}
		if ok {
			return n + 2
		}
	}
	return 0
}

// pdfDocRune maps one PDFDocEncoding byte to its Unicode character (ISO
// 32000-2, table D.2). PDFDocEncoding agrees with ISO Latin-1 except at
// 0x18–0x1F (spacing accents), 0x80–0x9F (typographic characters), 0xA0
// (euro sign) and the undefined codes 0x7F, 0x9F and 0xAD.
func pdfDocRune(c byte) rune {
	switch {
	case c >= 0x18 && c <= 0x1f:
		return pdfDoc18[c-0x18]
	case c >= 0x7f && c <= 0xa0:
		return pdfDoc7F[c-0x7f]
	case c == 0xad:
		return utf8.RuneError
	}
	return rune(c)
}

// pdfDoc18 holds PDFDocEncoding 0x18–0x1F.
var pdfDoc18 = [8]rune{
	0x02d8, // breve
	0x02c7, // caron
	0x02c6, // circumflex
	0x02d9, // dotaccent
	0x02dd, // hungarumlaut
	0x02db, // ogonek
	0x02da, // ring
	0x02dc, // tilde
}

// pdfDoc7F holds PDFDocEncoding 0x7F–0xA0.
var pdfDoc7F = [34]rune{
	utf8.RuneError, // 0x7F undefined
	0x2022,         // 0x80 bullet
	0x2020,         // 0x81 dagger
	0x2021,         // 0x82 daggerdbl
	0x2026,         // 0x83 ellipsis
	0x2014,         // 0x84 emdash
	0x2013,         // 0x85 endash
	0x0192,         // 0x86 florin
	0x2044,         // 0x87 fraction
	0x2039,         // 0x88 guilsinglleft
	0x203a,         // 0x89 guilsinglright
	0x2212,         // 0x8A minus
	0x2030,         // 0x8B perthousand
	0x201e,         // 0x8C quotedblbase
	0x201c,         // 0x8D quotedblleft
	0x201d,         // 0x8E quotedblright
	0x2018,         // 0x8F quoteleft
	0x2019,         // 0x90 quoteright
	0x201a,         // 0x91 quotesinglbase
	0x2122,         // 0x92 trademark
	0xfb01,         // 0x93 fi
	0xfb02,         // 0x94 fl
	0x0141,         // 0x95 Lslash
	0x0152,         // 0x96 OE
	0x0160,         // 0x97 Scaron
	0x0178,         // 0x98 Ydieresis
	0x017d,         // 0x99 Zcaron
	0x0131,         // 0x9A dotlessi
	0x0142,         // 0x9B lslash
	0x0153,         // 0x9C oe
	0x0161,         // 0x9D scaron
	0x017e,         // 0x9E zcaron
	utf8.RuneError, // 0x9F undefined
	0x20ac,         // 0xA0 Euro
}

// EncodeTextString encodes s as a PDF text string (ISO 32000-2, 7.9.2.2):
// printable ASCII as is, anything else as UTF-16BE with a byte order mark,
// which every reader decodes the same way.
func EncodeTextString(s string) String {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			ascii = false
			break
		}
	}
	if ascii {
		return String{Bytes: []byte(s)}
	}
	units := utf16.Encode([]rune(s))
	b := make([]byte, 2, 2+2*len(units))
	b[0], b[1] = 0xfe, 0xff
	for _, u := range units {
		b = append(b, byte(u>>8), byte(u))
	}
	return String{Bytes: b}
}
