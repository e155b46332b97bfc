package httpapi_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/segel-id/segel/httpapi"
	"github.com/segel-id/segel/internal/testenv"
)

// upload posts a file to a page as a browser form does.
func upload(t *testing.T, url string, file []byte) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "surat.pdf")
	fw.Write(file)
	mw.Close()
	resp, err := http.Post(url, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (e *env) signed(q string) ([]byte, string) {
	e.t.Helper()
	resp, body := e.do("POST", "/v1/sign?profile=sekda&"+q, "eoffice", e.letter, nil)
	if resp.StatusCode != 200 {
		e.t.Fatalf("sign: %d %s", resp.StatusCode, body)
	}
	return body, resp.Header.Get(httpapi.DocumentIDHeader)
}

func TestCitizensPage(t *testing.T) {
	e := newEnv(t, nil, nil)
	resp, err := http.Get(e.url + "/verify")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `<html lang="id">`) || !strings.Contains(string(page), `name="file"`) ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("form: %d %v %s", resp.StatusCode, resp.Header, page)
	}
	good, id := e.signed("number=800/9/2026&subject=Undangan%20Rapat&title=Sekretaris%20Daerah&nip=197001012000031001&reason=%3Cscript%3Ealert(1)%3C/script%3E")
	_, html := upload(t, e.url+"/verify", good)
	if !strings.Contains(html, "Dokumen asli dan tidak berubah") || !strings.Contains(html, "Berkas Anda tidak disimpan") {
		t.Errorf("good letter:\n%s", html)
	}
	if strings.Contains(html, "<script>alert(1)") || !strings.Contains(html, "&lt;script&gt;alert(1)") {
		t.Error("the signer's reason is not escaped")
	}
	tampered := bytes.Clone(good)
	i := bytes.Index(tampered, []byte("SURAT"))
	if i < 0 {
		i = 200
	}
	tampered[i] ^= 0x01
	_, html = upload(t, e.url+"/verify", tampered)
	if !strings.Contains(html, "tidak sah") || strings.Contains(html, "Dokumen asli") {
		t.Errorf("tampered letter:\n%s", html)
	}
	resp, html = upload(t, e.url+"/verify", []byte("bukan pdf"))
	if resp.StatusCode != 422 || !strings.Contains(html, "bukan PDF") {
		t.Errorf("not a PDF: %d", resp.StatusCode)
	}
	_, html = upload(t, e.url+"/verify?lang=en", good)
	if !strings.Contains(html, "Authentic document") || !strings.Contains(html, `<html lang="en">`) {
		t.Errorf("English:\n%s", html)
	}

	// The QR link: the record, the SHA-256 in one piece, comparison.
	resp, err = http.Get(e.url + "/v/" + id)
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	rec := string(page)
	for _, want := range []string{"800/9/2026", "Undangan Rapat", "Sekretaris Daerah", "197001012000031001", `class="hash"`} {
		if !strings.Contains(rec, want) {
			t.Errorf("record lacks %q", want)
		}
	}
	rep := e.verifyReport(good)
	if !strings.Contains(rec, ">"+rep.SHA256+"<") {
		t.Error("the issued file's SHA-256 is not shown in one piece")
	}
	_, html = upload(t, e.url+"/v/"+id, good)
	if !strings.Contains(html, "sama persis") || !strings.Contains(html, "Dokumen asli") {
		t.Errorf("identical copy:\n%s", html)
	}
	other, _ := e.signed("")
	_, html = upload(t, e.url+"/v/"+id, other)
	if !strings.Contains(html, "TIDAK sama") {
		t.Errorf("different copy:\n%s", html)
	}
	// Download: offered for this profile, never for a confidential letter.
	resp, err = http.Get(e.url + "/v/" + id + "/download")
	if err != nil {
		t.Fatal(err)
	}
	dl, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(dl, good) {
		t.Errorf("download: %d", resp.StatusCode)
	}
	_, secret := e.signed("confidential=true")
	resp, _ = http.Get(e.url + "/v/" + secret + "/download")
	if resp.StatusCode != 404 {
		t.Errorf("a confidential letter was offered: %d", resp.StatusCode)
	}
	if resp, _ = http.Get(e.url + "/v/aaaaaaaaaaaaaaaaaaaaaaaaaa"); resp.StatusCode != 404 {
		t.Errorf("unknown id: %d", resp.StatusCode)
	}
	e.tempEmpty()

	// Uploads are rate-limited per address.
	limited := false
	for range 25 {
		if resp, _ := upload(t, e.url+"/verify", []byte("x")); resp.StatusCode == 429 {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("25 uploads in a row were not limited")
	}
}

// TestCitizensPageInChromium drives the page in real headless Chromium:
// upload a good letter and a tampered one, open a /v/{id} link, switch to
// English, and keep screenshots at phone and desktop sizes.
func TestCitizensPageInChromium(t *testing.T) {
	chromium := testenv.Tool(t, "chromium")
	e := newEnv(t, nil, nil)
	good, id := e.signed("number=800/9/2026&subject=Undangan")
	dir := t.TempDir()
	goodPath := filepath.Join(dir, "surat.pdf")
	os.WriteFile(goodPath, good, 0o644)
	tampered := bytes.Clone(good)
	tampered[300] ^= 1
	badPath := filepath.Join(dir, "ubah.pdf")
	os.WriteFile(badPath, tampered, 0o644)
	notPDF := filepath.Join(dir, "foto.pdf")
	os.WriteFile(notPDF, []byte("JFIF not a pdf"), 0o644)
	artifacts := os.Getenv("SEGEL_ARTIFACTS")
	if artifacts == "" {
		artifacts = t.TempDir()
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	check := func(name, url, file, want string) {
		t.Helper()
		for _, size := range [][2]int64{{360, 800}, {1280, 800}} {
			steps := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(url)}
			wait := chromedp.CSS("main")
			if file != "" {
				steps = append(steps, chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}),
					chromedp.Click(chromedp.CSS("button[type=submit]")))
				wait = chromedp.CSS(".verdict")
			}
			steps = append(steps, chromedp.WaitVisible(wait))
			if err := chromedp.Do(ctx, steps...); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			verdict, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			p := filepath.Join(artifacts, name+"-"+map[int64]string{360: "phone", 1280: "desktop"}[size[0]]+".png")
			os.WriteFile(p, shot, 0o644)
			t.Logf("screenshot %s", p)
			if !strings.Contains(verdict, want) {
				t.Errorf("%s at %dpx: %q not in %q", name, size[0], want, verdict)
			}
		}
	}
	check("good", e.url+"/verify", goodPath, "Dokumen asli dan tidak berubah sejak ditandatangani")
	check("tampered", e.url+"/verify", badPath, "tidak sah")
	check("not-pdf", e.url+"/verify", notPDF, "bukan PDF")
	check("record", e.url+"/v/"+id, "", "800/9/2026")
	check("english", e.url+"/verify?lang=en", goodPath, "Authentic document")
}
