package register

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/segel-id/segel/internal/testenv"
)

// TestMasukInChromium opens the surat masuk screens in headless Chromium
// at 360×800 (a phone): none scrolls sideways, none reports a script
// error or a blocked resource (CSP), and the registration form refuses a
// scan too large before sending it. The full tour (clicking through
// register → dispose twice → done, with screenshots) is the register's
// end-to-end test; this one checks the screens of this part.
func TestMasukInChromium(t *testing.T) {
	chromium := testenv.Tool(t, "chromium")
	ta := newTestApp(t)
	addKlasifikasi(t, ta)
	id := register(t, ta.login("tu"), "Undangan rapat koordinasi perizinan berusaha berbasis risiko", "segera")
	dispose(t, ta.login("kadis"), id, rowTo(t, ta, id, "kadis"), []int64{ta.Pos["kabid"].ID, ta.Pos["tu"].ID},
		[]string{"Tindak lanjuti", "Koordinasikan"}, "2026-03-03")
	ta.advance(48 * time.Hour) // overdue: the highlighted screens too

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}
	ctx, cancel := context.WithTimeout(bctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 800, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)); err != nil {
		t.Fatal(err)
	}
	var (
		mu       sync.Mutex
		problems []string
	)
	chromedp.Listen(bctx, func(ev any) {
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

	// The session of a client logged in over HTTP, handed to the browser.
	as := func(user string) {
		t.Helper()
		c := ta.login(user)
		for _, ck := range c.hc.Jar.Cookies(mustURL(t, ta.srv.URL)) {
			if ck.Name == sessionCookie {
				if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: ck.Value, URL: ta.srv.URL}); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		t.Fatalf("no session cookie for %s", user)
	}
	shots := t.TempDir()
	open := func(name, path, want string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(ta.srv.URL+path), chromedp.WaitVisible(chromedp.CSS(want))); err != nil {
			t.Fatalf("%s (%s): %v", name, path, err)
		}
		if wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
			t.Errorf("%s scrolls sideways at 360 px (%v)", name, err)
		}
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		}
	}
	as("kabid")
	open("inbox", "/", "li.overdue")
	open("letter", fmt.Sprintf("/surat/%d", id), "#lewat")
	open("disposisi", fmt.Sprintf("/surat/%d/disposisi?dari=%d", id, rowTo(t, ta, id, "kabid")), "#form-disposisi")
	open("list", "/surat-masuk", "ul.letters")
	as("tu")
	open("new", "/surat-masuk/baru", "#berkas")

	big := filepath.Join(t.TempDir(), "besar.pdf")
	if err := os.WriteFile(big, append([]byte("%PDF-1.7\n"), make([]byte, DefaultMaxScan)...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#berkas"), []string{big})); err != nil {
		t.Fatal(err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("berkas").validationMessage`))
	if err != nil || msg != "Berkas terlalu besar; paling besar 25 MiB." {
		t.Errorf("the form's script on a scan too large: %q %v", msg, err)
	}
	// The form is refused by the server with the messages of its fields.
	if err := chromedp.Do(ctx, chromedp.Navigate(ta.srv.URL+"/surat-masuk/baru"), chromedp.WaitVisible(chromedp.CSS("#catat")),
		chromedp.Click(chromedp.CSS("#catat")), chromedp.WaitVisible(chromedp.CSS("#masalah"))); err != nil {
		t.Fatalf("sending the empty form: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("the page reported: %s", p)
	}
}
