package register

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/segel-id/segel/internal/gatewaytest"
	"github.com/segel-id/segel/internal/testenv"
)

// The browser test drives the register in real headless Chromium at
// 360×800, as the Bupati's phone shows it. The steps of one test share a
// browser (browserE2E); every page they open is checked for what every
// page must have (checkPage) and, when asked, photographed for the docs.
//
// Screenshots: `SEGEL_SCREENSHOTS=update go test ./register/ -run
// TestBrowser` (or `make screenshots`) rewrites
// register/testdata/screenshots/*.png, which README.md and docs/register.md
// show. Without it they go to $SEGEL_ARTIFACTS/register when that is set,
// and nowhere otherwise.

// screenshotDir is the checked-in directory of the docs' screenshots.
const screenshotDir = "testdata/screenshots"

// phoneWidth and phoneHeight are the viewport: a common phone.
const phoneWidth, phoneHeight = 360, 800

// browserE2E is one headless Chromium tab logged in to the register as
// one user at a time.
type browserE2E struct {
	t    *testing.T
	ta   *testApp
	ctx  context.Context // the tab, with the test's deadline
	base string          // the register's URL
	host string          // its host:port
	// shots is where screenshots go ("" for nowhere).
	shots string
	// user is who is logged in ("" for nobody).
	user string
	// hosts are the other hosts the tab may open pages of (the gateway's
	// citizens' page).
	hosts map[string]bool

	mu sync.Mutex
	// problems are what the browser reported: a script error, a resource
	// the CSP blocked, a request to another host.
	problems []string
	// docs are the HTML documents loaded, by URL, with their CSP header
	// (checkPage reads and clears it).
	docs map[string]string
	// shot lists the screenshots taken, so that a name is never used twice.
	shot map[string]bool
}

// startBrowser starts headless Chromium on one phone-sized tab for ta.
func startBrowser(t *testing.T, ta *testApp) *browserE2E {
	t.Helper()
	chromium := testenv.Tool(t, "chromium")
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
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("font-render-hinting", "none"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("lang", "id-ID"),
		chromedp.Flag("accept-lang", "id-ID,id"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil { // the browser, without a deadline
		t.Fatalf("starting %s: %v", chromium, err)
	}
	ctx, cancel := context.WithTimeout(bctx, 10*time.Minute)
	t.Cleanup(cancel)
	u, _ := url.Parse(ta.srv.URL)
	b := &browserE2E{t: t, ta: ta, ctx: ctx, base: ta.srv.URL, host: u.Host,
		docs: map[string]string{}, shot: map[string]bool{}, hosts: map[string]bool{}}
	b.shots = screenshotsTarget(t)
	chromedp.Listen(bctx, b.event)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(phoneWidth, phoneHeight,
		chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.reportProblems)
	return b
}

// screenshotsTarget is where this run writes screenshots: the checked-in
// directory with SEGEL_SCREENSHOTS=update, $SEGEL_ARTIFACTS/register, or
// nowhere.
func screenshotsTarget(t *testing.T) string {
	t.Helper()
	dir := ""
	switch {
	case os.Getenv("SEGEL_SCREENSHOTS") == "update":
		dir = screenshotDir
	case os.Getenv("SEGEL_ARTIFACTS") != "":
		dir = filepath.Join(os.Getenv("SEGEL_ARTIFACTS"), "register")
	default:
		return ""
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// event records what the browser reports: script errors, CSP refusals,
// every request (none may leave the register's host) and the CSP header
// of every HTML document.
func (b *browserE2E) event(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *cdplog.EventEntryAdded:
		e := ev.Entry
		if e.Source == cdplog.EntrySourceSecurity || e.Source == cdplog.EntrySourceJavascript ||
			strings.Contains(e.Text, "Content Security Policy") {
			b.problems = append(b.problems, string(e.Source)+": "+e.Text)
		}
	case *runtime.EventExceptionThrown:
		b.problems = append(b.problems, "exception: "+ev.ExceptionDetails.Text)
	case *network.EventRequestWillBeSent:
		u, err := url.Parse(ev.Request.URL)
		if err != nil {
			b.problems = append(b.problems, "unparsable request URL "+ev.Request.URL)
			break
		}
		if u.Scheme == "data" || u.Scheme == "blob" || u.Scheme == "about" {
			break
		}
		// A page loads only from its own host; the tab goes only to
		// the register and the gateway's citizens' page.
		doc, _ := url.Parse(ev.DocumentURL)
		switch {
		case ev.Type == network.ResourceTypeDocument:
			if u.Host != b.host && !b.hosts[u.Host] {
				b.problems = append(b.problems, "a page on another host: "+ev.Request.URL)
			}
		case doc == nil || u.Host != doc.Host:
			b.problems = append(b.problems, "a request to another host: "+ev.Request.URL+" from "+ev.DocumentURL)
		}
	case *network.EventResponseReceived:
		if ev.Type == network.ResourceTypeDocument {
			b.docs[ev.Response.URL] = headerValue(ev.Response.Headers, "Content-Security-Policy")
		}
	}
}

// headerValue reads a header of a DevTools response, whatever its case.
func headerValue(h network.Headers, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}

// reportProblems fails the test with what the browser reported.
func (b *browserE2E) reportProblems() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("the browser reported: %s", p)
	}
}

// markOld marks the document in the tab, so that waiting for an element
// of the next page cannot find it on this one.
var markOld = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	_, err := chromedp.Evaluate[bool](`document.documentElement.dataset.old = "1", true`)(ctx, t)
	return err
})

