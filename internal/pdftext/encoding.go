package pdftext

import (
	"strconv"
	"strings"
)

// Simple fonts map a one-byte code to a glyph name through a base
// encoding and /Differences (ISO 32000-2, 9.6.5 and Annex D), and the name
// to Unicode through the Adobe Glyph List. Only the names of the Latin
// encodings are known here, with the uniXXXX and uXXXX[XX] forms: enough
// for what office suites, ghostscript and cairo write for Latin text.

// asciiNames are the glyph names of codes 0x20–0x7E in WinAnsiEncoding.
var asciiNames = strings.Fields(`space exclam quotedbl numbersign dollar percent ampersand
quotesingle parenleft parenright asterisk plus comma hyphen period slash zero one two three
four five six seven eight nine colon semicolon less equal greater question at A B C D E F G
H I J K L M N O P Q R S T U V W X Y Z bracketleft backslash bracketright asciicircum
underscore grave a b c d e f g h i j k l m n o p q r s t u v w x y z braceleft bar braceright
asciitilde`)

// latin1Names are the glyph names of U+00A0–U+00FF (WinAnsiEncoding codes
// 0xA0–0xFF).
var latin1Names = strings.Fields(`space exclamdown cent sterling currency yen brokenbar
section dieresis copyright ordfeminine guillemotleft logicalnot hyphen registered macron
degree plusminus twosuperior threesuperior acute mu paragraph periodcentered cedilla
onesuperior ordmasculine guillemotright onequarter onehalf threequarters questiondown Agrave
Aacute Acircumflex Atilde Adieresis Aring AE Ccedilla Egrave Eacute Ecircumflex Edieresis
Igrave Iacute Icircumflex Idieresis Eth Ntilde Ograve Oacute Ocircumflex Otilde Odieresis
multiply Oslash Ugrave Uacute Ucircumflex Udieresis Yacute Thorn germandbls agrave aacute
acircumflex atilde adieresis aring ae ccedilla egrave eacute ecircumflex edieresis igrave
iacute icircumflex idieresis eth ntilde ograve oacute ocircumflex otilde odieresis divide
oslash ugrave uacute ucircumflex udieresis yacute thorn ydieresis`)

// win80 are WinAnsiEncoding's codes 0x80–0x9F (Windows-1252).
var win80 = map[byte]string{
	0x80: "Euro", 0x82: "quotesinglbase", 0x83: "florin", 0x84: "quotedblbase",
	0x85: "ellipsis", 0x86: "dagger", 0x87: "daggerdbl", 0x88: "circumflex",
	0x89: "perthousand", 0x8A: "Scaron", 0x8B: "guilsinglleft", 0x8C: "OE",
	0x8E: "Zcaron", 0x91: "quoteleft", 0x92: "quoteright", 0x93: "quotedblleft",
	0x94: "quotedblright", 0x95: "bullet", 0x96: "endash", 0x97: "emdash",
	0x98: "tilde", 0x99: "trademark", 0x9A: "scaron", 0x9B: "guilsinglright",
	0x9C: "oe", 0x9E: "zcaron", 0x9F: "Ydieresis",
}

// stdHigh are StandardEncoding's codes above 0x7E.
var stdHigh = map[byte]string{
	0xA1: "exclamdown", 0xA2: "cent", 0xA3: "sterling", 0xA4: "fraction", 0xA5: "yen",
	0xA6: "florin", 0xA7: "section", 0xA8: "currency", 0xA9: "quotesingle",
	0xAA: "quotedblleft", 0xAB: "guillemotleft", 0xAC: "guilsinglleft",
	0xAD: "guilsinglright", 0xAE: "fi", 0xAF: "fl", 0xB1: "endash", 0xB2: "dagger",
	0xB3: "daggerdbl", 0xB4: "periodcentered", 0xB6: "paragraph", 0xB7: "bullet",
	0xB8: "quotesinglbase", 0xB9: "quotedblbase", 0xBA: "quotedblright",
	0xBB: "guillemotright", 0xBC: "ellipsis", 0xBD: "perthousand", 0xBF: "questiondown",
	0xC1: "grave", 0xC2: "acute", 0xC3: "circumflex", 0xC4: "tilde", 0xC5: "macron",
	0xC6: "breve", 0xC7: "dotaccent", 0xC8: "dieresis", 0xCA: "ring", 0xCB: "cedilla",
	0xCD: "hungarumlaut", 0xCE: "ogonek", 0xCF: "caron", 0xD0: "emdash", 0xE1: "AE",
	0xE3: "ordfeminine", 0xE8: "Lslash", 0xE9: "Oslash", 0xEA: "OE", 0xEB: "ordmasculine",
	0xF1: "ae", 0xF5: "dotlessi", 0xF8: "lslash", 0xF9: "oslash", 0xFA: "oe",
	0xFB: "germandbls",
}

