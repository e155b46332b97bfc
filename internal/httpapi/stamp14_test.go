package httpapi_test

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/config"
	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/testenv"
)

// stampText signs e.letter with query q and returns the text poppler's
// pdftotext reads from page 1, white space (no-break spaces too) folded.
func stampText(t *testing.T, e *env, q url.Values) string {
	t.Helper()
	pdftotext := testenv.Tool(t, "pdftotext")
	resp, signed := e.do("POST", "/v1/sign?"+q.Encode(), "eoffice", e.letter, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("sign %s: %d %s", q.Encode(), resp.StatusCode, signed)
	}
	path := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(path, signed, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-f", "1", "-l", "1", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, out)
	}
	return string(out)
}

func fold(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), " ")
}

// TestStampFooterZoneAndLines: the default footer is BSrE's sentence with
// the document's address, the time is in the configured zone (WITA), the
// NIP stays on one line, and line=/footer= replace the text per request,
// within bounds.
func TestStampFooterZoneAndLines(t *testing.T) {
	wita, err := config.ParseTimezone("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	e := newEnv(t, nil, func(o *httpapi.Options) {
		o.Location, o.Now = wita, func() time.Time { return now }
		o.Profiles[0].Footer = config.DefaultFooter
	})
	q := url.Values{"profile": {"sekda"}, "visible": {"page=1;rect=300,40,580,160"},
		"title": {"Sekretaris Daerah"}, "nip": {"197001012000031001"}}
	text := stampText(t, e, q)
	folded := fold(text)
	for _, want := range []string{
		"Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat elektronik yang diterbitkan oleh Balai Besar Sertifikasi Elektronik (BSrE), BSSN",
		"Verifikasi: " + e.options.PublicBaseURL + "/v/",
		now.In(wita).Format("15:04") + " WITA",
	} {
		if !strings.Contains(folded, want) {
			t.Errorf("the stamp lacks %q:\n%s", want, text)
		}
	}
	nipLine := false
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, "1970") {
			nipLine = fold(l) == "NIP 197001012000031001"
		}
	}
	if !nipLine {
		t.Errorf("the NIP is not one line of its own:\n%s", text)
	}

	q["line"] = []string{"Bupati Serang", "Ratu Tatu Chasanah"}
	q["footer"] = []string{"Salinan sah: {url}"}
	folded = fold(stampText(t, e, q))
	if !strings.Contains(folded, "Bupati Serang Ratu Tatu Chasanah") || !strings.Contains(folded, "Salinan sah: "+e.options.PublicBaseURL+"/v/") ||
		strings.Contains(folded, "Balai Besar") {
		t.Errorf("line= and footer= are not the stamp's text: %s", folded)
	}
	q["footer"] = []string{""}
	if folded = fold(stampText(t, e, q)); strings.Contains(folded, "Salinan") || strings.Contains(folded, "Balai Besar") {
		t.Errorf("footer= (empty) keeps a footer: %s", folded)
	}

	for name, bad := range map[string]url.Values{
		"nine lines":    {"line": strings.Split("1 2 3 4 5 6 7 8 9", " ")},
		"long line":     {"line": {strings.Repeat("x", 201)}},
		"long footer":   {"footer": {strings.Repeat("x", 501)}},
		"control chars": {"line": {"a\x07b"}},
	} {
		bad.Set("profile", "sekda")
		bad.Set("visible", "page=1;rect=300,40,580,160")
		resp, body := e.do("POST", "/v1/sign?"+bad.Encode(), "eoffice", e.letter, nil)
		if resp.StatusCode != 400 {
			t.Errorf("%s: %d %s", name, resp.StatusCode, body)
		}
	}
}