// stepTimeout bounds one step (a page to load, a signature to be made):
// a missing element fails the test soon instead of at its deadline.
const stepTimeout = time.Minute

// newPage waits for the next document's main landmark, then for the
// document to be complete (a stylesheet in the body holds back what
// follows it).
var newPage = chromedp.Steps(
	chromedp.WaitVisible(chromedp.CSS(`html:not([data-old]) main`)),
	chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](`!document.documentElement.dataset.old && document.readyState === "complete"`)(ctx, t)
		return err
	}),
)

// open navigates to the register's path and checks the page.
func (b *browserE2E) open(path string) {
	b.t.Helper()
	b.openURL(b.base + path)
}

// openURL navigates to u (a page of the register or of an allowed
// host) and checks the page.
func (b *browserE2E) openURL(u string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, markOld, chromedp.Navigate(u), newPage); err != nil {
		b.t.Fatalf("opening %s: %v", u, err)
	}
	b.checkPage()
}

// allowHost lets the tab open pages of the URL's host.
func (b *browserE2E) allowHost(u string) {
	p, err := url.Parse(u)
	if err != nil {
		b.t.Fatal(err)
	}
	b.mu.Lock()
	b.hosts[p.Host] = true
	b.mu.Unlock()
}

// do runs actions that lead to a new page (a click on a submit button or
// a link), waits for it and checks it.
func (b *browserE2E) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	steps := append([]chromedp.Action[chromedp.Void]{markOld}, actions...)
	steps = append(steps, newPage)
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v (on %s)", what, err, b.location())
	}
	b.checkPage()
}

// click clicks the element sel and waits for the page it leads to.
func (b *browserE2E) click(sel string) {
	b.t.Helper()
	b.do("clicking "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// fill types value into the form control sel (emptied first).
func (b *browserE2E) fill(sel, value string) {
	b.t.Helper()
	b.setValue(sel, "")
	if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.CSS(sel), value)); err != nil {
		b.t.Fatalf("filling %s: %v (on %s)", sel, err, b.location())
	}
}

