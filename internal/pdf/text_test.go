package pdf

import (
	"testing"
	"unicode/utf8"
)

// pdfDocWant is ISO 32000-2 table D.2 where PDFDocEncoding differs from
// Latin-1, written as the characters themselves.
var pdfDocWant = map[byte]rune{
	0x18: '˘', 0x19: 'ˇ', 0x1a: 'ˆ', 0x1b: '˙', 0x1c: '˝', 0x1d: '˛', 0x1e: '˚', 0x1f: '˜',
	0x7f: '\uFFFD',
	0x80: '•', 0x81: '†', 0x82: '‡', 0x83: '…', 0x84: '—', 0x85: '–', 0x86: 'ƒ', 0x87: '⁄',
	0x88: '‹', 0x89: '›', 0x8a: '−', 0x8b: '‰', 0x8c: '„', 0x8d: '“', 0x8e: '”', 0x8f: '‘',
	0x90: '’', 0x91: '‚', 0x92: '™', 0x93: 'ﬁ', 0x94: 'ﬂ', 0x95: 'Ł', 0x96: 'Œ', 0x97: 'Š',
	0x98: 'Ÿ', 0x99: 'Ž', 0x9a: 'ı', 0x9b: 'ł', 0x9c: 'œ', 0x9d: 'š', 0x9e: 'ž', 0x9f: '\uFFFD',
	0xa0: '€', 0xad: '\uFFFD',
}

func TestTextStringPDFDocEncoding(t *testing.T) {
	for c := 0; c < 256; c++ {
		want, ok := pdfDocWant[byte(c)]
		if !ok {
			want = rune(c) // Latin-1 everywhere else
		}
		if got := TextString([]byte{byte(c)}); got != string(want) {
			t.Errorf("PDFDocEncoding %#02x = %q (%U), want %q (%U)", c, got, []rune(got), want, want)
		}
	}
	// A whole string: "Rp 5€ — Ł”" as PDFDocEncoding.
	if got := TextString([]byte("Rp 5\xa0 \x84 \x95\x8e")); got != "Rp 5€ — Ł”" {
		t.Errorf("got %q", got)
	}
}

func TestTextStringUnicode(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want string
	}{
		{"utf16", "\xfe\xff\x00B\x00u\x00d\x00i\x00 \x00\xe9", "Budi é"},
		{"utf16 surrogate pair", "\xfe\xff\xd8\x3d\xde\x00", "😀"},
		{"utf16 lone surrogate", "\xfe\xff\xd8\x3d\x00a", "\uFFFDa"},
		{"utf16 odd byte", "\xfe\xff\x00a\x00", "a\uFFFD"},
		{"utf16 empty", "\xfe\xff", ""},
		{"utf16 language escape", "\xfe\xff\x00\x1b\x00i\x00d\x00\x1b\x00S\x00i\x00t\x00i", "Siti"},
		{"utf16 language and country", "\xfe\xff\x00\x1b\x00e\x00n\x00U\x00S\x00\x1b\x00x", "x"},
		{"utf16 escape hiding text is kept", "\xfe\xff\x00A\x00\x1b\x00B\x00o\x00b\x00\x1b", "A\x1bBob\x1b"},
		{"utf8", "\xef\xbb\xbfNur\xc3\xa9", "Nuré"},
		{"utf8 invalid", "\xef\xbb\xbfa\xffb", "a\uFFFDb"},
		{"utf8 language escape", "\xef\xbb\xbf\x1bid\x1bBudi", "Budi"},
		{"pdfdoc keeps tab and newline", "a\tb\nc", "a\tb\nc"},
		{"bom-like pdfdoc", "\xfe", "þ"},
	} {
		if got := TextString([]byte(tc.in)); got != tc.want {
			t.Errorf("%s: TextString(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestEncodeTextString(t *testing.T) {
	for _, s := range []string{"", "Budi Santoso", "Nur Aini Ré", "😀 — ok", "tab\there"} {
		e := EncodeTextString(s)
		if got := TextString(e.Bytes); got != s {
			t.Errorf("round trip %q: %q (bytes %x)", s, got, e.Bytes)
		}
	}
	if b := EncodeTextString("Budi").Bytes; string(b) != "Budi" {
		t.Errorf("ASCII encoded as %x", b)
	}
}

func FuzzTextString(f *testing.F) {
	f.Add([]byte("\xfe\xff\x00B\x00\x1b\x00i\x00d\x00\x1b"))
	f.Add([]byte("\xef\xbb\xbf\x1bidID\x1bx\xff"))
	f.Add([]byte("\x80\x84\x92\xa0\xad\x18"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := TextString(b)
		if !utf8.ValidString(s) {
			t.Fatalf("TextString(%q) = %q: invalid UTF-8", b, s)
		}
		if len(b) < 2 || b[0] != 0xfe || b[1] != 0xff {
			if len(b) < 3 || b[0] != 0xef || b[1] != 0xbb || b[2] != 0xbf {
				if n := utf8.RuneCountInString(s); n != len(b) {
					t.Fatalf("PDFDocEncoding %q gave %d characters, want one a byte", b, n)
				}
			}
		}
		if got := TextString(EncodeTextString(s).Bytes); got != s && !hasEscape(s) {
			t.Fatalf("round trip of %q gave %q", s, got)
		}
	})
}

// hasEscape reports whether s holds U+001B, which a round trip may read as
// a language escape.
func hasEscape(s string) bool {
	for _, r := range s {
		if r == 0x1b {
			return true
		}
	}
	return false
}
