package register

import (
	"context"
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

// TestArchiveInChromium opens the archive's screens in headless Chromium
// at 360×800 (a phone): none scrolls sideways (wide tables scroll in
// their own box), none reports a script error or a blocked resource
// (CSP). Screenshots go to $SEGEL_SHOTS when it is set.
func TestArchiveInChromium(t *testing.T) {
	chromium := testenv.Tool(t, "chromium")
	ta := newTestApp(t)
	ta.archiveLetters()
	if _, err := ta.db.ExecContext(context.Background(), `INSERT INTO klasifikasi (code, name, active_years, inactive_years, final) VALUES ('000', 'Umum', 0, 0, 'musnah')`); err != nil {
		t.Fatal(err)
	}
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
	shots := os.Getenv("SEGEL_SHOTS")
	open := func(name, path, want string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(ta.srv.URL+path), chromedp.WaitVisible(chromedp.CSS(want))); err != nil {
			t.Fatalf("%s (%s): %v", name, path, err)
		}
		if wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
			t.Errorf("%s scrolls sideways at 360 px (%v)", name, err)
		}
		if shots != "" {
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(filepath.Join(shots, "arsip-"+name+".png"), png, 0o644)
			}
		}
	}
	as("kadis")
	open("cari", "/arsip?arah=in", "#hasil")
	open("cari-filter", "/arsip?sifat=rahasia&tahun=2026", "#hasil")
	as("tu")
	open("retensi", "/arsip/retensi", "#due")
	as("admin")
	open("dasbor", "/admin/dasbor", "#kertas")
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("the page reported: %s", p)
	}
}