// setValue sets a control's value directly (a date input, whose typing
// depends on the locale).
func (b *browserE2E) setValue(sel, value string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		if (!el) return false;
		el.value = %q;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return el.value === %q;
	})()`, sel, value, value)
	if !eval[bool](b, js) {
		b.t.Fatalf("setting %s to %q failed (on %s)", sel, value, b.location())
	}
}

// check ticks a checkbox or radio button (by clicking it, as a person
// does, when it is not ticked yet).
func (b *browserE2E) check(sel string) {
	b.t.Helper()
	on, err := chromedp.Run(b.ctx, chromedp.JavascriptAttribute[bool](chromedp.CSS(sel), "checked"))
	if err == nil && !on {
		err = chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(sel)))
	}
	if err != nil {
		b.t.Fatalf("ticking %s: %v (on %s)", sel, err, b.location())
	}
}

// upload chooses the file path in the file input sel.
func (b *browserE2E) upload(sel, path string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.SetUploadFiles(chromedp.CSS(sel), []string{path})); err != nil {
		b.t.Fatalf("choosing %s in %s: %v", path, sel, err)
	}
}

// text is the visible text of the first element sel.
func (b *browserE2E) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("the text of %s: %v (on %s)", sel, err, b.location())
	}
	return strings.TrimSpace(s)
}

// has reports whether the page has an element sel (without waiting).
func (b *browserE2E) has(sel string) bool {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		b.t.Fatalf("querying %s: %v", sel, err)
	}
	return n > 0
}

// eval evaluates a JavaScript expression on the page.
func eval[T any](b *browserE2E, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v (on %s)", expr, err, b.location())
	}
	return v
}

// location is the tab's URL, for messages.
func (b *browserE2E) location() string {
	s, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return s
}

// path is the tab's URL path (with the query).
func (b *browserE2E) path() string {
	b.t.Helper()
	u, err := url.Parse(b.location())
	if err != nil {
		b.t.Fatal(err)
	}
	return u.RequestURI()
}

// fetch downloads path with the tab's session (a PDF, an export) and
// answers its status, Content-Type and body.
func (b *browserE2E) fetch(path string) (int, string, []byte) {
	b.t.Helper()
	type answer struct {
		Status int    `json:"status"`
		Type   string `json:"type"`
		Body   string `json:"body"`
	}
	a := eval[answer](b, fmt.Sprintf(`fetch(%q, {credentials: "same-origin"}).then(async r => {
		const bytes = new Uint8Array(await r.arrayBuffer());
		let s = "";
		for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
		return {status: r.status, type: r.headers.get("Content-Type") || "", body: btoa(s)};
	})`, path))
	body, err := base64.StdEncoding.DecodeString(a.Body)
	if err != nil {
		b.t.Fatalf("fetching %s: %v", path, err)
	}
	return a.Status, a.Type, body
}

// a11yScript lists what the page lacks: a lang attribute, one main
// landmark, a label for every form control, a name for every button and
// link, no page wider than the screen.
const a11yScript = `(() => {
	const out = [];
	if (!document.documentElement.lang) out.push("no lang attribute on <html>");
	if (document.querySelectorAll("main, [role=main]").length !== 1) out.push("not exactly one main landmark");
	if (!document.title.trim()) out.push("no title");
	if (!document.querySelector("h1")) out.push("no h1");
	for (const el of document.querySelectorAll("input, select, textarea")) {
		const type = (el.getAttribute("type") || "").toLowerCase();
		if (["hidden", "submit", "button", "reset", "image"].includes(type)) continue;
		const named = (el.labels && el.labels.length > 0 && Array.from(el.labels).some(l => l.textContent.trim())) ||
			(el.getAttribute("aria-label") || "").trim() || el.getAttribute("aria-labelledby");
		if (!named) out.push("a form control without a label: " + el.outerHTML.slice(0, 120));
	}
	for (const el of document.querySelectorAll("button, a[href]")) {
		const name = (el.textContent || "").trim() || (el.getAttribute("aria-label") || "").trim() || el.getAttribute("title");
		if (!name) out.push("a button or link without a name: " + el.outerHTML.slice(0, 120));
	}
	const ids = {};
	for (const el of document.querySelectorAll("[id]")) {
		if (ids[el.id]) out.push("duplicate id " + el.id);
		ids[el.id] = true;
	}
	if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push("the page is wider than the screen (" + document.documentElement.scrollWidth + " px)");
	return out;
})()`

// checkPage checks the page in the tab: the accessibility basics
// (a11yScript) and the CSP header of its document.
func (b *browserE2E) checkPage() {
	b.t.Helper()
	where := b.path()
	for _, p := range eval[[]string](b, a11yScript) {
		b.t.Errorf("%s: %s", where, p)
	}
	loc := b.location()
	b.mu.Lock()
	csp, ok := b.docs[loc]
	b.docs = map[string]string{}
	b.mu.Unlock()
	switch {
	case !ok:
		b.t.Errorf("%s: the browser saw no response for the document", where)
	case csp == "":
		b.t.Errorf("%s: no Content-Security-Policy header", where)
	case !cspOwnHostOnly(csp):
		b.t.Errorf("%s: the CSP allows too much: %s", where, csp)
	}
}

// cspOwnHostOnly reports whether a Content-Security-Policy allows nothing
// from another host: a default-src of 'none' or 'self', and no source in
// any directive but keywords, nonces, hashes and data: images.
func cspOwnHostOnly(csp string) bool {
	def := false
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		if f[0] == "default-src" {
			def = len(f) == 2 && (f[1] == "'none'" || f[1] == "'self'")
		}
		for _, src := range f[1:] {
			if !strings.HasPrefix(src, "'") && !(f[0] == "img-src" && src == "data:") {
				return false
			}
		}
	}
	return def
}

// screenshot keeps a picture of the viewport (not the whole page, so
// that each PNG stays small) as name.png, when screenshots are asked for:
// the top of the page, or from the element at (a selector) down ("end
// SELECTOR": up to the element's end).
func (b *browserE2E) screenshot(name string, at ...string) {
	b.t.Helper()
	if b.shot[name] {
		b.t.Fatalf("screenshot %s taken twice", name)
	}
	b.shot[name] = true
	if b.shots == "" {
		return
	}
	scroll := `window.scrollTo(0, 0)`
	if len(at) > 0 {
		sel, block := at[0], "start"
		if rest, ok := strings.CutPrefix(sel, "end "); ok { // the element at the bottom of the screen
			sel, block = rest, "end"
		}
		scroll = fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: %q})`, sel, block)
	}
	eval[bool](b, `document.activeElement && document.activeElement.blur(), `+scroll+`, true`)
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// loginAs logs out whoever is logged in and logs in as username (whose
// test password is "sandi-" + username), through the login form.
func (b *browserE2E) loginAs(username string) {
	b.t.Helper()
	if b.user == username {
		return
	}
	b.logout()
	b.open("/masuk")
	b.fill("#username", username)
	b.fill("#password", "sandi-"+username)
	b.click(`form[action="/masuk"] button[type=submit]`)
	if b.path() != "/" {
		b.t.Fatalf("after logging in as %s the browser is on %s: %s", username, b.path(), b.text("main"))
	}
	name := b.ta.Users[username].Name
	if me := b.text(".me"); !strings.Contains(me, name) {
		b.t.Fatalf("logged in as %s, the header shows %q", username, me)
	}
	b.user = username
}

