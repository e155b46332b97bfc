package httpapi_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/citizen"
	"github.com/segel-id/segel/internal/httpapi"
)

// TestCitizensPageMounted: the service serves the citizens' page
// (internal/citizen, tested there in Chromium) with its own register and
// verifier, and unknown API paths still answer problem+json.
func TestCitizensPageMounted(t *testing.T) {
	e := newEnv(t, nil, nil)
	resp, signed := e.do("POST", "/v1/sign?profile=sekda&number=800/9/2026", "eoffice", e.letter, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("sign: %d", resp.StatusCode)
	}
	id := resp.Header.Get("Segel-Document-Id")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "surat.pdf")
	fw.Write(signed)
	mw.Close()
	resp, err := http.Post(e.url+"/verify", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "Dokumen asli") {
		t.Fatalf("verdict page: %d\n%s", resp.StatusCode, page)
	}
	resp, err = http.Get(e.url + "/v/" + id)
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "800/9/2026") {
		t.Fatalf("record page: %d", resp.StatusCode)
	}
	resp, body := e.do("GET", "/v1/nothing", "", nil, nil)
	wantProblem(t, resp, body, 404, "not-found")
	e.tempEmpty()
}

// TestCitizensPageBranding: the server hands Options.Branding to the
// page, whose header shows the name and whose logo route, mounted beside
// the page's others, answers the logo's bytes.
func TestCitizensPageBranding(t *testing.T) {
	logo := []byte("\x89PNG\r\n\x1a\n-the-logo-bytes")
	e := newEnv(t, nil, func(o *httpapi.Options) {
		o.Branding = citizen.Branding{Name: "Pemerintah Kabupaten Serang", Logo: logo, LogoType: "image/png"}
	})
	resp, err := http.Get(e.url + "/verify")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `alt="Pemerintah Kabupaten Serang"`) {
		t.Errorf("the page's header has no logo named for the regency:\n%s", page)
	}
	resp, err = http.Get(e.url + "/branding/logo")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, logo) || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("logo: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), got)
	}
}
