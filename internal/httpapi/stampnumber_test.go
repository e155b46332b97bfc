package httpapi_test

import (
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/testenv"
)

// TestStampNumber: a request with a number shows "Nomor: …" as a line
// of the stamp (read back by poppler, independently of Segel), and the
// answer names the document's page for citizens; without a number the
// stamp has no such line.
func TestStampNumber(t *testing.T) {
	pdftotext := testenv.Tool(t, "pdftotext")
	e := newEnv(t, nil, nil)
	text := func(number string) (string, *http.Response) {
		t.Helper()
		q := url.Values{"profile": {"sekda"}, "visible": {"page=1;rect=300,40,570,200"}, "title": {"Sekretaris Daerah"}}
		if number != "" {
			q.Set("number", number)
		}
		resp, signed := e.do("POST", "/v1/sign?"+q.Encode(), "eoffice", e.letter, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("sign: %d %s", resp.StatusCode, signed)
		}
		path := filepath.Join(t.TempDir(), "signed.pdf")
		if err := os.WriteFile(path, signed, 0o600); err != nil {
			t.Fatal(err)
		}
		// Only the stamp's rectangle (pdftotext counts from the top left
		// of the A4 page, 842 points high).
		out, err := exec.Command(pdftotext, "-f", "1", "-l", "1", "-raw", "-x", "300", "-y", "642", "-W", "270", "-H", "162", path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		// The stamp wraps its lines at words.
		return strings.Join(strings.Fields(string(out)), " "), resp
	}
	got, resp := text("800/12/DPMPTSP/2026")
	if !strings.Contains(got, "Sekretaris Daerah Nomor: 800/12/DPMPTSP/2026 ") {
		t.Errorf("the stamp does not show the number:\n%s", got)
	}
	if want := e.options.PublicBaseURL + "/v/" + resp.Header.Get(httpapi.DocumentIDHeader); resp.Header.Get(httpapi.VerifyURLHeader) != want {
		t.Errorf("%s: %q, want %q", httpapi.VerifyURLHeader, resp.Header.Get(httpapi.VerifyURLHeader), want)
	}
	if got, _ := text(""); strings.Contains(got, "Nomor:") {
		t.Errorf("a stamp without a number shows one:\n%s", got)
	}
}