// logout clicks the header's logout button, when someone is logged in.
func (b *browserE2E) logout() {
	b.t.Helper()
	if b.user == "" {
		return
	}
	if !strings.HasPrefix(b.location(), b.base+"/") {
		b.open("/") // back from the gateway's page
	}
	b.click(`form[action="/keluar-sesi"] button[type=submit]`)
	if !b.has(`form[action="/masuk"]`) {
		b.t.Fatalf("after logging out, no login form on %s", b.path())
	}
	b.user = ""
}

// TestBrowser drives the register in headless Chromium at 360×800: the
// login (a wrong password, then the clerk's), the layout, and the flows
// of issue 13 as their parts exist. Every page opened is checked by
// checkPage; every screen of the docs is photographed.
func TestBrowser(t *testing.T) {
	testenv.Tool(t, "chromium") // before starting the gateway
	gw := gatewaytest.Start(t, gatewaytest.WithOfficial("dev-kadis", "Budi Kadis"), gatewaytest.WithOfficial("dev-bupati", "Ratu Tatu"))
	ta := newTestApp(t, func(o *Options) {
		o.Gateway = &HTTPGateway{BaseURL: gw.URL, APIKey: gw.APIKey, TempDir: t.TempDir()}
	})
	for _, k := range [][2]string{{"005", "Undangan"}, {"800", "Kepegawaian"}} {
		if _, err := ta.db.ExecContext(context.Background(), `INSERT INTO klasifikasi (code, name, active_years, inactive_years, final)
			VALUES ($1, $2, 2, 1, 'musnah') ON CONFLICT (code) DO NOTHING`, k[0], k[1]); err != nil {
			t.Fatal(err)
		}
	}
	b := startBrowser(t, ta)
	b.allowHost(gw.URL)

	// The login page, and a wrong password: one message that does not
	// say which part was wrong.
	b.open("/")
	if p := b.path(); !strings.HasPrefix(p, "/masuk") {
		t.Fatalf("anonymous / went to %s", p)
	}
	if h := b.text("h1"); h != "Masuk" {
		t.Errorf("login page: %q", h)
	}
	if l := b.text(`label[for=username]`); l != "Nama pengguna" {
		t.Errorf("username label: %q", l)
	}
	b.screenshot("login")
	b.fill("#username", "tu")
	b.fill("#password", "salah")
	b.click(`form[action="/masuk"] button[type=submit]`)
	if msg := b.text(`[role=alert]`); msg != "Nama pengguna atau kata sandi salah." {
		t.Errorf("wrong password: %q", msg)
	}

	// The clerk's inbox and the navigation.
	b.loginAs("tu")
	if h := b.text("h1"); h != "Kotak masuk" {
		t.Errorf("inbox: %q", h)
	}
	if !b.has(`nav a[href="/"][aria-current=page]`) {
		t.Error("the navigation does not mark the inbox as the current page")
	}
	b.screenshot("inbox")

	// English, by the switch; and back.
	b.click(`.lang a`)
	if lang := eval[string](b, `document.documentElement.lang`); lang != "en" {
		t.Errorf("after the switch the page's lang is %q", lang)
	}
	if h := b.text("h1"); h != "Inbox" {
		t.Errorf("English inbox: %q", h)
	}
	b.click(`.lang a`)
	if lang := eval[string](b, `document.documentElement.lang`); lang != "id" {
		t.Errorf("after switching back the page's lang is %q", lang)
	}

	b.flowMasuk()
	b.flowKeluar(gw)
	b.flowAdmin()
	b.flowArchive()
	b.logout()
}

// letterIDFromPath reads the id of /surat/{id}… in the tab's URL.
func (b *browserE2E) letterID() int64 {
	b.t.Helper()
	var id int64
	if _, err := fmt.Sscanf(b.path(), "/surat/%d", &id); err != nil || id <= 0 {
		b.t.Fatalf("not on a letter's page: %s", b.path())
	}
	return id
}

// absPath is the absolute path of a file of the repository, for the
// browser's file input.
func absPath(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(rel)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// pdfToPNG renders page 1 of a PDF 360 px wide (pdftoppm), for the docs'
// screenshot of a printout, and returns the PNG's path.
func pdfToPNG(t *testing.T, pdf []byte, width int) string {
	t.Helper()
	pdftoppm := testenv.Tool(t, "pdftoppm")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "page")
	cmd := exec.Command(pdftoppm, "-png", "-singlefile", "-f", "1", "-l", "1", "-scale-to-x", fmt.Sprint(width), "-scale-to-y", "-1", in, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, b)
	}
	return out + ".png"
}

