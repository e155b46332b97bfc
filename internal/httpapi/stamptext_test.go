package httpapi

import (
	"strings"
	"testing"
)

// TestBSrETextLines: the BSrE API's text splits at new lines (CR LF and
// a literal \n too) and is bounded as /v1/sign's line= is.
func TestBSrETextLines(t *testing.T) {
	for in, want := range map[string]string{
		"Bupati Serang\nRatu Tatu":   "Bupati Serang|Ratu Tatu",
		`Bupati Serang\nRatu Tatu`:   "Bupati Serang|Ratu Tatu",
		"Bupati Serang\r\nRatu Tatu": "Bupati Serang|Ratu Tatu",
		"satu baris":                 "satu baris",
	} {
		lines, err := stampLines(bsreTextLines(in))
		if err != nil || strings.Join(lines, "|") != want {
			t.Errorf("%q: %q %v", in, lines, err)
		}
	}
	if _, err := stampLines(bsreTextLines(strings.Repeat("a\n", 9))); err == nil {
		t.Error("nine lines accepted")
	}
	if _, err := stampFooter(strings.Repeat("é", 251)); err == nil {
		t.Error("a 502-byte footer accepted")
	}
}