// extraNames are glyph names outside Latin-1 that the Latin encodings use.
var extraNames = map[string]rune{
	"Euro": 0x20AC, "quotesinglbase": 0x201A, "florin": 0x0192, "quotedblbase": 0x201E,
	"ellipsis": 0x2026, "dagger": 0x2020, "daggerdbl": 0x2021, "circumflex": 0x02C6,
	"perthousand": 0x2030, "Scaron": 0x0160, "guilsinglleft": 0x2039, "OE": 0x0152,
	"Zcaron": 0x017D, "quoteleft": 0x2018, "quoteright": 0x2019, "quotedblleft": 0x201C,
	"quotedblright": 0x201D, "bullet": 0x2022, "endash": 0x2013, "emdash": 0x2014,
	"tilde": 0x02DC, "trademark": 0x2122, "scaron": 0x0161, "guilsinglright": 0x203A,
	"oe": 0x0153, "zcaron": 0x017E, "Ydieresis": 0x0178, "fraction": 0x2044,
	"fi": 0xFB01, "fl": 0xFB02, "ff": 0xFB00, "ffi": 0xFB03, "ffl": 0xFB04,
	"breve": 0x02D8, "dotaccent": 0x02D9, "ring": 0x02DA, "hungarumlaut": 0x02DD,
	"ogonek": 0x02DB, "caron": 0x02C7, "Lslash": 0x0141, "lslash": 0x0142,
	"dotlessi": 0x0131, "minus": 0x2212, "nbspace": 0x00A0, "sfthyphen": 0x00AD,
	"middot": 0x00B7, "Delta": 0x2206, "Omega": 0x2126, "mu1": 0x00B5,
}

// nameToRune maps the known glyph names to Unicode.
var nameToRune = func() map[string]rune {
	m := make(map[string]rune, 300)
	for i, n := range asciiNames {
		m[n] = rune(0x20 + i)
	}
	for i, n := range latin1Names[1:] { // 0xA0 is "space" too
		if _, ok := m[n]; !ok {
			m[n] = rune(0xA1 + i)
		}
	}
	for n, r := range extraNames {
		m[n] = r
	}
	return m
}()

// glyphNameText returns the text of a glyph name: a known name, uniXXXX…,
// uXXXX[XX], and ligatures "a_b"; a suffix after "." is ignored.
func glyphNameText(n string) string {
	if i := strings.IndexByte(n, '.'); i > 0 {
		n = n[:i]
	}
	if r, ok := nameToRune[n]; ok {
		return string(r)
	}
	if strings.Contains(n, "_") {
		var b strings.Builder
		for _, part := range strings.Split(n, "_") {
			b.WriteString(glyphNameText(part))
		}
		return b.String()
	}
	if strings.HasPrefix(n, "uni") && len(n) >= 7 && (len(n)-3)%4 == 0 {
		var b strings.Builder
		for i := 3; i+4 <= len(n); i += 4 {
			v, err := strconv.ParseUint(n[i:i+4], 16, 16)
			if err != nil {
				return ""
			}
			b.WriteRune(rune(v))
		}
		return b.String()
	}
	if strings.HasPrefix(n, "u") && len(n) >= 5 && len(n) <= 7 {
		if v, err := strconv.ParseUint(n[1:], 16, 32); err == nil && v <= 0x10FFFF {
			return string(rune(v))
		}
	}
	return ""
}

// baseEncoding returns the glyph names of a base encoding by code.
func baseEncoding(enc string) [256]string {
	var t [256]string
	for i, n := range asciiNames {
		t[0x20+i] = n
	}
	switch enc {
	case "StandardEncoding":
		t[0x27], t[0x60] = "quoteright", "quoteleft"
		for c, n := range stdHigh {
			t[c] = n
		}
	default: // WinAnsiEncoding; also the fallback for MacRoman and PDFDoc
		for c, n := range win80 {
			t[c] = n
		}
		for i, n := range latin1Names {
			t[0xA0+i] = n
		}
		t[0xAD] = "hyphen"
	}
	return t
}