// pdfText is the text of a PDF (pdftotext), to check what a printout says.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	pdftotext := testenv.Tool(t, "pdftotext")
	cmd := exec.Command(pdftotext, "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// keepPicture copies a PNG made outside the browser (a rendered PDF) to
// the screenshots, when they are asked for.
func (b *browserE2E) keepPicture(name, png string) {
	b.t.Helper()
	if b.shot[name] {
		b.t.Fatalf("screenshot %s taken twice", name)
	}
	b.shot[name] = true
	if b.shots == "" {
		return
	}
	data, err := os.ReadFile(png)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), data, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// finishAll marks done, as the logged-in user, every disposition the
// letter's page offers them.
func (b *browserE2E) finishAll(letter int64, note string) int {
	b.t.Helper()
	n := 0
	for {
		b.open(fmt.Sprintf("/surat/%d", letter))
		if !b.has(`a[id^="tindak-"]`) {
			return n
		}
		b.click(`a[id^="tindak-"]`)
		b.fill("#catatan_selesai", note)
		b.click("#tandai-selesai")
		if b.has(`#masalah, [role=alert].error`) {
			b.t.Fatalf("%s could not mark it done: %s", b.user, b.text("main"))
		}
		n++
		if n > 5 {
			b.t.Fatalf("%s keeps being offered a disposition of letter %d", b.user, letter)
		}
	}
}

// flowMasuk: the clerk registers an incoming letter with its scan → the
// head disposes it to two positions → one of them disposes it further →
// each marks done → the letter is selesai; its trail shows every step
// and its lembar disposisi prints them.
func (b *browserE2E) flowMasuk() int64 {
	t, ta := b.t, b.ta
	const subject = "Undangan rapat koordinasi perizinan berusaha"

	// The clerk registers it.
	b.loginAs("tu")
	b.click(`nav a[href="/surat-masuk"]`)
	b.click("#masuk-baru")
	b.fill("#pengirim", "Dinas Kesehatan Provinsi Banten")
	b.fill("#nomor", "440/123/Dinkes/II/2026")
	b.setValue("#tanggal", "2026-02-26")
	b.setValue("#diterima", "2026-03-02")
	b.fill("#perihal", subject)
	b.check(`input[name=sifat][value=segera]`)
	b.setValue("#klasifikasi", "005")
	b.upload("#berkas", absPath(t, "../testdata/pdf/form-2page.pdf"))
	b.screenshot("surat-masuk-form")
	b.click("#catat")
	if b.has("#masalah") {
		t.Fatalf("registering the letter: %s", b.text("main"))
	}
	id := b.letterID()
	if a := b.text("#agenda"); a != "1/2026" {
		t.Errorf("agenda number %q", a)
	}
	if s := b.text("#status"); s != "Baru" {
		t.Errorf("status after registering: %q", s)
	}

	// The head finds it in the inbox and disposes it to the kabid and
	// the kasi.
	b.loginAs("kadis")
	href := fmt.Sprintf(`main a[href="/surat/%d"]`, id)
	if !b.has(href) {
		t.Fatalf("the head's inbox lacks the letter: %s", b.text("main"))
	}
	b.click(href)
	b.click(`a[id^="tindak-"]`)
	b.check(fmt.Sprintf(`input[name=kepada][value="%d"]`, ta.Pos["kabid"].ID))
	b.check(fmt.Sprintf(`input[name=kepada][value="%d"]`, ta.Pos["kasi"].ID))
	b.check(`input[name=instruksi][value="Tindak lanjuti"]`)
	b.check(`input[name=instruksi][value="Koordinasikan"]`)
	b.setValue("#batas", "2026-03-06")
	b.fill("#catatan", "Mohon dikoordinasikan dengan bidang terkait.")
	b.screenshot("disposisi-form", "#form-disposisi")
	b.click("#kirim")
	if b.has("#masalah") {
		t.Fatalf("the head's disposition: %s", b.text("main"))
	}

	// The kabid disposes it further, to the staf.
	b.loginAs("kabid")
	b.open(fmt.Sprintf("/surat/%d", id))
	b.click(`a[id^="tindak-"]`)
	b.check(fmt.Sprintf(`input[name=kepada][value="%d"]`, ta.Pos["staf"].ID))
	b.check(`input[name=instruksi][value="Siapkan jawaban"]`)
	b.fill("#catatan", "Siapkan konsep jawaban.")
	b.click("#kirim")
	if b.has("#masalah") {
		t.Fatalf("the kabid's disposition: %s", b.text("main"))
	}

	// Each marks done.
	for _, who := range []string{"staf", "kabid", "kasi"} {
		b.loginAs(who)
		b.finishAll(id, "Sudah ditindaklanjuti oleh "+who+".")
	}

	// The letter is selesai, with its whole trail.
	b.loginAs("kadis")
	b.open(fmt.Sprintf("/surat/%d", id))
	if s := b.text("#status"); s != "Selesai" {
		t.Errorf("status when every branch is done: %q", s)
	}
	trail := b.text("#jejak")
	for _, want := range []string{ta.Users["kadis"].Name, "Kepala Bidang Pelayanan Perizinan", "Kepala Seksi Perizinan Usaha",
		"Analis Perizinan", "Siapkan konsep jawaban.", "Sudah ditindaklanjuti oleh staf."} {
		if !strings.Contains(trail, want) {
			t.Errorf("the trail lacks %q:\n%s", want, trail)
		}
	}
	b.screenshot("surat-masuk-trail", "#jejak")

	// The lembar disposisi: a PDF with the letter and its dispositions.
	status, ctype, pdf := b.fetch(fmt.Sprintf("/surat/%d/lembar.pdf", id))
	if status != 200 || !strings.HasPrefix(ctype, "application/pdf") || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("lembar disposisi: %d %s %.40q", status, ctype, pdf)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"440/123/Dinkes/II/2026", "Dinas Kesehatan Provinsi Banten", "Tindak lanjuti"} {
		if !strings.Contains(text, want) {
			t.Errorf("the lembar disposisi lacks %q:\n%s", want, text)
		}
	}
	b.keepPicture("lembar-disposisi", pdfToPNG(t, pdf, phoneWidth))
	return id
}

