package citizen_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/segel-id/segel/internal/citizen"
	"github.com/segel-id/segel/internal/testenv"
)

// artifactsDir is where the screenshots go: $SEGEL_ARTIFACTS, or a
// temporary directory of the test.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SEGEL_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	dir = filepath.Join(dir, "citizen")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startChromium starts headless Chromium (the tool at path chromium) for
// a test, with the flags every browser test here shares and then extra,
// and returns the browser's context; the browser ends with the test. It
// is started without a deadline: a tab's timeout must not cover it.
func startChromium(t *testing.T, chromium string, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}
	return bctx
}

// markOld marks the page in the tab, so that waiting for an element of
// the next page cannot find it on this one.
var markOld = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	_, err := chromedp.Evaluate[bool](`document.documentElement.dataset.old = "1", true`)(ctx, t)
	return err
})

// TestInChromium drives the page in real headless Chromium, at phone and
// desktop widths: the form; a good letter, a tampered one and a photo
// uploaded through the file input; the record a QR code opens, with its
// SHA-256 on one line; a copy compared there; the switch to English; and
// the whole upload again with JavaScript disabled. It keeps a screenshot
// of every page.
func TestInChromium(t *testing.T) {
	chromium := testenv.Tool(t, "chromium")

	w := newWorld(t, "Budi Santoso")
	good := w.sign(t, "Menyetujui undangan rapat")
	files := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	goodPath := write("surat.pdf", good)
	badPath := write("surat-diubah.pdf", tamper(t, good))
	untrustedPath := write("surat-ca-lain.pdf", newWorld(t, "Budi Santoso").sign(t, "Menyetujui"))
	otherPath := write("surat-lain.pdf", w.sign(t, "surat lain"))
	photoPath := write("foto-surat.pdf", []byte("\xff\xd8\xff\xe0\x00\x10JFIF a photo of the letter"))

	// Branded as a regency is (config's branding:), with a logo.
	srv, tmp := newPage(t, citizen.Options{Verify: w.verify, Documents: register(good), RateLimit: -1,
		Branding: citizen.Branding{Name: "Pemerintah Kabupaten Serang", ShortName: "Kab. Serang", Logo: brandLogo(t), LogoType: "image/png",
			Address: "Jl. Veteran No. 1, Serang", Website: "https://serangkab.go.id"}})
	shots := artifactsDir(t)

	bctx := startChromium(t, chromium,
		// A reader in Indonesia: the page's default language.
		chromedp.Flag("lang", "id-ID"),
		chromedp.Flag("accept-lang", "id-ID,id"),
	)

	// Collect what the page reports: a script error or a blocked
	// resource (CSP) fails the test.
	var (
		mu       sync.Mutex
		problems []string
	)
	listen := func(ctx context.Context) {
		chromedp.Listen(ctx, func(ev any) {
			mu.Lock()
			defer mu.Unlock()
			switch ev := ev.(type) {
			case *cdplog.EventEntryAdded:
				e := ev.Entry
				if e.Source == cdplog.EntrySourceSecurity || e.Source == cdplog.EntrySourceJavascript || strings.Contains(e.Text, "Content Security Policy") {
					problems = append(problems, string(e.Source)+": "+e.Text)
				}
			case *runtime.EventExceptionThrown:
				problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
			}
		})
	}

	sizes := []struct {
		name          string
		width, height int64
		opts          []chromedp.EmulateViewportOption
	}{
		{"360x800", 360, 800, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait}},
		{"1280x800", 1280, 800, nil},
	}

	for _, size := range sizes {
		t.Run(size.name, func(t *testing.T) {
			tctx, cancel := chromedp.NewContext(bctx) // a tab of its own
			defer cancel()
			ctx, cancel := context.WithTimeout(tctx, 2*time.Minute)
			defer cancel()
			if err := chromedp.Do(tctx, chromedp.EmulateViewport(size.width, size.height, size.opts...)); err != nil {
				t.Fatal(err)
			}
			listen(tctx)

			shot := func(name string) {
				t.Helper()
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatalf("%s: screenshot: %v", name, err)
				}
				p := filepath.Join(shots, name+"-"+size.name+".png")
				if err := os.WriteFile(p, png, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("screenshot: %s", p)
			}
			text := func(sel string) string {
				t.Helper()
				s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
				if err != nil {
					t.Fatalf("text of %s: %v", sel, err)
				}
				return strings.TrimSpace(s)
			}
			// upload chooses a file in the page's form, submits it the way
			// a person does, and waits for the answer.
			upload := func(path string) {
				t.Helper()
				err := chromedp.Do(ctx,
					chromedp.WaitVisible(chromedp.CSS(`#file`)),
					chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{path}),
					markOld,
					chromedp.Click(chromedp.CSS(`button[type=submit]`)),
					chromedp.WaitVisible(chromedp.CSS(`html:not([data-old]) #headline`)),
				)
				if err != nil {
					t.Fatalf("uploading %s: %v", filepath.Base(path), err)
				}
			}
			open := func(url string) {
				t.Helper()
				if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
					t.Fatalf("%s: %v", url, err)
				}
			}

			// The form.
			open(srv.URL + "/verify")
			if h := text("h1"); h != "Periksa keaslian surat elektronik" {
				t.Errorf("form: %q", h)
			}
			if l := text(`label[for=file]`); l != "Pilih berkas surat (PDF)" {
				t.Errorf("the file input's label: %q", l)
			}
			// The nonce'd drag-and-drop script ran under the CSP (it shows
			// its hint where there is a fine pointer).
			ran, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`matchMedia("(pointer: fine)").matches === !document.getElementById("drophint").hidden`))
			if err != nil || !ran {
				t.Errorf("the drag-and-drop script did not run: %v", err)
			}
			// The regency's logo loaded from the page's own route (the CSP
			// allows it), its alt text the name, the name beside it.
			logo, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
				const i = document.querySelector("header img.logo");
				return i && i.complete && i.naturalWidth > 0 ? i.alt : "";
			})()`))
			if err != nil || logo != "Pemerintah Kabupaten Serang" {
				t.Errorf("the header's logo did not load with the name as alt text: %q %v", logo, err)
			}
			if b := text("header .brand"); b != "Pemerintah Kabupaten Serang" {
				t.Errorf("the header reads %q", b)
			}
			// Phone first: nothing is wider than the screen.
			if wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
				t.Errorf("the form scrolls sideways (%v)", err)
			}
			shot("form")

			// A good letter.
			upload(goodPath)
			if h := text("#headline"); !strings.HasPrefix(h, "Dokumen asli") {
				t.Errorf("good letter: %q", h)
			}
			if main := text("main"); !strings.Contains(main, "Berkas Anda tidak disimpan") || !strings.Contains(main, "Budi Santoso") ||
				!strings.Contains(main, "Pemerintah Kabupaten Sleman") || !strings.Contains(main, "Segel Test CA DS G1") {
				t.Errorf("good letter, details:\n%s", main)
			}
			shot("good")

			// A tampered copy, from the form on the verdict page.
			upload(badPath)
			if h := text("#headline"); !strings.Contains(h, "tidak sah") || strings.Contains(text("main"), "Dokumen asli") {
				t.Errorf("tampered letter: %q", h)
			}
			shot("tampered")

			// A letter from a CA the page does not trust: red, and the
			// claimed agency only as the certificate's claim.
			upload(untrustedPath)
			if h := text("#headline"); h != "Jangan dipercaya: penerbit sertifikat tidak dikenal" || strings.Contains(text("main"), "Dokumen asli") {
				t.Errorf("untrusted issuer: %q", h)
			}
			if org := text("dd.claim:nth-of-type(1)"); org == "" {
				t.Error("untrusted issuer: no claim is marked")
			}
			shot("untrusted")

			// A photo that is not a PDF.
			open(srv.URL + "/verify")
			upload(photoPath)
			if h := text("#headline"); !strings.Contains(h, "bukan PDF") {
				t.Errorf("not a PDF: %q", h)
			}
			shot("not-pdf")

			// The link of a QR code: the record, its SHA-256 in one
			// piece on one line, and the comparison.
			open(srv.URL + "/v/" + idPublic)
			main := text("main")
			for _, want := range []string{"Surat yang diterbitkan", "Budi Santoso", "Sekretaris Daerah", "197001012000031001", "800/9/2026", "Undangan Rapat Koordinasi", "Segel Test CA DS G1"} {
				if !strings.Contains(main, want) {
					t.Errorf("record lacks %q", want)
				}
			}
			if h := text("#issuedsha"); h != sha(good) {
				t.Errorf("the issued SHA-256 reads %q, want %q", h, sha(good))
			}
			lines, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
				const r = document.createRange();
				r.selectNodeContents(document.getElementById("issuedsha"));
				return new Set(Array.from(r.getClientRects(), b => Math.round(b.top))).size;
			})()`))
			if err != nil || lines != 1 {
				t.Errorf("the SHA-256 is on %d lines (%v)", lines, err)
			}
			if wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
				t.Errorf("the record scrolls sideways (%v)", err)
			}
			shot("record")
			upload(goodPath)
			if main := text("main"); !strings.Contains(main, "sama persis") || !strings.HasPrefix(text("#headline"), "Dokumen asli") {
				t.Errorf("compared copy: %q\n%s", text("#headline"), main)
			}
			shot("record-compare")

			// Another valid letter on this letter's page.
			open(srv.URL + "/v/" + idPublic)
			upload(otherPath)
			if h := text("#headline"); !strings.HasPrefix(h, "Bukan surat yang terdaftar") || strings.Contains(text("main"), "Dokumen asli") {
				t.Errorf("another letter on the record: %q", h)
			}
			if wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
				t.Errorf("the mismatch page scrolls sideways (%v)", err)
			}
			shot("record-other")

			// A rahasia letter: no download.
			open(srv.URL + "/v/" + idConfidential)
			if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('a[href*="download"]').length`)); err != nil || n != 0 {
				t.Errorf("a confidential letter offers a download (%d, %v)", n, err)
			}

			// English, by the toggle.
			open(srv.URL + "/verify")
			if err := chromedp.Do(ctx, markOld, chromedp.Click(chromedp.CSS(`a.toggle`)), chromedp.WaitVisible(chromedp.CSS(`html[lang=en]:not([data-old]) main`))); err != nil {
				t.Fatalf("toggle: %v", err)
			}
			if h := text("h1"); h != "Check an electronically signed letter" {
				t.Errorf("English form: %q", h)
			}
			upload(goodPath)
			if h := text("#headline"); !strings.HasPrefix(h, "Authentic document") {
				t.Errorf("English verdict: %q", h)
			}
			shot("english")
			open(srv.URL + "/v/" + idPublic + "?lang=en")
			shot("record-english")

			emptyDir(t, tmp)
		})
	}

	// Without JavaScript the page works the same.
	t.Run("no-javascript", func(t *testing.T) {
		tctx, cancel := chromedp.NewContext(bctx)
		defer cancel()
		ctx, cancel := context.WithTimeout(tctx, time.Minute)
		defer cancel()
		err := chromedp.Do(ctx,
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
				return err
			}),
			chromedp.EmulateViewport(360, 800, chromedp.EmulateMobile),
			chromedp.Navigate(srv.URL+"/verify"),
			chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{goodPath}),
			chromedp.Click(chromedp.CSS(`button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#headline`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		h, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#headline`)))
		if err != nil || !strings.HasPrefix(h, "Dokumen asli") {
			t.Errorf("without JavaScript: %q %v", h, err)
		}
	})

	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("the browser reported: %s", p)
	}
}
