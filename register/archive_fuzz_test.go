package register

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// FuzzParseArchiveFilter: any query string gives a filter within its
// bounds, and the filter's own query reads back as the same filter.
func FuzzParseArchiveFilter(f *testing.F) {
	for _, s := range []string{"", "nomor=800%2F1&tahun=2026&hal=2", "dari=2026-13-01&sifat=x", "perihal=%25&pengirim=_",
		"unit=-1&hal=0", "tahun=99999", "klasifikasi=500.16&arah=out&status=draf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fl, _ := parseArchiveFilter(q)
		if fl.Page < 1 || fl.UnitID < 0 || (fl.Year != 0 && (fl.Year < 1900 || fl.Year > 9999)) {
			t.Fatalf("%q: %+v", raw, fl)
		}
		for _, s := range []string{fl.Number, fl.Subject, fl.Sender, fl.Klasifikasi} {
			if utf8.RuneCountInString(s) > maxSearchText {
				t.Fatalf("%q: a field of %d runes", raw, utf8.RuneCountInString(s))
			}
		}
		back, bad := parseArchiveFilter(fl.query())
		back.Page = fl.Page
		if len(bad) != 0 || back != fl {
			t.Fatalf("%q: %+v, read back %+v (%q)", raw, fl, back, bad)
		}
	})
}

// FuzzXLSXText: any text goes into a cell and comes back (the characters
// XML cannot hold as U+FFFD), in a workbook excelize opens.
func FuzzXLSXText(f *testing.F) {
	for _, s := range []string{"", "=1+2", "<b>&amp;</b>", "baris\nbaris", "\x00\x01\x1f", "é ü 中文 😀", "\xff\xfe", "  spasi  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		x, err := newXLSX(&buf, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := x.Row(s); err != nil {
			t.Fatal(err)
		}
		if err := x.Close(); err != nil {
			t.Fatal(err)
		}
		wb, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		defer wb.Close()
		got, err := wb.GetCellValue(wb.GetSheetList()[0], "A1")
		if err != nil {
			t.Fatal(err)
		}
		want := xlsxClip(strings.Map(func(r rune) rune {
			if r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000 {
				return r
			}
			return '\uFFFD'
		}, s))
		if got != want {
			t.Fatalf("%q came back as %q, want %q", s, got, want)
		}
	})
}