// writeTemp writes data to a file of the test's temporary directory, for
// the browser's file input.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// readQR renders page 1 of a PDF at 150 dpi (pdftoppm) and reads the QR
// codes on it (zbarimg), one per line.
func readQR(t *testing.T, pdf []byte) []string {
	t.Helper()
	pdftoppm, zbarimg := testenv.Tool(t, "pdftoppm"), testenv.Tool(t, "zbarimg")
	dir := t.TempDir()
	in := filepath.Join(dir, "signed.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(pdftoppm, "-r", "150", "-png", "-singlefile", "-f", "1", "-l", "1", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, b)
	}
	out, err := exec.Command(zbarimg, "-q", "--raw", filepath.Join(dir, "page.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg found no QR code on the signed letter: %v", err)
	}
	return strings.Fields(string(out))
}

// draftLetter fills in the new-letter form as the logged-in user and
// submits it, and returns the new letter's id.
func (b *browserE2E) draftLetter(subject, signer, draft, shot string) int64 {
	b.t.Helper()
	ta := b.ta
	b.click(`nav a[href="/surat-keluar"]`)
	b.click(`main a[href="/surat-keluar/baru"]`)
	b.setValue("#kind", "surat_dinas")
	b.setValue("#klasifikasi", "005")
	b.setValue("#sifat", "penting")
	b.fill("#subject", subject)
	b.setValue("#signer", fmt.Sprint(ta.Pos[signer].ID))
	b.check(fmt.Sprintf(`input[name=to_unit][value="%d"]`, ta.Units["KOMINFO"].ID))
	b.fill("#external", "Camat Ciruas")
	b.check(fmt.Sprintf(`input[name=tembusan_unit][value="%d"]`, ta.Units["SERANG"].ID))
	b.upload("#draft", draft)
	if shot != "" {
		b.screenshot(shot)
	}
	b.click(`form[action="/surat-keluar/baru"] button[type=submit]`)
	if b.has(`main [role=alert]`) {
		b.t.Fatalf("drafting %q: %s", subject, b.text("main"))
	}
	return b.letterID()
}

// paraf gives paraf, as the logged-in user, to the letter's current
// version.
func (b *browserE2E) paraf(id int64, note string, shot string) {
	b.t.Helper()
	b.open(fmt.Sprintf("/surat/%d/paraf", id))
	b.fill("#note-ok", note)
	if shot != "" {
		b.screenshot(shot, "section:has(#note-ok)")
	}
	b.click(`form:has(input[name=aksi][value=setuju]) button[type=submit]`)
	if b.has(`main [role=alert]`) {
		b.t.Fatalf("%s's paraf: %s", b.user, b.text("main"))
	}
}

// signWith types a passphrase on the letter's signing screen and submits
// it; it answers the page's message (an error or the notice).
func (b *browserE2E) signWith(id int64, passphrase string) string {
	b.t.Helper()
	if !strings.HasSuffix(b.path(), fmt.Sprintf("/surat/%d/ttd", id)) {
		b.open(fmt.Sprintf("/surat/%d/ttd", id))
	}
	b.fill("#passphrase", passphrase)
	b.click(fmt.Sprintf(`form[action="/surat/%d/ttd"] button[type=submit]`, id))
	switch {
	case b.has(`main [role=alert]`):
		return b.text(`main [role=alert]`)
	case b.has(`main [role=status]`):
		return b.text(`main [role=status]`)
	}
	return ""
}

// flowKeluar: a staf drafts a letter → the Kasi gives paraf → the Kabid
// returns it with a note and a corrected file → the staf resubmits → the
// Kasi and the Kabid give paraf → the Kepala Dinas types a wrong
// passphrase, then the right one → signed, with its number → the QR code
// on the signed PDF opens the gateway's page, which shows the number,
// perihal and signer. Then a second letter: five wrong passphrases lock
// the official out, with the message.
func (b *browserE2E) flowKeluar(gw *gatewaytest.Gateway) {
	t, ta := b.t, b.ta
	const subject = "Undangan rapat perizinan terpadu"
	draft := writeTemp(t, "undangan.pdf", gatewaytest.Letter())
	corrected := writeTemp(t, "undangan-perbaikan.pdf", gatewaytest.LetterWith("PEMERINTAH KABUPATEN SERANG",
		"Nomor: ${nomor}", "Perihal: Undangan Rapat Perizinan Terpadu", "",
		"Dengan hormat, kami mengundang Saudara pada rapat perizinan terpadu.", "", "Kepala Dinas,", "${ttd}"))

	b.loginAs("staf")
	id := b.draftLetter(subject, "kadis", draft, "surat-keluar-form")
	page := fmt.Sprintf("/surat/%d/paraf", id)

	// The Kasi finds it in the inbox and gives paraf.
	b.loginAs("kasi")
	if !b.has(fmt.Sprintf(`main a[href^="/surat/%d"]`, id)) {
		t.Fatalf("the Kasi's inbox lacks the draft: %s", b.text("main"))
	}
	b.paraf(id, "Sudah sesuai.", "paraf")

	// The Kabid returns it with a note and a corrected file.
	b.loginAs("kabid")
	b.open(page)
	b.fill("#note-back", "Perbaiki kalimat pembuka.")
	b.upload("#draft-back", corrected)
	b.click(`form:has(input[name=aksi][value=kembalikan]) button[type=submit]`)
	if b.has(`main [role=alert]`) {
		t.Fatalf("the Kabid's return: %s", b.text("main"))
	}

	// The staf sees why and resubmits the corrected version.
	b.loginAs("staf")
	b.open(page)
	if m := b.text("main"); !strings.Contains(m, "Perbaiki kalimat pembuka.") || !strings.Contains(m, "Dikembalikan") {
		t.Errorf("the drafter's view of a returned letter:\n%s", m)
	}
	b.click(`form:has(input[name=aksi][value=ajukan]) button[type=submit]`)

	b.loginAs("kasi")
	b.paraf(id, "", "")
	b.loginAs("kabid")
	b.paraf(id, "Lanjut ke Kepala Dinas.", "")

	// The Kepala Dinas signs from the phone: a wrong passphrase first.
	b.loginAs("kadis")
	if !b.has(fmt.Sprintf(`main a[href^="/surat/%d"]`, id)) {
		t.Fatalf("the signer's inbox lacks the letter: %s", b.text("main"))
	}
	b.open(fmt.Sprintf("/surat/%d/ttd", id))
	b.screenshot("ttd", "end section:has(#passphrase)")
	if msg := b.signWith(id, "salah-ketik"); !strings.Contains(msg, "Passphrase tidak diterima") {
		t.Errorf("a wrong passphrase says %q", msg)
	}
	off := gw.Official("dev-kadis")
	const number = "005/1/DPMPTSP/2026"
	if msg := b.signWith(id, off.Passphrase); !strings.Contains(msg, number) {
		t.Fatalf("signing says %q:\n%s", msg, b.text("main"))
	}
	if strings.Contains(b.text("body"), off.Passphrase) {
		t.Fatal("the passphrase is on the page")
	}
	b.screenshot("surat-keluar-signed")

	// The signed PDF: its QR code opens the gateway's page of the letter.
	link := eval[string](b, `(document.querySelector('main a[href*="/berkas/"]') || {}).getAttribute?.("href") || ""`)
	if link == "" {
		t.Fatalf("no link to the signed letter: %s", b.text("main"))
	}
	status, ctype, signed := b.fetch(link)
	if status != 200 || !strings.HasPrefix(ctype, "application/pdf") {
		t.Fatalf("the signed letter %s: %d %s", link, status, ctype)
	}
	if !strings.Contains(pdfText(t, signed), number) {
		t.Error("the signed letter does not show its number")
	}
	qr := readQR(t, signed)
	if len(qr) != 1 || !strings.HasPrefix(qr[0], gw.URL+"/v/") {
		t.Fatalf("the QR code reads %q, want the gateway's %s/v/{id}", qr, gw.URL)
	}
	if v := eval[string](b, `(document.querySelector('main a[href*="/v/"]') || {}).href || ""`); v != qr[0] {
		t.Errorf("the letter's page links %q, the QR code reads %q", v, qr[0])
	}
	b.openURL(qr[0])
	citizen := b.text("main")
	for _, want := range []string{number, subject, "Budi Kadis"} {
		if !strings.Contains(citizen, want) {
			t.Errorf("the citizens' page lacks %q:\n%s", want, citizen)
		}
	}
	b.screenshot("citizen-page")

	// A second letter, ready to sign; five wrong passphrases lock the
	// official out.
	b.loginAs("kabid")
	id2 := b.draftLetter("Pemberitahuan jadwal pelayanan", "kadis", draft, "")
	_ = ta
	b.loginAs("kadis")
	b.open(fmt.Sprintf("/surat/%d/ttd", id2))
	var msg string
	for i := 1; i <= 5; i++ {
		msg = b.signWith(id2, fmt.Sprintf("salah-%d", i))
		if i < 5 && !strings.Contains(msg, "Passphrase tidak diterima") {
			t.Errorf("wrong passphrase %d says %q", i, msg)
		}
	}
	if !strings.Contains(msg, "Terlalu banyak passphrase salah") {
		t.Errorf("the fifth wrong passphrase says %q", msg)
	}
	b.screenshot("ttd-locked")
	if msg := b.signWith(id2, off.Passphrase); !strings.Contains(msg, "dikunci") {
		t.Errorf("the right passphrase while locked out says %q", msg)
	}
}

// flowAdmin: the admin's screens (units, positions, users, delegations)
// pass the page checks; the admin adds a user through the form; a staf
// is refused the admin screens.
func (b *browserE2E) flowAdmin() {
	t := b.t
	b.loginAs("admin")
	b.click(`nav a[href="/admin"]`)
	if h := b.text("h1"); h != "Administrasi" {
		t.Errorf("admin: %q", h)
	}
	b.screenshot("admin")
	for _, p := range []string{"/admin/unit", "/admin/jabatan", "/admin/delegasi"} {
		b.click(fmt.Sprintf(`main a[href=%q]`, p))
		b.open("/admin")
	}
	b.click(`main a[href="/admin/pengguna"]`)
	b.fill("#username", "sekretaris")
	b.fill("#name", "Siti Sekretaris")
	b.fill("#nip", "198501012010012001")
	b.setValue("#position", fmt.Sprint(b.ta.Pos["kasi"].ID))
	b.screenshot("admin-pengguna", "#form-user")
	b.click(`form[action="/admin/pengguna"] button[type=submit]`)
	if b.has(`main [role=alert].error, main .error`) {
		t.Fatalf("adding a user: %s", b.text("main"))
	}
	if m := b.text("main"); !strings.Contains(m, "Siti Sekretaris") {
		t.Errorf("the new user is not listed:\n%s", m)
	}

	// Not for a staf.
	b.loginAs("staf")
	if b.has(`nav a[href="/admin"]`) {
		t.Error("the navigation offers a staf the admin screens")
	}
	b.open("/admin/pengguna")
	if m := b.text("main"); strings.Contains(m, "Siti Sekretaris") || b.has(`form[action="/admin/pengguna"]`) {
		t.Errorf("a staf sees the admin's users:\n%s", m)
	}
}

// flowArchive: the archive search finds the signed letter by perihal and
// by number; the buku agenda downloads as CSV and XLSX; four years later
// the retention list shows the letters due; the admin's dashboard counts
// the pages handled in 2026. It runs last: it moves the clock.
func (b *browserE2E) flowArchive() {
	t, ta := b.t, b.ta
	const number = "005/1/DPMPTSP/2026"
	b.loginAs("kadis")
	b.click(`nav a[href="/arsip"]`)
	b.fill("#f-perihal", "perizinan")
	b.click(`form[action="/arsip"] button[type=submit]`)
	if m := b.text("main"); !strings.Contains(m, number) || !strings.Contains(m, "Undangan rapat perizinan terpadu") {
		t.Errorf("searching perihal \"perizinan\":\n%s", m)
	}
	b.screenshot("arsip")
	b.open("/arsip?nomor=" + url.QueryEscape(number))
	// The signed letter (the internal recipients' incoming copies carry
	// the same number; the signer sees them too, as their creator).
	if n := eval[int](b, `Array.from(document.querySelectorAll("main tbody tr")).filter(r => r.textContent.includes("Ditandatangani")).length`); n != 1 {
		t.Errorf("searching number %s: %d signed letters\n%s", number, n, b.text("main tbody"))
	}

	// The buku agenda, by the page's own links.
	csvHref := eval[string](b, `(document.querySelector('main a[href*="agenda.csv"]') || {}).getAttribute?.("href") || ""`)
	xlsxHref := eval[string](b, `(document.querySelector('main a[href*="agenda.xlsx"]') || {}).getAttribute?.("href") || ""`)
	if csvHref == "" || xlsxHref == "" {
		t.Fatalf("no agenda downloads on the archive page: %q %q", csvHref, xlsxHref)
	}
	status, ctype, csv := b.fetch(csvHref)
	if status != 200 || !strings.Contains(ctype, "csv") || !strings.Contains(string(csv), number) {
		t.Errorf("agenda.csv: %d %s\n%s", status, ctype, csv)
	}
	status, ctype, xlsx := b.fetch(xlsxHref)
	if status != 200 || !strings.Contains(ctype, "spreadsheetml") || !bytes.HasPrefix(xlsx, []byte("PK\x03\x04")) {
		t.Errorf("agenda.xlsx: %d %s %.8q", status, ctype, xlsx)
	}

	// Four years on, JRA 005 (2 active + 1 inactive years) is due.
	ta.advance(4 * 366 * 24 * time.Hour)
	b.user = "" // the session expired with the clock
	b.loginAs("admin")
	b.open("/arsip/retensi")
	if m := b.text("main"); !strings.Contains(m, number) {
		t.Errorf("the retention list lacks %s:\n%s", number, m)
	}
	b.screenshot("retensi")

	// The dashboard of 2026: pages handled, and draft-to-signature time.
	b.open("/admin/dasbor?tahun=2026")
	if h := b.text("h1"); !strings.Contains(h, "2026") {
		t.Errorf("dashboard: %q", h)
	}
	total := eval[string](b, `(document.querySelector("#kertas ~ p strong, main strong.big") || {}).textContent || ""`)
	if total == "" || total == "0" {
		t.Errorf("the dashboard counts %q pages in 2026", total)
	}
	b.screenshot("dasbor", "#kertas")
}
